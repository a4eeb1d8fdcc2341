"""The outbox and mail record for admins: what waits, what failed, what went out today."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import Mail, utcnow

LIST_LIMIT = 100


def start_of_today():
    """Local midnight (the site's time zone), as an aware datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(utcnow().astimezone(zone).date(), time(), tzinfo=zone)


def mail_lists():
    """{"queued": [...], "failed": [...], "sent": [...]} (sent: since midnight), newest first,
    at most LIST_LIMIT each, and the counts of each."""
    since = start_of_today()
    lists, counts = {}, {}
    for status, extra in (("queued", None), ("failed", None), ("sent", Mail.created_at >= since)):
        where = [Mail.status == status] + ([extra] if extra is not None else [])
        lists[status] = db.session.scalars(sa.select(Mail).where(*where)
                                           .order_by(Mail.created_at.desc(), Mail.id.desc()).limit(LIST_LIMIT)).all()
        counts[status] = db.session.scalar(sa.select(sa.func.count(Mail.id)).where(*where))
    return lists, counts
