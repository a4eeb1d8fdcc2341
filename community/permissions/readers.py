"""Who may read a place: the people an @mention there can reach, as SQL on the users table.

A place is a community, a discussion, a practice case or a trajectory. ``readers_filter`` is the
SQL twin of can_view_community, can_read_discussion, can_view_case and can_view_trajectory,
asked from the other side: not "may this user read it?" but "which users may?" (the mention
autocomplete offers only them). The place itself is loaded and authorised for the one asking
by ``access_place_or_404``.
"""
import sqlalchemy as sa
from flask import abort

from community.models import (
    Case, Community, CommunityMembership, Discussion, OrganisationMembership, Trajectory, TrajectoryParticipant, User,
)
from community.permissions.cases import access_case_or_404
from community.permissions.communities import can_view_community
from community.permissions.core import _signed_in, first_with_membership, valid_row_id
from community.permissions.discussions import access_discussion_or_404
from community.permissions.trajectories import access_trajectory_or_404

PLACE_KINDS = ("community", "discussion", "case", "trajectory")


def can_search_people(user):
    """Look people up by name (the mention autocomplete, people search): any signed-in user, as
    anyone signed in may open anyone's profile page."""
    return _signed_in(user)


def access_place_or_404(kind, place_id, user):
    """The community, discussion, case or trajectory with this id, if the user may read it; 404
    for one that is missing and one they may not read alike (a community is named by its id
    here, as the other places are)."""
    if kind == "community":
        community = first_with_membership(sa.select(Community).where(Community.id == place_id), Community.id, user) \
            if valid_row_id(place_id) else None
        if community is None or not can_view_community(user, community):
            abort(404)
        return community
    loaders = {"discussion": access_discussion_or_404, "case": access_case_or_404,
               "trajectory": access_trajectory_or_404}
    if kind not in loaders:
        abort(404)
    return loaders[kind](place_id, user)


def readers_filter(place):
    """A SQL condition on User selecting the active accounts that may read ``place``."""
    if isinstance(place, Community):
        rule = _community_readers(place)
    elif isinstance(place, Discussion):
        rule = sa.and_(_community_readers(place.community), _content_readers(place))
        if place.case is not None:
            rule = sa.and_(rule, _case_readers(place.case))
    elif isinstance(place, Case):
        rule = _case_readers(place)
    elif isinstance(place, Trajectory):
        rule = _trajectory_readers(place)
    else:
        raise TypeError(f"not a place: {place!r}")
    return sa.and_(User.active.is_(True), rule)


def _active_members(community_id, *where):
    return sa.select(CommunityMembership.user_id).where(
        CommunityMembership.community_id == community_id, CommunityMembership.state == "active", *where)


def _community_readers(community):
    """can_view_community: admins, everyone for a public community, else its active members."""
    if community.visibility == "public":
        return sa.true()
    return sa.or_(User.is_admin.is_(True), User.id.in_(_active_members(community.id)))


def _content_readers(item):
    """can_see_content: hidden content shows to its author and to those who run the community."""
    if not item.is_hidden:
        return sa.true()
    coordinators = _active_members(item.community_id, CommunityMembership.role == "coordinator")
    return sa.or_(User.is_admin.is_(True), User.id == item.author_id, User.id.in_(coordinators))


def _case_readers(case):
    """can_view_case: the community's readers, the hidden rule, and a draft for its author only
    (admins included in 'nobody else')."""
    rule = sa.and_(_community_readers(case.community), _content_readers(case))
    return rule if case.is_published else sa.and_(rule, User.id == case.author_id)


def _trajectory_readers(trajectory):
    """can_view_trajectory: participants, the company's active managers and admins; for a
    trajectory shown to its community, that community's active members too."""
    participants = sa.select(TrajectoryParticipant.user_id).where(
        TrajectoryParticipant.trajectory_id == trajectory.id)
    managers = sa.select(OrganisationMembership.user_id).where(
        OrganisationMembership.organisation_id == trajectory.organisation_id,
        OrganisationMembership.role == "manager", OrganisationMembership.state == "active")
    rule = sa.or_(User.is_admin.is_(True), User.id.in_(participants), User.id.in_(managers))
    if trajectory.visibility == "community":
        rule = sa.or_(rule, User.id.in_(_active_members(trajectory.community_id)))
    return rule
