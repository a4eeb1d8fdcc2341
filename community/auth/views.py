"""Register, log in, log out."""
import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from community.actions import ActionError
from community.actions import accounts, organisations as org_actions
from community.auth import bp, known_browser
from community.auth.forms import LoginForm, RegisterForm
from community.extensions import db, limiter
from community.models import Organisation
from community.security import keeps_input, safe_next
from community.security_setup import client_user_agent, current_session_key


def _failed_login(response):
    """Only failed attempts count towards the login limits."""
    return response.status_code != 302


def _submitted_email():
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key():
    # Keyed by the address as typed, whether or not it has an account: the limit must not
    # tell which addresses exist.
    return "login:" + _submitted_email()


def _from_known_browser():
    """A browser that logged in to this account before is not held back by the account's
    limit: failed guesses elsewhere cannot lock the owner out (the per-address limit stays)."""
    return known_browser.knows_account(_submitted_email())


def _login_limited(request_limit):
    form = LoginForm()
    form.password.data = ""
    form.form_errors.append(_("Too many failed attempts. Wait a few minutes and try again."))
    return current_app.make_response((render_template("auth/login.html", form=form), 429))


def _sign_in(user):
    """A fresh session at login: nothing from before survives (no session fixation)."""
    language = session.get("lang")
    session.clear()
    key = accounts.start_session(user, client_user_agent())
    user.session_key = key
    session.permanent = True
    login_user(user)
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login, on_breach=_login_limited)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_failed_login, on_breach=_login_limited,
               exempt_when=_from_known_browser)
@keeps_input
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            first_time = user.last_login_at is None  # just registered: the welcome moved here
            _sign_in(user)
            flash(_("Welcome to Leerkring, %(name)s! Your account is ready.", name=user.display_name)
                  if first_time else _("Welcome back, %(name)s.", name=user.display_name), "success")
            response = redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
            return known_browser.remember(response, user)
        form.form_errors.append(_("The e-mail address or password is not correct."))
    elif request.method == "GET" and "login_email" in session:
        form.email.data = session.pop("login_email")  # just registered: only the password to go
    form.password.data = ""
    return render_template("auth/login.html", form=form), form.status


def _organisations_to_pick():
    return db.session.scalars(sa.select(Organisation).where(Organisation.status == "active")
                              .order_by(Organisation.name)).all()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=lambda response: response.status_code == 302)
@keeps_input
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    orgs = _organisations_to_pick()
    form = RegisterForm(organisations=orgs)
    if request.method == "GET":
        form.language.data = session.get("lang", "nl")
    if form.validate_on_submit():
        try:
            proposal = None
            if form.new_organisation_name.data and form.new_organisation_name.data.strip():
                proposal = dict(name=form.new_organisation_name.data, kind=form.new_organisation_kind.data,
                                city=form.new_organisation_city.data)
                org_actions.check_proposal(**proposal)
            user = accounts.sign_up(form.email.data, form.display_name.data, form.password.data,
                                    kind=form.kind.data, language=form.language.data,
                                    accepted_privacy=bool(form.accept_privacy.data))
        except ActionError as error:
            if error.field in ("name", "kind", "city"):
                error.field = "new_organisation_" + error.field
            form.add_error(error)
        else:
            return _registered(user, form, proposal)
    form.password.data = ""
    return render_template("auth/register.html", form=form), form.status


def _registered(user, form, proposal):
    """The same answer whether the address was new (user) or already had an account (None): no
    automatic login, the same messages, on to the login page with the address filled in. A new
    member logs in with the password they just chose; a stranger learns nothing here."""
    org = _organisation_asked_for(form.organisation.data) if not proposal else None
    flash(_("Thank you for signing up. Log in with your e-mail address and the password you just "
            "chose. Did you already have an account with this address? Then log in with its "
            "password."), "info")
    if proposal:
        flash(_("We asked an administrator to add %(name)s.", name=proposal["name"].strip()), "info")
    elif org is not None:
        flash(_("Your request to join %(name)s awaits a manager's approval.", name=org.name), "info")
    if user is not None:
        _ask_for_organisation(user, org, proposal)
    session["login_email"] = form.email.data.strip().lower()  # as typed either way: the cookie is readable
    target = safe_next(request.args.get("next"), None)
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))


def _organisation_asked_for(organisation_id):
    if organisation_id and organisation_id.isdigit() and len(organisation_id) < 10:
        org = db.session.get(Organisation, int(organisation_id))
        if org is not None and org.status == "active":
            return org
    return None


def _ask_for_organisation(user, org, proposal):
    """The new member's organisation request. The messages above are decided by the form alone,
    so they do not differ for an address that already had an account."""
    try:
        if proposal:
            org_actions.propose_organisation(user, **proposal)
        elif org is not None:
            org_actions.request_membership(user, org)
    except ActionError as error:  # the name was taken in the meantime
        flash(str(error.message), "warning")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.end_session(current_session_key())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))
