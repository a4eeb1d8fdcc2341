"""People search: the @mention autocomplete and the people part of search.

A name matches when one of its words starts with what was typed, accents and case aside
("coor" finds "Coördinator", "vries" finds "Sanne de Vries"); or when the typed text starts
the person's @handle. Only active accounts; never an e-mail address. Names are compared in their
stored folded form (User.name_key), so both databases compare plain text; the users table is
scanned (a word may start anywhere in a name), which stays in milliseconds at tens of thousands
of accounts.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from community import permissions
from community.extensions import db
from community.folding import words
from community.markup import PROFILE_PREFIX
from community.models import Organisation, OrganisationMembership, User

# Longer than any display name (80) with room for "@": beyond this nobody can match.
QUERY_MAX = 100
LIMIT_MAX = 20


@dataclass(frozen=True)
class PersonHit:
    id: int
    name: str
    handle: str
    organisation: str  # the first of their organisations by name, or ""

    @property
    def initials(self):
        """What an avatar shows: the first letters of the first and the last word."""
        parts = [part for part in self.name.replace("-", " ").split() if part[0].isalnum()]
        if not parts:
            return "?"
        letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
        return letters.upper()

    @property
    def url(self):
        return PROFILE_PREFIX + self.handle


def _like_escaped(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _first_organisation():
    """SQL, per user row: the name of their first active organisation (a correlated subquery,
    so the whole search stays one statement)."""
    return (sa.select(Organisation.name)
            .join(OrganisationMembership, OrganisationMembership.organisation_id == Organisation.id)
            .where(OrganisationMembership.user_id == User.id, OrganisationMembership.state == "active",
                   Organisation.status == "active")
            .order_by(Organisation.name_key).limit(1)
            .correlate(User).scalar_subquery())


def search_people(viewer, text, place=None, limit=8):
    """Up to ``limit`` people whose name (a word of it) or handle starts with ``text``, those
    whose name starts with it first, then by name. With a ``place`` (a community, discussion,
    case or trajectory the viewer may read: permissions.access_place_or_404 loads it) only the
    people who may read that place. One SQL statement."""
    term = (text or "").strip().lstrip("@").strip()
    if not permissions.can_search_people(viewer) or not term or len(term) > QUERY_MAX or "\x00" in term:
        return []
    typed = words(term)
    if not typed:
        return []
    word = _like_escaped(typed)  # " san" or " sanne de"
    starts = User.name_key.like(word + "%", escape="\\")
    matches = sa.or_(User.name_key.like("%" + word + "%", escape="\\"),
                     User.handle.like(_like_escaped(term.lower()) + "%", escape="\\"))
    stmt = (sa.select(User.id, User.display_name, User.handle, _first_organisation())
            .where(User.active.is_(True), matches)
            .order_by(sa.case((starts, 0), else_=1), User.name_key, User.id)
            .limit(max(1, min(limit, LIMIT_MAX))))
    if place is not None:
        stmt = stmt.where(permissions.readers_filter(place))
    return [PersonHit(id=row.id, name=row.display_name, handle=row.handle, organisation=row[3] or "")
            for row in db.session.execute(stmt)]
