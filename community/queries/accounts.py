"""Read helpers shared by views, API and CLI (no writes here)."""
import sqlalchemy as sa

from community.extensions import db
from community.models import LoginSession, User, utcnow
from community.security import digest


def user_for_session_key(key):
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    row = db.session.execute(
        sa.select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.key_hash == digest(key))
    ).first()
    if row is None:
        return None
    login_session, user = row
    if login_session.expires_at <= utcnow() or not user.active:
        return None
    return user


def user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def normalise_email(email):
    return (email or "").strip().lower()
