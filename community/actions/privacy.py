"""A user's own data: exporting it (a ZIP built by a job, kept 7 days, for its owner only).
Deleting an account is in community/actions/account_deletion.py."""
import os
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import data_export
from community.actions import attachments
from community.actions.mail import queue_mail
from community.extensions import db
from community.mail.links import absolute_url
from community.models import DataExport, User, utcnow
from community.queries import privacy as export_queries

EXPORT_DAYS = 7
# A request within an hour of the last one gets that one (being built, or ready), not a new job
# and a new file: pressing the button again cannot fill the disk.
REUSE_FOR = timedelta(hours=1)


def export_folder():
    """The exports folder (one definition: actions.retention.exports_folder), made when missing."""
    from community.actions.retention import exports_folder

    folder = exports_folder()
    os.makedirs(folder, exist_ok=True)
    return folder


def path_of(export):
    return os.path.join(export_folder(), export.file_name)


def request_export(user):
    """Queue the building of the user's export (a job after the commit). Returns (export, new):
    the last one instead (new False) when it was asked for within the hour and did not fail."""
    from community.jobs import enqueue_on_commit
    from community.jobs.privacy import build_export as build_job

    recent = db.session.scalar(sa.select(DataExport).where(
        DataExport.user_id == user.id, DataExport.status != "failed",
        DataExport.created_at > utcnow() - REUSE_FOR).order_by(DataExport.id.desc()).limit(1))
    if recent is not None:
        return recent, False
    export = DataExport(user_id=user.id, status="queued", file_name="", size=0, created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    enqueue_on_commit(build_job, export.id)
    db.session.commit()
    return export, True


def build_export(export_id, key):
    """The job's part: write the ZIP, mark the export ready for 7 days, tell its owner (a
    notification, and a mail through the outbox or the mail server)."""
    from community.actions.notifications import deliver_export_ready

    export = db.session.get(DataExport, export_id)
    if export is None or export.status != "queued":
        return  # built already (a retried job), or gone with its account
    user = db.session.get(User, export.user_id)
    files = [(export_queries.attachment_name(a), attachments.path_of(a)) for a in export_queries.own_attachments(user)]
    name = secrets.token_hex(16) + ".zip"
    path = os.path.join(export_folder(), name)
    data_export.build_zip(path + ".part", export_queries.export_rows(user), files)
    os.replace(path + ".part", path)
    now = utcnow()
    export.status, export.file_name, export.size = "ready", name, os.path.getsize(path)
    export.ready_at, export.expires_at = now, now + timedelta(days=EXPORT_DAYS)
    deliver_export_ready(user, export, key)
    queue_mail("export_ready", user.email, user.language, _l("Your Leerkring data is ready to download"),
               dict(name=user.display_name, url=absolute_url("account.privacy"), days=EXPORT_DAYS,
                    reason=_l("You receive this mail because you asked Leerkring for an export of your data.")),
               to_name=user.display_name, user=user)
    db.session.commit()


def export_failed(export_id):
    export = db.session.get(DataExport, export_id)
    if export is not None and export.status == "queued":
        export.status = "failed"
        db.session.commit()


def my_exports(user):
    return db.session.scalars(sa.select(DataExport).where(DataExport.user_id == user.id)
                              .order_by(DataExport.id.desc()).limit(10)).all()


def drop_exports(user_id):
    """Delete every export row of a user whose account goes (the caller commits); returns the
    paths of their files, to remove after the commit."""
    exports = db.session.scalars(sa.select(DataExport).where(DataExport.user_id == user_id)).all()
    for export in exports:
        db.session.delete(export)
    return [path_of(export) for export in exports if export.file_name]


def prune_exports():
    """Delete exports (rows and files) whose 7 days are over. Returns how many."""
    exports = db.session.scalars(sa.select(DataExport).where(DataExport.expires_at < utcnow())).all()
    paths = [path_of(export) for export in exports if export.file_name]
    for export in exports:
        db.session.delete(export)
    db.session.commit()
    attachments.remove_files(paths)
    return len(exports)
