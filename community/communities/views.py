"""Community pages for everyone: discovery, home with feed, members, joining and leaving."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, communities as actions
from community.communities import bp
from community.communities.forms import CommunityForm, RequestForm
from community.pagination import page_number
from community.queries import communities as queries, discussions as discussion_queries
from community.queries.accounts import user_by_email
from community.security import keeps_input


def _filter_arg(name):
    return (request.args.get(name) or "").strip()[:100]


@bp.route("/communities/")
@login_required
def index():
    q, sector, topic = _filter_arg("q"), _filter_arg("sector"), _filter_arg("topic")
    page = queries.community_page(current_user, queries.CommunityFilters(q, sector, topic, page=page_number()))
    sectors, topics = queries.filter_options(current_user)
    return render_template("communities/index.html", page=page, q=q, sector=sector, topic=topic,
                           sectors=sectors, topics=topics, request_form=RequestForm())


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new():
    if not permissions.can_create_community(current_user):
        abort(403)
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            coordinator = None
            if form.coordinator.data and form.coordinator.data.strip():
                coordinator = user_by_email(form.coordinator.data)
                if coordinator is None or not coordinator.active:
                    raise ActionError(_("There is no active account with this e-mail address."),
                                      field="coordinator")
            community = actions.create_community(current_user, coordinator=coordinator, **form.values())
        except ActionError as error:
            form.add_error(error)
        else:
            flash(_("The community %(name)s is ready. Invite the first members.", name=community.name), "success")
            return redirect(url_for("communities.home", slug=community.slug))
    return render_template("communities/form.html", form=form, community=None), form.status


@bp.route("/c/<slug>/")
@login_required
def home(slug):
    community = permissions.access_community_or_404(slug, current_user)
    facts = queries.home_facts(current_user, community)  # before the feed: see discussions.views
    feed = queries.feed_page(current_user, community, queries.FeedFilters(page=page_number()))
    return render_template(
        "communities/home.html", community=community, feed=feed,
        live_last=facts.live_last, follow_level=facts.follow_level,
        pinned=discussion_queries.pinned(current_user, community),
        coordinators=facts.coordinators, members=facts.members,
        pending=facts.pending if permissions.can_coordinate(current_user, community) else 0,
        membership=permissions.community_membership(current_user, community), request_form=RequestForm())


@bp.route("/c/<slug>/members")
@login_required
def members(slug):
    community = permissions.access_community_or_404(slug, current_user)
    q = _filter_arg("q")
    page = queries.member_page(community, queries.MemberFilters(q=q, page=page_number()))
    return render_template("communities/members.html", community=community, page=page, q=q,
                           organisations=queries.organisations_of([user.id for _m, user in page.rows]))


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    form = CommunityForm(obj=community)

    def save():
        values = form.values()
        values["slug"] = values["slug"] or None  # empty: keep the current address
        actions.update_community(current_user, community, **values)
    if form.saved(save, _("The changes are saved.")):
        return redirect(url_for("communities.home", slug=community.slug))
    return render_template("communities/form.html", form=form, community=community), form.status


@bp.route("/c/<slug>/archive", methods=["POST"])
@login_required
def archive(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    archived = request.form.get("archived") == "1"
    actions.set_archived(current_user, community, archived)
    flash(_("The community is archived: it stays readable, nobody can join or post.") if archived
          else _("The community is open again."), "success")
    return redirect(url_for("communities.home", slug=community.slug))


@bp.route("/c/<slug>/join", methods=["POST"])
@login_required
def join(slug):
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.join(current_user, community)
    flash(_("Welcome to %(name)s!", name=community.name), "success")
    return redirect(url_for("communities.home", slug=community.slug))


@bp.route("/c/<slug>/request", methods=["POST"])
@login_required
def request_to_join(slug):
    community = permissions.access_community_listing_or_404(slug, current_user)
    form = RequestForm()
    actions.request_to_join(current_user, community, form.message.data or "")
    flash(_("Your request is sent. A coordinator of %(name)s will respond.", name=community.name), "success")
    return redirect(_back_to(community))


@bp.route("/c/<slug>/leave", methods=["POST"])
@login_required
def leave(slug):
    community = permissions.access_community_listing_or_404(slug, current_user)
    membership = permissions.community_membership(current_user, community)
    state = membership.state if membership else None
    actions.leave(current_user, community)
    messages = {"pending": _("Your request is withdrawn."), "invited": _("You declined the invitation.")}
    flash(messages.get(state, _("You left %(name)s.", name=community.name)), "success")
    return redirect(url_for("communities.index"))


def _back_to(community):
    """After a request: the community page if the user may read it, else the list."""
    if permissions.can_view_community(current_user, community):
        return url_for("communities.home", slug=community.slug)
    return url_for("communities.index")
