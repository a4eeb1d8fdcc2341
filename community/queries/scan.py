"""Scan rounds of a company: the list (page and API alike), newest first."""
from dataclasses import dataclass

import sqlalchemy as sa

from community.extensions import db
from community.models import ScanRound
from community.pagination import offset_page

PER_PAGE = 30
PAGE_LIMIT = 200  # the rounds page shows at most this many, without pages


@dataclass
class RoundFilters:
    page: int = 1


def _rounds(organisation):
    return sa.select(ScanRound).where(ScanRound.organisation_id == organisation.id)


def _newest_first(stmt):
    return stmt.order_by(ScanRound.opens_on.desc(), ScanRound.id.desc())


def round_page(organisation, filters, per_page=PER_PAGE):
    """The API's pages of rounds: one count, one page."""
    stmt = _rounds(organisation)
    return offset_page(_newest_first(stmt), number=filters.page, per_page=per_page, scalars=True,
                       counted=stmt.with_only_columns(ScanRound.id))


def latest_rounds(organisation, limit=PAGE_LIMIT):
    """The rounds page: the same rows in the same order, at most ``limit`` (one query)."""
    return db.session.scalars(_newest_first(_rounds(organisation)).limit(limit)).all()
