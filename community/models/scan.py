"""The learning-culture scan (leercultuurscan): rounds, one-time invitation codes, and anonymous
responses.

Anonymity is a property of the tables, not only of the pages: a response has no user, no
address, no code and no time of day (only the day), and no free text. Which code was used for
which response is never stored, so even the database cannot tie an answer to the person who got
the code.
"""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

SCAN_VARIANTS = ("employee", "management")


class ScanRound(Row):
    """One measurement of a company's learning climate, open between two calendar dates.

    A round is closed once ``closed_at`` is set (a manager closed it) or its close date has
    passed; from then on it takes no answers, so its results are frozen.
    """

    __tablename__ = "scan_rounds"
    __table_args__ = (
        sa.CheckConstraint("closes_on >= opens_on", name="dates"),
        sa.Index("ix_scan_rounds_organisation_closes", "organisation_id", "closes_on"),
    )

    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    opens_on: so.Mapped[date] = so.mapped_column(sa.Date)
    closes_on: so.Mapped[date] = so.mapped_column(sa.Date)
    questionnaire_version: so.Mapped[int] = so.mapped_column(default=1)
    # Unguessable link secrets (secrets.token_urlsafe): one for employees, one for management.
    employee_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    management_token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # False: only people with an invitation code can answer (the links then say so).
    open_link: so.Mapped[bool] = so.mapped_column(default=True)
    # The company's manager allows the round's anonymous, aggregated results to be used for
    # research across companies (shown to respondents before they answer).
    research_consent: so.Mapped[bool] = so.mapped_column(default=False)
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    # No collections of codes or responses: they are read with explicit queries, and a round is
    # deleted with explicit DELETE statements (actions/scan.py), never by loading its answers.
    organisation: so.Mapped["Organisation"] = so.relationship()  # noqa: F821

    def is_closed(self, today):
        return self.closed_at is not None or today > self.closes_on

    def is_open(self, today):
        return not self.is_closed(today) and today >= self.opens_on

    def status(self, today):
        """'scheduled', 'open' or 'closed' on the given (local) day."""
        if self.is_closed(today):
            return "closed"
        return "open" if today >= self.opens_on else "scheduled"

    def __repr__(self):
        return f"<ScanRound {self.id} {self.title}>"


class ScanCode(Row):
    """A one-time invitation code. ``used`` flips once; no link to the response it gave."""

    __tablename__ = "scan_codes"
    __table_args__ = (sa.CheckConstraint(in_values("variant", SCAN_VARIANTS), name="variant"),)

    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scan_rounds.id", ondelete="CASCADE"), index=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    variant: so.Mapped[str] = so.mapped_column(sa.String(12), default="employee")
    used: so.Mapped[bool] = so.mapped_column(default=False)

    round: so.Mapped[ScanRound] = so.relationship()


class ScanResponse(Row):
    """One anonymous set of answers: {item code: 1..5} and the day it was given. Nothing else."""

    __tablename__ = "scan_responses"
    __table_args__ = (sa.CheckConstraint(in_values("variant", SCAN_VARIANTS), name="variant"),)

    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scan_rounds.id", ondelete="CASCADE"), index=True)
    variant: so.Mapped[str] = so.mapped_column(sa.String(12))
    answered_on: so.Mapped[date] = so.mapped_column(sa.Date)
    answers: so.Mapped[dict] = so.mapped_column(sa.JSON)


class ScanScore(Row):
    """A response's score on one dimension, kept as whole numbers: the sum of its (reverse-
    corrected) item scores and how many items that is. Written with the response, so a round's
    figures are one aggregate query whatever the number of responses (community.scan.results)."""

    __tablename__ = "scan_scores"
    __table_args__ = (sa.Index("ix_scan_scores_round_variant", "round_id", "variant", "dimension"),)

    response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("scan_responses.id", ondelete="CASCADE"), index=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("scan_rounds.id", ondelete="CASCADE"))
    variant: so.Mapped[str] = so.mapped_column(sa.String(12))
    dimension: so.Mapped[str] = so.mapped_column(sa.String(40))
    total: so.Mapped[int] = so.mapped_column()
    items: so.Mapped[int] = so.mapped_column()
