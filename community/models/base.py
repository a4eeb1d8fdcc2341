"""The models' common base (Row), shared column types and helpers."""
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.types import TypeDecorator

from community.extensions import db


class Row(db.Model):
    """Base of every model whose rows have an integer id (all but EventStream)."""

    __abstract__ = True

    id: so.Mapped[int] = so.mapped_column(primary_key=True, sort_order=-1)  # first column, as in the migrations


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back timezone-aware datetimes, on SQLite too."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def in_values(column, values):
    """A CHECK constraint expression text: column IN (values)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Hideable:
    """Soft hiding by a coordinator: the author still sees it, with the reason; moderators see
    it marked hidden; nobody else sees it at all. Restoring clears the three columns."""

    hidden_at = sa.orm.mapped_column(UTCDateTime, nullable=True)
    hidden_reason = sa.orm.mapped_column(sa.String(300), nullable=False, default="")
    hidden_by_id = sa.orm.mapped_column(sa.Integer, nullable=True)  # no key: the audit log keeps who

    @property
    def is_hidden(self):
        return self.hidden_at is not None
