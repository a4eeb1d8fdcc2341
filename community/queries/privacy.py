"""What a data export holds: everything Leerkring keeps about or by one user, as plain rows per
kind. Only the user's own rows and own words: another member's text, name or address never
appears (a reply lists the id of its discussion, not that discussion's title), and scan
answers are not linked to anyone, so they are not here either."""
import sqlalchemy as sa

from community.extensions import db
from community.models import (
    ApiToken, Attachment, Case, Community, CommunityMembership, Discussion, FollowLevel, Notification,
    Organisation, OrganisationMembership, OutcomeEntry, Report, Reply, Revision, Trajectory, TrajectoryFollow,
    TrajectoryParticipant,
)
from community.models.content import CASE_SECTIONS



def _when(value):
    return value.isoformat() if value is not None else None


def export_rows(user):
    """{kind: [row, ...]} for the user; each row a flat dict of strings, numbers and None
    (revisions are nested lists, flattened to text for CSV by the caller)."""
    return {kind: rows_of(user) for kind, rows_of in ROWS.items()}


def own_attachments(user):
    """The attachments of the user's own cases (files to put in the export)."""
    return db.session.scalars(sa.select(Attachment).join(Case, Case.id == Attachment.case_id)
                              .where(Case.author_id == user.id).order_by(Attachment.id)).all()


def _profile(user):
    return [dict(id=user.id, email=user.email, display_name=user.display_name, handle=user.handle, kind=user.kind,
                 language=user.language, is_admin=user.is_admin, created_at=_when(user.created_at),
                 last_login_at=_when(user.last_login_at))]


def _memberships(user):
    rows = [dict(type="community", name=community.name, slug=community.slug, role=m.role, state=m.state,
                 since=_when(m.created_at))
            for m, community in db.session.execute(
                sa.select(CommunityMembership, Community).join(Community, Community.id == CommunityMembership.community_id)
                .where(CommunityMembership.user_id == user.id).order_by(CommunityMembership.id))]
    rows += [dict(type="organisation", name=org.name, slug="", role=m.role, state=m.state, since=_when(m.created_at))
             for m, org in db.session.execute(
                 sa.select(OrganisationMembership, Organisation)
                 .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
                 .where(OrganisationMembership.user_id == user.id).order_by(OrganisationMembership.id))]
    return rows


def _revisions(target, ids):
    """{target id: [earlier versions]} of the user's own items (their own earlier words)."""
    found = {}
    if ids:
        for revision in db.session.scalars(sa.select(Revision).where(
                Revision.target == target, Revision.target_id.in_(sorted(ids))).order_by(Revision.id)):
            found.setdefault(revision.target_id, []).append(
                dict(title=revision.title, body=revision.body, saved_at=_when(revision.created_at)))
    return found


def _discussions(user):
    rows = db.session.scalars(sa.select(Discussion).where(Discussion.author_id == user.id)
                              .order_by(Discussion.id)).all()
    revisions = _revisions("discussion", {d.id for d in rows})
    return [dict(id=d.id, community_id=d.community_id, case_id=d.case_id, title=d.title, body=d.body, created_at=_when(d.created_at),
                 edited_at=_when(d.edited_at), hidden=d.is_hidden, revisions=revisions.get(d.id, []))
            for d in rows]


def _replies(user):
    rows = db.session.scalars(sa.select(Reply).where(Reply.author_id == user.id).order_by(Reply.id)).all()
    revisions = _revisions("reply", {r.id for r in rows})
    return [dict(id=r.id, discussion_id=r.discussion_id, number=r.number, body=r.body,
                 created_at=_when(r.created_at), edited_at=_when(r.edited_at), removed_at=_when(r.deleted_at),
                 hidden=r.is_hidden, revisions=revisions.get(r.id, []))
            for r in rows]


def _cases(user):
    rows = db.session.scalars(sa.select(Case).where(Case.author_id == user.id).order_by(Case.id)).all()
    revisions = _revisions("case", {c.id for c in rows})
    files = {}
    for attachment in own_attachments(user):
        files.setdefault(attachment.case_id, []).append(attachment_name(attachment))
    return [dict(id=c.id, community_id=c.community_id, title=c.title,
                 **{name: getattr(c, name) for name in CASE_SECTIONS},
                 domain=c.domain, level=c.level, status=c.status, tags=", ".join(c.tag_names),
                 created_at=_when(c.created_at), published_at=_when(c.published_at), edited_at=_when(c.edited_at),
                 attachments=files.get(c.id, []), revisions=revisions.get(c.id, []))
            for c in rows]


def attachment_name(attachment):
    """The attachment's path inside the ZIP: its id and its name as uploaded (made safe)."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in attachment.original_name)[:100]
    return f"attachments/{attachment.id}-{safe or 'file'}"


def _trajectories(user):
    return [dict(trajectory_id=t.id, title=t.title, role=p.role, added_at=_when(p.added_at))
            for p, t in db.session.execute(
                sa.select(TrajectoryParticipant, Trajectory).join(Trajectory, Trajectory.id == TrajectoryParticipant.trajectory_id)
                .where(TrajectoryParticipant.user_id == user.id).order_by(TrajectoryParticipant.id))]


def _log_entries(user):
    return [dict(id=e.id, trajectory_id=e.trajectory_id, milestone_id=e.milestone_id, kind=e.kind,
                 value_kind=e.value_kind, body=e.body, created_at=_when(e.created_at))
            for e in db.session.scalars(sa.select(OutcomeEntry).where(OutcomeEntry.author_id == user.id)
                                        .order_by(OutcomeEntry.id))]


def _notifications(user):
    # What it was about, by kind and id: its text names other people and their titles.
    return [dict(id=n.id, kind=n.kind, about=n.object_type, about_id=n.object_id, created_at=_when(n.created_at),
                 read_at=_when(n.read_at))
            for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                        .order_by(Notification.id))]


def _follows(user):
    rows = [dict(target=f.target, target_id=f.target_id, level=f.level)
            for f in db.session.scalars(sa.select(FollowLevel).where(FollowLevel.user_id == user.id)
                                        .order_by(FollowLevel.id))]
    rows += [dict(target="trajectory", target_id=f.trajectory_id, level="following")
             for f in db.session.scalars(sa.select(TrajectoryFollow).where(TrajectoryFollow.user_id == user.id)
                                         .order_by(TrajectoryFollow.id))]
    return rows


def _reports(user):
    return [dict(id=r.id, target=r.target, target_id=r.target_id, reason=r.reason, note=r.note, status=r.status,
                 created_at=_when(r.created_at), decided_at=_when(r.decided_at))
            for r in db.session.scalars(sa.select(Report).where(Report.reporter_id == user.id).order_by(Report.id))]


def _api_tokens(user):
    return [dict(name=t.name, created_at=_when(t.created_at), last_used_at=_when(t.last_used_at),
                 revoked_at=_when(t.revoked_at))
            for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))]


# One file (JSON and CSV) per kind, in this order.
ROWS = {"profile": _profile, "memberships": _memberships, "discussions": _discussions, "replies": _replies,
        "cases": _cases, "trajectories": _trajectories, "log_entries": _log_entries,
        "notifications": _notifications, "follows": _follows, "reports": _reports, "api_tokens": _api_tokens}
KINDS = tuple(ROWS)
