"""Research consent per scan round: the company's manager decides when opening the round and may
change it while it is open (allowing only before anyone answered); respondents see the choice
before they answer; it is stored with the round; the demo's rounds consent."""
import pytest
import sqlalchemy as sa

from community.actions import ActionError, scan as actions
from community.extensions import db
from community.models import ScanRound
from tests import scan_factories


@pytest.fixture
def company(factories):
    return factories.company_with_manager()


def test_the_manager_chooses_when_opening_the_round_and_it_is_stored(company, make_client):
    org, manager = company
    page = make_client(manager)
    form = page.get(f"/organisations/{org.id}/scan/new").get_data(as_text=True)
    assert 'name="research_consent"' in form and 'name="research_consent" type="checkbox" value="y">' in form
    today = actions.today()
    data = {"title": "Met onderzoek", "opens_on": today.isoformat(), "closes_on": today.isoformat(),
            "open_link": "y", "research_consent": "y"}
    assert page.submit(f"/organisations/{org.id}/scan/new", data, page=f"/organisations/{org.id}/scan/new"
                       ).status_code == 302
    del data["research_consent"]
    data["title"] = "Zonder onderzoek"
    assert page.submit(f"/organisations/{org.id}/scan/new", data, page=f"/organisations/{org.id}/scan/new"
                       ).status_code == 302
    stored = dict(db.session.execute(sa.select(ScanRound.title, ScanRound.research_consent)).all())
    assert stored == {"Met onderzoek": True, "Zonder onderzoek": False}


def test_respondents_see_the_choice_before_they_answer(company, client):
    org, manager = company
    yes = scan_factories.open_round(org, manager, "Ja", research_consent=True)
    no = scan_factories.open_round(org, manager, "Nee")
    allowed = client.get(f"/s/{yes.employee_token}").get_data(as_text=True)
    assert 'data-research="yes"' in allowed and "voor onderzoek dat bedrijven vergelijkt" in allowed
    assert allowed.index('data-research="yes"') < allowed.index('class="scan-form"')
    refused = client.get(f"/s/{no.management_token}").get_data(as_text=True)
    assert 'data-research="no"' in refused and "worden niet voor onderzoek gebruikt" in refused
    assert refused.index('data-research="no"') < refused.index('class="scan-form"')


def test_the_manager_changes_it_while_the_round_is_open(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    page = make_client(manager)
    path = f"/scan/rounds/{scan_round.id}"
    assert "Gebruik voor onderzoek toestaan" in page.get(path).get_data(as_text=True)
    assert page.submit(f"{path}/research-consent", {"consent": "yes"}, page=path).status_code == 302
    assert db.session.get(ScanRound, scan_round.id).research_consent is True
    assert "Gebruik voor onderzoek intrekken" in page.get(path).get_data(as_text=True)
    assert page.submit(f"{path}/research-consent", {"consent": "no"}, page=path).status_code == 302
    db.session.expire_all()
    assert db.session.get(ScanRound, scan_round.id).research_consent is False


def test_allowing_after_answers_came_in_is_refused_but_withdrawing_is_not(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    scan_factories.respond(scan_round, [4])
    with pytest.raises(ActionError) as refused:
        actions.set_research_consent(manager, scan_round, True)
    assert refused.value.status == 409
    page = make_client(manager)
    path = f"/scan/rounds/{scan_round.id}"
    answer = page.submit(f"{path}/research-consent", {"consent": "yes"}, page=path)
    assert answer.status_code == 302
    assert "Er is al geantwoord zonder gebruik voor onderzoek" in page.get(path).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ScanRound, scan_round.id).research_consent is False
    consenting = scan_factories.open_round(org, manager, "Toegestaan", research_consent=True)
    scan_factories.respond(consenting, [4])
    assert actions.set_research_consent(manager, consenting, False).research_consent is False


def test_a_closed_round_keeps_its_choice_and_others_cannot_change_it(company, factories, make_client, api):
    org, manager = company
    closed = scan_factories.closed_round(org, manager)
    with pytest.raises(ActionError) as refused:
        actions.set_research_consent(manager, closed, True)
    assert refused.value.status == 409
    assert "Gebruik voor onderzoek toestaan" not in make_client(manager).get(
        f"/scan/rounds/{closed.id}").get_data(as_text=True)
    scan_round = scan_factories.open_round(org, manager)
    employee = factories.member(org, factories.user())
    other_org, other_manager = factories.company_with_manager()
    for person in (employee, other_manager):
        assert make_client(person).submit(f"/scan/rounds/{scan_round.id}/research-consent", {"consent": "yes"},
                                          page="/").status_code == 404
        assert api(person).post(f"/api/v1/scan-rounds/{scan_round.id}/research-consent",
                                json={"research_consent": True}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ScanRound, scan_round.id).research_consent is False


def test_the_api_creates_shows_and_changes_it(company, api):
    org, manager = company
    client = api(manager)
    today = actions.today().isoformat()
    made = client.post(f"/api/v1/organisations/{org.id}/scan-rounds",
                       json={"title": "Via API", "opens_on": today, "closes_on": today, "research_consent": True})
    assert made.status_code == 201 and made.get_json()["research_consent"] is True
    round_id = made.get_json()["id"]
    changed = client.post(f"/api/v1/scan-rounds/{round_id}/research-consent", json={"research_consent": False})
    assert changed.status_code == 200 and changed.get_json()["research_consent"] is False
    assert client.get(f"/api/v1/scan-rounds/{round_id}").get_json()["research_consent"] is False
    wrong = client.post(f"/api/v1/scan-rounds/{round_id}/research-consent", json={"research_consent": "ja"})
    assert wrong.status_code == 422
    plain = client.post(f"/api/v1/organisations/{org.id}/scan-rounds",
                        json={"title": "Standaard", "opens_on": today, "closes_on": today})
    assert plain.get_json()["research_consent"] is False


def test_the_demo_seed_marks_its_rounds_consented(app):
    from community.seed import seed_demo

    seed_demo()
    rounds = db.session.scalars(sa.select(ScanRound)).all()
    assert rounds and all(r.research_consent for r in rounds)
