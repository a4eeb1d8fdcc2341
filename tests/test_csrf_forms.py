"""A refused CSRF token on every form of the app: 400 (never a 500), nothing written, and what
was typed shown again: in the form itself where the view can re-show it, otherwise on the error
page, to copy. The forms are read from the pages that hold them, so every field is filled in as
a browser would send it."""
import io
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from community.actions import attachments as attachment_actions
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as discussion_actions
from community.actions import email_change
from community.actions import mail_invitations
from community.actions import moderation as moderation_actions
from community.actions import notification_mail
from community.actions import organisations as org_actions
from community.actions import recovery
from community.actions import scan as scan_actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from tests import worlds
from tests.helpers import png

# The sanctions form still passes its durations as tuples (community/moderation/forms.py), which
# WTForms 3.3 deprecates; it is not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning")


@pytest.fixture
def world(factories, make_client):
    """One of everything a form acts on, and the people who may use each form."""
    admin = factories.admin()
    lead, member, coach, newcomer = factories.user(name="Lea Leider"), factories.user(name="Mo Lid"), \
        factories.user(name="Co Docent", kind="teacher"), factories.user(name="Nieuw Komer")
    company = factories.organisation(name="Metaal Noord", actor=admin)
    factories.member(company, lead, role="manager")
    factories.member(company, member)
    other_company = factories.organisation(name="Metaal Zuid", actor=admin)
    factories.member(factories.organisation(name="Hogeschool Noord", kind="school", actor=admin), coach)
    org_actions.request_membership(factories.user(name="Wacht Op Akkoord"), company)
    org_actions.propose_organisation(factories.user(name="Voorsteller"), name="Nieuw Bedrijf", kind="company",
                                     city="Delft")

    kring = community_actions.create_community(admin, name="Kring", coordinator=lead)
    for who in (member, coach):
        community_actions.join(who, kring)
    on_request = community_actions.create_community(admin, name="Op verzoek", join_policy="request",
                                                    coordinator=lead)
    community_actions.request_to_join(factories.user(name="Vraagt Toegang"), on_request)
    community_actions.create_community(admin, name="Open kring")
    invitation, invite_token = community_actions.create_invite_link(lead, on_request)
    _mailed, mail_invitation = mail_invitations.invite_by_email(lead, on_request, "gast@example.com")

    discussion = discussion_actions.start_discussion(lead, kring, "Trillingen meten", "Wie meet er **trillingen**?")
    reply = discussion_actions.post_reply(member, discussion, "Wij meten met een sensor.")
    moderation_actions.report(lead, "reply", reply, "spam")
    moderation_actions.mute(lead, kring, factories.community_member(kring).user,
                            datetime.now(timezone.utc) + timedelta(days=3),
                            "Even rustig aan")
    published = case_actions.create_case(lead, kring, title="Cobot aan de kant", context="De cobot stond stil.",
                                         publish=True)
    draft = case_actions.create_case(lead, kring, title="Concept", context="Nog bezig.")
    attachment_actions.add_attachment(lead, draft, "foto.png", io.BytesIO(png()))

    trajectory = trajectory_actions.create_trajectory(lead, company, kring, title="Inwerken", goal="Sneller",
                                                      visibility="community")
    trajectory_actions.add_participant(lead, trajectory, coach, "coach")
    trajectory_actions.add_participant(lead, trajectory, member, "employee")
    first = trajectory_actions.add_milestone(lead, trajectory, title="Eerste las", due_date=date(2030, 1, 1))
    trajectory_actions.add_milestone(lead, trajectory, title="Tweede las", due_date=date(2030, 2, 1))
    trajectory_actions.set_milestone_done(lead, first)
    trajectory_actions.link_evidence(lead, trajectory, discussion)

    scan_round = scan_actions.create_round(lead, company, "Voorjaar", scan_actions.today(),
                                           scan_actions.today() + timedelta(days=14), employee_codes=2)
    factories.token(lead)
    people = dict(admin=admin, lead=lead, member=member, coach=coach, newcomer=newcomer)
    clients = worlds.clients(make_client, people)
    return dict(people=people, clients=clients, company=company, other_company=other_company, kring=kring,
                on_request=on_request, invite_token=invite_token, invitation=invitation, discussion=discussion,
                reply=reply, published=published, draft=draft, trajectory=trajectory, milestone=first,
                scan_round=scan_round, reset_token=recovery.reset_token(member),
                email_token=email_change.verify_token(member, "nieuw-adres@example.com"),
                unsubscribe_token=notification_mail.unsubscribe_token(member, "mentions_replies"),
                mail_invite_token=mail_invitations.link_token(mail_invitation))


# Every form of the app: who uses it, and the page that holds it. The form is read from that page.
FORMS = {
    "account.api_tokens": ("lead", "/account/tokens"),
    "account.avatar": ("lead", "/account/"),
    "account.change_email": ("lead", "/account/email"),
    "account.confirm_email": ("anonymous", "/account/email/confirm/{email_token}"),
    "account.delete_account": ("member", "/account/delete"),
    "account.end_other_sessions": ("lead", "/account/"),
    "account.mail_settings": ("lead", "/account/mail"),
    "account.password": ("lead", "/account/password"),
    "account.profile": ("lead", "/account/"),
    "account.request_export": ("lead", "/account/privacy"),
    "account.revoke_token": ("lead", "/account/tokens"),
    "account.unsubscribe": ("anonymous", "/account/unsubscribe/{unsubscribe_token}"),
    "admin.decide_organisation": ("admin", "/admin/"),
    "admin.delete_user": ("admin", "/admin/users/{member}"),
    "admin.set_active": ("admin", "/admin/users/{member}"),
    "admin.set_admin": ("admin", "/admin/users/{member}"),
    "admin.set_researcher": ("admin", "/admin/users/{coach}"),
    "auth.forgot_password": ("anonymous", "/password/forgot"),
    "auth.login": ("anonymous", "/login"),
    "auth.logout": ("lead", "/dashboard"),
    "auth.register": ("anonymous", "/register"),
    "auth.reset_password": ("anonymous", "/password/reset/{reset_token}"),
    "cases.delete": ("lead", "/cases/{draft}/edit"),
    "cases.edit": ("lead", "/cases/{draft}/edit"),
    "cases.new": ("lead", "/c/kring/cases/new"),
    "cases.publish": ("lead", "/cases/{draft}"),
    "cases.remove_attachment": ("lead", "/cases/{draft}/edit"),
    "cases.upload": ("lead", "/cases/{draft}/edit"),
    "communities.archive": ("lead", "/c/kring/edit"),
    "communities.change_role": ("lead", "/c/kring/members"),
    "communities.decide": ("lead", "/c/op-verzoek/manage/requests"),
    "communities.edit": ("lead", "/c/kring/edit"),
    "communities.invitation": ("newcomer", "/invite/{invite_token}"),
    "communities.invitations": ("lead", "/c/kring/manage/invitations"),
    "communities.join": ("newcomer", "/c/open-kring/"),
    "communities.mail_invitation": ("anonymous", "/invite/mail/{mail_invite_token}"),
    "communities.leave": ("member", "/c/kring/"),
    "communities.new": ("admin", "/communities/new"),
    "communities.remove": ("lead", "/c/kring/members"),
    "communities.request_to_join": ("newcomer", "/c/op-verzoek/"),
    "communities.revoke": ("lead", "/c/op-verzoek/manage/invitations"),
    "discussions.answer": ("lead", "/d/{discussion}"),
    "discussions.edit": ("lead", "/d/{discussion}/edit"),
    "discussions.edit_reply": ("member", "/replies/{reply}/edit"),
    "discussions.helpful": ("lead", "/d/{discussion}"),
    "discussions.lock": ("lead", "/d/{discussion}"),
    "discussions.new": ("lead", "/c/kring/discussions/new"),
    "discussions.pin": ("lead", "/d/{discussion}"),
    "discussions.remove_reply": ("member", "/d/{discussion}"),
    "discussions.reply": ("member", "/d/{discussion}"),
    "main.set_language": ("lead", "/dashboard"),
    "moderation.lift": ("lead", "/c/kring/manage/sanctions"),
    "moderation.moderate": ("lead", "/c/kring/manage/reports"),
    "moderation.move": ("lead", "/d/{discussion}"),
    "moderation.report": ("member", "/report/discussion/{discussion}"),
    "moderation.sanctions": ("lead", "/c/kring/manage/sanctions"),
    "notifications.follow_level": ("lead", "/d/{discussion}"),
    "notifications.mark_read": ("lead", "/notifications"),
    "notifications.open_one": ("lead", "/notifications"),
    "organisations.change_role": ("lead", "/organisations/{company}"),
    "organisations.decide": ("lead", "/organisations/{company}"),
    "organisations.edit": ("lead", "/organisations/{company}/edit"),
    "organisations.join": ("newcomer", "/organisations/{other_company}"),
    "organisations.new": ("admin", "/organisations/new"),
    "organisations.remove": ("lead", "/organisations/{company}"),
    "scan.answer": ("anonymous", "/s/{scan_token}"),
    "scan.close": ("lead", "/scan/rounds/{scan_round}"),
    "scan.delete": ("lead", "/scan/rounds/{scan_round}/delete"),
    "scan.enter_code": ("anonymous", "/scan/code"),
    "scan.new_round": ("lead", "/organisations/{company}/scan/new"),
    "scan.research_consent": ("lead", "/scan/rounds/{scan_round}"),
    "trajectories.add_entry": ("member", "/t/{trajectory}"),
    "trajectories.add_milestone": ("lead", "/t/{trajectory}/milestones/new"),
    "trajectories.add_participant": ("lead", "/t/{trajectory}"),
    "trajectories.delete_milestone": ("lead", "/t/{trajectory}"),
    "trajectories.edit": ("lead", "/t/{trajectory}/edit"),
    "trajectories.edit_milestone": ("lead", "/milestones/{milestone}/edit"),
    "trajectories.link": ("lead", "/t/links/new?target=case&target_id={published}"),
    "trajectories.milestone_done": ("lead", "/t/{trajectory}"),
    "trajectories.move_milestone": ("lead", "/t/{trajectory}"),
    "trajectories.new": ("lead", "/organisations/{company}/trajectories/new"),
    "trajectories.remove_participant": ("lead", "/t/{trajectory}"),
    "trajectories.sign_off": ("coach", "/t/{trajectory}"),
    "trajectories.status": ("lead", "/t/{trajectory}"),
    "trajectories.unlink": ("lead", "/d/{discussion}"),
}
# Posted by the page's JavaScript or by an older page, not by a form, or a button without text
# whose page needs a state this world lacks (the token is checked before the view looks for
# its row): (who, URL, fields).
SCRIPTED = {
    "account.remove_avatar": ("member", "/account/avatar/remove", {}),
    "admin.retry_job": ("admin", "/admin/jobs/1/retry", {}),
    "discussions.mark_read": ("member", "/d/{discussion}/read", {"number": "1"}),
    "notifications.read_on_page": ("member", "/notifications/read/trajectory/{trajectory}", {}),
    "trajectories.follow": ("admin", "/t/{trajectory}/follow", {"following": "1"}),
}


class FormReader(HTMLParser):
    """The forms of a page that post: their action and fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = dict(action=attrs.get("action", ""), method=attrs.get("method", "get").lower(),
                              fields=[], enctype=attrs.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button"):
            self._form["fields"].append(dict(tag=tag, type=attrs.get("type", "text" if tag == "input" else "submit"),
                                             name=attrs.get("name"), value=attrs.get("value", ""),
                                             checked="checked" in attrs))
        elif tag == "select":
            self._select = dict(tag="select", name=attrs.get("name"), options=[])
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = dict(tag="textarea", name=attrs.get("name"), value="")
            self._form["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None




def _url(template, world):
    return template.format(
        member=world["people"]["member"].id, coach=world["people"]["coach"].id, company=world["company"].id,
        other_company=world["other_company"].id, discussion=world["discussion"].id, reply=world["reply"].id,
        published=world["published"].id, draft=world["draft"].id, trajectory=world["trajectory"].id,
        milestone=world["milestone"].id, scan_round=world["scan_round"].id, invite_token=world["invite_token"],
        scan_token=world["scan_round"].employee_token, reset_token=world["reset_token"],
        email_token=world["email_token"], unsubscribe_token=world["unsubscribe_token"],
        mail_invite_token=world["mail_invite_token"])


TYPED_INPUTS = {"text", "email", "search", "url", "tel"}


def _form_on_page(app, client, page, endpoint):
    """The first form on the page that posts to ``endpoint``: (its URL, its fields)."""
    response = client.get(page)
    assert response.status_code == 200, f"{page} answered {response.status_code}"
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    adapter = app.url_map.bind("localhost")
    for form in reader.forms:
        url = urljoin("http://localhost" + page, form["action"])
        if form["method"] == "post" and adapter.match(urlsplit(url).path, method="POST")[0] == endpoint:
            return urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""), form["fields"]
    raise AssertionError(f"no form for {endpoint} on {page}")


def _fill(fields):
    """What a browser sends, with text typed into every text field: (data, typed, passwords)."""
    data, typed, passwords, groups = {}, [], [], set()
    for number, field in enumerate(fields):
        name, kind = field.get("name"), field.get("type")
        if not name or name.endswith("csrf_token"):  # also a prefixed form's ("link-csrf_token")
            continue
        if field["tag"] == "textarea" or (field["tag"] == "input" and kind in TYPED_INPUTS):
            data[name] = f"Getypte tekst {number} in {name}"
            typed.append(data[name])
        elif kind == "password":
            data[name] = passwords.append(f"Geheim wachtwoord {number}") or passwords[-1]
        elif field["tag"] == "select":
            data.setdefault(name, field["options"][0] if field["options"] else "")
        elif kind == "file":
            data[name] = (io.BytesIO(png()), "foto.png")
        elif kind in ("radio", "checkbox"):
            if name not in groups:
                groups.add(name)
                data[name] = field["value"] or "y"
        elif kind in ("submit", "button"):
            data.setdefault(name, field["value"])
        else:  # hidden, number, date, ...
            data.setdefault(name, field["value"])
    return data, typed, passwords


def _everything():
    """Every row of every table, to show that a refused post wrote nothing."""
    db.session.expire_all()
    with db.engine.connect() as connection:
        return {table.name: connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("endpoint", sorted(FORMS) + sorted(SCRIPTED))
def test_refused_token_keeps_what_was_typed(app, world, endpoint):
    if endpoint in FORMS:
        role, page = FORMS[endpoint]
        client = world["clients"][role]
        url, fields = _form_on_page(app, client, _url(page, world), endpoint)
        data, typed, passwords = _fill(fields)
    else:
        role, url, data = SCRIPTED[endpoint]
        client, url, typed, passwords = world["clients"][role], _url(url, world), [], []
    before = _everything()
    for token in (None, "verlopen"):  # no token at all, and one from an old session
        sent = {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
        if token:
            sent["csrf_token"] = token
        response = client.post(url, data=sent)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, f"{endpoint} ({token}): {response.status_code}"
        assert response.mimetype == "text/html"
        missing = [text for text in typed if text not in html]
        assert not missing, f"{endpoint} lost what was typed: {missing}"
        assert not any(password in html for password in passwords)
    assert _everything() == before, f"{endpoint} wrote something after a refused token"


def test_every_form_of_the_app_is_covered(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    assert posts == set(FORMS) | set(SCRIPTED)



@pytest.mark.parametrize("endpoint,target", [
    ("cases.new", "/c/kring/cases/new"),
    ("discussions.new", "/c/kring/discussions/new"),
    ("discussions.reply", "/d/{discussion}/reply"),
    ("scan.answer", "/s/no-such-link"),
    ("trajectories.add_participant", "/t/{trajectory}/participants"),
])
def test_refused_token_where_the_view_refuses_too(app, world, endpoint, target):
    """Someone who may not use the form (not a member, an unknown link): the view's own 403 or
    404 must not escape from the CSRF handler as a 500. The generic page answers, with the text
    to copy and no form that would send it on."""
    role, page = FORMS[endpoint]
    _url_of_form, fields = _form_on_page(app, world["clients"][role], _url(page, world), endpoint)
    data, typed, _passwords = _fill(fields)
    before = _everything()
    response = world["clients"]["newcomer"].post(_url(target, world), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert all(f">{text}</textarea>" in html for text in typed)
    assert 'method="post"' not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert _everything() == before


def test_api_keeps_answering_json(world):
    response = world["clients"]["lead"].post("/api/v1/preview", json={"text": "*hoi*"})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "csrf_failed"
