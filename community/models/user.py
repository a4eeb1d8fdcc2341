"""Accounts: users, their login sessions and their API tokens."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from community.folding import words
from community.models.base import Row, UTCDateTime, in_values, utcnow

USER_KINDS = ("employee", "teacher", "student", "other")
LANGUAGES = ("nl", "en")


class User(UserMixin, Row):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", USER_KINDS), name="kind"),
        sa.CheckConstraint(in_values("language", LANGUAGES), name="language"),
    )

    # Stored normalised (lower case), so uniqueness is case-insensitive on every database.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    # The name's words accent-folded, in lower case, each after a space (community.folding.words),
    # for people search (community.queries.people); kept in step by _keep_name_key.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    # For @mentions and profile addresses: made from the name at registration, unique.
    handle: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="employee")
    language: so.Mapped[str] = so.mapped_column(sa.String(5), default="nl")
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    # Granted by an admin to members of a school or partner organisation: the research area
    # (community/research), which shows only aggregates over at least five companies.
    is_researcher: so.Mapped[bool] = so.mapped_column(default=False)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The privacy statement accepted at registration (PRIVACY_VERSION then) and when; empty for
    # accounts made by an administrator or the command line.
    privacy_version: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    privacy_accepted_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # Set when the account was deleted: the row stays, anonymised ("Voormalig lid 7F3A"), so
    # what the person wrote stays readable (community/actions/privacy.py).
    deleted_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The profile photo: a server-made file name under instance/uploads/avatars (square, re-encoded
    # by community.actions.avatars); None shows the initials on a colour made from the id.
    avatar_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80))

    memberships: so.Mapped[list["OrganisationMembership"]] = so.relationship(  # noqa: F821
        back_populates="user", foreign_keys="OrganisationMembership.user_id",
        cascade="all, delete-orphan",
    )

    @so.validates("display_name")
    def _keep_name_key(self, _key, value):
        """Whoever sets the name (registration, the profile, anonymising an account) also sets
        what people search finds: a former name must not stay findable."""
        self.name_key = words(value)
        return value

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_active(self):
        # Flask-Login refuses inactive users at login.
        return self.active

    def get_id(self):
        # Flask-Login keeps this in the cookie: the login-session key, never the bare user id.
        return getattr(self, "session_key", None)

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class LoginSession(Row):
    """A server-side record of one signed-in browser.

    The cookie carries a random key; only its hash is stored. Logging out deletes the row, so a
    replayed cookie finds nothing; disabling a user deletes all their rows.
    """

    __tablename__ = "login_sessions"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    user: so.Mapped[User] = so.relationship()


class ApiToken(Row):
    """A personal access token for the JSON API. Shown once; only its hash is stored."""

    __tablename__ = "api_tokens"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()

    @property
    def is_revoked(self):
        return self.revoked_at is not None


EXPORT_STATUSES = ("queued", "ready", "failed")


class DataExport(Row):
    """A user's download of everything Leerkring holds about them: a ZIP built by a job, kept
    under the instance folder (``file_name``, made by the server) until ``expires_at``."""

    __tablename__ = "data_exports"
    __table_args__ = (sa.CheckConstraint(in_values("status", EXPORT_STATUSES), name="status"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued")
    file_name: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    size: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    ready_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    expires_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or utcnow())
