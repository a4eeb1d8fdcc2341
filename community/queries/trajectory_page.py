"""What the trajectory page and report show, in a fixed number of queries whatever the number of
milestones, entries, participants and evidence links."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, Milestone, OutcomeEntry, TrajectoryFollow,
    TrajectoryLink, TrajectoryParticipant,
)


@dataclass
class TrajectoryPage:
    participants: list
    milestones: list
    entries: list
    evidence: list = field(default_factory=list)  # (kind, target, milestone or None)
    following: bool = False

    @property
    def done(self):
        return sum(1 for m in self.milestones if m.is_done)

    @property
    def percent(self):
        return round(100 * self.done / len(self.milestones)) if self.milestones else 0

    @property
    def width_class(self):
        """w-0 … w-100 in steps of 5: the CSP allows no style attributes."""
        return f"w-{5 * round(self.percent / 5)}"

    def milestone(self, milestone_id):
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def timeline(self):
        """Milestones (at their due date) and log entries (at their date), oldest first;
        milestones without a due date come last."""
        far = date.max
        items = [(m.due_date or far, 0, m.position, "milestone", m) for m in self.milestones]
        items += [(e.created_at.date(), 1, e.id, "entry", e) for e in self.entries]
        return [(kind, item) for *_, kind, item in sorted(items, key=lambda row: row[:3])]

    def entries_by_value(self):
        groups = {}
        for entry in self.entries:
            groups.setdefault(entry.value_kind, []).append(entry)
        return groups


def trajectory_page(user, trajectory, with_following=True):
    participants = db.session.scalars(
        sa.select(TrajectoryParticipant).options(so.joinedload(TrajectoryParticipant.user))
        .where(TrajectoryParticipant.trajectory_id == trajectory.id)
        .order_by(TrajectoryParticipant.added_at, TrajectoryParticipant.id)).all()
    milestones = db.session.scalars(
        sa.select(Milestone).options(so.joinedload(Milestone.signed_off_by))
        .where(Milestone.trajectory_id == trajectory.id).order_by(Milestone.position)).all()
    entries = db.session.scalars(
        sa.select(OutcomeEntry).options(so.joinedload(OutcomeEntry.author))
        .where(OutcomeEntry.trajectory_id == trajectory.id).order_by(OutcomeEntry.created_at, OutcomeEntry.id)).all()
    page = TrajectoryPage(participants=participants, milestones=milestones, entries=entries)
    page.evidence = _evidence(user, trajectory, page)
    if with_following:
        page.following = db.session.scalar(sa.select(TrajectoryFollow.id).where(
            TrajectoryFollow.trajectory_id == trajectory.id, TrajectoryFollow.user_id == user.id)) is not None
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
        rows = db.session.scalars(sa.select(Case).options(so.joinedload(Case.community))
                                  .where(Case.id.in_(ids["case"]))).all()
        targets.update({("case", row.id): row for row in rows})
    community_ids = {target.community_id for target in targets.values()}
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
