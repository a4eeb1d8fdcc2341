"""Retention: personal data is removed once the period documented for it (config.py, README
"Retention", the privacy page) has passed. Each step deletes only what is older than its
period and can run any number of times; the nightly ``retention`` job runs them all
(community/jobs/retention.py). Sent mail has its own nightly job (actions.mail.prune_sent).
"""
import os
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from community.extensions import db, limiter
from community.models import Event, Invitation, Notification, utcnow


def _days(name, days):
    return current_app.config[name] if days is None else days


def _before(days):
    return utcnow() - timedelta(days=days)


def prune_events(days=None):
    """Live-update log rows older than EVENT_RETENTION_DAYS (the stream counters stay, so numbers
    never repeat). A browser that was away longer reloads its page instead of catching up."""
    cutoff = _before(_days("EVENT_RETENTION_DAYS", days))
    deleted = db.session.execute(sa.delete(Event).where(Event.created_at < cutoff)).rowcount
    db.session.commit()
    return deleted


def prune_notifications():
    """Notifications read more than NOTIFICATION_RETENTION_DAYS ago, and unread ones older than
    UNREAD_NOTIFICATION_RETENTION_DAYS."""
    config = current_app.config
    read_before = _before(config["NOTIFICATION_RETENTION_DAYS"])
    made_before = _before(config["UNREAD_NOTIFICATION_RETENTION_DAYS"])
    deleted = db.session.execute(sa.delete(Notification).where(sa.or_(
        Notification.read_at < read_before,
        sa.and_(Notification.read_at.is_(None), Notification.created_at < made_before)))).rowcount
    db.session.commit()
    return deleted


def prune_invitations():
    """Invitations (links and mailed ones, with their address) that expired or were revoked more
    than INVITATION_RETENTION_DAYS ago; until then coordinators still see them in their list."""
    cutoff = _before(current_app.config["INVITATION_RETENTION_DAYS"])
    deleted = db.session.execute(sa.delete(Invitation).where(sa.or_(
        Invitation.expires_at < cutoff, Invitation.revoked_at < cutoff))).rowcount
    db.session.commit()
    return deleted


def exports_folder():
    """Where data exports wait for download (instance/exports)."""
    return os.path.join(current_app.instance_path, "exports")


def prune_exports():
    """Export files older than EXPORT_RETENTION_DAYS (by their modification time)."""
    folder = exports_folder()
    if not os.path.isdir(folder):
        return 0
    cutoff = time.time() - current_app.config["EXPORT_RETENTION_DAYS"] * 24 * 3600
    deleted = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                if os.lstat(path).st_mtime < cutoff:
                    os.remove(path)
                    deleted += 1
            except FileNotFoundError:  # removed meanwhile (a download that deletes, a second run)
                pass
    return deleted


def prune_rate_limits():
    """Rate-limit counters name an IP address or a typed e-mail address; they are needed only
    until their window ends. Redis expires them itself; the in-memory store (the embedded default,
    and the fallback while Redis is down) forgets an expired one only when it counts again, so
    an expired counter is removed here. Returns how many."""
    from limits.storage import MemoryStorage

    stores = [limiter.storage, getattr(limiter, "_fallback_storage", None)]
    removed = 0
    for store in stores:
        if isinstance(store, MemoryStorage):
            removed += _sweep_memory(store)
    return removed


def _sweep_memory(store):
    now, removed = time.time(), 0
    for key, expiry in list(store.expirations.items()):
        if expiry <= now:
            store.clear(key)
            removed += 1
    for key, entries in list(store.events.items()):
        if all(entry.expiry <= now for entry in entries):
            store.clear(key)
            removed += 1
    return removed


def run_all():
    """Every retention step; returns {step: how many removed}."""
    return {"events": prune_events(), "notifications": prune_notifications(),
            "invitations": prune_invitations(), "exports": prune_exports(),
            "rate_limits": prune_rate_limits()}
