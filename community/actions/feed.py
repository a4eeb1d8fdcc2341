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
