"""The demo's practice cases and discussions: built through the actions, by active members, and
idempotent (a second seed-demo changes nothing)."""
import sqlalchemy as sa

from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, FeedEntry, Mention, Reaction, ReadMark, Reply, Revision,
)


def _rows():
    """Every row the content part of the seed writes, as comparable tuples."""
    def table(model, *columns):
        return sorted(tuple(row) for row in db.session.execute(sa.select(*[getattr(model, c) for c in columns])))
    return {
        "cases": table(Case, "id", "title", "status", "level", "domain", "organisation_id", "context_html"),
        "discussions": table(Discussion, "id", "title", "case_id", "reply_count", "pinned", "accepted_reply_id",
                             "body_html"),
        "replies": table(Reply, "id", "discussion_id", "number", "author_id", "quote_of_id", "helpful_count"),
        "reactions": table(Reaction, "reply_id", "user_id"),
        "mentions": table(Mention, "target", "target_id", "user_id"),
        "feed": table(FeedEntry, "id"),
        "read_marks": table(ReadMark, "discussion_id", "user_id", "last_read_number"),
        "revisions": table(Revision, "id"),
    }


def test_seed_content_is_idempotent_and_complete(app):
    from community.seed import seed_demo

    seed_demo()
    first = _rows()
    seed_demo()
    assert _rows() == first

    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert [c.title for c in cases] == ["Voorspellend onderhoud op de CNC-lijn",
                                        "Een nieuwe lasser inwerken met een cobot",
                                        "Stage PLC-programmeren bij een installateur"]
    cnc = cases[0]
    assert (cnc.community.slug, cnc.organisation.name, cnc.domain, cnc.level) == (
        "smart-maintenance-oost", "Twentse Onderhoudstechniek", "Onderhoud", "hbo")
    assert cnc.tag_names == ["cnc", "predictive maintenance", "trillingssensoren"]
    assert cases[1].tag_names == ["cobot", "inwerken", "kennis delen en samenwerken",
                                  "lassen"] and cases[1].level == "mbo"
    assert cases[2].community.slug == "hybride-leren-op-de-werkvloer" and cases[2].tag_names == ["plc", "stage"]
    for case in cases:
        assert case.is_published
        assert all(getattr(case, name + "_html").startswith("<") for name in
                   ("context", "question", "approach", "result", "lessons"))
        assert 2 <= case.discussion.reply_count <= 4
    assert "<li>" in cnc.lessons_html and "<ol>" in cnc.approach_html

    plain = db.session.scalars(sa.select(Discussion).where(Discussion.case_id.is_(None))).all()
    assert 2 <= len(plain) <= 3 and all(3 <= d.reply_count <= 6 for d in plain)
    assert any(d.pinned for d in plain)
    answered = [d for d in plain if d.accepted_reply_id]
    assert answered and db.session.get(Reply, answered[0].accepted_reply_id).helpful_count >= 1
    assert db.session.scalar(sa.select(sa.func.count(Reply.id)).where(Reply.quote_of_id.is_not(None))) >= 1
    welcome = next(d for d in plain if d.pinned)
    assert 'href="/people/fenna-kuipers"' in welcome.body_html
    assert db.session.scalar(sa.select(sa.func.count(Mention.id))) >= 2

    # Every author is an active member of the community they wrote in.
    authored = db.session.execute(
        sa.select(Discussion.community_id, Discussion.author_id).union(
            sa.select(Discussion.community_id, Reply.author_id).join(Reply, Reply.discussion_id == Discussion.id),
            sa.select(Case.community_id, Case.author_id))).all()
    for community_id, author_id in authored:
        state = db.session.scalar(sa.select(CommunityMembership.state).where(
            CommunityMembership.community_id == community_id, CommunityMembership.user_id == author_id))
        assert state == "active", (db.session.get(Community, community_id).slug, author_id)
