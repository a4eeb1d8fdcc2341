"""What every page shows of its reader (unread notifications, their live stream's number, a
sanction in force) is read with the session in one query and remembered for the request only:
a change shows on the next read, and a commit inside a request forgets what was remembered."""
from datetime import timedelta

import sqlalchemy as sa

from community import request_facts
from community.actions import discussions as discussion_actions, moderation as moderation_actions
from community.extensions import db
from community.models import Reply, utcnow
from community.queries.notifications import unread_count
from community.realtime import streams
from community.realtime.events import last_seq


def _badge(client):
    html = client.get("/dashboard").get_data(as_text=True)
    start = html.index('id="notification-count"')
    return html[start:html.index("</span>", start)]


def test_the_unread_badge_follows_new_and_read_notifications(factories, make_client):
    community = factories.community()
    author = factories.community_member(community).user
    other = factories.community_member(community).user
    discussion = factories.discussion(community, author)
    client = make_client(author)
    assert _badge(client).endswith(" hidden>0")
    discussion_actions.post_reply(other, discussion, "Een antwoord")
    assert _badge(client).endswith(">1")
    discussion_actions.post_reply(other, discussion, "Nog een antwoord")
    assert _badge(client).endswith(">2")
    client.submit("/notifications/read", {})
    assert _badge(client).endswith(" hidden>0")


def test_a_mute_shows_on_the_next_page(factories, make_client):
    coordinator = factories.user()
    community = factories.community(coordinator=coordinator)
    member = factories.community_member(community).user
    client = make_client(member)
    url = f"/c/{community.slug}/"
    assert "Even afkoelen" not in client.get(url).get_data(as_text=True)
    moderation_actions.mute(coordinator, community, member, utcnow() + timedelta(days=2), "Even afkoelen")
    assert "Even afkoelen" in client.get(url).get_data(as_text=True)


def test_a_commit_in_the_request_forgets_what_was_remembered(app, factories):
    community = factories.community()
    member = factories.community_member(community).user
    other = factories.community_member(community).user
    discussion = factories.discussion(community, member)
    stream = streams.discussion(discussion.id)
    with app.test_request_context():
        request_facts.remember("unread", member.id, 0)
        request_facts.remember("stream", stream, 0)
        assert unread_count(member) == 0 and last_seq(stream) == 0  # remembered: no query
        discussion_actions.post_reply(other, discussion, "Na het onthouden")  # commits
        assert request_facts.is_missing(request_facts.recall("unread", member.id))
        assert unread_count(member) == 1
        assert last_seq(stream) > 0
        assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 1
