"""Learning-culture scan: open a round (with its links and one-time codes), close it, delete it
with every response, and store one anonymous response.

A response is stored in the same transaction that uses up its code, or not at all. The code row
only flips ``used``; nothing records which response it gave, so answers stay anonymous even to
someone who knows who got which code.
"""
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_date, lazy_gettext as _l

from community import permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions.validate import clean_line
from community.extensions import db
from community.models import SCAN_VARIANTS, ScanCode, ScanResponse, ScanRound, ScanScore, utcnow
from community.scan import scoring

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
TITLE_MAX = 200
ROUND_MAX_DAYS = 366
CODES_MAX = 500
MANAGEMENT_CODES_MAX = 50
# Codes are typed from paper: no 0/O or 1/I/L to confuse.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def today():
    """Rounds open and close on calendar days in the Netherlands, not in UTC."""
    return datetime.now(LOCAL_ZONE).date()


class AnswersRefused(ActionError):
    """Missing or impossible answers; ``missing`` and ``invalid`` name the items."""

    def __init__(self, missing, invalid):
        count = len(missing) + len(invalid)
        super().__init__(_l("Answer every statement with one of the five options (%(count)d still open).",
                            count=count), field="answers")
        self.missing = missing
        self.invalid = invalid


def normalise_code(text):
    """What someone typed from paper as a code: case, spaces and dashes do not matter."""
    if not isinstance(text, str):
        return ""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t")
    return cleaned if cleaned.isascii() and cleaned.isalnum() and len(cleaned) <= 16 else ""


def format_code(code):
    """ABCDE-FGHJK: easier to read aloud and copy."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _count(value, field, maximum):
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ActionError(_l("Enter a whole number from 0 to %(max)d.", max=maximum), field=field)
    return value


def _check_dates(opens_on, closes_on, on_day):
    for value, field in ((opens_on, "opens_on"), (closes_on, "closes_on")):
        if not isinstance(value, date):
            raise ActionError(_l("Enter a valid date."), field=field)
    if closes_on < opens_on:
        raise ActionError(_l("The close date cannot be before the open date."), field="closes_on")
    if closes_on < on_day:
        raise ActionError(_l("The close date cannot be in the past."), field="closes_on")
    if (closes_on - opens_on) > timedelta(days=ROUND_MAX_DAYS):
        raise ActionError(_l("A round lasts at most a year."), field="closes_on")


def _check_manager(actor, organisation):
    if not permissions.can_manage_scan(actor, organisation):
        raise NotAllowed(_l("Only managers of the company run its learning-culture scan."))


def create_round(actor, organisation, title, opens_on, closes_on, employee_codes=0, management_codes=0,
                 open_link=True, research_consent=False, *, on_day=None):
    """Open a round for a company. ``on_day`` stands in for today (the demo seeds past rounds).
    ``research_consent``: the manager allows the round's anonymous, aggregated results to be used
    for research across companies (respondents are told before they answer)."""
    _check_manager(actor, organisation)
    on_day = on_day or today()
    title = clean_line(title, "title", TITLE_MAX)
    _check_dates(opens_on, closes_on, on_day)
    employee_codes = _count(employee_codes, "employee_codes", CODES_MAX)
    management_codes = _count(management_codes, "management_codes", MANAGEMENT_CODES_MAX)
    if not open_link and employee_codes == 0:
        raise ActionError(_l("Without the open link, employees need invitation codes: hand out at least one."),
                          field="employee_codes")
    scan_round = ScanRound(organisation_id=organisation.id, title=title, opens_on=opens_on, closes_on=closes_on,
                           questionnaire_version=scoring.questionnaire()["version"],
                           employee_token=secrets.token_urlsafe(24), management_token=secrets.token_urlsafe(24),
                           open_link=bool(open_link), research_consent=research_consent is True,
                           created_by_id=actor.id, created_at=utcnow())
    db.session.add(scan_round)
    db.session.flush()
    codes = set()
    while len(codes) < employee_codes + management_codes:
        codes.add(_new_code())
    for index, code in enumerate(sorted(codes)):
        variant = "employee" if index < employee_codes else "management"
        db.session.add(ScanCode(round_id=scan_round.id, code=code, variant=variant, used=False))
    db.session.commit()
    return scan_round


def close_round(actor, scan_round):
    """Close before the close date. From now on no answers are taken: the results are final."""
    _check_manager(actor, scan_round.organisation)
    if scan_round.is_closed(today()):
        raise Conflict(_l("This round is already closed."))
    scan_round.closed_at = utcnow()
    db.session.commit()
    return scan_round


def set_research_consent(actor, scan_round, consent, *, on_day=None):
    """Allow or withdraw research use of the round's anonymous, aggregated results, until the
    round closes. Allowing it once answers came in is refused: those respondents were told
    their answers would not be used for research. Withdrawing is always possible while open."""
    _check_manager(actor, scan_round.organisation)
    if not isinstance(consent, bool):
        raise ActionError(_l("Choose yes or no."), field="research_consent")
    if scan_round.is_closed(on_day or today()):
        raise Conflict(_l("This round is closed; its research choice can no longer change."))
    if consent == scan_round.research_consent:
        return scan_round
    if consent and db.session.scalar(sa.select(ScanResponse.id).where(
            ScanResponse.round_id == scan_round.id).limit(1)) is not None:
        raise Conflict(_l("People have answered already without research use: it can only be allowed "
                          "in a round nobody has answered yet."), field="research_consent")
    scan_round.research_consent = consent
    db.session.commit()
    return scan_round


def delete_round(actor, scan_round):
    """Delete a round with all its responses and codes; nothing of it remains."""
    _check_manager(actor, scan_round.organisation)
    db.session.execute(sa.delete(ScanScore).where(ScanScore.round_id == scan_round.id))
    db.session.execute(sa.delete(ScanResponse).where(ScanResponse.round_id == scan_round.id))
    db.session.execute(sa.delete(ScanCode).where(ScanCode.round_id == scan_round.id))
    db.session.execute(sa.delete(ScanRound).where(ScanRound.id == scan_round.id))
    db.session.commit()


def check_open(scan_round, on_day=None):
    """Refuse (409) when the round does not take answers on this day, saying why."""
    on_day = on_day or today()
    if scan_round.is_closed(on_day):
        raise ActionError(_l("This round is closed: answers are no longer accepted."), status=409, code="closed")
    if on_day < scan_round.opens_on:
        raise ActionError(_l("This round opens on %(date)s.", date=format_date(scan_round.opens_on, "long")),
                          status=409, code="not_open")


def submit_response(scan_round, variant, answers, code=None, *, on_day=None):
    """Store one anonymous response: all answers valid, round open, code (if any) unused and for
    this round. Either everything is written or nothing."""
    on_day = on_day or today()
    if variant not in SCAN_VARIANTS:
        raise ActionError(_l("Unknown questionnaire."), status=404, code="not_found")
    check_open(scan_round, on_day)
    if code is None and not scan_round.open_link:
        raise ActionError(_l("This scan is answered with an invitation code."), field="code", status=403,
                          code="code_required")
    if code is not None and (code.round_id != scan_round.id or code.variant != variant):
        raise ActionError(_l("This code does not belong to this questionnaire."), field="code")
    try:
        clean = scoring.validate(answers, variant, scan_round.questionnaire_version)
    except scoring.AnswersInvalid as error:
        raise AnswersRefused(error.missing, error.invalid)
    if code is not None:
        # Compare-and-set, so two people sending the same code at once cannot both get in.
        taken = db.session.execute(sa.update(ScanCode).where(ScanCode.id == code.id, ScanCode.used.is_(False))
                                   .values(used=True))
        if taken.rowcount != 1:
            db.session.rollback()
            raise Conflict(_l("This code has already been used. Each code can be used once."), field="code")
    response = ScanResponse(round_id=scan_round.id, variant=variant, answered_on=on_day, answers=clean)
    db.session.add(response)
    db.session.flush()
    totals = scoring.dimension_totals(clean, variant, scan_round.questionnaire_version)
    db.session.add_all(ScanScore(response_id=response.id, round_id=scan_round.id, variant=variant,
                                 dimension=dimension, total=total, items=items)
                       for dimension, (total, items) in totals.items())
    db.session.commit()
