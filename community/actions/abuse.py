"""Anti-abuse defaults for posting (limits in config.py, documented in the README):
- a posting rate per minute and per hour, stricter for accounts younger than NEW_ACCOUNT_HOURS;
- the same text twice within DUPLICATE_POST_MINUTES is refused;
- new accounts may put at most NEW_ACCOUNT_LINKS_MAX links in a post.
Counted in the database, so every app process agrees. They guard what people send (pages, API);
the operator's own commands (seed-demo, CLI) run without a request and are not limited.
"""
import math
import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

from community.actions import ActionError
from community.extensions import db
from community.models import Case, Discussion, Reply, utcnow

LINK = re.compile(r"(?:https?://|www\.|mailto:)", re.IGNORECASE)


def _posts_since(user, minute, hour):
    """(posts since ``minute``, the first of them, posts since ``hour``, the first of them) by
    the user: one statement over replies, discussions and cases, each read through its
    (author_id, created_at) index."""
    recent = sa.union_all(*(sa.select(model.created_at.label("at")).where(
        model.author_id == user.id, model.created_at > hour) for model in (Reply, Discussion, Case))).subquery()
    in_minute, first_in_minute, in_hour, first_in_hour = db.session.execute(sa.select(
        sa.func.count(sa.case((recent.c.at > minute, 1))), sa.func.min(sa.case((recent.c.at > minute, recent.c.at))),
        sa.func.count(), sa.func.min(recent.c.at))).one()
    return in_minute or 0, _utc(first_in_minute), in_hour or 0, _utc(first_in_hour)


def _utc(value):
    """A MIN() over a union comes back as the database gives it (a string on SQLite)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    return _utc(datetime.fromisoformat(str(value)))


def _wait_message(seconds):
    """"Try again in 40 seconds" (or in minutes, past a minute and a half)."""
    if seconds <= 90:
        return _nl("You are posting very quickly. Try again in %(num)d second; your text is kept.",
                   "You are posting very quickly. Try again in %(num)d seconds; your text is kept.", seconds)
    minutes = math.ceil(seconds / 60)
    return _nl("You are posting very quickly. Try again in %(num)d minute; your text is kept.",
               "You are posting very quickly. Try again in %(num)d minutes; your text is kept.", minutes)


def _normal(text):
    return " ".join((text or "").split()).casefold()


def check_post(user, body=""):
    """Refuse a post that breaks a limit (429 for rates, 422 for content); nothing is written."""
    if not has_request_context():
        return
    config = current_app.config
    now = utcnow()
    new = user.created_at is not None and user.created_at > now - timedelta(hours=config["NEW_ACCOUNT_HOURS"])
    per_minute = config["NEW_ACCOUNT_POSTS_PER_MINUTE" if new else "POSTS_PER_MINUTE"]
    per_hour = config["NEW_ACCOUNT_POSTS_PER_HOUR" if new else "POSTS_PER_HOUR"]
    in_minute, first_in_minute, in_hour, first_in_hour = _posts_since(
        user, now - timedelta(minutes=1), now - timedelta(hours=1))
    # The wait: until the first post counted drops out of its window (at least a second).
    waits = [first + window - now for count, limit, first, window in (
        (in_minute, per_minute, first_in_minute, timedelta(minutes=1)),
        (in_hour, per_hour, first_in_hour, timedelta(hours=1))) if count >= limit and first is not None]
    if waits or in_minute >= per_minute or in_hour >= per_hour:
        seconds = max(1, math.ceil(max(waits, default=timedelta(minutes=1)).total_seconds()))
        raise ActionError(_wait_message(seconds), status=429, code="rate_limited")
    if new and len(LINK.findall(body or "")) > config["NEW_ACCOUNT_LINKS_MAX"]:
        raise ActionError(_l("New accounts can add at most %(max)d links to a post. Remove a few links, or "
                             "try again tomorrow.", max=config["NEW_ACCOUNT_LINKS_MAX"]), field="body")
    minutes = config["DUPLICATE_POST_MINUTES"]
    text = _normal(body)
    if minutes and text:
        since = now - timedelta(minutes=minutes)
        for model in (Reply, Discussion):
            recent = db.session.scalars(sa.select(model.body).where(
                model.author_id == user.id, model.created_at > since).order_by(model.id.desc()).limit(20)).all()
            if any(_normal(previous) == text for previous in recent):
                raise ActionError(_l("You posted this same text a moment ago. Change it, or wait a few minutes."),
                                  field="body", status=409, code="duplicate")
