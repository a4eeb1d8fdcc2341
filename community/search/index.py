"""Keeping the search index current: the actions that write content call these in their own
transaction (before their commit), and `flask search rebuild` rebuilds everything.

An entry is replaced whole (deleted and inserted again) when its text changes; a moved
discussion's entries take the new community. Hiding, restoring, publishing, a visibility or
confidentiality change need no call: the search reads those from the content's own rows.
"""
import sqlalchemy as sa

from community.extensions import db
from community.markup import plain_text
from community.models import (
    CASE_SECTIONS, Case, CaseTag, Discussion, Milestone, OutcomeEntry, Reply, SearchEntry, Trajectory,
)
from community.search import engine_postgres, engine_sqlite
from community.search.text import terms


def engine(session=None):
    """The engine module of the database in use."""
    name = (session or db.session).get_bind().dialect.name
    return engine_postgres if name == "postgresql" else engine_sqlite


def _row(kind, community_id, created_at, title, body, **facts):
    row = {"kind": kind, "community_id": community_id, "created_at": created_at, "title": title or "",
           "body": body or "", "discussion_id": None, "reply_id": None, "case_id": None, "trajectory_id": None,
           "reply_number": None, "author_id": None, "organisation_id": None, **facts}
    row["title_terms"], row["body_terms"] = terms(row["title"]), terms(row["body"])
    return row


def discussion_row(discussion):
    return _row("discussion", discussion.community_id, discussion.created_at, discussion.title,
                plain_text(discussion.body), discussion_id=discussion.id, author_id=discussion.author_id)


def reply_row(reply, community_id):
    return _row("reply", community_id, reply.created_at, "", plain_text(reply.body), discussion_id=reply.discussion_id,
                reply_id=reply.id, reply_number=reply.number, author_id=reply.author_id)


def case_row(case, tags):
    sections = [plain_text(getattr(case, section)) for section in CASE_SECTIONS]
    return _row("case", case.community_id, case.published_at or case.created_at, case.title,
                "\n".join(part for part in [*sections, case.domain, " ".join(tags)] if part), case_id=case.id,
                author_id=case.author_id, organisation_id=case.organisation_id)


def trajectory_row(trajectory, milestones, log):
    parts = [plain_text(trajectory.goal)]
    parts += [milestone.title + "\n" + plain_text(milestone.description) for milestone in milestones]
    parts += [plain_text(body) for body in log]
    return _row("trajectory", trajectory.community_id, trajectory.created_at, trajectory.title,
                "\n".join(part.strip() for part in parts if part.strip()), trajectory_id=trajectory.id,
                author_id=trajectory.created_by_id, organisation_id=trajectory.organisation_id)


def _replace(where, row):
    session = db.session
    session.execute(sa.delete(SearchEntry).where(where), execution_options={"synchronize_session": False})
    if row is not None:
        engine(session).store(session, [row])


# --- called by the actions ------------------------------------------------------------------------

def discussion_changed(discussion):
    """A discussion was started or edited (a case's own discussion too)."""
    db.session.flush()  # a new row gets its id, changed milestones and log are written
    _replace(sa.and_(SearchEntry.kind == "discussion", SearchEntry.discussion_id == discussion.id),
             discussion_row(discussion))


def reply_changed(reply, community_id):
    """A reply was posted or edited; a removed one leaves the index."""
    db.session.flush()  # a new row gets its id, changed milestones and log are written
    _replace(SearchEntry.reply_id == reply.id, None if reply.is_deleted else reply_row(reply, community_id))


def case_changed(case):
    """A case (or its draft) was written, edited or published."""
    db.session.flush()  # a new row gets its id, changed milestones and log are written
    _replace(SearchEntry.case_id == case.id, case_row(case, sorted(case.tag_names)))


def case_deleted(case):
    _replace(SearchEntry.case_id == case.id, None)


def trajectory_changed(trajectory):
    """Its title or goal, a milestone or the learning log changed."""
    db.session.flush()  # a new row gets its id, changed milestones and log are written
    milestones = db.session.scalars(sa.select(Milestone).where(Milestone.trajectory_id == trajectory.id)
                                    .order_by(Milestone.position)).all()
    log = db.session.scalars(sa.select(OutcomeEntry.body).where(OutcomeEntry.trajectory_id == trajectory.id)
                             .order_by(OutcomeEntry.id)).all()
    _replace(SearchEntry.trajectory_id == trajectory.id, trajectory_row(trajectory, milestones, log))


def discussion_moved(discussion, community_id):
    """A discussion and its replies now live in another community."""
    db.session.execute(sa.update(SearchEntry).where(SearchEntry.discussion_id == discussion.id)
                       .values(community_id=community_id), execution_options={"synchronize_session": False})


# --- rebuilding -------------------------------------------------------------------------------------

BATCH = 2000


def _chronological_ids(session):
    """{(kind, item id): entry id}: entry ids in the order the items were written, as entries
    made by the actions get them, so "the newest matches" (query.CANDIDATES) are the newest
    items after a rebuild too."""
    dated = []
    for kind, column, when, where in (
            ("discussion", Discussion.id, Discussion.created_at, ()),
            ("reply", Reply.id, Reply.created_at, (Reply.deleted_at.is_(None),)),
            ("case", Case.id, sa.func.coalesce(Case.published_at, Case.created_at), ()),
            ("trajectory", Trajectory.id, Trajectory.created_at, ())):
        dated += [(created_at, kind, item_id) for item_id, created_at in session.execute(
            sa.select(column, when).where(*where))]
    dated.sort(key=lambda row: (row[0], row[1], row[2]))
    return {(kind, item_id): number for number, (_, kind, item_id) in enumerate(dated, start=1)}


def rebuild(session=None, echo=None):
    """Empty the index and fill it from all content; returns {kind: entries}. One transaction
    (the caller commits): searches meanwhile see the old index."""
    session = session or db.session
    chosen = engine(session)
    chosen.clear(session)
    counts = {}
    ids = _chronological_ids(session)

    def write(kind, rows):
        for row in rows:
            row["id"] = ids[(kind, row[f"{kind}_id"])]
        for start in range(0, len(rows), BATCH):
            chosen.store(session, rows[start:start + BATCH])
        counts[kind] = counts.get(kind, 0) + len(rows)
        if echo:
            echo(f"{kind}: {counts[kind]}")

    write("discussion", [discussion_row(d) for d in session.scalars(sa.select(Discussion).order_by(Discussion.id))])
    last = 0
    while True:  # replies in batches: there may be very many
        batch = session.execute(sa.select(Reply, Discussion.community_id).join(Discussion)
                                .where(Reply.id > last, Reply.deleted_at.is_(None))
                                .order_by(Reply.id).limit(BATCH * 5)).all()
        if not batch:
            break
        write("reply", [reply_row(reply, community_id) for reply, community_id in batch])
        last = batch[-1][0].id
        session.expunge_all()
    tags = {}
    for case_id, tag in session.execute(sa.select(CaseTag.case_id, CaseTag.tag).order_by(CaseTag.tag)):
        tags.setdefault(case_id, []).append(tag)
    write("case", [case_row(case, tags.get(case.id, [])) for case in session.scalars(sa.select(Case).order_by(Case.id))])
    milestones, log = {}, {}
    for milestone in session.scalars(sa.select(Milestone).order_by(Milestone.position)):
        milestones.setdefault(milestone.trajectory_id, []).append(milestone)
    for trajectory_id, body in session.execute(sa.select(OutcomeEntry.trajectory_id, OutcomeEntry.body)
                                               .order_by(OutcomeEntry.id)):
        log.setdefault(trajectory_id, []).append(body)
    write("trajectory", [trajectory_row(t, milestones.get(t.id, []), log.get(t.id, []))
                         for t in session.scalars(sa.select(Trajectory).order_by(Trajectory.id))])
    chosen.optimize(session)
    return counts
