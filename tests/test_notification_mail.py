"""Mentions and replies by mail: gathered over ten minutes (five replies make one mail), sent
only with what is still unread and visible when the batch job runs (a private community left
meanwhile, a hidden reply), plain-text excerpts, links that work, a setting per kind, and an
unsubscribe link that works without logging in (also as a one-click POST) and only for its
own kind and member."""
import re

import pytest
import sqlalchemy as sa

from community import jobs, signed_links
from community.actions import communities as community_actions
from community.actions import discussions, moderation, notification_mail, notifications, recovery
from community.extensions import db
from community.models import CommunityMembership, Mail, MailPreference, Notification
from tests.mailserver import smtp_server  # noqa: F401  (fixture)
from tests.test_jobs import _wait, real_queue  # noqa: F401  (fixture)

KIND = "mentions_replies"


def _thread(factories, visibility="public"):
    community = factories.community(visibility=visibility, join_policy="invite" if visibility == "private" else "open")
    author, replier = factories.user(name="Anna Auteur"), factories.user(name="Rik Reageerder")
    for user in (author, replier):
        factories.community_member(community, user)
    discussion = discussions.start_discussion(author, community, "Lasrook afzuigen", "Hoe doen jullie dat?")
    return community, author, replier, discussion


def _batch(user):
    """What the scheduled job does ten minutes later."""
    return notification_mail.send_batch(user.id, KIND)


def _mails():
    db.session.expire_all()
    return db.session.scalars(sa.select(Mail).order_by(Mail.id)).all()


def test_five_replies_make_one_mail_with_excerpts_and_working_links(smtp_server, factories, make_client):
    community, author, replier, discussion = _thread(factories)
    scheduled = jobs.queue.scheduled_count()
    for n in range(5):
        discussions.post_reply(replier, discussion, f"Antwoord **{n}**: wij gebruiken _een_ [kap](https://example.com).")
    assert jobs.queue.scheduled_count() == scheduled + 1  # one batch for the five
    assert db.session.get(MailPreference, (author.id, KIND)).batch_due_at is not None
    assert smtp_server.envelopes == []  # nothing before the batch runs

    _batch(author)
    [msg] = smtp_server.wait(1)
    assert msg["Subject"] == "5 nieuw op Leerkring: vermeldingen en reacties"
    assert msg["List-Unsubscribe"].startswith("<http://leerkring.test/account/unsubscribe/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert plain.count("Rik Reageerder reageerde in") == 5
    assert "Antwoord 0: wij gebruiken een kap." in " ".join(plain.split())  # no markdown
    assert "**" not in plain and "<strong>" not in html and "<img" not in html
    links = re.findall(r"http://leerkring\.test(/d/\d+\S*)", plain)
    assert len(links) == 5 and all(f'href="http://leerkring.test{link}"' in html for link in links)
    client = make_client(author)
    assert all(client.get(link.split("#")[0]).status_code == 200 for link in links)
    _batch(author)  # run again: nothing new, no mail
    assert len(_mails()) == 1


def test_a_mention_is_mailed_too(smtp_server, factories):
    community, author, replier, discussion = _thread(factories)
    reader = factories.user(name="Mo Genoemd", language="en")
    factories.community_member(community, reader)
    discussions.post_reply(replier, discussion, f"Wat vind jij, @{reader.handle}?")
    _batch(reader)
    [msg] = smtp_server.wait(1)
    assert msg["Subject"] == "1 new on Leerkring: mentions and replies"
    assert "Rik Reageerder mentioned you in" in msg.get_body(("plain",)).get_content()


def test_what_the_member_may_no_longer_see_or_has_read_is_not_mailed(factories, make_client):
    community, author, replier, discussion = _thread(factories, visibility="private")
    discussions.post_reply(replier, discussion, "Eerste")
    community_actions.leave(author, community)  # gone before the batch runs
    _batch(author)
    assert _mails() == []

    community, author, replier, discussion = _thread(factories)
    kept = discussions.post_reply(replier, discussion, "Blijft staan")
    hidden = discussions.post_reply(replier, discussion, "Wordt verborgen")
    read = discussions.post_reply(replier, discussion, "Al gelezen")
    moderation.hide(factories.admin(), "reply", hidden, "spam")
    read_one = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == author.id,
                                                                  Notification.data["number"].as_integer() == read.number))
    notifications.mark_read(author, [read_one])
    _batch(author)
    [mail] = _mails()
    assert "Blijft staan" in mail.message and "Wordt verborgen" not in mail.message and "Al gelezen" not in mail.message
    assert "1 nieuw" in mail.subject and kept.number == 1


def test_the_setting_never_stops_the_mails_and_the_profile_has_it(factories, make_client):
    community, author, replier, discussion = _thread(factories)
    client = make_client(author)
    assert 'href="/account/mail"' in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/mail")
    assert page.status_code == 200 and "Vermeldingen van jou" in page.get_data(as_text=True)
    saved = client.submit("/account/mail", {"mentions_replies": "never"}, page="/account/mail")
    assert saved.status_code == 302
    assert client.submit("/account/mail", {"mentions_replies": "weekly!"}, page="/account/mail").status_code == 400
    scheduled = jobs.queue.scheduled_count()
    discussions.post_reply(replier, discussion, "Niemand mailt dit")
    assert jobs.queue.scheduled_count() == scheduled
    _batch(author)
    assert _mails() == []


def _unsubscribe_path(user):
    return f"/account/unsubscribe/{notification_mail.unsubscribe_token(user, KIND)}"


def test_the_unsubscribe_link_works_without_login_for_its_member_and_kind_only(factories, make_client):
    community, author, replier, discussion = _thread(factories)
    other = factories.user()
    path = _unsubscribe_path(author)
    visitor = make_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "vermeldingen en reacties" in page.get_data(as_text=True)
    done = visitor.submit(path, {}, page=path)
    assert done.status_code == 302
    assert "krijgt geen mails meer" in visitor.get(path).get_data(as_text=True)
    assert notification_mail.choices_of(author)[KIND] == "never"
    assert notification_mail.choices_of(other)[KIND] == "instant"
    # Account mail still comes: only this kind stopped.
    recovery.send_password_reset(author.email)
    assert [m.kind for m in _mails()] == ["password_reset"]


def test_one_click_unsubscribe_from_a_mail_program(factories, make_client):
    user = factories.user()
    response = make_client().post(_unsubscribe_path(user), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert notification_mail.choices_of(user)[KIND] == "never"


@pytest.mark.parametrize("token", [
    "onzin",
    "A" * 1500,
    "forged",
    "other-purpose",
    "unknown-kind",
])
def test_unknown_unsubscribe_links_are_refused(factories, make_client, token):
    user = factories.user()
    good = notification_mail.unsubscribe_token(user, KIND)
    token = {"forged": good[:-4] + "abcd",
             "other-purpose": recovery.reset_token(user),
             "unknown-kind": signed_links.make(notification_mail.UNSUBSCRIBE, {"u": user.id, "k": "alles"})}.get(token, token)
    client = make_client()
    assert client.get(f"/account/unsubscribe/{token}").status_code == 404
    assert client.post(f"/account/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert notification_mail.choices_of(user)[KIND] == "instant"


def test_the_batch_is_scheduled_on_the_real_queue_and_sent_by_its_consumer(real_queue, factories, monkeypatch):
    """The ten minutes, shortened: the batch waits in the storage's schedule and the consumer
    runs it when it is due, with both replies in one mail."""
    monkeypatch.setattr(notification_mail, "BATCH_MINUTES", 0.05)  # 3 seconds
    community, author, replier, discussion = _thread(factories)
    real_queue()
    discussions.post_reply(replier, discussion, "Een")
    discussions.post_reply(replier, discussion, "Twee")
    mails = _wait(lambda: _mails(), seconds=15)
    assert len(mails) == 1 and "2 nieuw" in mails[0].subject
    assert _wait(lambda: _mails()[0].status == "sent")


def test_join_requests_reach_the_coordinators_by_mail_while_they_wait(smtp_server, factories, make_client):
    coordinator = factories.user(name="Coco Coördinator", language="en")
    community = factories.community(name="Lassen Noord", join_policy="request", coordinator=coordinator)
    asks, decided = factories.user(name="Vera Vraagt"), factories.user(name="Bart Beslist")
    community_actions.request_to_join(asks, community, "Graag!")
    community_actions.request_to_join(decided, community)
    membership = db.session.scalar(sa.select(CommunityMembership).where(CommunityMembership.user_id == decided.id))
    community_actions.decide_request(coordinator, membership, approve=True)  # no longer waiting
    _batch_of(coordinator, "join_requests")
    [msg] = smtp_server.wait(1)
    assert msg["Subject"] == "1 new on Leerkring: requests to join"
    plain = msg.get_body(("plain",)).get_content()
    assert "Vera Vraagt asked to join Lassen Noord" in plain and "Bart Beslist" not in plain
    [path] = re.findall(r"http://leerkring\.test(/c/\S+/manage/requests)", plain)
    assert make_client(coordinator).get(path).status_code == 200


def test_unsubscribing_stops_only_that_kind(factories):
    coordinator = factories.user()
    community = factories.community(join_policy="request", coordinator=coordinator)
    notification_mail.unsubscribe(notification_mail.unsubscribe_token(coordinator, KIND))
    assert notification_mail.choices_of(coordinator) == {"mentions_replies": "never", "join_requests": "instant",
                                                         "activity": "daily", "milestones": "instant"}
    community_actions.request_to_join(factories.user(), community)
    _batch_of(coordinator, "join_requests")
    assert [m.kind for m in _mails()] == ["notifications"]


def _batch_of(user, kind):
    return notification_mail.send_batch(user.id, kind)
