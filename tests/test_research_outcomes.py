"""The learning-outcome monitor (research area): counts by hand on a small set, the
five-companies rule per cell with complementary suppression, confidential trajectories never
counted, no company names, the scan -> trajectory -> re-scan loop (five companies on each side or
nothing), the scan dimension on trajectories, and who may see it (pages and API)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from community.actions import ActionError, accounts, trajectories as actions
from community.extensions import db
from community.research import disclosure, outcomes
from tests import scan_factories

TODAY = date(2026, 6, 1)


def _company_trajectory(factories, community, name, sector="Metaal", visibility="community", entries=("applied",),
                        milestones=(), status=None, **fields):
    """A company (named, so a test can look for the name) with one trajectory in ``community``.
    milestones: (due date, done on or None)."""
    company, owner = factories.company_with_manager(name=name, sector=sector)
    factories.community_member(community, owner)
    trajectory = factories.trajectory(community, owner=owner, company=company, visibility=visibility, **fields)
    for index, (due, done_on) in enumerate(milestones):
        milestone = actions.add_milestone(owner, trajectory, title=f"Mijlpaal {index}", due_date=due)
        if done_on is not None:
            actions.set_milestone_done(owner, milestone, True,
                                       at=datetime(done_on.year, done_on.month, done_on.day, 12, tzinfo=timezone.utc))
    for value_kind in entries:
        actions.add_entry_to_log(owner, trajectory, f"Geleerd: {value_kind}", "result", value_kind)
    if status:
        actions.change_status(owner, trajectory, status)
    return trajectory


def test_counts_by_hand_on_a_small_set(factories):
    community = factories.community()
    for index in range(5):
        _company_trajectory(factories, community, f"Bedrijf {index}", entries=("applied", "realised"),
                            milestones=[(date(2026, 3, 1), date(2026, 2, 20)), (date(2026, 3, 1), date(2026, 3, 9)),
                                        (date(2026, 5, 1), None), (date(2026, 9, 1), None)],
                            status="active" if index < 3 else None)
    _company_trajectory(factories, community, "Geheim", visibility="confidential", entries=("reframing",) * 4,
                        milestones=[(date(2026, 3, 1), None)])
    monitor = outcomes.monitor("none", TODAY)
    total = monitor.total
    assert total.shown and total.companies == 5 and total.trajectories == 5
    assert total.entries == {"immediate": 0, "potential": 0, "applied": 5, "realised": 5, "reframing": 0}
    assert total.milestones == {"on_time": 5, "late": 5, "overdue": 5, "open": 5}
    assert total.statuses == {"concept": 2, "active": 3, "paused": 0, "completed": 0}
    assert monitor.cells == []


def test_four_companies_show_nothing_five_show_the_figures(factories):
    community = factories.community()
    for index in range(4):
        _company_trajectory(factories, community, f"Bedrijf {index}")
    # A confidential trajectory of a fifth company is never counted, so it does not make five.
    _company_trajectory(factories, community, "Vertrouwelijk", visibility="confidential")
    assert not outcomes.monitor("none", TODAY).total.shown
    assert not outcomes.monitor("none", TODAY).total.entries
    _company_trajectory(factories, community, "Bedrijf 4")
    assert outcomes.monitor("none", TODAY).total.shown


def test_cells_of_four_companies_are_withheld_with_their_complement(factories):
    big, small, third = factories.community(), factories.community(), factories.community()
    for index in range(4):
        _company_trajectory(factories, small, f"Klein {index}")
    for index in range(6):
        _company_trajectory(factories, big, f"Groot {index}")
    monitor = outcomes.monitor("community", TODAY)
    cells = {cell.key: cell for cell in monitor.cells}
    # One cell withheld (4 companies): the other would give it by subtraction from the total,
    # so it is withheld as well; the total (10 companies) stays.
    assert monitor.total.shown and monitor.total.companies == 10
    assert not cells[small.id].shown and not cells[big.id].shown
    assert cells[small.id].entries == {} and cells[small.id].companies == 0
    # With a third cell of five companies, the smallest shown cell joins the withheld one, so
    # the withheld cells together span nine companies.
    for index in range(5):
        _company_trajectory(factories, third, f"Derde {index}")
    cells = {cell.key: cell for cell in outcomes.monitor("community", TODAY).cells}
    assert not cells[small.id].shown and cells[big.id].shown and cells[big.id].companies == 6
    assert not cells[third.id].shown


def test_trajectories_are_published_in_steps_of_five_companies(factories):
    """One company more or less never changes a figure by itself: the sixth company's
    trajectory waits for four more."""
    community = factories.community()
    for index in range(5):
        _company_trajectory(factories, community, f"Bedrijf {index}")
    first = outcomes.monitor("none", TODAY).total
    _company_trajectory(factories, community, "Bedrijf 5", entries=("realised",) * 3)
    assert outcomes.monitor("none", TODAY).total == first
    for index in range(6, 10):
        _company_trajectory(factories, community, f"Bedrijf {index}")
    total = outcomes.monitor("none", TODAY).total
    assert total.companies == 10 and total.entries["realised"] == 3


def test_complementary_suppression_rule():
    five = lambda start: set(range(start, start + 5))  # noqa: E731
    # Two cells of >= 5 and one of 2: one withheld cell spans 2 companies -> one more withheld.
    total, shown = disclosure.shown_cells({"a": five(0), "b": five(10) | {99}, "c": {20, 21}})
    assert total and shown == {"b"}
    # Two withheld cells of 3 + 3 companies span 6: nothing more is withheld.
    total, shown = disclosure.shown_cells({"a": five(0), "b": {10, 11, 12}, "c": {20, 21, 22}})
    assert total and shown == {"a"}
    # Withheld cells of the same companies (2 + 2, overlapping) span fewer than five.
    total, shown = disclosure.shown_cells({"a": five(0), "b": five(10), "c": {20, 21}, "d": {20, 21}})
    assert total and shown == {"b"}
    assert disclosure.shown_cells({"a": {1, 2, 3, 4}}) == (False, set())
    for cells in ({"a": five(0), "b": {10}}, {"a": five(0), "b": five(5), "c": {1}}):
        total, shown = disclosure.shown_cells(cells)
        withheld = set(cells) - shown
        assert not withheld or len(set().union(*(cells[k] for k in withheld))) >= 5


def test_breakdowns_per_sector_and_year(factories):
    community = factories.community()
    for index in range(5):
        _company_trajectory(factories, community, f"Metaal {index}", sector="Metaal",
                            planned_start=date(2025, 3, 1))
    for index in range(5):
        _company_trajectory(factories, community, f"Bouw {index}", sector="Bouw", planned_start=date(2026, 3, 1))
    sectors = {cell.key: cell for cell in outcomes.monitor("sector", TODAY).cells}
    assert sectors["Metaal"].shown and sectors["Bouw"].shown and sectors["Bouw"].trajectories == 5
    years = {cell.key: cell for cell in outcomes.monitor("year", TODAY).cells}
    assert set(years) == {2025, 2026} and years[2025].entries["applied"] == 5


def test_the_scan_dimension_is_checked_and_kept(factories):
    community = factories.community()
    trajectory = _company_trajectory(factories, community, "Bedrijf", scan_dimension="feedback")
    assert trajectory.scan_dimension == "feedback"
    owner = factories.member(trajectory.organisation, role="manager")
    with pytest.raises(ActionError) as refused:
        actions.update_trajectory(owner, trajectory, title="Nieuw", scan_dimension="geen_dimensie")
    assert refused.value.field == "scan_dimension"
    actions.update_trajectory(owner, trajectory, title="Nieuw", scan_dimension="")
    assert trajectory.scan_dimension is None


def test_the_trajectory_form_takes_the_dimension_from_the_scan_link(factories, make_client):
    community = factories.community()
    company, manager = factories.company_with_manager()
    factories.community_member(community, manager)
    client = make_client(manager)
    page = client.get(f"/organisations/{company.id}/trajectories/new?title=Feedback&scan_dimension=feedback")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<option selected value="feedback">' in html.replace(
        'value="feedback" selected', 'selected value="feedback"')
    response = client.submit(f"/organisations/{company.id}/trajectories/new",
                             {"title": "Feedback geven", "goal": "", "community_id": str(community.id),
                              "visibility": "community", "scan_dimension": "feedback"})
    assert response.status_code == 302
    from community.models import Trajectory
    made = db.session.scalar(db.select(Trajectory).where(Trajectory.title == "Feedback geven"))
    assert made.scan_dimension == "feedback"
    assert "Feedback en reflectie" in client.get(f"/t/{made.id}").get_data(as_text=True)


def _rounds(factories, company, manager, levels, first=date(2024, 3, 4)):
    """Consented closed rounds, one a year, whose employees answer every item with the level."""
    made = []
    for index, level in enumerate(levels):
        opens_on = first + timedelta(days=365 * index)
        scan_round = scan_factories.closed_round(company, manager, employees=[level] * 5, title=f"Ronde {index}",
                                                 opens_on=opens_on)
        scan_round.research_consent = True
        db.session.commit()
        made.append(scan_round)
    return made


def test_the_loop_needs_five_companies_on_each_side(factories):
    community = factories.community()
    for index in range(5):   # with a trajectory on feedback between the rounds: 2 -> 4
        company, manager = factories.company_with_manager(name=f"Met {index}")
        _rounds(factories, company, manager, [2, 4])
        factories.community_member(community, manager)
        factories.trajectory(community, owner=manager, company=company, scan_dimension="feedback",
                             planned_start=date(2024, 9, 1))
    for index in range(4):   # without: 3 -> 3.5 is impossible with whole answers; 3 -> 4 and 3 -> 3
        company, manager = factories.company_with_manager(name=f"Zonder {index}")
        _rounds(factories, company, manager, [3, 3, 4] if index % 2 else [3, 3])
    rows = {row.dimension: row for row in outcomes.loop(TODAY)}
    assert not rows["feedback"].shown and rows["feedback"].change_with is None  # four without
    company, manager = factories.company_with_manager(name="Zonder 4")
    _rounds(factories, company, manager, [3, 3])
    rows = {row.dimension: row for row in outcomes.loop(TODAY)}
    feedback = rows["feedback"]
    assert feedback.shown and (feedback.with_trajectory, feedback.without_trajectory) == (5, 5)
    # Reverse-scored items are turned round in the stored scores, so compare with the scores.
    assert feedback.change_with == pytest.approx(_level_change(2, 4))
    assert feedback.change_without == pytest.approx(2 * _level_change(3, 4) / 5)
    # Other dimensions: nobody ran a trajectory on them, so there is no group "with".
    assert not rows["leadership"].shown


def _level_change(before, after):
    """The change of the feedback dimension's mean when every item goes from one answer to another."""
    from community.scan import scoring
    items = [i for i in scoring.all_items(scoring.questionnaire(), "employee") if i["dimension"] == "feedback"]
    mean = lambda v: sum(scoring.item_score(v, i.get("reverse", False)) for i in items) / len(items)  # noqa: E731
    return mean(after) - mean(before)


def test_only_researchers_and_admins_see_it_and_never_a_name(factories, make_client, api):
    community = factories.community()
    for index in range(5):
        _company_trajectory(factories, community, f"Geheim Bedrijf {index}")
    researcher = factories.member(factories.organisation(kind="school"))
    accounts.set_user_researcher(factories.admin(), researcher, True)
    assert make_client().get("/research/outcomes").status_code == 302
    for user in (factories.user(), factories.company_with_manager()[1]):
        client = make_client(user)
        for url in ("/research/outcomes", "/research/outcomes.csv", "/research/outcomes?by=sector"):
            assert client.get(url).status_code == 403, url
        refused = api(user).get("/api/v1/research/outcomes")
        assert refused.status_code == 403 and refused.is_json and "error" in refused.get_json()
    for user in (researcher, factories.admin()):
        client = make_client(user)
        assert "/research/outcomes" in client.get("/research/").get_data(as_text=True)
        for by in outcomes.BREAKDOWNS:
            html = client.get(f"/research/outcomes?by={by}").get_data(as_text=True)
            assert 'role="img"' in html and "Geheim Bedrijf" not in html
            csv = client.get(f"/research/outcomes.csv?by={by}")
            assert csv.status_code == 200 and csv.mimetype == "text/csv"
            assert "Geheim Bedrijf" not in csv.get_data(as_text=True)
        body = api(user).get("/api/v1/research/outcomes?by=community").get_json()
        assert body["total"]["shown"] and body["total"]["entries"]["applied"] == 5
        assert "Geheim Bedrijf" not in str(body)
    assert make_client(researcher).get("/research/outcomes?by=company").status_code == 404
    assert api(researcher).get("/api/v1/research/outcomes?by=company").status_code == 422


def test_the_monitor_costs_the_same_statements_at_five_and_ten_companies(factories, make_client, count_queries):
    """Counts are SQL aggregates: the number of statements does not grow with the data."""
    client = make_client(factories.admin())
    community = factories.community()
    counts = []
    for batch in range(2):
        for index in range(5):
            trajectory = _company_trajectory(factories, community, f"Bedrijf {batch}-{index}",
                                             entries=("applied", "immediate"), milestones=[(date(2026, 3, 1), None)])
            company, manager = trajectory.organisation, factories.member(trajectory.organisation, role="manager")
            _rounds(factories, company, manager, [3, 4], first=date(2023 + batch, 3, 6))
        for by in ("none", "community"):
            assert client.get(f"/research/outcomes?by={by}").status_code == 200
            with count_queries() as counter:
                assert client.get(f"/research/outcomes?by={by}").status_code == 200
            counts.append(counter.count)
        with count_queries() as counter:
            outcomes.monitor("year", TODAY)
            outcomes.loop(TODAY)
        assert counter.count == 4 + 3  # four for the monitor, three for the loop
    assert counts[:2] == counts[2:]


def test_the_api_sets_and_keeps_the_scan_dimension(factories, api):
    community = factories.community()
    trajectory = _company_trajectory(factories, community, "Bedrijf")
    owner = factories.member(trajectory.organisation, role="manager")
    client = api(owner)
    url = f"/api/v1/trajectories/{trajectory.id}"
    response = client.patch(url, json={"scan_dimension": "autonomy"})
    assert response.status_code == 200 and response.get_json()["scan_dimension"] == "autonomy"
    assert client.patch(url, json={"title": "Anders"}).get_json()["scan_dimension"] == "autonomy"  # kept
    refused = client.patch(url, json={"scan_dimension": "onbekend"})
    assert refused.status_code == 422 and "scan_dimension" in str(refused.get_json())
    assert client.patch(url, json={"scan_dimension": None}).get_json()["scan_dimension"] is None


def test_switching_breakdowns_and_subtracting_gives_no_small_group(factories):
    """Fifteen companies (three whole steps of five, all published). Community a has companies
    0..5, sector Metaal companies 0..4 (inside a): each breakdown on its own shows every cell,
    and a minus Metaal would be company 5. Decided together, the pages' shown cells pass the
    brute-force checker."""
    from tests.test_research_disclosure import leaks

    a, b = factories.community(), factories.community()
    members = {"none": {"total": set()}, "community": {}, "sector": {}, "year": {}}
    for index in range(15):
        community, sector = (a if index < 6 else b), ("Metaal" if index < 5 else "Bouw")
        trajectory = _company_trajectory(factories, community, f"Bedrijf {index}", sector=sector,
                                         planned_start=date(2025, 3, 1))
        company = trajectory.organisation_id
        members["none"]["total"].add(company)
        members["community"].setdefault(community.id, set()).add(company)
        members["sector"].setdefault(sector, set()).add(company)
        members["year"].setdefault(2025, set()).add(company)
    shown = {"none": {"total"} if outcomes.monitor("none", TODAY).total.shown else set()}
    for by in ("community", "sector", "year"):
        shown[by] = {cell.key for cell in outcomes.monitor(by, TODAY).cells if cell.shown}
    assert shown["none"] == {"total"}
    assert leaks(members, {"none": {"total"}, "community": {a.id, b.id}, "sector": {"Metaal", "Bouw"},
                           "year": {2025}})  # what each breakdown alone would show
    assert leaks(members, shown) == []
    assert shown["community"] or shown["sector"]   # not everything withheld
