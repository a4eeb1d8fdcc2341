"""The research area: who may open it, the five-companies rule and its steps (nothing for four
companies, the figures for five; no state that differs from another by one company or one
round), consent, closed rounds and the group of five, the CSV, and granting the role."""
import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from community.actions import accounts
from community.actions import scan as scan_actions
from community.extensions import db
from community.models import AuditEntry, ScanResponse
from community.research import disclosure, instrument
from community.scan import scoring
from tests import scan_factories

FIRST = date(2025, 1, 6)


def _varied(rng, variant):
    level = rng.randint(1, 5)
    return {item["code"]: min(5, max(1, level + rng.choice((-1, 0, 0, 1))))
            for item in scoring.all_items(scoring.questionnaire(), variant)}


def _company_round(factories, index, consent=True, employees=5, management=5, name=None, rng=None):
    """A company (named so a test can look for the name) with one closed round that closed in
    week ``index`` of 2025."""
    rng = rng or random.Random(index)
    org, manager = factories.company_with_manager(name=name or f"Onderzoeksbedrijf {index}")
    opens_on = FIRST + timedelta(days=7 * index)
    scan_round = scan_factories.closed_round(org, manager, title=f"Ronde {index}", opens_on=opens_on,
                                             employees=[_varied(rng, "employee") for _ in range(employees)],
                                             management=[_varied(rng, "management") for _ in range(management)])
    if consent:
        scan_round.research_consent = True
        db.session.commit()
    return scan_round


def _report(variant="employee"):
    return instrument.instrument_report(1, variant, date.today())


def test_four_companies_show_nothing_five_show_everything(factories):
    for index in range(4):
        _company_round(factories, index)
    assert not _report().shown and not _report("management").shown
    _company_round(factories, 4)
    report = _report()
    assert report.shown and (report.companies, report.rounds, report.responses) == (5, 5, 25)
    assert len(report.dimensions) == 6 and all(d.n == 25 for d in report.dimensions)
    assert _report("management").shown


def test_only_consented_closed_rounds_with_five_in_the_group_count(factories):
    for index in range(4):
        _company_round(factories, index)
    _company_round(factories, 4, consent=False)                 # no consent
    _company_round(factories, 5, employees=4)                   # four employees: not for employees
    org, manager = factories.company_with_manager()
    running = scan_factories.open_round(org, manager, research_consent=True)  # still open
    scan_factories.respond(running, [3, 4, 2, 5, 1])
    assert not _report().shown
    # The round with four employees still counts for management (five managers).
    assert _report("management").shown and _report("management").companies == 5


def test_the_published_set_grows_in_steps_of_five_companies(factories):
    rounds = [_company_round(factories, index) for index in range(6)]
    first = _report()
    assert first.companies == 5  # the sixth waits for four more
    # Removing the sixth company changes nothing: it was not part of any figure.
    db.session.execute(sa.delete(ScanResponse).where(ScanResponse.round_id == rounds[5].id))
    db.session.commit()
    assert _report() == first
    for index in range(6, 11):
        _company_round(factories, index)
    assert _report().companies == 10


def test_removing_one_response_never_leaves_a_difference_of_one_company(factories):
    """Every published set is made of whole steps of at least five companies, whatever one
    response or one company more or less: so two states never differ by a single company."""
    rounds = [_company_round(factories, index) for index in range(7)]
    states = []
    for removed in [None] + rounds:
        eligible, _opened = instrument.eligible_rounds(1, "employee", date.today())
        if removed is not None:
            eligible = [r for r in eligible if r.round_id != removed.id]
        published = disclosure.published_rounds(eligible)
        states.append({r.organisation_id for r in published})
        # Whole steps: cut the published list where a step completes; each step has >= 5 companies.
        companies = set()
        for item in published:
            companies.add(item.organisation_id)
        assert not published or len(companies) >= disclosure.MIN_COMPANIES
    for a in states:
        for b in states:
            assert len(a ^ b) != 1  # never one company in or out alone


def test_who_may_open_the_research_area(factories, make_client):
    for index in range(5):
        _company_round(factories, index, name=f"Geheim Bedrijf {index}")
    school = factories.organisation(kind="school")
    researcher = factories.member(school)
    accounts.set_user_researcher(factories.admin(), researcher, True)
    outsider = factories.user()
    manager = factories.company_with_manager()[1]
    assert make_client().get("/research/instrument").status_code == 302  # to the login page
    for user in (outsider, manager):
        client = make_client(user)
        for url in ("/research/", "/research/instrument?version=1", "/research/instrument.csv?version=1"):
            assert client.get(url).status_code == 403, url
        assert "/research/" not in client.get("/dashboard").get_data(as_text=True)
    for user, menu in ((researcher, "/dashboard"), (factories.admin(), "/admin/")):
        client = make_client(user)
        assert 'href="/research/"' in client.get(menu).get_data(as_text=True)  # admins: in Beheer
        html = client.get("/research/instrument?version=1").get_data(as_text=True)
        assert "Cronbach" in html and "25" in html
        assert "Geheim Bedrijf" not in html  # no company names next to figures
        csv = client.get("/research/instrument.csv?version=1")
        assert csv.status_code == 200 and csv.mimetype == "text/csv"
        assert "Geheim Bedrijf" not in csv.get_data(as_text=True)
    assert make_client(researcher).get("/research/instrument?version=9").status_code == 404


def test_the_csv_holds_the_page_figures_and_nothing_below_five(factories, make_client):
    admin = factories.admin()
    client = make_client(admin)
    for index in range(4):
        _company_round(factories, index)
    lines = client.get("/research/instrument.csv?version=1").get_data(as_text=True).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("questionnaire_version,group,")
    _company_round(factories, 4)
    lines = client.get("/research/instrument.csv?version=1").get_data(as_text=True).strip().splitlines()
    employee_dimensions = [line for line in lines if line.startswith("1,employee,") and ",dimension," in line]
    assert len(employee_dimensions) == 6
    report = _report()
    room = next(d for d in report.dimensions if d.code == "room_to_learn")
    row = next(line for line in employee_dimensions if ",room_to_learn,," in line).split(",")
    assert row[9] == "25" and row[12] == f"{room.alpha:.3f}" and row[13] == f"{room.omega:.3f}"
    assert any(",item,room_to_learn,rl3," in line for line in lines)


def test_the_role_is_for_schools_and_partners_and_is_audited(factories, make_client):
    admin = factories.admin()
    client = make_client(admin)
    lector = factories.member(factories.organisation(kind="school"))
    employee = factories.company_with_manager()[1]
    page = client.get(f"/admin/users/{lector.id}").get_data(as_text=True)
    assert "Make researcher" in page or "Onderzoeker maken" in page
    response = client.submit(f"/admin/users/{lector.id}/researcher", {"is_researcher": "1"})
    assert response.status_code == 302
    db.session.refresh(lector)
    assert lector.is_researcher
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.member_id == lector.id)) == "grant_research"
    client.submit(f"/admin/users/{employee.id}/researcher", {"is_researcher": "1"})
    db.session.refresh(employee)
    assert not employee.is_researcher
    assert make_client(factories.user()).post(f"/admin/users/{lector.id}/researcher").status_code in (400, 403)
    client.submit(f"/admin/users/{lector.id}/researcher", {"is_researcher": "0"})
    db.session.refresh(lector)
    assert not lector.is_researcher
    assert make_client(lector).get("/research/").status_code == 403


def test_the_api_gives_the_same_figures_to_researchers_only(factories, api):
    for index in range(5):
        _company_round(factories, index)
    school = factories.organisation(kind="school")
    researcher = factories.member(school)
    accounts.set_user_researcher(factories.admin(), researcher, True)
    body = api(researcher).get("/api/v1/research/instrument?version=1").get_json()
    employees = next(group for group in body["groups"] if group["group"] == "employee")
    report = _report()
    assert employees["shown"] and employees["companies"] == 5 and employees["responses"] == 25
    room = next(d for d in employees["dimensions"] if d["code"] == "room_to_learn")
    expected = next(d for d in report.dimensions if d.code == "room_to_learn")
    assert round(room["alpha"], 6) == round(expected.alpha, 6) and len(room["items"]) == 5
    refused = api(factories.user()).get("/api/v1/research/instrument")
    assert refused.status_code == 403 and refused.is_json and "error" in refused.get_json()
    assert api(researcher).get("/api/v1/research/instrument?version=7").status_code == 404
    assert api(researcher).get("/api/v1/research/instrument?version=x").status_code == 422


def _structured(rng, variant):
    """Answers with a level per dimension (six distinct constructs) and a little noise per item."""
    levels = {d["code"]: rng.gauss(3, 1) for d in scoring.questionnaire()["dimensions"]}
    answers = {}
    for item in scoring.all_items(scoring.questionnaire(), variant):
        value = min(5, max(1, round(levels[item["dimension"]] + rng.gauss(0, 0.5))))
        answers[item["code"]] = 6 - value if item.get("reverse") else value
    return answers


def test_the_structure_check_on_the_page_in_the_csv_and_the_api(factories, make_client, api, monkeypatch):
    """Seventy employees in each of five companies (350 complete responses) are enough for the
    employee questionnaire's six-factor model (335); 25 managers are not (200). (No time limit
    here: a busy test machine is not what this checks; test_research_structure covers it.)"""
    from community.research import structure
    monkeypatch.setattr(structure, "TIME_LIMIT", 120.0)
    rng = random.Random(7)
    for index in range(5):
        org, manager = factories.company_with_manager(name=f"Bedrijf {index}")
        scan_round = scan_factories.closed_round(
            org, manager, title=f"Ronde {index}", opens_on=FIRST + timedelta(days=7 * index),
            employees=[_structured(rng, "employee") for _ in range(70)],
            management=[_structured(rng, "management") for _ in range(5)])
        scan_round.research_consent = True
        db.session.commit()
    employees, management = _report().structure, _report("management").structure
    assert employees.status == "fitted" and employees.n == 350 and employees.df == 26 * 27 // 2 - 67
    assert all(0.5 < value < 1 for value in employees.loadings.values()) and len(employees.loadings) == 26
    assert management.status == "too_few" and (management.n, management.needed) == (25, 200)
    admin = factories.admin()
    html = make_client(admin).get("/research/instrument?version=1").get_data(as_text=True)
    dutch = lambda value, digits: f"{value:.{digits}f}".replace(".", ",")  # noqa: E731 (the page is in Dutch)
    assert "Globale fit" in html and "CFI" in html and dutch(employees.cfi, 3) in html
    assert "25 van de 200" in html
    first_item = next(iter(employees.loadings))
    assert dutch(employees.loadings[first_item], 2) in html
    lines = make_client(admin).get("/research/instrument.csv?version=1").get_data(as_text=True).splitlines()
    header = lines[0].split(",")
    rows = {(row[1], row[6]): row for row in (line.split(",") for line in lines[1:]) if row[6] == "structure"}
    fitted = dict(zip(header, rows[("employee", "structure")]))
    assert fitted["cfa_status"] == "fitted" and fitted["n"] == "350" and fitted["cfi"] == f"{employees.cfi:.3f}"
    assert fitted["df"] == str(employees.df) and fitted["rmsea"] == f"{employees.rmsea:.3f}"
    assert dict(zip(header, rows[("management", "structure")]))["cfa_status"] == "too_few"
    item_row = next(row for row in (dict(zip(header, line.split(","))) for line in lines[1:])
                    if row["group"] == "employee" and row["item"] == first_item)
    assert item_row["loading"] == f"{employees.loadings[first_item]:.3f}"
    body = api(admin).get("/api/v1/research/instrument?version=1").get_json()
    groups = {group["group"]: group for group in body["groups"]}
    assert groups["employee"]["structure"]["status"] == "fitted"
    assert groups["employee"]["structure"]["cfi"] == pytest.approx(employees.cfi)
    assert groups["management"]["structure"]["cfi"] is None
    loaded = groups["employee"]["dimensions"][0]["items"][0]
    assert loaded["loading"] == pytest.approx(employees.loadings[loaded["code"]])


def test_the_structure_check_is_fitted_once_per_set_of_answers(factories, monkeypatch):
    """The fit (up to seconds) is kept per set of answers: the same answers again are not fitted
    again; another round's answers (a new published set) are, and a time-out is never kept."""
    from community.research import instrument, structure
    monkeypatch.setattr(instrument, "_CHECKS", {})
    fitted = []
    real = structure.confirmatory_check

    def counting(matrices):
        fitted.append(matrices)
        return real(matrices)

    monkeypatch.setattr(structure, "confirmatory_check", counting)
    rng = random.Random(3)
    for index in range(5):
        _company_round(factories, index, rng=rng)
    first = _report()
    assert _report().structure is first.structure and len(fitted) == 1
    for index in range(5, 10):  # the next whole step of five companies joins the published set
        _company_round(factories, index, rng=rng)
    second = _report()
    assert len(fitted) == 2 and second.structure is not first.structure
    assert second.structure.n > first.structure.n
    monkeypatch.setattr(structure, "confirmatory_check",
                        lambda matrices: structure.StructureCheck(status=structure.TIMED_OUT, n=0, needed=0,
                                                                  parameters=0))
    monkeypatch.setattr(instrument, "_CHECKS", {})
    assert _report().structure.status == structure.TIMED_OUT and instrument._CHECKS == {}
