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
    choice and the number of the trajectory's live stream, in one statement."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(
            model.trajectory_id == trajectory.id, *where).scalar_subquery()

    following = sa.exists().where(TrajectoryFollow.trajectory_id == trajectory.id,
                                  TrajectoryFollow.user_id == user.id) if with_following else sa.false()
    level = follow_choice_column(user, "trajectory", trajectory.id)
    stream = streams.trajectory(trajectory.id)
    seq = seq_column(stream)
    row = db.session.execute(sa.select(
        count(Milestone).label("milestones"), count(Milestone, Milestone.status == "done").label("done"),
        count(OutcomeEntry).label("entries"), following.label("following"), level.label("level"),
        seq.label("seq"))).one()
    request_facts.remember("stream", stream, row.seq or 0)
    return row


def trajectory_page(user, trajectory, log_page=1, with_following=True, per_page=LOG_PER_PAGE):
    """The page's contents with log page ``log_page`` (past the end: the last); ``log_page=None``
    loads the whole log, oldest first (the report)."""
    # Loaded with the trajectory, users and all (permissions.access_trajectory_or_404).
    participants = sorted(trajectory.participants, key=lambda row: (row.added_at, row.id))
    # The stream's number first: an event in between is then both shown and replayed, and the
    # page skips what it already has (see discussions.views).
    figures = _figures(user, trajectory, with_following)
    milestones = db.session.scalars(
        sa.select(Milestone).options(so.joinedload(Milestone.signed_off_by))
        .where(Milestone.trajectory_id == trajectory.id).order_by(Milestone.position)).all()
    # As actions.notifications.level_of: following is its own row, unless muted.
    level = "muted" if figures.level == "muted" else "following" if figures.following else "normal"
    page = TrajectoryPage(participants=participants, milestones=milestones, entries=[], done=figures.done,
                          milestone_total=figures.milestones, following=bool(figures.following),
                          follow_level=level, live_last=figures.seq or 0)
    if log_page is None:
        page.entries = db.session.scalars(
            sa.select(OutcomeEntry).options(so.joinedload(OutcomeEntry.author))
            .where(OutcomeEntry.trajectory_id == trajectory.id)
            .order_by(OutcomeEntry.created_at, OutcomeEntry.id)).all()
    else:
        last = max(1, -(-figures.entries // per_page))
        page.log = log_entries(trajectory, min(log_page, last), per_page, total=figures.entries)
        page.entries = page.log.rows
    page.evidence = _evidence(user, trajectory, page)
    return page


def _evidence(user, trajectory, page):
    """The linked discussions and cases the user may see: one query for the links, one per kind
    of target, one for the user's memberships of the communities they are in."""
    links = db.session.scalars(sa.select(TrajectoryLink).where(TrajectoryLink.trajectory_id == trajectory.id)
                               .order_by(TrajectoryLink.created_at, TrajectoryLink.id)).all()
    if not links:
        return []
    ids = {"discussion": [], "case": []}
    for link in links:
        ids[link.target].append(link.target_id)
    targets = {}
    if ids["discussion"]:
        rows = db.session.scalars(sa.select(Discussion).options(
            so.joinedload(Discussion.community), so.joinedload(Discussion.case).joinedload(Case.community))
            .where(Discussion.id.in_(ids["discussion"]))).unique().all()
        targets.update({("discussion", row.id): row for row in rows})
    if ids["case"]:
        rows = db.session.scalars(sa.select(Case).options(so.joinedload(Case.community), so.lazyload(Case.tags))
                                  .where(Case.id.in_(ids["case"]))).all()
        targets.update({("case", row.id): row for row in rows})
    # The host community's membership came with the trajectory; ask only for other communities.
    community_ids = {target.community_id for target in targets.values()} - {trajectory.community_id}
    if community_ids and getattr(user, "is_authenticated", False):
        found = {m.community_id: m for m in db.session.scalars(sa.select(CommunityMembership).where(
            CommunityMembership.user_id == user.id, CommunityMembership.community_id.in_(community_ids)))}
        permissions.prime_memberships(user, {cid: found.get(cid) for cid in community_ids})
    shown = []
    for link in links:
        target = targets.get((link.target, link.target_id))
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
