"""Reading the event log for one reader: catch-up filtered by what they may see *now*.

A stream is authorised as a whole when it is followed or caught up on, but what an event points
at can have become invisible since it was logged: a notification about a discussion of a
community the reader was banned from, a feed line about a case that was hidden. Each event with
a subject is checked against the reader's current right; one they may no longer see is withheld
(its number stays, so the browser's count has no hole, its content goes).
"""
import sqlalchemy as sa

from community import permissions
from community.extensions import db
from community.realtime.events import CATCH_UP_LIMIT, events_after


def _models():
    from community.models import Case, Community, DataExport, Discussion, Reply, Trajectory

    return {"reply": Reply, "discussion": Discussion, "case": Case, "trajectory": Trajectory,
            "community": Community, "export": DataExport}


def _load_subjects(messages):
    """{(kind, id): row} for every subject in the messages, one query per kind."""
    models = _models()
    wanted = {}
    for message in messages:
        kind, object_id = message["_subject"]
        if kind in models:
            wanted.setdefault(kind, set()).add(object_id)
    found = {}
    for kind, ids in wanted.items():
        model = models[kind]
        for row in db.session.scalars(sa.select(model).where(model.id.in_(sorted(ids)))):
            found[(kind, row.id)] = row
    return found


def withheld(message):
    return {key: message[key] for key in ("stream", "seq", "at")} | {"type": "withheld", "op": "withheld"}


def readable_events(stream, after, user, limit=CATCH_UP_LIMIT):
    """(messages after ``after`` that ``user`` may read now, more follow?)."""
    messages, more = events_after(stream, after, limit, with_subject=True)
    subjects = _load_subjects([m for m in messages if m.get("_subject")])
    out = []
    for message in messages:
        subject = message.pop("_subject", None)
        if subject is not None:
            target = subjects.get(subject)
            kind = message.get("kind") if message["type"] == "notification" else None
            if not permissions.can_see_event_subject(user, subject[0], target, notification_kind=kind):
                message = withheld(message)
        out.append(message)
    return out, more
