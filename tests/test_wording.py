"""Words that do not mislead (issue 18): "Melden" for abuse reports (the trajectory's printable
report keeps "Rapport"), moderation reports are "Gemelde berichten" (notifications stay
"Meldingen"), the follow setting is "Volgen", taking a coordinator's role away says so and asks
first, and no English words in the Dutch pages."""
import re

from community.actions import communities as community_actions
from community.models import CommunityMembership
from community.extensions import db
from tests import worlds

ENGLISH = re.compile(r"\bDeadline\b|\(tag:|>\s*Link\s*<|\bRapport\b")


def _main(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True).split("<main", 1)[1]


def test_abuse_report_button_says_melden(make_client):
    world = worlds.lassen()
    member = make_client(world.member)
    for url in (f"/d/{world.discussion.id}", f"/cases/{world.case.id}"):
        html = _main(member, url)
        assert re.search(r'class="button[^"]*report-link"[^>]*>(?:<svg.*?</svg>)?Melden</a>', html), url
        assert not ENGLISH.search(html), (url, ENGLISH.findall(html))
    assert "<title>Melden ·" in member.get(f"/report/discussion/{world.discussion.id}").get_data(as_text=True)


def test_trajectory_report_keeps_its_name_and_due_dates_are_dutch(make_client):
    from datetime import date

    from community.actions import trajectories as actions

    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    actions.add_milestone(world.owner, t, title="Eerste las", due_date=date(2026, 10, 1))
    html = _main(make_client(world.owner), f"/t/{t.id}")
    assert f'href="/t/{t.id}/report">Rapport</a>' in html
    assert "Uiterlijk 1 oktober 2026" in html and "Deadline" not in html
    assert ">Volgen</label>" in html and ">Meldingen</label>" not in html


def test_moderation_reports_and_notifications_have_different_names(make_client):
    world = worlds.lassen()
    admin = make_client(world.admin)
    html = admin.get("/admin/").get_data(as_text=True)
    assert ">Gemelde berichten</a>" in html
    coordinator = make_client(world.coordinator)
    html = coordinator.get(f"/c/{world.lassen.slug}/manage/reports").get_data(as_text=True)
    assert "<title>Gemelde berichten ·" in html
    assert ">Meldingen" in coordinator.get("/notifications").get_data(as_text=True)


def test_taking_a_coordinator_role_away_says_so_and_asks_first(make_client):
    world = worlds.lassen()
    membership = db.session.scalar(db.select(CommunityMembership).filter_by(
        community_id=world.lassen.id, user_id=world.member.id))
    community_actions.set_role(world.coordinator, membership, "coordinator")
    html = _main(make_client(world.coordinator), f"/c/{world.lassen.slug}/members")
    assert "Lid maken" not in html
    form = re.search(r'<form method="post" action="[^"]*/memberships/%d/role" data-confirm="([^"]+)">.*?</form>'
                     % membership.id, html, re.S)
    assert form and "Coördinatorrol intrekken" in form.group(0) and 'value="member"' in form.group(0)
    assert "Mia Lid" in form.group(1) and "blijft lid" in form.group(1)
    assert "Coördinator maken" in html  # the others can still be made coordinator
