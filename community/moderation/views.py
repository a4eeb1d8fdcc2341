"""Moderation pages: reporting, the review queue (per community and platform-wide), hiding,
restoring and dismissing, moving a discussion, mutes and bans, and the audit log.

Each view loads through permissions.access_* and leaves every rule to actions.moderation, which
also writes the audit log; a refusal (NotAllowed) is the 403 page (community/errors.py)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions, urls
from community.actions import ActionError, NotAllowed, moderation as actions
from community.errors import error_page
from community.extensions import db
from community.forms import row_id
from community.models import AUDIT_ACTIONS, Community, User, utcnow
from community.moderation import bp
from community.moderation.forms import MoveForm, ReportForm, SanctionForm
from community.pagination import page_number
from community.queries import moderation as queries
from community.realtime import streams
from community.realtime.events import last_seq
from community.security import keeps_input, safe_next

TARGETS = "any(reply, discussion, case)"


@bp.app_context_processor
def _helpers():
    return {"moderation_item_url": urls.item_url, "moderation_open_reports": queries.open_report_count,
            "sanction_in_force": permissions.sanction_in_force}


# --- reporting -------------------------------------------------------------------------------------

@bp.route(f"/report/<{TARGETS}:target>/<int:item_id>", methods=["GET", "POST"])
@keeps_input
def report(target, item_id):
    item = permissions.access_reported_item_or_404(target, item_id, current_user)
    community = permissions.item_community(target, item)
    if not permissions.can_report(current_user, target, item):
        return error_page(403, _("You cannot report your own post."))
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            actions.report(current_user, target, item, form.reason.data, form.note.data or "")
        except ActionError as error:
            form.add_error(error)
            status = error.status
        else:
            flash(_("Thank you. The coordinators of this community will look at it."), "success")
            return redirect(urls.item_url(target, item))
    else:
        status = form.status
    return render_template("moderation/report.html", form=form, target=target, item=item, community=community,
                           back=urls.item_url(target, item)), status


# --- the review queue ------------------------------------------------------------------------------

@bp.route("/c/<slug>/manage/reports")
def queue(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    live_last = last_seq(streams.moderation(community.id))
    found = queries.queue(community, queries.QueueFilters(page=page_number()))
    template = "moderation/_queue.html" if request.args.get("fragment") else "moderation/queue.html"
    return render_template(template, community=community, page=found.page, reports=found.reports,
                           items=found.items, hidden=queries.hidden_items(community), live_last=live_last,
                           platform=False)


@bp.route("/admin/reports")
def platform_queue():
    if not permissions.is_admin(current_user):
        abort(404)
    live_last = last_seq(streams.moderation())
    found = queries.queue(None, queries.QueueFilters(page=page_number()))
    template = "moderation/_queue.html" if request.args.get("fragment") else "moderation/platform_queue.html"
    return render_template(template, community=None, page=found.page, reports=found.reports, items=found.items,
                           hidden=[], live_last=live_last, platform=True, communities=found.communities)


@bp.route(f"/moderate/<{TARGETS}:target>/<int:item_id>/<any(hide, restore, dismiss):step>", methods=["POST"])
def moderate(target, item_id, step):
    item = permissions.access_reported_item_or_404(target, item_id, current_user)
    community = permissions.item_community(target, item)
    reason = request.form.get("reason", "")
    try:
        if step == "hide":
            actions.hide(current_user, target, item, reason)
            flash(_("Hidden. The author sees it with your reason; nobody else sees it."), "success")
        elif step == "restore":
            actions.restore(current_user, target, item)
            flash(_("Restored: everyone sees it again."), "success")
        else:
            actions.dismiss_reports(current_user, target, item, reason)
            flash(_("The reports are dismissed; the post stays."), "success")
    except NotAllowed:
        raise  # not a coordinator here: the 403 page (community/errors.py)
    except ActionError as error:
        flash(error.message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("moderation.queue", slug=community.slug)))


# --- moving a discussion ------------------------------------------------------------------------------

def move_targets(user, discussion):
    """Communities the user also coordinates, where this discussion could go (one query)."""
    where = permissions.move_targets_filter(user, discussion)
    if where is None:
        return []
    return db.session.scalars(sa.select(Community).where(where).order_by(Community.name).limit(200)).all()


@bp.route("/d/<int:discussion_id>/move", methods=["POST"])
def move(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    if not permissions.can_coordinate(current_user, discussion.community):
        abort(403)
    form = MoveForm()
    form.community.choices = [(str(c.id), c.name) for c in move_targets(current_user, discussion)]
    if not form.validate_on_submit():
        flash(_("Choose a community to move the discussion to."), "error")
        return redirect(url_for("discussions.view", discussion_id=discussion.id))
    target = permissions.get_row(Community, row_id(form.community.data))
    try:
        if target is None:
            raise ActionError(_("Choose a community to move the discussion to."))
        actions.move_discussion(current_user, discussion, target, form.reason.data or "")
    except ActionError as error:
        flash(error.message, "error")
    else:
        flash(_("The discussion is now in %(name)s.", name=target.name), "success")
    return redirect(url_for("discussions.view", discussion_id=discussion.id))


# --- sanctions ---------------------------------------------------------------------------------------------

def _member(text):
    text = (text or "").strip().lstrip("@")
    if not text or len(text) > 254:
        return None
    column = User.email if "@" in text else User.handle
    return db.session.scalar(sa.select(User).where(sa.func.lower(column) == text.lower()))


def _ends_at(form):
    """The end the form asks for: a typed moment (in the site's time zone) or the period."""
    if form.until.data:
        try:
            local = datetime.fromisoformat(form.until.data.strip())
        except ValueError:
            raise ActionError(_("Write the end as date and time, e.g. 2026-12-31 17:00."), field="until")
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        return local
    hours = row_id(form.duration.data)
    return utcnow() + timedelta(hours=hours) if hours else None


@bp.route("/c/<slug>/manage/sanctions", methods=["GET", "POST"])
@keeps_input
def sanctions(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    form = SanctionForm()
    if request.method == "GET" and request.args.get("member"):
        form.member.data = request.args.get("member", "")[:254]
    status = 200
    if form.validate_on_submit():
        member = _member(form.member.data)
        try:
            if member is None:
                raise ActionError(_("There is no account with this name handle or e-mail address."), field="member")
            ends_at = _ends_at(form)
            if form.kind.data == "mute":
                actions.mute(current_user, community, member, ends_at, form.reason.data)
            else:
                actions.ban(current_user, community, member, form.reason.data, ends_at)
        except ActionError as error:
            form.add_error(error if error.field != "user" else ActionError(error.message, field="member"))
            if error.field == "ends_at":
                form.until.errors = list(form.until.errors) + [error.message]
            status = error.status
        else:
            flash(_("%(name)s: %(what)s.", name=member.display_name,
                    what=_("muted") if form.kind.data == "mute" else _("banned")), "success")
            return redirect(url_for("moderation.sanctions", slug=community.slug))
    else:
        status = form.status
    now = utcnow()
    page = queries.sanction_page(community, queries.SanctionFilters(page=page_number()), now)
    return render_template("moderation/sanctions.html", community=community, form=form, page=page,
                           active=[s for s, _by, _lifter in page.rows if s.in_force(now)],
                           ended=[s for s, _by, _lifter in page.rows if not s.in_force(now)]), status


@bp.route("/sanctions/<int:sanction_id>/lift", methods=["POST"])
def lift(sanction_id):
    sanction, community = permissions.access_sanction_or_404(sanction_id, current_user)
    try:
        actions.lift(current_user, sanction)
    except ActionError as error:
        flash(error.message, "error")
    else:
        flash(_("Lifted."), "success")
    return redirect(url_for("moderation.sanctions", slug=community.slug))


# --- the audit log ---------------------------------------------------------------------------------------------

def _audit_filters():
    action = request.args.get("action", "")
    return queries.AuditFilters(action=action if action in AUDIT_ACTIONS else "",
                                person=request.args.get("person", "").strip()[:100], page=page_number())


@bp.route("/c/<slug>/manage/audit")
def audit(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    filters = _audit_filters()
    return render_template("moderation/audit.html", community=community, action=filters.action,
                           person=filters.person, page=queries.audit_page(community, filters), actions=AUDIT_ACTIONS)


@bp.route("/admin/audit")
def platform_audit():
    if not permissions.is_admin(current_user):
        abort(404)
    filters = _audit_filters()
    return render_template("moderation/platform_audit.html", action=filters.action, person=filters.person,
                           page=queries.audit_page(None, filters), actions=AUDIT_ACTIONS, platform=True)


@bp.app_template_global()
def discussion_move_targets(discussion):
    return move_targets(current_user, discussion)

