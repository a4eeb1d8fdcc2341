"""Activity-feed entries. Called by other actions inside their transaction (they commit)."""
from community.extensions import db
from community.models import FeedEntry


def add_entry(community, kind, actor=None, subject=None, object_type=None, object_id=None,
              audience=None, **data):
    entry = FeedEntry(community_id=community.id, kind=kind, actor_id=getattr(actor, "id", None),
                      subject_id=getattr(subject, "id", None), object_type=object_type,
                      object_id=object_id, audience=audience, data=data)
    db.session.add(entry)
    return entry


def retitle_feed_entries(object_type, object_id, title):
    """An edited title replaces the copy in the feed (an old title may be what was edited away)."""
    import sqlalchemy as sa

    for entry in db.session.scalars(sa.select(FeedEntry).where(
            FeedEntry.object_type == object_type, FeedEntry.object_id == object_id)).all():
        if entry.data.get("title") != title:
            entry.data = dict(entry.data, title=title)
