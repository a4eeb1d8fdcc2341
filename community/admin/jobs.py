"""Background jobs for admins: what waits in the queue, and what failed on its last try."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions
from community.actions import jobs as job_actions
from community.admin import bp
from community.jobs import queue_counts
from community.models import JobFailure
from community.pagination import offset_page, page_number


@bp.route("/jobs")
def jobs():
    page = offset_page(sa.select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id.desc()),
                       number=page_number(), per_page=25, scalars=True)
    return render_template("admin/jobs.html", page=page, counts=queue_counts())


@bp.route("/jobs/<int:failure_id>/retry", methods=["POST"])
def retry_job(failure_id):
    failure = permissions.get_row(JobFailure, failure_id)
    if failure is None:
        return redirect(url_for("admin.jobs"))
    job_actions.retry_failure(current_user, failure)
    flash(_("The job is queued again."), "success")
    return redirect(url_for("admin.jobs"))
