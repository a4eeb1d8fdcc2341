"""permissions.ReplyRights (the thread page's per-page answers for its replies) answers as the
predicates it stands for: can_see_reply, can_react, can_report(user, "reply", ...), can_edit_reply
and can_delete_reply, for every kind of reader and reply, in an open, a muted and an archived
community."""
from datetime import datetime, timedelta, timezone

import pytest
from flask_login import AnonymousUserMixin

from community import permissions
from community.actions import communities as community_actions, discussions, moderation
from tests import factories, worlds


def _predicates(user, reply):
    return dict(see=permissions.can_see_reply(user, reply), react=permissions.can_react(user, reply),
                report=permissions.can_report(user, "reply", reply), edit=permissions.can_edit_reply(user, reply),
                delete=permissions.can_delete_reply(user, reply))


def _rights(user, discussion, reply):
    rights = permissions.ReplyRights(user, discussion)
    answers = dict(see=rights.see(reply), react=rights.react(reply), report=rights.report(reply),
                   edit=rights.edit(reply), delete=rights.delete(reply))
    assert rights.of(reply)._asdict() == {name: answers[name] for name in ("react", "report", "edit", "delete")}
    return answers


def _compare(app, world, discussion, replies):
    readers = dict(world.users, anonymous=AnonymousUserMixin())
    checked = 0
    for name, user in readers.items():
        for label, reply in replies.items():
            with app.test_request_context():  # the request caches (memberships, sanctions) start empty
                wanted = _predicates(user, reply)
            with app.test_request_context():
                got = _rights(user, discussion, reply)
            assert got == wanted, (name, label)
            checked += 1
    return checked


@pytest.mark.parametrize("state", ["open", "muted", "archived"])
def test_reply_rights_answer_as_the_predicates(app, state):
    world = worlds.circles()
    former = factories.community_member(world.public).user
    world.users["former"] = former
    discussion = factories.discussion(world.public, author=world.author)
    replies = {
        "member's": factories.reply(discussion, author=world.member),
        "author's": factories.reply(discussion, author=world.author),
        "coordinator's": factories.reply(discussion, author=world.coordinator),
        "hidden member's": factories.reply(discussion, author=world.member),
        "removed author's": factories.reply(discussion, author=world.author),
        "former member's": factories.reply(discussion, author=former),
    }
    moderation.hide(world.coordinator, "reply", replies["hidden member's"], "niet hier")
    discussions.remove_reply(world.author, replies["removed author's"])
    community_actions.leave(former, world.public)
    if state == "muted":
        moderation.mute(world.coordinator, world.public, world.member,
                        datetime.now(timezone.utc) + timedelta(days=1), "even rust")
    if state == "archived":
        community_actions.set_archived(world.admin, world.public, True)
    assert _compare(app, world, discussion, replies) == 8 * 6
