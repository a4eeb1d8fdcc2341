"""Background jobs that failed on their last try, kept for admins (community.jobs)."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, utcnow


class JobFailure(Row):
    __tablename__ = "job_failures"

    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    args: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    error: so.Mapped[str] = so.mapped_column(sa.String(4000), default="")
    failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set when an admin queued it again (the row stays as a record).
    retried_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
