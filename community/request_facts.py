"""Facts a page reads once per request and may read many times: the reader's unread
notifications, the last number of a live stream, whether the reader has a sanction in force.

A loader that already read a fact in a bigger query (the session load reads the reader's unread
count and stream number with the session row) tells it here with ``remember``; the readers of
those facts (``queries.notifications.unread_count``, ``realtime.events.last_seq``,
``permissions.sanction_in_force``) ask ``recall`` first and query only when nothing is known.

Facts live in ``flask.g`` for one request and are forgotten at every commit, so a request that
changes them (marks notifications read, emits an event) reads them again afterwards. Nothing
here is shared between requests or users.
"""
from flask import g, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

_MISSING = object()


def remember(kind, key, value):
    if has_app_context():
        g.setdefault("_request_facts", {})[(kind, key)] = value


def recall(kind, key, default=_MISSING):
    """The remembered value, or ``default`` (``MISSING``: compare with ``is_missing``)."""
    if not has_app_context():
        return default
    return g.get("_request_facts", {}).get((kind, key), default)


def is_missing(value):
    return value is _MISSING


def forget():
    if has_app_context():
        g.pop("_request_facts", None)


@sa_event.listens_for(Session, "after_commit")
def _forget_on_commit(session):
    forget()
