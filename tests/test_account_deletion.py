"""Deleting an account (issue 19): by its owner with the password, or by an admin; the person
becomes a stable pseudonym everywhere their name was (the old name is in 0 responses), their
personal rows go, their sessions and sockets end, others' content stays, and the audit log
keeps a row. A last coordinator or manager is asked to hand over first."""
import re

import pytest
import sqlalchemy as sa

from community.actions import (
    ActionError, account_deletion, communities, discussions, notification_mail, trajectories,
)
from community.extensions import db
from community.models import (
    ApiToken, AuditEntry, Case, CommunityMembership, Event, FollowLevel, LoginSession, Mail, Notification, Reply,
    User,
)
from tests.helpers import PASSWORD, LiveSocket, count

OLD_NAME = "Henriëtte Oudnaam"
CANARY = re.compile("oudnaam", re.IGNORECASE)  # the name and the handle made from it


@pytest.fixture
def world(factories, make_client):
    admin = factories.admin()
    coordinator = factories.user(name="Carla Coördinator", kind="teacher")
    kring = factories.community(name="Kring", coordinator=coordinator, actor=admin)
    henriette, bob = factories.user(name=OLD_NAME, email="henriette@example.com"), factories.user(name="Bob Blijft")
    for user in (henriette, bob):
        factories.community_member(kring, user)
    company, manager = factories.company_with_manager(name="Metaal Oost")
    factories.member(company, henriette)
    factories.community_member(kring, manager)
    trajectory = factories.trajectory(kring, manager, company, title="Inwerken", participants=[(henriette, "employee")])
    trajectories.add_entry_to_log(henriette, trajectory, "Ik leerde lassen", "reflection", "immediate")
    hers = discussions.start_discussion(henriette, kring, "Vraag van Henriëtte", "Wie weet dit?")
    bobs = discussions.start_discussion(bob, kring, "Vraag van Bob", "Wat denken @henriette-oudnaam en jullie?")
    discussions.post_reply(henriette, bobs, "Ik denk dit, Bob.")
    bobs_reply = discussions.post_reply(bob, hers, "Goed punt, dank je!")
    published = factories.case(kring, henriette, title="Casus van Henriëtte")
    draft = factories.case(kring, henriette, title="Concept van Henriëtte", publish=False)
    factories.token(henriette)
    notification_mail.send_batch(bob.id, "mentions_replies")  # "Henriëtte Oudnaam replied", in the outbox
    mail_to_bob = db.session.scalar(sa.select(Mail.id).where(Mail.user_id == bob.id))
    clients = {name: make_client(user) for name, user in
               dict(henriette=henriette, bob=bob, admin=admin, coordinator=coordinator).items()}
    return dict(admin=admin, coordinator=coordinator, kring=kring, henriette=henriette, bob=bob, hers=hers,
                bobs=bobs, bobs_reply=bobs_reply, published=published, draft=draft, trajectory=trajectory,
                clients=clients, company=company, manager=manager, mail_to_bob=mail_to_bob)


def _pages(w):
    """Pages, API answers, feeds, notifications and caught-up events where the name was."""
    hers, bobs, kring = w["hers"], w["bobs"], w["kring"]
    return [
        ("bob", f"/d/{hers.id}"), ("bob", f"/d/{bobs.id}"), ("bob", f"/d/{bobs.id}/history"),
        ("bob", "/c/kring/"), ("bob", "/c/kring/members"), ("bob", "/c/kring/discussions"),
        ("bob", f"/cases/{w['published'].id}"), ("bob", f"/t/{w['trajectory'].id}"), ("bob", "/notifications"),
        ("bob", "/dashboard"), ("bob", "/api/v1/notifications"), ("bob", f"/api/v1/discussions/{hers.id}"),
        ("bob", f"/api/v1/discussions/{bobs.id}/replies"), ("bob", f"/api/v1/discussions/{hers.id}/replies"),
        ("bob", f"/api/v1/live/discussion/{hers.id}/events"), ("bob", f"/api/v1/live/discussion/{bobs.id}/events"),
        ("bob", f"/api/v1/live/community/{kring.id}/events"), ("bob", "/api/v1/communities/kring/members"),
        ("bob", f"/api/v1/cases/{w['published'].id}"), ("bob", f"/api/v1/trajectories/{w['trajectory'].id}"),
        ("admin", "/admin/users"), ("admin", f"/admin/users/{w['henriette'].id}"),
        ("coordinator", "/c/kring/members"), ("admin", "/admin/mail"), ("admin", f"/admin/mail/{w['mail_to_bob']}"),
        ("admin", f"/admin/mail/{w['mail_to_bob']}/html"),
        # Search: the mention in Bob's question (the old handle), and her posts with their author.
        ("bob", "/zoeken?q=jullie"), ("bob", "/api/v1/search?q=jullie"), ("bob", "/zoeken?q=vraag"),
        ("bob", "/api/v1/search?q=vraag"), ("bob", "/zoeken?q=henriette&kind=people"),
    ]


def _responses(w):
    found = {}
    for who, url in _pages(w):
        response = w["clients"][who].get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        found[url] = response.get_data(as_text=True)
    return found


def test_deleting_my_account_anonymises_me_everywhere(app, world, make_client, factories):
    w = world
    henriette = w["henriette"]
    before = _responses(w)
    named = [url for url, body in before.items() if CANARY.search(body)]
    assert len(named) >= 20  # pages, API answers, feeds, events, notifications and the outbox
    assert f"/admin/mail/{w['mail_to_bob']}" in named and f"/d/{w['hers'].id}" in named, named
    assert "/zoeken?q=jullie" in named and "/api/v1/search?q=jullie" in named  # the mention, found by search
    bobs_reply_before = (w["bobs_reply"].body, w["bobs_reply"].body_html)
    draft_id = w["draft"].id
    socket = LiveSocket(app, w["clients"]["henriette"])
    assert socket.is_connected()
    page = w["clients"]["henriette"].get("/account/delete")
    assert page.status_code == 200 and "Voormalig lid" in page.get_data(as_text=True)
    refused = w["clients"]["henriette"].submit("/account/delete", {"password": "niet mijn wachtwoord"},
                                              page="/account/delete")
    assert refused.status_code == 400 and "Je wachtwoord klopt niet." in refused.get_data(as_text=True)
    response = w["clients"]["henriette"].submit("/account/delete", {"password": PASSWORD}, page="/account/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # Her sockets end; her sessions are gone, so her browser is logged out.
    assert not socket.is_connected()
    assert count(LoginSession, LoginSession.user_id == henriette.id) == 0
    assert w["clients"]["henriette"].get("/account/").status_code == 302
    # The old address cannot log in; it is free for a new registration.
    login = make_client().submit("/login", {"email": "henriette@example.com", "password": PASSWORD}, page="/login")
    assert login.status_code != 302
    db.session.expire_all()
    user = db.session.get(User, henriette.id)
    assert re.fullmatch(r"Voormalig lid [0-9A-F]{4}", user.display_name)
    assert user.display_name == account_deletion.pseudonym(user)  # stable: the same on every run
    assert user.email.endswith("@deleted.invalid") and not user.active and user.is_deleted
    again = factories.user(name="Henriëtte Nieuw", email="henriette@example.com")
    assert again.id != user.id
    # Her personal rows are gone; her draft too; what she wrote stays, under the pseudonym.
    for model, column in ((ApiToken, ApiToken.user_id), (FollowLevel, FollowLevel.user_id),
                          (Notification, Notification.user_id), (CommunityMembership, CommunityMembership.user_id)):
        assert count(model, column == user.id) == 0, model
    assert db.session.get(Case, draft_id) is None
    assert db.session.get(Case, w["published"].id).author_id == user.id
    # The old name is in none of the responses; the pseudonym shows where it was.
    after = _responses(w)
    assert [url for url, body in after.items() if CANARY.search(body)] == []
    assert user.display_name in after[f"/d/{w['hers'].id}"]
    assert user.handle in after[f"/d/{w['bobs'].id}"]  # the mention
    assert user.display_name in after["/notifications"]
    assert not any(CANARY.search(str(e.data)) for e in db.session.scalars(sa.select(Event)))
    # Bob's own reply is his content: unchanged.
    bobs_reply = db.session.get(Reply, w["bobs_reply"].id)
    assert (bobs_reply.body, bobs_reply.body_html) == bobs_reply_before
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "delete_account"))
    assert audit.member_id == user.id and audit.actor_id == user.id and audit.reason == "self"


def test_an_admin_deletes_an_account_with_an_audit_row(app, world):
    w = world
    response = w["clients"]["admin"].submit(f"/admin/users/{w['henriette'].id}/delete",
                                            page=f"/admin/users/{w['henriette'].id}")
    assert response.status_code == 302
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "delete_account"))
    assert audit.member_id == w["henriette"].id and audit.actor_id == w["admin"].id
    assert db.session.get(User, w["henriette"].id).is_deleted
    # Not twice, and a member cannot delete someone else.
    assert w["clients"]["admin"].submit(f"/admin/users/{w['henriette'].id}/delete").status_code == 403
    assert w["clients"]["bob"].submit(f"/admin/users/{w['coordinator'].id}/delete").status_code == 404
    assert not db.session.get(User, w["coordinator"].id).is_deleted


def test_the_last_coordinator_and_the_last_manager_hand_over_first(app, world, factories):
    w = world
    client = w["clients"]["coordinator"]
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Je bent de laatste coördinator of beheerder van: Kring." in page
    response = client.submit("/account/delete", {"password": PASSWORD}, page="/account/")
    assert response.status_code == 409
    assert "Draag eerst over wat alleen dit account beheert" in response.get_data(as_text=True)
    admin_try = w["clients"]["admin"].submit(f"/admin/users/{w['coordinator'].id}/delete")
    assert admin_try.status_code == 302 and not db.session.get(User, w["coordinator"].id).is_deleted
    # A second coordinator: now it can go.
    membership = db.session.scalar(sa.select(CommunityMembership).where(
        CommunityMembership.user_id == w["bob"].id, CommunityMembership.community_id == w["kring"].id))
    communities.set_role(w["admin"], membership, "coordinator")
    assert client.submit("/account/delete", {"password": PASSWORD}, page="/account/").status_code == 302
    # The last manager of a company the same way.
    with pytest.raises(ActionError) as refused:
        account_deletion.delete_account(w["admin"], w["manager"])
    assert refused.value.status == 409 and "Metaal Oost" in str(refused.value.message)
    assert not db.session.get(User, w["manager"].id).is_deleted
