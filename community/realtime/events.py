"""Events after commit, and the event log that makes sure nothing is lost.

An action calls ``send_event_on_commit(stream, type, op, **data)`` inside its transaction. Just
before the commit, each queued event gets the next number of its stream and becomes a row in
the event log (same transaction: both land or neither). After the commit the events are emitted
to the stream's room; on rollback they are dropped. Views, API and socket handlers never emit.

A stream is named by the server (community.realtime.streams: "discussion:12"); its room has the
same name, and only the socket handlers (after asking community.permissions) put a socket in it.
"""
import logging

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from community import request_facts
from community.extensions import db, socketio
from community.models import Event, EventStream, utcnow
from community.realtime import access, streams

log = logging.getLogger(__name__)

PENDING = "leerkring_pending_events"
PENDING_DISCONNECTS = "leerkring_pending_disconnects"
CATCH_UP_LIMIT = 200


def send_event_on_commit(stream, type, op, build=None, subject=None, **data):
    """Queue an event for ``stream``; it is logged and emitted only if the transaction commits.
    ``build`` (optional) is called just before the commit, when new rows have their ids, and
    returns more data (pre-rendered HTML, say). ``subject`` ("reply:12") names what the event
    shows, so hiding that later can blank the logged copy (moderation)."""
    db.session.info.setdefault(PENDING, []).append(
        {"stream": stream, "type": type, "op": op, "data": data, "build": build, "subject": subject,
         "at": utcnow()})


def disconnect_user_on_commit(user_id):
    """After the commit, end every live connection of the user, on every process. Their browser
    reconnects by itself and asks for its rooms again, each one authorised afresh, so what they
    may no longer see stops at once (leaving, removal, logout, disabling)."""
    db.session.info.setdefault(PENDING_DISCONNECTS, set()).add(int(user_id))


def _new_streams(names):
    """INSERT the counters of streams not seen before (the others are left as they are)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(EventStream).values([{"name": name, "last_seq": 0} for name in names]).on_conflict_do_nothing()


def _next_seq(stream):
    """The next number in the stream. The UPDATE holds the row's lock (PostgreSQL) or the write
    lock (SQLite) until commit, so numbers follow commit order within a stream."""
    bump = (sa.update(EventStream).where(EventStream.name == stream)
            .values(last_seq=EventStream.last_seq + 1).returning(EventStream.last_seq))
    options = {"synchronize_session": False}
    seq = db.session.execute(bump, execution_options=options).scalar()
    if seq is None:
        db.session.execute(_new_streams([stream]))
        seq = db.session.execute(bump, execution_options=options).scalar()
    return seq


BATCH_FROM = 4  # from this many streams in one transaction (a fan-out job), number them together


def _lock_streams(names):
    """Make sure the counters of ``names`` exist, locked in name order on PostgreSQL. Most
    exist already: one SELECT finds them, and only the missing ones are inserted."""
    lock = db.session.get_bind().dialect.name == "postgresql"
    existing = sa.select(EventStream.name).where(EventStream.name.in_(names)).order_by(EventStream.name)
    found = set(db.session.scalars(existing.with_for_update() if lock else existing))
    missing = [name for name in names if name not in found]
    if missing:
        db.session.execute(_new_streams(missing))
        if lock:
            db.session.execute(existing.where(EventStream.name.in_(missing)).with_for_update())


def _take_numbers(counts):
    """{stream: first of its new numbers} for {stream: how many}: one INSERT for streams not
    seen before, and one UPDATE per distinct count, whatever the number of streams. The rows
    are locked in name order first (PostgreSQL), so two fan-outs to overlapping people never
    wait on each other in opposite orders (SQLite has one writer at a time anyway)."""
    names = sorted(counts)
    first = {}
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        _lock_streams(chunk)
        by_count = {}
        for name in chunk:
            by_count.setdefault(counts[name], []).append(name)
        for count, group in sorted(by_count.items()):
            bumped = db.session.execute(
                sa.update(EventStream).where(EventStream.name.in_(group))
                .values(last_seq=EventStream.last_seq + count).returning(EventStream.name, EventStream.last_seq),
                execution_options={"synchronize_session": False}).all()
            first.update({name: last - count + 1 for name, last in bumped})
    return first


def _number(pending):
    """Give each pending event the next number of its stream, in stream-name order."""
    ordered = sorted(pending, key=lambda item: item["stream"])
    counts = {}
    for item in ordered:
        counts[item["stream"]] = counts.get(item["stream"], 0) + 1
    if len(counts) < BATCH_FROM:
        for item in ordered:
            item["seq"] = _next_seq(item["stream"])
        return ordered
    following = _take_numbers(counts)
    for item in ordered:
        item["seq"] = following[item["stream"]]
        following[item["stream"]] += 1
    return ordered


@sa_event.listens_for(Session, "before_commit")
def _log_pending(session):
    if session.info.get(access.PENDING):
        session.flush()  # the access change itself, so the re-check sees the new state
        access.collect(session)
    pending = session.info.get(PENDING)
    if not pending:
        return
    # Streams are numbered in name order, so two transactions never wait on each other's locks
    # in opposite orders.
    session.flush()
    for item in pending:
        build = item.pop("build", None)
        if build is not None:
            item["data"] = dict(item["data"], **build())
    rows = [dict(stream=item["stream"], seq=item["seq"], type=item["type"], op=item["op"],
                 data=item["data"], created_at=item["at"], subject=item["subject"])
            for item in _number(pending)]
    session.execute(sa.insert(Event.__table__), rows)  # one statement for the lot (no ids read back)
    session.info["leerkring_logged_events"] = pending
    session.info[PENDING] = []


@sa_event.listens_for(Session, "after_commit")
def _emit_logged(session):
    logged = session.info.pop("leerkring_logged_events", None) or []
    disconnects = session.info.pop(PENDING_DISCONNECTS, None) or set()
    access.apply(session)  # first: who lost access gets none of this transaction's events
    for item in logged:
        emit(item["stream"], message_of(item))
    for user_id in sorted(disconnects):
        from community.realtime.store import disconnect_user

        disconnect_user(user_id)


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    session.info.pop(PENDING, None)
    session.info.pop("leerkring_logged_events", None)
    session.info.pop(PENDING_DISCONNECTS, None)
    access.drop(session)


def message_of(item):
    return dict(item["data"], stream=item["stream"], seq=item["seq"], type=item["type"],
                op=item["op"], at=item["at"].isoformat())


def emit(room, message, event="event"):
    """Send to a room, on every process (through Redis when configured). A failure here is
    logged, never raised: the action has committed, and browsers catch up from the log."""
    try:
        socketio.emit(event, message, to=room)
    except Exception:  # noqa: BLE001 - a broken queue must not turn a saved post into an error
        log.exception("could not emit %s to %s", event, room)


# --- reading the log -----------------------------------------------------------------------------

def seq_column(stream):
    """SQL: the stream's last number (NULL before its first event), for a page that reads it
    with its other facts in one statement (remember it: community.request_facts)."""
    return sa.select(EventStream.last_seq).where(EventStream.name == stream).scalar_subquery()


def last_seq(stream):
    known = request_facts.recall("stream", stream)
    if not request_facts.is_missing(known):
        return known
    return db.session.scalar(sa.select(EventStream.last_seq).where(EventStream.name == stream)) or 0


def events_after(stream, after, limit=CATCH_UP_LIMIT, with_subject=False):
    """(messages after number ``after`` in order, whether more follow). ``with_subject`` adds
    ``_subject`` (kind, id) for the reader's filter (community.realtime.reading)."""
    rows = db.session.scalars(sa.select(Event).where(Event.stream == stream, Event.seq > after)
                              .order_by(Event.seq).limit(limit + 1)).all()
    messages = []
    for row in rows[:limit]:
        message = row.as_message()
        if with_subject:
            message["_subject"] = _parse_subject(row.subject)
        messages.append(message)
    return messages, len(rows) > limit


def _parse_subject(subject):
    kind, object_id = streams.parse(subject)
    return (kind, object_id) if object_id is not None else None

