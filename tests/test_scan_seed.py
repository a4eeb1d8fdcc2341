"""The demo's scan: two closed rounds with figures (radar, management comparison, trend) and an
open one, built idempotently through the actions."""
import sqlalchemy as sa

from community.actions import scan as actions
from community.extensions import db
from community.models import Organisation, ScanResponse, ScanRound
from community.scan.results import round_results


def test_seed_scan_is_idempotent_and_shows_trend(app):
    from community.seed import seed_demo

    seed_demo()
    first = db.session.execute(sa.select(ScanResponse.id, ScanResponse.answers).order_by(ScanResponse.id)).all()
    seed_demo()
    assert db.session.execute(sa.select(ScanResponse.id, ScanResponse.answers)
                              .order_by(ScanResponse.id)).all() == first

    company = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Van der Meer Metaalbewerking"))
    rounds = db.session.scalars(sa.select(ScanRound).where(ScanRound.organisation_id == company.id)
                                .order_by(ScanRound.opens_on)).all()
    today = actions.today()
    assert [r.status(today) for r in rounds] == ["closed", "closed", "open"]
    latest = round_results(rounds[1], today)
    assert latest.employees.shown and latest.management.shown
    assert latest.previous.id == rounds[0].id
    assert latest.trend("employee", "feedback") > 0
    assert latest.weakest()
    assert not round_results(rounds[2], today).employees.shown


def test_seed_gives_the_research_area_figures(app, monkeypatch):
    """Ten synthetic companies (marked as demo data) with two closed, consented rounds each:
    enough for every instrument figure, and the demo lector is a researcher."""
    from community.queries.accounts import user_by_email
    from community.research import instrument
    from community.research import structure
    from community.seed import seed_demo

    monkeypatch.setattr(structure, "TIME_LIMIT", 120.0)   # a busy test machine is not what this checks
    seed_demo()
    demo = db.session.scalars(sa.select(Organisation).where(Organisation.name.like("%(demodata)"))).all()
    assert len(demo) == 10 and all("Synthetisch" in org.description for org in demo)
    for variant in ("employee", "management"):
        report = instrument.instrument_report(1, variant, actions.today())
        assert report.shown and report.companies >= 5
        assert all(0.5 < d.alpha < 1 for d in report.dimensions if len(d.items) > 2), variant
        # The confirmatory structure check: enough employees on the demo, too few managers.
        assert report.structure.status == ("fitted" if variant == "employee" else "too_few"), variant
    assert user_by_email("lector@hogeschooloost.example").is_researcher
    _seeded_outcome_figures(demo)


def _seeded_outcome_figures(demo):
    """The learning-outcome monitor shows every kind of figure on the demo, and the loop's
    companies with a feedback trajectory have a round before and after it."""
    from community.models import Trajectory
    from community.research import outcomes

    today = actions.today()
    total = outcomes.monitor("none", today).total
    assert total.shown and total.companies >= 8
    assert all(n > 0 for n in total.entries.values())
    assert total.milestones["on_time"] and total.milestones["late"] and total.milestones["overdue"]
    assert total.statuses["active"] and total.statuses["completed"]
    demo_ids = {org.id for org in demo}
    on_feedback = db.session.scalars(sa.select(Trajectory.organisation_id).where(
        Trajectory.scan_dimension == "feedback", Trajectory.organisation_id.in_(demo_ids))).all()
    assert len(set(on_feedback)) == 5
    rounds = outcomes._rounds(today)
    starts = outcomes._starts()
    assert all(outcomes._around(rounds[org], starts[(org, "feedback")]) for org in on_feedback)
    # Five companies on each side: the loop shows the feedback dimension's change on the demo.
    feedback = next(row for row in outcomes.loop(today) if row.dimension == "feedback")
    assert feedback.shown
