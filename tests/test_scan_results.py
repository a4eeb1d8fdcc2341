"""Round-level results: hand-computed aggregates (reverse-scored items included), the group-of-
five threshold on every surface (page, API, CSV, chart), no total that lets anyone subtract a
small group, results only after closing, trend, benchmark, and from scan to action."""
import re
from datetime import date

import pytest

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.scan import results as scan_results
from community.scan.export import escape_cell
from tests import scan_factories


def _closed_page(client, scan_round):
    response = client.get(f"/scan/rounds/{scan_round.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_round_aggregates_by_hand(factories):
    org, manager = factories.company_with_manager()
    # Five employees answering v on every item. Room to learn has five items with rl3 reversed:
    # (4v + 6 - v) / 5 -> 1.8, 2.4, 3.6, 4.2, 3.0: mean 3.0; deviations -1.2, -0.6, 0.6, 1.2, 0
    # give a sample variance of 3.6 / 4 = 0.9, spread sqrt(0.9) = 0.95.
    scan_round = scan_factories.closed_round(org, manager, employees=[1, 2, 4, 5, 3])
    result = scan_results.round_results(scan_round, date.today())
    room = result.employees.dimensions["room_to_learn"]
    assert (room.mean, room.spread, room.n) == (3.0, 0.95, 5)
    # Feedback: four items with fb4 reversed: (3v + 6 - v) / 4 -> 2.0, 2.5, 3.5, 4.0, 3.0:
    # mean 3.0, variance (1 + .25 + .25 + 1) / 4 = 0.625, spread 0.79.
    assert (result.employees.dimensions["feedback"].mean, result.employees.dimensions["feedback"].spread) == (3.0, 0.79)


def test_reverse_item_lowers_a_dimension_by_hand(factories):
    org, manager = factories.company_with_manager()
    # Everyone agrees fully (5) with everything, also "whoever makes a mistake is blamed" (rl3,
    # reversed -> 1): room to learn (5 * 4 + 1) / 5 = 4.2 for all, spread 0.
    scan_round = scan_factories.closed_round(org, manager, employees=[5] * 5,
                                             management=[scan_factories.answers("management", 5, m_rl2=1)] * 5)
    result = scan_results.round_results(scan_round, date.today())
    assert result.employees.dimensions["room_to_learn"].mean == pytest.approx(4.2)
    assert result.employees.dimensions["room_to_learn"].spread == 0
    # Management room to learn: m_rl1 = 5, m_rl2 reversed answered 1 -> 5: mean 5.0.
    assert result.management.dimensions["room_to_learn"].mean == 5.0


CHART = "class=\"radar\""  # the radar chart (the menu has an icon svg too)
FIGURE = re.compile(r"\d,\d\d")  # a mean or spread as the Dutch page shows it


@pytest.mark.parametrize("respondents, shown", [(4, False), (5, True)])
def test_threshold_on_every_surface(factories, make_client, api, respondents, shown):
    org, manager = factories.company_with_manager()
    scan_round = scan_factories.closed_round(org, manager, employees=[2, 3, 4, 5, 1][:respondents])
    html = _closed_page(make_client(manager), scan_round)
    assert (CHART in html) is shown
    assert bool(FIGURE.search(html)) is shown
    assert ("Medewerkers: minder dan 5" in html or "elke groep hebben minder dan 5" in html) is not shown

    body = api(manager).get(f"/api/v1/scan-rounds/{scan_round.id}/results").get_json()
    assert body["employees"]["shown"] is shown
    assert body["employees"]["n"] == (5 if shown else None)
    assert bool(body["employees"]["dimensions"]) is shown
    assert body["round"]["responses"]["employee"] == (5 if shown else None)
    assert body["weakest"] == ([] if not shown else body["weakest"])

    csv_text = make_client(manager).get(f"/scan/rounds/{scan_round.id}/results.csv").get_data(as_text=True)
    assert bool(FIGURE.search(csv_text)) is shown
    assert ("room_to_learn" in csv_text) is shown


def test_small_management_group_shows_nothing_and_there_is_no_total(factories, make_client, api):
    org, manager = factories.company_with_manager()
    scan_round = scan_factories.closed_round(org, manager, employees=[3] * 5, management=[5, 5, 1])
    html = _closed_page(make_client(manager), scan_round)
    # Employees' figures, but no management column and no "everyone" figure to subtract from.
    assert "3,00" in html
    assert "Management: minder dan 5" in html or "Management: fewer than 5" in html
    assert "series-management" not in html
    assert html.count("<td class=\"num\">") == 6 * 3  # six dimensions x (mean, spread, n), employees only
    body = api(manager).get(f"/api/v1/scan-rounds/{scan_round.id}/results").get_json()
    assert body["management"] == {"shown": False, "n": None, "dimensions": []}
    assert body["round"]["responses"] == {"employee": 5, "management": None}
    assert set(body) == {"round", "closed", "employees", "management", "previous_round_id", "benchmark", "weakest"}
    csv_text = make_client(manager).get(f"/scan/rounds/{scan_round.id}/results.csv").get_data(as_text=True)
    management_rows = [line for line in csv_text.splitlines() if line.split(";")[1] == "Management"]
    assert len(management_rows) == 1 and not FIGURE.search(management_rows[0])
    # The round list does not give the small group's size either.
    listing = make_client(manager).get(f"/organisations/{org.id}/scan").get_data(as_text=True)
    assert "minder dan 5" in listing


def test_open_round_shows_no_figures_even_with_many_answers(factories, make_client, api):
    org, manager = factories.company_with_manager()
    scan_round = scan_factories.open_round(org, manager)
    scan_factories.respond(scan_round, [1, 2, 3, 4, 5, 5])
    html = make_client(manager).get(f"/scan/rounds/{scan_round.id}").get_data(as_text=True)
    assert CHART not in html and not FIGURE.search(html)
    body = api(manager).get(f"/api/v1/scan-rounds/{scan_round.id}/results").get_json()
    assert body["closed"] is False and body["employees"]["dimensions"] == []
    # Closing freezes: the figures appear, and no answer is taken any more.
    make_client(manager).submit(f"/scan/rounds/{scan_round.id}/close", page=f"/scan/rounds/{scan_round.id}")
    body = api(manager).get(f"/api/v1/scan-rounds/{scan_round.id}/results").get_json()
    assert body["closed"] is True and body["employees"]["n"] == 6


def test_trend_against_previous_closed_round(factories, make_client):
    org, manager = factories.company_with_manager()
    scan_factories.closed_round(org, manager, employees=[2] * 5, management=[3] * 5, opens_on=date(2024, 3, 4),
                                title="Eerste")
    # A round in between with only 4 employees does not hide the comparison's rule: it is the
    # previous round, and it has no figures, so there is no change column.
    latest = scan_factories.closed_round(org, manager, employees=[4] * 5, opens_on=date(2025, 3, 3), title="Tweede")
    result = scan_results.round_results(latest, date.today())
    assert result.previous.title == "Eerste"
    # Room to learn answered 2 -> (4*2 + 4) / 5 = 2.4; answered 4 -> (16 + 2) / 5 = 3.6: +1.2.
    assert result.trend("employee", "room_to_learn") == pytest.approx(1.2)
    assert result.trend("management", "room_to_learn") is None  # management not shown now
    html = _closed_page(make_client(manager), latest)
    assert "+1,20" in html and "Eerste" in html
    middle = scan_factories.closed_round(org, manager, employees=[3] * 4, opens_on=date(2024, 9, 2), title="Klein")
    assert scan_results.round_results(latest, date.today()).previous.id == middle.id
    assert scan_results.round_results(latest, date.today()).trend("employee", "room_to_learn") is None


def test_benchmark_needs_five_other_companies_with_figures(factories, make_client, api):
    org, manager = factories.company_with_manager(sector="Metaal")
    mine = scan_factories.closed_round(org, manager, employees=[3] * 5)
    others = []
    for n in range(5):
        other, other_manager = factories.company_with_manager(sector=" metaal " if n == 0 else "Metaal")
        others.append((other, other_manager))
    # A company in another sector, and one with too few employees, never count.
    elsewhere, elsewhere_manager = factories.company_with_manager(sector="Bouw")
    scan_factories.closed_round(elsewhere, elsewhere_manager, employees=[1] * 5)
    for other, other_manager in others[:4]:
        scan_factories.closed_round(other, other_manager, employees=[5] * 5)
    small, small_manager = others[4]
    scan_factories.closed_round(small, small_manager, employees=[5] * 4)
    assert scan_results.round_results(mine, date.today()).benchmark is None
    scan_factories.closed_round(small, small_manager, employees=[1] * 5, opens_on=date(2025, 6, 2), title="Later")
    bench = scan_results.round_results(mine, date.today()).benchmark
    assert bench.companies == 5
    # Feedback per company: all 5 -> (15 + 1) / 4 = 4.0 (four companies), all 1 -> (3 + 5) / 4
    # = 2.0 (the latest round of the fifth): (4 * 4.0 + 2.0) / 5 = 3.6.
    assert bench.means["feedback"] == pytest.approx(3.6)
    body = api(manager).get(f"/api/v1/scan-rounds/{mine.id}/results").get_json()
    assert body["benchmark"]["companies"] == 5
    assert "series-benchmark" in _closed_page(make_client(manager), mine)


def test_from_scan_to_action(factories, make_client):
    org, manager = factories.company_with_manager()
    low_feedback = scan_factories.answers(fb1=1, fb2=1, fb3=1, fb4=5, ks1=2, ks2=2, ks4=2, ks5=2, ks3=4)
    scan_round = scan_factories.closed_round(org, manager, employees=[low_feedback] * 5)
    community = community_actions.create_community(factories.admin(), name="Leren op de vloer",
                                                   coordinator=factories.user())
    community_actions.join(manager, community)
    tagged = case_actions.create_case(manager, community, title="Terugkijken na elke klus", context="x",
                                      tags=["Feedback"], publish=True)
    case_actions.create_case(manager, community, title="Concept over feedback", context="x", tags=["feedback"])
    html = _closed_page(make_client(manager), scan_round)
    assert "Terugkijken na elke klus" in html and f"/cases/{tagged.id}" in html
    assert "Concept over feedback" not in html  # drafts are never offered
    link = re.search(r'href="(/organisations/%d/trajectories/new\?[^"]+)"' % org.id, html).group(1)
    form = make_client(manager).get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Leercultuur: Feedback en reflectie" in form or "Learning culture: Feedback" in form


def test_a_weak_dimension_without_cases_names_its_label_in_dutch(factories, make_client):
    """Issue 18: the hint names the Dutch label to give a case, not the code ("tag: autonomy")."""
    org, manager = factories.company_with_manager()
    low_feedback = scan_factories.answers(fb1=1, fb2=1, fb3=1, fb4=5, ks1=2, ks2=2, ks4=2, ks5=2, ks3=4)
    scan_round = scan_factories.closed_round(org, manager, employees=[low_feedback] * 5)
    html = _closed_page(make_client(manager), scan_round)
    labels = re.findall(r"\(label: ([^)]+)\)", html)
    assert "feedback en reflectie" in labels, labels
    assert "(tag:" not in html and not any("_" in label for label in labels)


def test_csv_escapes_formulas_but_keeps_numbers(factories, make_client):
    assert escape_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for dangerous in ("+1+1", "-cmd", "@SUM(A1)", "\tx", "\rx"):
        assert escape_cell(dangerous).startswith("'")
    assert escape_cell("-0,40") == "-0,40" and escape_cell("3,20") == "3,20"
    org, manager = factories.company_with_manager()
    scan_round = scan_factories.closed_round(org, manager, employees=[3] * 5, title="=cmd|' /C calc'!A0")
    csv_text = make_client(manager).get(f"/scan/rounds/{scan_round.id}/results.csv").get_data(as_text=True)
    rows = csv_text.lstrip("\ufeff").splitlines()[1:]
    assert rows and all(row.startswith("'=cmd") for row in rows)


def test_stored_scores_give_the_same_figures_as_scoring_each_response(factories):
    """The aggregate query over stored whole-number totals agrees with scoring every response
    again in Python (random answers, both groups)."""
    import random

    from community.scan import scoring

    rng = random.Random(5)
    org, manager = factories.company_with_manager()
    employees = [{code: rng.randint(1, 5) for code in scan_factories.answers("employee")} for _ in range(23)]
    managers = [{code: rng.randint(1, 5) for code in scan_factories.answers("management")} for _ in range(7)]
    scan_round = scan_factories.closed_round(org, manager, employees=employees, management=managers)
    result = scan_results.round_results(scan_round, date.today())
    for group, given, variant in ((result.employees, employees, "employee"), (result.management, managers, "management")):
        expected = scoring.aggregate([scoring.respondent_scores(a, variant) for a in given])
        assert group == expected


def test_results_page_costs_the_same_at_5_and_60_responses(factories, make_client, count_queries):
    costs = []
    for respondents in (5, 60):
        org, manager = factories.company_with_manager(name=f"Bedrijf {respondents}")
        scan_round = scan_factories.closed_round(org, manager, employees=[4] * respondents, management=[3] * respondents)
        client = make_client()
        client.login(manager)
        _closed_page(client, scan_round)
        with count_queries() as counter:
            _closed_page(client, scan_round)
        costs.append(counter.count)
    assert costs[0] == costs[1], costs


def test_migration_scores_the_responses_stored_before_it(factories, app):
    """Migration 0010 gives responses stored before scan_scores existed the same scores the
    action writes now."""
    import importlib.util
    import os

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from community.extensions import db
    from community.models import ScanScore

    org, manager = factories.company_with_manager()
    scan_round = scan_factories.closed_round(org, manager, employees=[1, 2, 4, 5, 3], management=[2] * 5)
    written = sorted(db.session.execute(sa.select(ScanScore.response_id, ScanScore.dimension, ScanScore.total,
                                                  ScanScore.items)).all())
    before = scan_results.round_results(scan_round, date.today())
    db.session.execute(sa.delete(ScanScore))
    db.session.commit()
    path = os.path.join(app.root_path, os.pardir, "migrations", "versions", "0010_scan_scores.py")
    spec = importlib.util.spec_from_file_location("migration_0010", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            migration._score_existing_responses()
    assert sorted(db.session.execute(sa.select(ScanScore.response_id, ScanScore.dimension, ScanScore.total,
                                               ScanScore.items)).all()) == written
    assert scan_results.round_results(scan_round, date.today()) == before
