"""Activity-feed entries. Called by other actions inside their transaction (they commit)."""
from community.extensions import db
from community.models import FeedEntry
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit


def add_entry(community, kind, actor=None, subject=None, object_type=None, object_id=None,
              audience=None, **data):
    entry = FeedEntry(community_id=community.id, kind=kind, actor_id=getattr(actor, "id", None),
                      subject_id=getattr(subject, "id", None), object_type=object_type,
                      object_id=object_id, audience=audience, data=data)
    db.session.add(entry)
    # Everyone who reads the community sees an entry without audience; an entry for a trajectory
    # goes to that trajectory's stream only (whose room admits only those who may see it).
    stream = audience if audience else streams.community(community.id)
    subject = streams.subject(object_type, object_id) if object_type in ("discussion", "case") else None
    send_event_on_commit(stream, "feed", "new", subject=subject, build=lambda: payloads.feed_data(entry))
    return entry


def retitle_feed_entries(object_type, object_id, title):
    """An edited title replaces the copy in the feed (an old title may be what was edited away)."""
    import sqlalchemy as sa

    for entry in db.session.scalars(sa.select(FeedEntry).where(
            FeedEntry.object_type == object_type, FeedEntry.object_id == object_id)).all():
        if entry.data.get("title") != title:
            entry.data = dict(entry.data, title=title)
