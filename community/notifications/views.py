"""The notification centre, opening a notification (marks it read), marking read, and the
follow level ("following / normal / muted") of a community, discussion or trajectory."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions, urls
from community.actions import ActionError, notifications as actions
from community.forms import row_id
from community.models import Community, Notification
from community.notifications import bp
from community.pagination import page_number
from community.queries import notifications as queries
from community.security import safe_next


@bp.app_context_processor
def _unread():
    # A function, so only pages that show the menu ask (one query).
    return {"unread_notifications": lambda: queries.unread_count(current_user),
            "unread_counted": queries.UNREAD_COUNTED}


@bp.route("/notifications")
def index():
    unread_only = request.args.get("show") == "unread"
    page, rows = queries.notification_page(current_user, queries.NotificationFilters(unread_only, page_number()))
    today, days = queries.group_by_day(rows)
    return render_template("notifications/index.html", page=page, rows=rows, unread_only=unread_only,
                           today=today, yesterday=queries.yesterday_of(today), days=days)


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id):
    notification = permissions.get_row(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    targets = queries.load_targets(current_user, [notification])
    if not permissions.can_see_notification(current_user, notification, targets):
        abort(404)
    actions.mark_read_about(current_user, notification)
    return redirect(urls.notification_url(notification))


@bp.route("/notifications/read", methods=["POST"])
def mark_read():
    ids = request.form.getlist("id")
    if ids:
        actions.mark_read(current_user, [row_id(value) for value in ids])
    else:
        actions.mark_read(current_user)
        flash(_("All notifications are marked as read."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/notifications/read/<any(case, trajectory):object_type>/<int:object_id>", methods=["POST"])
def read_on_page(object_type, object_id):
    """Posted by static/js/app.js when a case or trajectory page opens for someone with unread
    notifications: those about it are read. Only the user's own rows change."""
    if not permissions.valid_row_id(object_id):
        abort(404)
    actions.mark_read_on(current_user, object_type, object_id)
    return "", 204


FOLLOW_TARGETS = {
    "community": lambda object_id: permissions.get_row(Community, object_id),
    "discussion": lambda object_id: permissions.access_discussion_or_404(object_id, current_user),
    "trajectory": lambda object_id: permissions.access_trajectory_or_404(object_id, current_user),
}


@bp.route("/follow/<target>/<int:object_id>", methods=["POST"])
def follow_level(target, object_id):
    if target not in FOLLOW_TARGETS:
        abort(404)
    obj = FOLLOW_TARGETS[target](object_id)
    if obj is None or not permissions.can_follow_live(current_user, target, obj):
        abort(404)
    try:
        level = actions.set_follow_level(current_user, target, obj, request.form.get("level", ""))
    except ActionError as error:
        flash(error.message, "error")
    else:
        flash({"following": _("You follow this: you get a notification of new activity."),
               "normal": _("Notifications as usual: when you are mentioned, or it is about you."),
               "muted": _("Muted: no notifications from this.")}[level], "success")
    return redirect(safe_next(request.form.get("next"), url_for("main.dashboard")))
