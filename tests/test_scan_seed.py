"""The demo's scan: two closed rounds with figures (radar, management comparison, trend) and an
open one, built idempotently through the actions."""
import sqlalchemy as sa

from community.actions import scan as actions
from community.extensions import db
from community.models import ScanResponse, ScanRound
from community.scan.results import round_results


def test_seed_scan_is_idempotent_and_shows_trend(app):
    from community.seed import seed_demo

    seed_demo()
    first = db.session.execute(sa.select(ScanResponse.id, ScanResponse.answers).order_by(ScanResponse.id)).all()
    seed_demo()
    assert db.session.execute(sa.select(ScanResponse.id, ScanResponse.answers)
                              .order_by(ScanResponse.id)).all() == first

    rounds = db.session.scalars(sa.select(ScanRound).order_by(ScanRound.opens_on)).all()
    today = actions.today()
    assert [r.status(today) for r in rounds] == ["closed", "closed", "open"]
    latest = round_results(rounds[1], today)
    assert latest.employees.shown and latest.management.shown
    assert latest.previous.id == rounds[0].id
    assert latest.trend("employee", "feedback") > 0
    assert latest.weakest()
    assert not round_results(rounds[2], today).employees.shown
