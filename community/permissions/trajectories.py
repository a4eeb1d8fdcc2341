"""Development trajectories: their milestones, learning log, participants and evidence links."""
import sqlalchemy as sa
import sqlalchemy.orm as so

import community.realtime.streams as streams
from community.models import (
    Case, CommunityMembership, Milestone, OrganisationMembership, Trajectory, TrajectoryLink, TrajectoryParticipant,
)
from community.permissions.cases import can_edit_case
from community.permissions.core import _signed_in, is_admin, is_community_member, community_row_or_404, row_or_404
from community.permissions.discussions import can_edit_discussion
from community.permissions.organisations import is_organisation_manager


def can_start_trajectory(user, org):
    """Start a trajectory of a company: its managers and admins (the company must be an active
    one; the action says so)."""
    return is_admin(user) or is_organisation_manager(user, org)


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
    return trajectory_role(user, trajectory) is not None or can_edit_trajectory(user, trajectory)


def can_view_trajectory(user, trajectory):
    if not _signed_in(user):
        return False
    if is_trajectory_insider(user, trajectory):
        return True
    # "Community" visibility: the members of the hosting community read along.
    return trajectory.visibility == "community" and is_community_member(user, trajectory.community)


def can_edit_trajectory(user, trajectory):
    """Title, goal, dates, status, participants, milestones: the owners, who are the managers of
    the company the trajectory belongs to (and admins)."""
    return can_start_trajectory(user, trajectory.organisation)


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
    if isinstance(target, Case):
        return can_edit_case(user, target) and target.is_published
    return can_edit_discussion(user, target)


def access_trajectory_or_404(trajectory_id, user):
    """A trajectory the user may see, loaded with what deciding that needs (its company, host
    community, participants and the reader's membership of both) in one query. Confidential
    ones do not exist for anyone else (404)."""
    return community_row_or_404(Trajectory, trajectory_id, user, lambda row: can_view_trajectory(user, row),
                                so.joinedload(Trajectory.organisation),
                                so.joinedload(Trajectory.participants).joinedload(TrajectoryParticipant.user),
                                organisation_id=Trajectory.organisation_id)


def access_milestone_or_404(milestone_id, user):
    return row_or_404(Milestone, milestone_id, lambda milestone: can_view_trajectory(user, milestone.trajectory))


def access_trajectory_link_or_404(link_id, user):
    """An evidence link and its trajectory, for someone who may see the trajectory."""
    link = row_or_404(TrajectoryLink, link_id, lambda row: True)
    return link, access_trajectory_or_404(link.trajectory_id, user)


def visible_trajectories_filter(user):
    """SQL condition for trajectories the user may see (for lists, links and the feed)."""
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
    """SQL: the audiences (trajectory:<id>) of this community's feed that the user may see, as a
    subquery for the feed's own query: feed entries with another audience stay hidden."""
    return sa.select(streams.trajectory_in_sql(Trajectory.id)).where(
        Trajectory.community_id == community.id, visible_trajectories_filter(user))


