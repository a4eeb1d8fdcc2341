"""The learning-culture scan.

Respondents have no account: a link token or a one-time code is their whole authorisation.
Rounds and results belong to the company's managers (and admins); for everyone else a round
does not exist (404), as its title alone can say something about the company.
"""
import re

import sqlalchemy as sa
from flask import abort

from community.extensions import db
from community.models import Organisation, ScanCode, ScanRound
from community.permissions.core import is_admin, row_or_404
from community.permissions.organisations import is_organisation_manager


def can_manage_scan(user, org):
    """Open, close and delete rounds and read their results: managers of an active company."""
    if org.kind != "company" or org.status != "active":
        return False
    return is_admin(user) or is_organisation_manager(user, org)


def access_scan_organisation_or_404(org_id, user):
    return row_or_404(Organisation, org_id, lambda org: can_manage_scan(user, org))


def access_scan_round_or_404(round_id, user):
    return row_or_404(ScanRound, round_id, lambda scan_round: can_manage_scan(user, scan_round.organisation))


# token_urlsafe(24) makes 32 characters; anything else cannot be a link and is not looked up.
_SCAN_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def access_scan_link_or_404(token):
    """The round and questionnaire variant ('employee' or 'management') a link opens, or 404."""
    if not isinstance(token, str) or not _SCAN_TOKEN_SHAPE.fullmatch(token):
        abort(404)
    scan_round = db.session.scalar(sa.select(ScanRound).where(
        sa.or_(ScanRound.employee_token == token, ScanRound.management_token == token)))
    if scan_round is None:
        abort(404)
    return scan_round, "management" if scan_round.management_token == token else "employee"


def scan_code_row(code):
    """The invitation code row for an already normalised code, or None (the caller says why)."""
    if not isinstance(code, str) or not code.isascii() or not code.isalnum() or len(code) > 16:
        return None
    return db.session.scalar(sa.select(ScanCode).where(ScanCode.code == code))
