"""The respondents' pages: answering through the open link (/s/<token>) or with a one-time code
(/scan/code). No account is needed, and nothing about the respondent is kept: the response row
has only the answers and the day (see models/scan.py).

The whole questionnaire is one form with a section per dimension and a sticky progress bar, so
answers can be revisited before sending; a refused form comes back with every answer still
ticked. Limits: the open link takes at most SCAN_LIMIT_PER_ADDRESS stored responses per address
and link (a workshop behind one address still fits), and code entry at most
SCAN_CODE_LIMIT_PER_ADDRESS wrong codes.
"""
from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from community import permissions
from community.actions import ActionError, scan as actions
from community.extensions import limiter
from community.scan import scoring, texts
from community.scan.forms import CodeForm
from community.scan.views import bp
from community.security import keeps_input

ANSWER_VALUES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


def _link_limit():
    return current_app.config.get("SCAN_LIMIT_PER_ADDRESS", "60 per hour")


def _code_limit():
    return current_app.config.get("SCAN_CODE_LIMIT_PER_ADDRESS", "30 per 10 minutes")


def _link_key():
    return "scan-link:" + get_remote_address() + ":" + str((request.view_args or {}).get("token", ""))[:64]


def answers_from(form, variant, version):
    """The ticked answers as {item code: 1..5}; anything else typed into the form is kept as the
    raw text, so validation names it as invalid rather than as missing."""
    answers = {}
    for item in scoring.all_items(scoring.questionnaire(version), variant):
        raw = form.get(item["code"], "")
        if raw in ANSWER_VALUES:
            answers[item["code"]] = ANSWER_VALUES[raw]
        elif raw != "":
            answers[item["code"]] = raw[:20]
    return answers


def _questionnaire(scan_round, variant, action, answers=None, error=None, status=200, code=None):
    """The questionnaire page, with the given answers ticked and the refused items marked."""
    answers = answers or {}
    flagged = set(getattr(error, "missing", [])) | set(getattr(error, "invalid", [])) if error else set()
    version = scan_round.questionnaire_version
    total = len(scoring.all_items(scoring.questionnaire(version), variant))
    ticked = {code: value for code, value in answers.items() if value in ANSWER_VALUES.values()}
    return render_template(
        "scan/answer.html", scan_round=scan_round, variant=variant, sections=texts.sections(variant, version),
        scale=texts.scale_labels(version), intro=texts.management_intro(version) if variant == "management" else "",
        answers=ticked, flagged=flagged, error=error, total=total, action=action,
        code=actions.format_code(code.code) if code is not None else None,
        organisation_name=scan_round.organisation.name), status


def _closed_page(scan_round, error, status):
    return render_template("scan/closed.html", scan_round=scan_round, message=error.message), status


def _link_limited(request_limit):
    scan_round, variant = permissions.access_scan_link_or_404((request.view_args or {}).get("token"))
    answers = answers_from(request.form, variant, scan_round.questionnaire_version)
    error = ActionError(_("Many answers came from this address in a short time. Wait a while and send "
                          "again: your answers are kept below."))
    return current_app.make_response(_questionnaire(scan_round, variant, request.path, answers, error, 429))


@bp.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(_link_limit, methods=["POST"], key_func=_link_key,
               deduct_when=lambda response: response.status_code == 302, on_breach=_link_limited)
@keeps_input
def answer(token):
    """The open link (employee or management questionnaire)."""
    scan_round, variant = permissions.access_scan_link_or_404(token)
    try:
        actions.check_open(scan_round)
    except ActionError as error:
        return _closed_page(scan_round, error, 409 if request.method == "POST" else 200)
    if not scan_round.open_link and variant == "employee":
        return render_template("scan/code_only.html", scan_round=scan_round), 403 if request.method == "POST" else 200
    if request.method == "GET":
        return _questionnaire(scan_round, variant, request.path)
    answers = answers_from(request.form, variant, scan_round.questionnaire_version)
    if g.get("csrf_failed"):
        error = ActionError(_("Your session expired before you sent this form. We kept your answers: "
                              "send them again."))
        return _questionnaire(scan_round, variant, request.path, answers, error, 400)
    try:
        actions.submit_response(scan_round, variant, answers)
    except ActionError as error:
        if error.code in ("closed", "not_open"):
            return _closed_page(scan_round, error, error.status)
        return _questionnaire(scan_round, variant, request.path, answers, error, 400 if error.status == 422
                              else error.status)
    return redirect(url_for("scan.thanks"))


def _wrong_code():
    g.scan_code_failed = True
    return _("This code is not known. Check it against the paper (letters and digits, "
             "dashes do not matter).")


@bp.route("/scan/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], deduct_when=lambda response: bool(g.get("scan_code_failed")))
@keeps_input
def enter_code():
    """Answer with a one-time invitation code: first the code, then the questionnaire (which
    carries the code in a hidden field), then the answers."""
    form = CodeForm()
    if request.method == "GET":
        return render_template("scan/code.html", form=form)
    if g.get("csrf_failed") and "answering" not in request.form:
        form.validate()  # adds the "session expired, we kept what you typed" message
        return render_template("scan/code.html", form=form), 400
    code = permissions.scan_code_row(actions.normalise_code(form.code.data))
    if code is None:
        form.code.errors = [_wrong_code()]
        return render_template("scan/code.html", form=form), 400
    if code.used:
        form.code.errors = [_("This code has already been used. Each code can be used once.")]
        return render_template("scan/code.html", form=form), 409
    scan_round = code.round
    try:
        actions.check_open(scan_round)
    except ActionError as error:
        return _closed_page(scan_round, error, 409)
    if "answering" not in request.form:
        return _questionnaire(scan_round, code.variant, url_for("scan.enter_code"), code=code)
    answers = answers_from(request.form, code.variant, scan_round.questionnaire_version)
    if g.get("csrf_failed"):
        error = ActionError(_("Your session expired before you sent this form. We kept your answers: "
                              "send them again."))
        return _questionnaire(scan_round, code.variant, url_for("scan.enter_code"), answers, error, 400, code=code)
    try:
        actions.submit_response(scan_round, code.variant, answers, code=code)
    except ActionError as error:
        if error.code in ("closed", "not_open"):
            return _closed_page(scan_round, error, error.status)
        return _questionnaire(scan_round, code.variant, url_for("scan.enter_code"), answers, error,
                              400 if error.status == 422 else error.status, code=code)
    return redirect(url_for("scan.thanks"))


@bp.route("/scan/thanks")
def thanks():
    return render_template("scan/thanks.html")
