"""Background jobs that failed on their last try, kept for admins (community.jobs)."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models.base import UTCDateTime, utcnow


class JobFailure(db.Model):
    __tablename__ = "job_failures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    args: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    error: so.Mapped[str] = so.mapped_column(sa.String(4000), default="")
    failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set when an admin queued it again (the row stays as a record).
    retried_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
