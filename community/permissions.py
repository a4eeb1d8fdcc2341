"""Who may do what: the only place for authorisation.

``can_*`` predicates answer yes/no (and are Jinja globals, so templates show buttons by the same
rule that guards the endpoint). ``access_*_or_404`` loaders fetch an object by id and authorise
it in one step; when the existence of something is private, they answer 404, never 403.
"""
import re

import sqlalchemy as sa
from flask import abort, g, has_app_context

from community.extensions import db
from community.realtime import streams
from community.models import (
    Community, CommunityMembership, Invitation, Organisation, OrganisationMembership, User,
)


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_admin(user):
    return _signed_in(user) and user.is_admin


def organisation_membership(user, org):
    """The user's membership row in org (any state), or None."""
    if not _signed_in(user):
        return None
    return db.session.scalar(sa.select(OrganisationMembership).where(
        OrganisationMembership.organisation_id == org.id,
        OrganisationMembership.user_id == user.id))


def is_organisation_manager(user, org):
    membership = organisation_membership(user, org)
    return membership is not None and membership.is_active and membership.role == "manager"


# --- organisations -----------------------------------------------------------------------------

def can_view_organisation(user, org):
    if not _signed_in(user):
        return False
    if org.status == "active":
        return True
    return is_admin(user) or org.requested_by_id == user.id


def can_manage_organisation(user, org):
    if not _signed_in(user) or org.status != "active" and not is_admin(user):
        return False
    return is_admin(user) or is_organisation_manager(user, org)


def can_request_membership(user, org):
    return _signed_in(user) and org.status == "active" and organisation_membership(user, org) is None


def can_leave_organisation(user, org):
    membership = organisation_membership(user, org)
    return membership is not None


def access_organisation_or_404(org_id, user):
    org = get_row(Organisation, org_id)
    if org is None or not can_view_organisation(user, org):
        abort(404)
    return org


def access_membership_or_404(membership_id, user):
    """A membership row, for someone who may manage its organisation."""
    membership = get_row(OrganisationMembership, membership_id)
    if membership is None or not can_view_organisation(user, membership.organisation):
        abort(404)
    if not can_manage_organisation(user, membership.organisation) and membership.user_id != user.id:
        abort(403)
    return membership


# --- communities -------------------------------------------------------------------------------

def community_membership(user, community):
    """The user's membership row in the community (any state), or None. Cached for the rest of
    the request, so a page can ask many predicates cheaply; actions that change memberships call
    forget_memberships()."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_community_memberships", {}) if has_app_context() else {}
    key = (user.id, community.id)
    if key not in cache:
        cache[key] = db.session.scalar(sa.select(CommunityMembership).where(
            CommunityMembership.community_id == community.id,
            CommunityMembership.user_id == user.id))
    return cache[key]


def prime_memberships(user, memberships):
    """Tell the cache what a list query already loaded: {community id: membership or None}.
    Lets a list page ask predicates per row without a query per row."""
    if _signed_in(user) and has_app_context():
        cache = g.setdefault("_community_memberships", {})
        for community_id, membership in memberships.items():
            cache[(user.id, community_id)] = membership


def valid_row_id(value):
    """An id a table can hold: ids typed into a URL can be far beyond SQLite's 64-bit and
    PostgreSQL's 32-bit integers, and looking those up is a database error, not a miss."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 31


def get_row(model, row_id):
    """The row with this id, or None; ids outside what a table holds are simply not found."""
    return db.session.get(model, row_id) if valid_row_id(row_id) else None


def forget_memberships():
    if has_app_context():
        g.pop("_community_memberships", None)
        g.pop("_community_sanctions", None)


def is_community_member(user, community):
    membership = community_membership(user, community)
    return membership is not None and membership.is_active


def is_coordinator(user, community):
    membership = community_membership(user, community)
    return membership is not None and membership.is_coordinator


def can_view_community(user, community):
    """Read the community's pages (home, feed, members, and later its content)."""
    if not _signed_in(user):
        return False
    if is_admin(user) or community.visibility == "public":
        return True
    return is_community_member(user, community)


def can_see_community_listing(user, community):
    """See its name and description on the discovery page (outsiders of a private, listed
    community), or reach it through an invitation."""
    if can_view_community(user, community):
        return True
    if not _signed_in(user):
        return False
    membership = community_membership(user, community)
    return not community.unlisted or (membership is not None and membership.state in ("pending", "invited"))


def can_join(user, community):
    """Become a member at once: open communities, or when a coordinator invited you."""
    if not _signed_in(user) or community.archived or sanction_in_force(user, community, "ban"):
        return False
    membership = community_membership(user, community)
    if membership is not None:
        return membership.state == "invited"
    return community.join_policy == "open" and can_see_community_listing(user, community)


def can_request_to_join(user, community):
    if not _signed_in(user) or community.archived or community.join_policy != "request":
        return False
    if sanction_in_force(user, community, "ban"):
        return False
    return community_membership(user, community) is None and can_see_community_listing(user, community)


def can_leave_community(user, community):
    membership = community_membership(user, community)
    return membership is not None and membership.state in ("active", "pending")


def can_manage_members(user, community):
    """Coordinators of this community and platform admins."""
    return is_admin(user) or is_coordinator(user, community)


def can_edit_community(user, community):
    return can_manage_members(user, community)


def can_create_community(user):
    return is_admin(user)


def access_community_or_404(slug, user):
    """A community the user may read. Private ones do not exist for outsiders (404)."""
    community = _community_by_slug(slug)
    if community is None or not can_view_community(user, community):
        abort(404)
    return community


def access_community_listing_or_404(slug, user):
    """A community whose listing the user may see (to ask to join or accept an invitation)."""
    community = _community_by_slug(slug)
    if community is None or not can_see_community_listing(user, community):
        abort(404)
    return community


def access_community_for_managing_or_404(slug, user):
    """Coordinator pages: 404 when the user may not read it at all, 403 when they may read it
    but do not run it."""
    community = access_community_or_404(slug, user)
    if not can_manage_members(user, community):
        abort(403)
    return community


def access_community_membership_or_404(community, membership_id, user):
    """A membership row of this community, for someone who runs it (or the member themself)."""
    membership = get_row(CommunityMembership, membership_id)
    if membership is None or membership.community_id != community.id:
        abort(404)
    if membership.user_id != user.id and not can_manage_members(user, community):
        abort(403)
    return membership


def access_invitation_or_404(community, invitation_id, user):
    """An invitation link of this community, for someone who runs it."""
    if not can_manage_members(user, community):
        abort(403)
    invitation = get_row(Invitation, invitation_id)
    if invitation is None or invitation.community_id != community.id:
        abort(404)
    return invitation


def invitable_user(user_id):
    """An active account that may be invited to a community or appointed its coordinator, or
    None. Any active account qualifies: coordinators invite people from outside their circle."""
    user = get_row(User, user_id)
    return user if user is not None and user.active else None


# Every slug the actions make matches this; anything else (NUL bytes, which PostgreSQL refuses
# in a query, upper case, very long text) cannot name a community and is not looked up.
_SLUG_SHAPE = re.compile(r"[a-z0-9-]{1,60}")


def _community_by_slug(slug):
    if not isinstance(slug, str) or not _SLUG_SHAPE.fullmatch(slug):
        return None
    return db.session.scalar(sa.select(Community).where(Community.slug == slug))


def visible_communities_filter(user):
    """A SQL condition selecting the communities whose listing the user may see (for lists and
    search): everything for admins; public, listed private, and any the user belongs to."""
    if is_admin(user):
        return sa.true()
    mine = sa.select(CommunityMembership.community_id).where(CommunityMembership.user_id == user.id)
    return sa.or_(Community.visibility == "public", Community.unlisted.is_(False), Community.id.in_(mine))


def readable_communities_filter(user):
    """A SQL condition selecting the communities whose content the user may read."""
    if is_admin(user):
        return sa.true()
    mine = sa.select(CommunityMembership.community_id).where(
        CommunityMembership.user_id == user.id, CommunityMembership.state == "active")
    return sa.or_(Community.visibility == "public", Community.id.in_(mine))


# --- discussions and practice cases ---------------------------------------------------------------

def can_post_in_community(user, community):
    """Start discussions, reply, write cases: active members of a community that is not archived,
    unless a coordinator muted them for now."""
    return not community.archived and is_community_member(user, community) \
        and sanction_in_force(user, community, "mute") is None


def can_open_post_form(user, community):
    """Reach a posting form: active members of a community that is not archived. A muted member
    gets the form too, and sending it tells them until when and why they cannot post (their
    text stays), rather than a bare refusal."""
    return not community.archived and is_community_member(user, community)


def can_read_discussion(user, discussion):
    if not can_view_community(user, discussion.community) or not can_see_content(user, discussion):
        return False
    # A case's own discussion exists only once the case is published; follow the case's rules.
    return discussion.case is None or can_view_case(user, discussion.case)


def can_reply(user, discussion):
    return not discussion.locked and can_post_in_community(user, discussion.community)


def can_moderate_discussion(user, discussion):
    """Pin, lock, and edit others' posts with a visible note: coordinators and admins."""
    return can_manage_members(user, discussion.community)


def can_edit_discussion(user, discussion):
    if not _signed_in(user) or discussion.community.archived:
        return False
    return (discussion.author_id == user.id and is_community_member(user, discussion.community)) \
        or can_moderate_discussion(user, discussion)


def can_edit_reply(user, reply):
    if not _signed_in(user) or reply.is_deleted or reply.discussion.community.archived:
        return False
    return (reply.author_id == user.id and is_community_member(user, reply.discussion.community)) \
        or can_moderate_discussion(user, reply.discussion)


def can_delete_reply(user, reply):
    return _signed_in(user) and not reply.is_deleted and reply.author_id == user.id \
        and not reply.discussion.community.archived


def can_react(user, reply):
    """Mark a reply helpful: members, not on their own replies."""
    return not reply.is_deleted and not reply.is_hidden and reply.author_id != getattr(user, "id", None) \
        and can_post_in_community(user, reply.discussion.community)


def can_accept_answer(user, discussion):
    """The discussion's author while a member (as for editing it), or a coordinator."""
    if not _signed_in(user) or discussion.community.archived:
        return False
    return (discussion.author_id == user.id and is_community_member(user, discussion.community)) \
        or can_moderate_discussion(user, discussion)


def can_view_case(user, case):
    if not can_view_community(user, case.community) or not can_see_content(user, case):
        return False
    if case.is_published:
        return True
    # Drafts are the author's unfinished work: nobody else reads them, admins included (as the
    # list filter below, which never shows someone else's draft).
    return _signed_in(user) and case.author_id == user.id


def can_edit_case(user, case):
    if not _signed_in(user) or case.community.archived:
        return False
    if case.author_id == user.id and is_community_member(user, case.community):
        return True
    return case.is_published and can_manage_members(user, case.community)


def can_publish_case(user, case):
    """Publish a draft: only its author, while they may post in the community."""
    return not case.is_published and _signed_in(user) and case.author_id == user.id \
        and can_post_in_community(user, case.community)


def can_delete_case(user, case):
    """Only drafts can be deleted, by their author; a published case stays (its discussion too)."""
    return not case.is_published and _signed_in(user) and case.author_id == user.id


def access_discussion_or_404(discussion_id, user):
    from community.models import Discussion

    discussion = get_row(Discussion, discussion_id)
    if discussion is None or not can_read_discussion(user, discussion):
        abort(404)
    return discussion


def access_reply_or_404(reply_id, user):
    from community.models import Reply

    reply = get_row(Reply, reply_id)
    if reply is None or not can_read_discussion(user, reply.discussion):
        abort(404)
    return reply


def access_case_or_404(case_id, user):
    from community.models import Case

    case = get_row(Case, case_id)
    if case is None or not can_view_case(user, case):
        abort(404)
    return case


def access_attachment_or_404(attachment_id, user):
    from community.models import Attachment

    attachment = get_row(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    access_case_or_404(attachment.case_id, user)
    return attachment


def readable_cases_filter(user):
    """SQL condition for cases the user may see in lists: published ones in readable
    communities, plus their own drafts."""
    from community.models import Case

    own_drafts = sa.and_(Case.status == "draft", Case.author_id == getattr(user, "id", None))
    return sa.and_(Case.community_id.in_(sa.select(Community.id).where(readable_communities_filter(user))),
                   sa.or_(Case.status == "published", own_drafts), visible_content_filter(user, Case))


# --- development trajectories --------------------------------------------------------------------

def is_trajectory_owner(user, trajectory):
    """Owners are the managers of the company the trajectory belongs to (and admins)."""
    return is_admin(user) or is_organisation_manager(user, trajectory.organisation)


def trajectory_role(user, trajectory):
    """The user's participant role ('employee', 'coach', 'student') or None."""
    if not _signed_in(user):
        return None
    for participant in trajectory.participants:
        if participant.user_id == user.id:
            return participant.role
    return None


def is_trajectory_insider(user, trajectory):
    """Participants, the company's managers and admins: who may see a confidential one."""
    return trajectory_role(user, trajectory) is not None or is_trajectory_owner(user, trajectory)


def can_view_trajectory(user, trajectory):
    if not _signed_in(user):
        return False
    if is_trajectory_insider(user, trajectory):
        return True
    # "Community" visibility: the members of the hosting community read along.
    return trajectory.visibility == "community" and is_community_member(user, trajectory.community)


def can_edit_trajectory(user, trajectory):
    """Title, goal, dates, status, participants, milestones: the owners."""
    return is_trajectory_owner(user, trajectory)


def can_contribute_to_trajectory(user, trajectory):
    """Write learning-outcome entries and link evidence: participants and owners, while the
    trajectory is not completed."""
    return trajectory.status != "completed" and is_trajectory_insider(user, trajectory)


def can_sign_off_milestone(user, milestone):
    """Only a teacher/coach participant signs a milestone off ("aftekenen")."""
    return trajectory_role(user, milestone.trajectory) == "coach"


def can_follow_trajectory(user, trajectory):
    return can_view_trajectory(user, trajectory)


def can_link_to_trajectory(user, trajectory, target):
    """Linking a discussion or case as evidence needs the right to edit both ends."""
    if not can_contribute_to_trajectory(user, trajectory):
        return False
    from community.models import Case

    if isinstance(target, Case):
        return can_edit_case(user, target) and target.is_published
    return can_edit_discussion(user, target)


def access_trajectory_or_404(trajectory_id, user):
    """A trajectory the user may see. Confidential ones do not exist for anyone else (404)."""
    from community.models import Trajectory

    trajectory = get_row(Trajectory, trajectory_id)
    if trajectory is None or not can_view_trajectory(user, trajectory):
        abort(404)
    return trajectory


def access_milestone_or_404(milestone_id, user):
    from community.models import Milestone

    milestone = get_row(Milestone, milestone_id)
    if milestone is None or not can_view_trajectory(user, milestone.trajectory):
        abort(404)
    return milestone


def access_trajectory_link_or_404(link_id, user):
    """An evidence link and its trajectory, for someone who may see the trajectory."""
    from community.models import TrajectoryLink

    link = get_row(TrajectoryLink, link_id)
    if link is None:
        abort(404)
    return link, access_trajectory_or_404(link.trajectory_id, user)


def visible_trajectories_filter(user):
    """SQL condition for trajectories the user may see (for lists, links and the feed)."""
    from community.models import Trajectory, TrajectoryParticipant

    if is_admin(user):
        return sa.true()
    if not _signed_in(user):
        return sa.false()
    participant = sa.select(TrajectoryParticipant.trajectory_id).where(TrajectoryParticipant.user_id == user.id)
    managed = sa.select(OrganisationMembership.organisation_id).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.role == "manager",
        OrganisationMembership.state == "active")
    member_of = sa.select(CommunityMembership.community_id).where(
        CommunityMembership.user_id == user.id, CommunityMembership.state == "active")
    return sa.or_(
        Trajectory.id.in_(participant),
        Trajectory.organisation_id.in_(managed),
        sa.and_(Trajectory.visibility == "community", Trajectory.community_id.in_(member_of)),
    )


def visible_feed_audiences(user, community):
    """The audiences (trajectory:<id>) of this community's feed that the user may see, in one
    query: feed entries with another audience stay hidden."""
    from community.models import Trajectory

    ids = db.session.scalars(sa.select(Trajectory.id).where(
        Trajectory.community_id == community.id, visible_trajectories_filter(user))).all()
    return [streams.trajectory(trajectory_id) for trajectory_id in ids]


# --- administration ----------------------------------------------------------------------------

def can_administer(user):
    return is_admin(user)


def access_user_for_admin_or_404(user_id, actor):
    if not is_admin(actor):
        abort(404)
    user = get_row(User, user_id)
    if user is None:
        abort(404)
    return user


# --- moderation ------------------------------------------------------------------------------------

def can_moderate(user, community):
    """Handle reports, hide and restore, sanction members, read the audit log: coordinators
    of the community and platform admins."""
    return can_manage_members(user, community)


def can_see_content(user, item):
    """Hidden content shows to its author (with the reason) and to moderators; to nobody else."""
    if not item.is_hidden:
        return True
    if not _signed_in(user):
        return False
    community = item.discussion.community if hasattr(item, "discussion_id") else item.community
    return item.author_id == user.id or can_moderate(user, community)


def can_see_reply(user, reply):
    return can_see_content(user, reply) if reply.is_hidden else True


def visible_content_filter(user, model):
    """SQL condition matching what can_see_content allows, for lists: not hidden, or the user's
    own, or anything in communities they moderate."""
    if is_admin(user):
        return sa.true()
    if not _signed_in(user):
        return model.hidden_at.is_(None)
    moderated = sa.select(CommunityMembership.community_id).where(
        CommunityMembership.user_id == user.id, CommunityMembership.role == "coordinator",
        CommunityMembership.state == "active")
    return sa.or_(model.hidden_at.is_(None), model.author_id == user.id, model.community_id.in_(moderated))


def sanction_in_force(user, community, kind):
    """The mute or ban of the user in the community that is in force now, or None (cached for
    the request, like memberships)."""
    if not _signed_in(user):
        return None
    from community.models import Sanction, utcnow

    # All of the user's sanctions at once: a list page asks for many communities, one query.
    cache = g.setdefault("_community_sanctions", {}) if has_app_context() else {}
    if user.id not in cache:
        now = utcnow()
        found = {}
        for sanction in db.session.scalars(sa.select(Sanction).where(
                Sanction.user_id == user.id, Sanction.lifted_at.is_(None),
                sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > now)).order_by(Sanction.id)):
            found.setdefault(sanction.community_id, []).append(sanction)
        cache[user.id] = found
    return next((s for s in cache[user.id].get(community.id, ()) if s.kind == kind), None)


def can_report(user, target, item):
    """Report what you can read and did not write yourself."""
    if not _signed_in(user) or getattr(item, "author_id", None) == user.id:
        return False
    if target == "reply":
        return not item.is_deleted and can_read_discussion(user, item.discussion) and can_see_reply(user, item)
    if target == "discussion":
        return can_read_discussion(user, item)
    return target == "case" and item.is_published and can_view_case(user, item)


def can_sanction(actor, community, member):
    """Mute or ban: moderators, not themselves, never a coordinator or an admin."""
    if not can_moderate(actor, community) or member is None or member.id == actor.id:
        return False
    return not is_admin(member) and not is_coordinator(member, community)


def can_move_discussion(actor, discussion, target_community):
    """Move a discussion between two communities the coordinator runs (not a case's own)."""
    return discussion.case_id is None and target_community.id != discussion.community_id \
        and not target_community.archived and can_moderate(actor, discussion.community) \
        and can_moderate(actor, target_community)


def access_reported_item_or_404(target, item_id, user):
    """A reply, discussion or case the user may read (for reporting and moderating)."""
    from community.models import Case, Discussion, Reply

    models = {"reply": Reply, "discussion": Discussion, "case": Case}
    item = get_row(models[target], item_id) if target in models else None
    if item is None:
        abort(404)
    visible = {"reply": lambda: can_read_discussion(user, item.discussion) and can_see_reply(user, item),
               "discussion": lambda: can_read_discussion(user, item),
               "case": lambda: can_view_case(user, item)}[target]()
    if not visible:
        abort(404)
    return item


def item_community(target, item):
    return item.discussion.community if target == "reply" else item.community


# --- live updates and notifications --------------------------------------------------------------

LIVE_KINDS = ("community", "discussion", "case", "trajectory", "user")


def can_follow_live(user, kind, target):
    """Receive a thing's live events: the same rule as reading its page."""
    if target is None or not _signed_in(user):
        return False
    if kind == "community":
        return can_view_community(user, target)
    if kind == "discussion":
        return can_read_discussion(user, target)
    if kind == "case":
        return can_view_case(user, target)
    if kind == "trajectory":
        return can_view_trajectory(user, target)
    return kind == "user" and target.id == user.id


def access_live_stream(kind, object_id, user):
    """The stream name ("discussion:12") of a thing the user may follow live, or None: a thing
    that does not exist and one the user may not see get the same answer. The client names a
    kind and an id, never a room."""
    from community.models import Case, Discussion, Trajectory

    models = {"community": Community, "discussion": Discussion, "case": Case,
              "trajectory": Trajectory, "user": User}
    if kind == "moderation":  # a review queue: a community's (its moderators) or all (id 0, admins)
        if object_id == 0 and not isinstance(object_id, bool):
            return streams.moderation() if is_admin(user) else None
        community = get_row(Community, object_id)
        return streams.moderation(object_id) if community is not None and can_moderate(user, community) else None
    if kind not in models or not valid_row_id(object_id):
        return None
    target = get_row(models[kind], object_id)
    return streams.name(kind, object_id) if can_follow_live(user, kind, target) else None


def can_see_notification(user, notification, targets):
    """A notification shows only while its recipient may still see what it is about.
    ``targets`` maps (object type, id) to the loaded object (one query per type for a page)."""
    if notification.user_id != getattr(user, "id", None):
        return False
    target = targets.get((notification.object_type, notification.object_id))
    if notification.kind == "join_request":
        return target is not None and can_manage_members(user, target)
    return can_follow_live(user, notification.object_type, target)

def can_see_event_subject(user, kind, target, notification_kind=None):
    """A logged event about ``target`` ("reply", "discussion", "case", "trajectory",
    "community") is shown to a reader who catches up only while they may still see it: access
    may have ended since the event was sent."""
    if target is None:
        return False
    if kind == "reply":
        return can_read_discussion(user, target.discussion) and can_see_reply(user, target)
    if notification_kind == "join_request":
        return can_manage_members(user, target)
    return can_follow_live(user, kind, target)

# --- learning-culture scan ---------------------------------------------------------------------
# Respondents have no account: a link token or a one-time code is their whole authorisation.
# Rounds and results belong to the company's managers (and admins); for everyone else a round
# does not exist (404), as its title alone can say something about the company.

def can_manage_scan(user, org):
    """Open, close and delete rounds and read their results: managers of an active company."""
    if org.kind != "company" or org.status != "active":
        return False
    return is_admin(user) or is_organisation_manager(user, org)


def access_scan_organisation_or_404(org_id, user):
    org = get_row(Organisation, org_id)
    if org is None or not can_manage_scan(user, org):
        abort(404)
    return org


def access_scan_round_or_404(round_id, user):
    from community.models import ScanRound

    scan_round = get_row(ScanRound, round_id)
    if scan_round is None or not can_manage_scan(user, scan_round.organisation):
        abort(404)
    return scan_round


# token_urlsafe(24) makes 32 characters; anything else cannot be a link and is not looked up.
_SCAN_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def access_scan_link_or_404(token):
    """The round and questionnaire variant ('employee' or 'management') a link opens, or 404."""
    from community.models import ScanRound

    if not isinstance(token, str) or not _SCAN_TOKEN_SHAPE.fullmatch(token):
        abort(404)
    scan_round = db.session.scalar(sa.select(ScanRound).where(
        sa.or_(ScanRound.employee_token == token, ScanRound.management_token == token)))
    if scan_round is None:
        abort(404)
    return scan_round, "management" if scan_round.management_token == token else "employee"


def scan_code_row(code):
    """The invitation code row for an already normalised code, or None (the caller says why)."""
    from community.models import ScanCode

    if not isinstance(code, str) or not code.isascii() or not code.isalnum() or len(code) > 16:
        return None
    return db.session.scalar(sa.select(ScanCode).where(ScanCode.code == code))


JINJA_GLOBALS = {
    name: obj for name, obj in dict(globals()).items()
    if name.startswith(("can_", "is_")) and callable(obj)
}
