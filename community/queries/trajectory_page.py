"""What the trajectory page and report show, in a fixed number of queries whatever the number of
milestones, entries, participants and evidence links.

The page shows one page of the learning log (LOG_PER_PAGE entries, newest first, ``?log_page=``)
and the timeline of the milestones with those entries, so its size and time stay the same however
long the log grows; milestones are at most MILESTONES_MAX (community.actions.trajectories), all
shown in their order (moving one swaps it with its neighbour). The progress figures and the log's
length are counted in SQL, in one statement with the follow mark. The printable report shows the
whole log. The API's log pages through ``log_entries`` too, in the same order.
"""
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions, request_facts
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, Milestone, OutcomeEntry,
    TrajectoryFollow, TrajectoryLink,
)
from community.pagination import Page, offset_page
from community.queries.notifications import follow_choice_column
from community.realtime import streams
from community.realtime.events import seq_column

LOG_PER_PAGE = 20


@dataclass
class TrajectoryPage:
    participants: list
    milestones: list
    entries: list  # the page: its log page, newest first; the report: the whole log, oldest first
    done: int = 0  # milestones done, of milestone_total (counted in SQL)
    milestone_total: int = 0
    log: Optional[Page] = None  # the page's log page (None for the report)
    evidence: list = field(default_factory=list)  # (kind, target, milestone or None)
    following: bool = False
    follow_level: str = "normal"  # what the follow select shows
    live_last: int = 0  # the number of the trajectory's live stream when the page was read

    @property
    def percent(self):
        return round(100 * self.done / self.milestone_total) if self.milestone_total else 0

    @property
    def width_class(self):
        """w-0 … w-100 in steps of 5: the CSP allows no style attributes."""
        return f"w-{5 * round(self.percent / 5)}"

    @cached_property
    def _by_id(self):
        return {m.id: m for m in self.milestones}

    def milestone(self, milestone_id):
        return self._by_id.get(milestone_id)

    def timeline(self):
        """Milestones (at their due date) and the log entries shown (at their date), oldest
        first; milestones without a due date come last."""
        far = date.max
        items = [(m.due_date or far, 0, m.position, "milestone", m) for m in self.milestones]
        items += [(e.created_at.date(), 1, e.id, "entry", e) for e in self.entries]
        return [(kind, item) for *_, kind, item in sorted(items, key=lambda row: row[:3])]

    def entries_by_value(self):
        groups = {}
        for entry in self.entries:
            groups.setdefault(entry.value_kind, []).append(entry)
        return groups


def log_entries(trajectory, number, per_page, total=None):
    """Page ``number`` of the learning log, newest first (the index on (trajectory_id, id)), with
    the authors: a count (unless ``total`` is given) and the page."""
    stmt = sa.select(OutcomeEntry).where(OutcomeEntry.trajectory_id == trajectory.id)
    rows = stmt.options(so.joinedload(OutcomeEntry.author)).order_by(OutcomeEntry.id.desc())
    return offset_page(rows, number=number, per_page=per_page, scalars=True, counted=stmt, total=total)


def _figures(user, trajectory, with_following):
    """Milestones, milestones done, log entries, whether the user follows, their stored follow
    choice and the number of the trajectory's live stream: one row, as a subquery."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(
            model.trajectory_id == trajectory.id, *where).scalar_subquery()

    following = sa.exists().where(TrajectoryFollow.trajectory_id == trajectory.id,
                                  TrajectoryFollow.user_id == user.id) if with_following else sa.false()
    level = follow_choice_column(user, "trajectory", trajectory.id)
    return sa.select(
        count(Milestone).label("milestones"), count(Milestone, Milestone.status == "done").label("done"),
        count(OutcomeEntry).label("entries"), following.label("following"), level.label("level"),
        seq_column(streams.trajectory(trajectory.id)).label("seq")).subquery("figures")


def _figures_and_log(user, trajectory, with_following, number, per_page):
    """The figures and page ``number`` of the learning log (newest first, with the authors) in
    one statement: the one-row figures, outer-joined to the page's entries. Only a page past the
    end reads again, for the last page."""
    figures = _figures(user, trajectory, with_following)
    rows = sa.select(OutcomeEntry).where(OutcomeEntry.trajectory_id == trajectory.id).order_by(
        OutcomeEntry.id.desc()).limit(per_page).offset((number - 1) * per_page).subquery("log_page")
    entry = so.aliased(OutcomeEntry, rows)
    found = db.session.execute(
        sa.select(figures, entry).select_from(figures).outerjoin(rows, sa.true())
        .options(so.joinedload(entry.author)).order_by(rows.c.id.desc())).unique().all()
    figures_row = found[0]
    entries = [row[-1] for row in found if row[-1] is not None]
    request_facts.remember("stream", streams.trajectory(trajectory.id), figures_row.seq or 0)
    last = max(1, -(-figures_row.entries // per_page))
    if number > last:
        return figures_row, log_entries(trajectory, last, per_page, total=figures_row.entries)
    return figures_row, Page(rows=entries, number=number, per_page=per_page, total=figures_row.entries)


def trajectory_page(user, trajectory, log_page=1, with_following=True, per_page=LOG_PER_PAGE):
    """The page's contents with log page ``log_page`` (past the end: the last); ``log_page=None``
    loads the whole log, oldest first (the report)."""
    # Loaded with the trajectory, users and all (permissions.access_trajectory_or_404).
    participants = sorted(trajectory.participants, key=lambda row: (row.added_at, row.id))
    # The stream's number first: an event in between is then both shown and replayed, and the
    # page skips what it already has (see discussions.views).
    if log_page is None:
        figures = db.session.execute(sa.select(_figures(user, trajectory, with_following))).one()
        log = None
    else:
        figures, log = _figures_and_log(user, trajectory, with_following, log_page, per_page)
    milestones = db.session.scalars(
        sa.select(Milestone).options(so.joinedload(Milestone.signed_off_by))
        .where(Milestone.trajectory_id == trajectory.id).order_by(Milestone.position)).all()
    # As actions.notifications.level_of: following is its own row, unless muted.
    level = "muted" if figures.level == "muted" else "following" if figures.following else "normal"
    page = TrajectoryPage(participants=participants, milestones=milestones, entries=[], done=figures.done,
                          milestone_total=figures.milestones, following=bool(figures.following),
                          follow_level=level, live_last=figures.seq or 0, log=log)
    if log is None:
        page.entries = db.session.scalars(
            sa.select(OutcomeEntry).options(so.joinedload(OutcomeEntry.author))
            .where(OutcomeEntry.trajectory_id == trajectory.id)
            .order_by(OutcomeEntry.created_at, OutcomeEntry.id)).all()
    else:
        page.entries = log.rows
    page.evidence = _evidence(user, trajectory, page)
    return page


def _evidence(user, trajectory, page):
    """The linked discussions and cases the user may see, in one query: each link with its
    target, the target's community and the reader's membership there (for deciding)."""
    discussion_membership = so.aliased(CommunityMembership)
    case_membership = so.aliased(CommunityMembership)
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    stmt = (
        sa.select(TrajectoryLink, Discussion, Case, discussion_membership, case_membership)
        .where(TrajectoryLink.trajectory_id == trajectory.id)
        .outerjoin(Discussion, sa.and_(TrajectoryLink.target == "discussion", Discussion.id == TrajectoryLink.target_id))
        .outerjoin(Case, sa.and_(TrajectoryLink.target == "case", Case.id == TrajectoryLink.target_id))
        .outerjoin(discussion_membership, sa.and_(discussion_membership.community_id == Discussion.community_id,
                                                  discussion_membership.user_id == user_id))
        .outerjoin(case_membership, sa.and_(case_membership.community_id == Case.community_id,
                                            case_membership.user_id == user_id))
        .options(so.joinedload(Discussion.community), so.joinedload(Discussion.case).joinedload(Case.community),
                 so.joinedload(Case.community), so.lazyload(Case.tags))
        .order_by(TrajectoryLink.created_at, TrajectoryLink.id))
    rows = db.session.execute(stmt).unique().all()
    memberships = {}
    for _link, discussion, case, in_discussion_community, in_case_community in rows:
        if discussion is not None:
            memberships[discussion.community_id] = in_discussion_community
        if case is not None:
            memberships[case.community_id] = in_case_community
    # A case's own discussion lives in the case's community: its membership is the discussion's.
    if user_id is not None:
        permissions.prime_memberships(user, memberships)
    shown = []
    for link, discussion, case, *_memberships in rows:
        target = discussion if link.target == "discussion" else case
        if target is None:
            continue
        visible = permissions.can_read_discussion(user, target) if link.target == "discussion" \
            else permissions.can_view_case(user, target)
        if visible:
            shown.append((link.target, target, page.milestone(link.milestone_id)))
    return shown


def host_communities(user):
    """Communities the user may host a trajectory in, in one query: active memberships of
    communities that are not archived (admins: every community that is not archived)."""
    query = sa.select(Community).where(Community.archived.is_(False)).order_by(Community.name)
    if not permissions.is_admin(user):
        query = query.join(CommunityMembership, CommunityMembership.community_id == Community.id).where(
            CommunityMembership.user_id == user.id, CommunityMembership.state == "active")
    return db.session.scalars(query).all()
