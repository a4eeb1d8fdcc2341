"""Personal access tokens for the JSON API. Shown once at creation; stored as a hash."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.actions import ActionError
from community.actions.validate import clean_line
from community.extensions import db
from community.models import ApiToken, User, utcnow
from community.security import digest, new_secret

TOKEN_PREFIX = "lk_"
MAX_TOKENS_PER_USER = 20


def create_token(user, name):
    """Returns (token row, plaintext). The plaintext is never stored."""
    name = clean_line(name, "name", 80)
    active = db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_TOKENS_PER_USER:
        raise ActionError(_l("You have %(count)d active tokens; revoke one first.", count=active),
                          field="name")
    plaintext = TOKEN_PREFIX + new_secret(30)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(plaintext),
                     prefix=plaintext[:10])
    db.session.add(token)
    db.session.commit()
    return token, plaintext


def revoke_token(user, token_id):
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2 ** 31 else None
    if token is None or token.user_id != user.id:
        raise ActionError(_l("This token does not exist."), status=404, code="not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def use_token(plaintext):
    """The active user behind a token, or None. Notes the last use at most once an hour."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    row = db.session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(plaintext))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
        db.session.commit()
    return user
