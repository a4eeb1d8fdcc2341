"""Changing the address one logs in with: the new address must answer first. The member asks
(with their password); the new address gets a link; opening it makes it the login, and the old
address is told. Whether the new address already has an account is not told on the page: that
address then gets a mail saying so, without a link."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import signed_links
from community.actions import ActionError, Conflict
from community.actions.mail import queue_mail
from community.actions.validate import clean_email
from community.extensions import db
from community.mail.links import absolute_url
from community.models import User
from community.queries.accounts import user_by_email
from community.security import verify_password

VERIFY = "email-verify"
VERIFY_SECONDS = 24 * 3600


def request_email_change(user, new_email, password):
    """Send the new address a link (or, when it has an account already, a notice). Returns the
    cleaned address. The caller's answer is the same either way."""
    if not verify_password(user.password_hash, password or ""):
        raise ActionError(_l("Your current password is not correct."), field="password")
    new_email = clean_email(new_email)
    if new_email == user.email:
        raise ActionError(_l("This is already the address you log in with."), field="email")
    owner = user_by_email(new_email)
    if owner is not None:
        queue_mail("email_taken", new_email, owner.language, _l("Someone tried to use this address on Leerkring"),
                   dict(name=owner.display_name, email=new_email, url=absolute_url("auth.forgot_password"),
                        reason=_l("You receive this mail because this address has a Leerkring account.")),
                   to_name=owner.display_name, user=owner)
    else:
        token = verify_token(user, new_email)
        queue_mail("email_verify", new_email, user.language, _l("Confirm your new address for Leerkring"),
                   dict(name=user.display_name, email=new_email, old_email=user.email,
                        url=absolute_url("account.confirm_email", token=token),
                        reason=_l("You receive this mail because this address was entered on Leerkring as the "
                                  "new login address of an account.")),
                   to_name=user.display_name)
    db.session.commit()
    return new_email


def verify_token(user, new_email):
    return signed_links.make(VERIFY, {"u": user.id, "e": new_email, "f": _fingerprint(user)})


def _fingerprint(user):
    return signed_links.fingerprint(user.id, user.email)


def pending_change(token):
    """(user, new address) of a valid link. Raises ActionError (404) for a link that expired,
    was used (the address changed since) or was never ours."""
    try:
        payload = signed_links.read(VERIFY, token, VERIFY_SECONDS)
    except signed_links.LinkExpired:
        raise ActionError(_l("This link has expired: it works for 24 hours. Change your address again on your "
                             "profile."), status=404, code="expired")
    except signed_links.LinkInvalid:
        payload = None
    valid = isinstance(payload, dict) and isinstance(payload.get("u"), int) and 0 < payload["u"] < 2 ** 31 \
        and isinstance(payload.get("e"), str)
    user = db.session.get(User, payload["u"]) if valid else None
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        raise ActionError(_l("This link does not work (anymore): it may have been used already."),
                          status=404, code="invalid_link")
    return user, payload["e"]


def confirm_email_change(token):
    """Make the new address the login and tell the old one. Returns the user."""
    user, new_email = pending_change(token)
    if user_by_email(new_email) is not None:
        raise Conflict(_l("This address has an account of its own by now, so it cannot become yours."))
    old_email = user.email
    user.email = new_email
    queue_mail("email_changed", old_email, user.language, _l("The login address of your Leerkring account changed"),
               dict(name=user.display_name, old_email=old_email, new_email=new_email,
                    reason=_l("You receive this mail because this was the login address of a Leerkring account.")),
               to_name=user.display_name, user=user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # taken by a registration at the same moment
        db.session.rollback()
        raise Conflict(_l("This address has an account of its own by now, so it cannot become yours."))
    return user
