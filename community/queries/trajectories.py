"""Read-side queries for the trajectory lists (the API's list; the follow page, company and
community overviews and dashboard panel) and the evidence-link boxes on case and discussion pages.

The API's list and the pages share one filter (``trajectory_filter``) and one order (most recently
changed first); the pages show at most LIST_LIMIT with summaries, the API 30 a page. Every page list
loads a fixed number of queries whatever the number of trajectories: the page's
trajectories (company and community joined), then one query each for milestone counts, overdue
milestones and the latest log entries of all of them together.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import markup, permissions
from community.extensions import db
from community.models import (
    TRAJECTORY_STATUSES, Case, Community, Discussion, Milestone, OrganisationMembership, OutcomeEntry,
    Trajectory, TrajectoryFollow, TrajectoryLink, TrajectoryParticipant, User,
)
from community.pagination import offset_page

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
LATEST_ENTRIES = 2
EXCERPT_LENGTH = 140
LIST_LIMIT = 200  # a page never grows without bound
PER_PAGE = 30
NEWEST = (Trajectory.updated_at.desc(), Trajectory.id.desc())


@dataclass
class TrajectoryFilters:
    """``community``: its slug; ``following``: only those the user follows."""
    organisation: Optional[int] = None
    community: str = ""
    status: str = ""
    following: bool = False
    page: int = 1


def today():
    """Due dates are calendar dates in the Netherlands, not UTC."""
    return datetime.now(LOCAL_ZONE).date()


def excerpt(html, length=EXCERPT_LENGTH):
    """The start of an entry's stored HTML as one line of plain text, no markdown left
    (autoescaped by Jinja)."""
    return markup.plain_excerpt(html, length)


@dataclass
class Summary:
    """A trajectory with what the list pages show about it."""

    trajectory: Trajectory
    done: int = 0
    total: int = 0
    overdue: list = field(default_factory=list)
    entries: list = field(default_factory=list)

    @property
    def last_activity(self):
        times = [self.trajectory.updated_at] + [entry.created_at for entry in self.entries]
        return max(t for t in times if t is not None)


def trajectory_filter(user, filters):
    """The trajectories the user may see that match the filters (a list of conditions)."""
    where = [permissions.visible_trajectories_filter(user)]
    if filters.organisation is not None:
        where.append(Trajectory.organisation_id == filters.organisation)
    if filters.community:
        where.append(Trajectory.community_id.in_(sa.select(Community.id).where(Community.slug == filters.community)))
    if filters.status:
        where.append(Trajectory.status == filters.status)
    if filters.following:
        where.append(Trajectory.id.in_(sa.select(TrajectoryFollow.trajectory_id).where(
            TrajectoryFollow.user_id == user.id)))
    return where


def _milestone_counts():
    total = (sa.select(sa.func.count(Milestone.id)).where(Milestone.trajectory_id == Trajectory.id)
             .correlate(Trajectory).scalar_subquery())
    done = (sa.select(sa.func.count(Milestone.id)).where(Milestone.trajectory_id == Trajectory.id,
                                                         Milestone.status == "done")
            .correlate(Trajectory).scalar_subquery())
    return done, total


def trajectory_page(user, filters, per_page=PER_PAGE):
    """The API's list: rows (trajectory, milestones done, milestones, whether the user follows
    it), most recently changed first; one count, one page with organisation and community. The
    long texts stay in the database (raiseload turns an accidental read into an error)."""
    stmt = sa.select(Trajectory.id).where(*trajectory_filter(user, filters))
    following = sa.exists(sa.select(TrajectoryFollow.id).where(TrajectoryFollow.trajectory_id == Trajectory.id,
                                                              TrajectoryFollow.user_id == user.id)
                          .correlate(Trajectory))
    texts = (Trajectory.goal, Trajectory.goal_html, Trajectory.evaluation, Trajectory.evaluation_html)
    rows = (stmt.with_only_columns(Trajectory, *_milestone_counts(), following)
            .options(so.joinedload(Trajectory.organisation), so.joinedload(Trajectory.community),
                     *[so.defer(column, raiseload=True) for column in texts])
            .order_by(*NEWEST))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)


def _trajectories(where, *order, limit=LIST_LIMIT):
    return db.session.scalars(
        sa.select(Trajectory).options(so.joinedload(Trajectory.organisation), so.joinedload(Trajectory.community))
        .where(*where).order_by(*(order or NEWEST)).limit(limit)
    ).unique().all()


def summarise(trajectories, on=None):
    """Summaries in the given order: three queries for any number of trajectories."""
    summaries = {t.id: Summary(t) for t in trajectories}
    if not summaries:
        return []
    ids = list(summaries)
    done = sa.func.sum(sa.case((Milestone.status == "done", 1), else_=0))
    for trajectory_id, total, done_count in db.session.execute(
            sa.select(Milestone.trajectory_id, sa.func.count(Milestone.id), done)
            .where(Milestone.trajectory_id.in_(ids)).group_by(Milestone.trajectory_id)):
        summaries[trajectory_id].total, summaries[trajectory_id].done = total, int(done_count or 0)
    for milestone in db.session.scalars(
            sa.select(Milestone).where(Milestone.trajectory_id.in_(ids), Milestone.status == "open",
                                       Milestone.due_date < (on or today()))
            .order_by(Milestone.due_date, Milestone.position)):
        summaries[milestone.trajectory_id].overdue.append(milestone)
    # The latest entries per trajectory through a correlated subquery (no window functions).
    newer = so.aliased(OutcomeEntry)
    latest_ids = (sa.select(newer.id).where(newer.trajectory_id == OutcomeEntry.trajectory_id)
                  .order_by(newer.id.desc()).limit(LATEST_ENTRIES).correlate(OutcomeEntry))
    for entry in db.session.scalars(
            sa.select(OutcomeEntry).options(so.joinedload(OutcomeEntry.author))
            .where(OutcomeEntry.trajectory_id.in_(ids), OutcomeEntry.id.in_(latest_ids))
            .order_by(OutcomeEntry.id.desc())):
        summaries[entry.trajectory_id].entries.append(entry)
    return list(summaries.values())


def _participating(user):
    return sa.select(TrajectoryParticipant.trajectory_id).where(TrajectoryParticipant.user_id == user.id)


def _managed(user):
    return sa.select(OrganisationMembership.organisation_id).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.role == "manager",
        OrganisationMembership.state == "active")


def _insider_filter(user):
    """Trajectories the user takes part in or owns (admins own all of them)."""
    if permissions.is_admin(user):
        return sa.true()
    return sa.or_(Trajectory.id.in_(_participating(user)), Trajectory.organisation_id.in_(_managed(user)))


class FollowPage(NamedTuple):
    """The follow page's groups, each trajectory in one of them, the closest role first: a
    company's manager owns it, a coach coaches it, a participant takes part; "followed" holds
    the rest the user follows."""
    followed: list
    owned: list
    coached: list
    taking_part: list

    def __bool__(self):
        return any(self)


def following_page(user):
    """The follow page ("Trajecten" in the menu): the trajectories the user owns (manages the
    company of), coaches, takes part in or follows and may still see, grouped by that role. One
    query for the trajectories with the user's role, then the summaries' three."""
    role = (sa.select(TrajectoryParticipant.role).where(TrajectoryParticipant.trajectory_id == Trajectory.id,
                                                       TrajectoryParticipant.user_id == user.id)
            .correlate(Trajectory).limit(1).scalar_subquery())
    owned = Trajectory.organisation_id.in_(_managed(user))
    followed = Trajectory.id.in_(sa.select(TrajectoryFollow.trajectory_id).where(TrajectoryFollow.user_id == user.id))
    rows = db.session.execute(
        sa.select(Trajectory, owned, role)
        .options(so.joinedload(Trajectory.organisation), so.joinedload(Trajectory.community))
        .where(permissions.visible_trajectories_filter(user),
               sa.or_(followed, owned, Trajectory.id.in_(_participating(user))))
        .order_by(*NEWEST).limit(LIST_LIMIT)).unique().all()
    summaries = summarise([trajectory for trajectory, _, _ in rows])
    page = FollowPage([], [], [], [])
    for summary, (_, is_owner, participant_role) in zip(summaries, rows):
        group = (page.owned if is_owner else page.coached if participant_role == "coach"
                 else page.taking_part if participant_role else page.followed)
        group.append(summary)
    return page


def company_page(user, organisation):
    """The company's trajectories the user may see, grouped by status (in status order)."""
    rows = summarise(_trajectories(trajectory_filter(user, TrajectoryFilters(organisation=organisation.id))))
    return [(status, [s for s in rows if s.trajectory.status == status]) for status in TRAJECTORY_STATUSES
            if any(s.trajectory.status == status for s in rows)]


def community_page(user, community):
    return summarise(_trajectories(trajectory_filter(user, TrajectoryFilters(community=community.slug))))


def dashboard_trajectories(user):
    """The dashboard panel: trajectories the user takes part in or whose company they manage
    (not every trajectory for admins), unfinished ones first."""
    mine = sa.or_(Trajectory.id.in_(_participating(user)), Trajectory.organisation_id.in_(_managed(user)))
    return _trajectories([mine], Trajectory.status == "completed", Trajectory.updated_at.desc(), limit=20)


# --- evidence links ---------------------------------------------------------------------------------

@dataclass
class LinkBox:
    links: list          # [(TrajectoryLink, Trajectory, Milestone | None)]
    may_link: bool       # the form with the choices is its own page (link_options)


def may_link(user, target):
    """Whether the user may link this case or discussion to a trajectory (edit it)."""
    if isinstance(target, Case):
        return target.is_published and permissions.can_edit_case(user, target)
    return permissions.can_edit_discussion(user, target)


def linkable_exists(user):
    """SQL: whether the user has an open trajectory to link evidence to (see link_options), for a
    page that reads it with other facts in one query."""
    return sa.exists().where(permissions.visible_trajectories_filter(user), _insider_filter(user),
                             Trajectory.status != "completed")


def link_box(user, target, linkable=None):
    """The "Trajectories" box of a case or discussion page (the caller has authorised the target):
    its links to trajectories the user may see, in one query, and whether the user may link it
    (``linkable``: whether they have a trajectory to link to, when the page read it already; the
    choices load only when they open the link form)."""
    kind = "case" if isinstance(target, Case) else "discussion"
    links = db.session.execute(
        sa.select(TrajectoryLink, Trajectory, Milestone)
        .join(Trajectory, Trajectory.id == TrajectoryLink.trajectory_id)
        .outerjoin(Milestone, Milestone.id == TrajectoryLink.milestone_id)
        .where(TrajectoryLink.target == kind, TrajectoryLink.target_id == target.id,
               permissions.visible_trajectories_filter(user))
        .order_by(Trajectory.title, TrajectoryLink.id)).all()
    allowed = may_link(user, target)
    if allowed and linkable is None:
        linkable = db.session.scalar(sa.select(linkable_exists(user)))
    return LinkBox(links=[tuple(row) for row in links], may_link=bool(allowed and linkable))


def link_options(user, target):
    """What the user may link this case or discussion to: [(Trajectory, [Milestone])], open
    trajectories they take part in or own (empty when they may not edit the target)."""
    if not may_link(user, target):
        return []
    grouped = {}
    for trajectory, milestone in db.session.execute(
            sa.select(Trajectory, Milestone).outerjoin(Milestone, Milestone.trajectory_id == Trajectory.id)
            .where(permissions.visible_trajectories_filter(user), _insider_filter(user),
                   Trajectory.status != "completed")
            .order_by(Trajectory.title, Trajectory.id, Milestone.position).limit(LIST_LIMIT * 10)):
        milestones = grouped.setdefault(trajectory, [])
        if milestone is not None:
            milestones.append(milestone)
    return list(grouped.items())


def may_link_evidence(user, trajectory):
    """Whether the trajectory page offers its "link a case or discussion" form (what the form
    lists is the user's own posts in the hosting community, or all when they coordinate it)."""
    return permissions.can_contribute_to_trajectory(user, trajectory) and not trajectory.community.archived


def linkable_evidence(user, trajectory, limit=100):
    """What the user may link to this trajectory from its own page: published cases and
    discussions of the hosting community that they may edit (their own, or any when they
    coordinate it), cases first, each newest first. One query. [(value "kind:id", label), ...]"""
    if not may_link_evidence(user, trajectory):
        return []
    community = trajectory.community
    everything = permissions.can_coordinate(user, community)
    cases = sa.select(Case.id, Case.title).where(Case.community_id == community.id, Case.status == "published")
    discussions = sa.select(Discussion.id, Discussion.title).where(
        Discussion.community_id == community.id, Discussion.case_id.is_(None))
    if not everything:
        cases = cases.where(Case.author_id == user.id)
        discussions = discussions.where(Discussion.author_id == user.id)
    if not permissions.is_community_member(user, community) and not everything:
        return []  # editing your own posts needs active membership
    newest_cases = cases.order_by(Case.id.desc()).limit(limit).subquery()
    newest_discussions = discussions.order_by(Discussion.id.desc()).limit(limit).subquery()
    both = sa.union_all(
        sa.select(sa.literal("case").label("kind"), newest_cases.c.id, newest_cases.c.title),
        sa.select(sa.literal("discussion").label("kind"), newest_discussions.c.id, newest_discussions.c.title))
    both = both.subquery()
    rows = db.session.execute(sa.select(both).order_by(both.c.kind, both.c.id.desc()))
    return [(f"{row.kind}:{row.id}", row.title) for row in rows]


def participant_candidates(trajectory, user_id=None, limit=500):
    """Who the trajectory's owner can pick as a participant without typing an address: active
    members of its company, with an active account, who do not take part yet, by name. With
    ``user_id``: only that person (a list of one or none). One query; the participants are
    loaded with the trajectory."""
    taking_part = {participant.user_id for participant in trajectory.participants}
    query = (sa.select(User).join(OrganisationMembership, OrganisationMembership.user_id == User.id)
             .where(OrganisationMembership.organisation_id == trajectory.organisation_id,
                    OrganisationMembership.state == "active", User.active.is_(True))
             .order_by(sa.func.lower(User.display_name), User.id).limit(limit))
    if user_id is not None:
        query = query.where(User.id == user_id)
    return [user for user in db.session.scalars(query) if user.id not in taking_part]
