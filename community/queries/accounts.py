"""Read helpers shared by views, API and CLI (no writes here)."""
import sqlalchemy as sa

from community import request_facts
from community.extensions import db
from community.models import EventStream, LoginSession, Sanction, User, utcnow
from community.queries.notifications import unread_column
from community.realtime import streams
from community.security import digest


def user_for_session_key(key):
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    now = utcnow()
    row = db.session.execute(
        sa.select(LoginSession, User, *_reader_facts(now))
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.key_hash == digest(key))
    ).first()
    if row is None:
        return None
    login_session, user, unread, stream_seq, sanctioned = row
    if login_session.expires_at <= now or not user.active:
        return None
    # What every page shows of its reader, read with the session (community.request_facts).
    request_facts.remember("unread", user.id, unread or 0)
    request_facts.remember("stream", streams.user(user.id), stream_seq or 0)
    if not sanctioned:
        request_facts.remember("sanctions", user.id, {})
    return user


def _reader_facts(now):
    """Columns for the session load: unread notifications, the number of the user's own live
    stream, whether a sanction is in force."""
    unread = unread_column(User.id)
    stream_seq = (sa.select(EventStream.last_seq).where(EventStream.name == streams.user_in_sql(User.id))
                  .scalar_subquery())
    sanctioned = sa.exists().where(Sanction.user_id == User.id, Sanction.lifted_at.is_(None),
                                   sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > now))
    return unread, stream_seq, sanctioned


def user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def normalise_email(email):
    return (email or "").strip().lower()
