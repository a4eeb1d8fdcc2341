"""The pages a member opens most read the database at most five times (DESIGN.md), and as often
with a few rows as with many: thread, discussion list, case list, community home, dashboard,
search results, notification centre and trajectory page, for a signed-in member with replies, mentions and trajectory updates among
their notifications (the centre reads each kind of thing its rows point at once: a case or a
community among them is one statement more)."""
import pytest

from community.actions import discussions as discussion_actions, moderation as moderation_actions
from community.actions import trajectories as trajectory_actions

BUDGET = 5


@pytest.fixture
def setting(factories, make_client):
    coordinator = factories.user()
    community = factories.community(coordinator=coordinator)
    member = factories.community_member(community).user
    others = [factories.community_member(community).user for _ in range(3)]
    trajectory = factories.trajectory(community, participants=[(member, "employee"), (others[0], "coach")])
    discussion = factories.discussion(community, member, title="Draad van het lid")

    def grow(n):
        for i in range(n):
            who = others[i % 3]
            factories.reply(discussion, who, body=f"Antwoord {i} voor @{member.handle}")
            factories.discussion(community, who, title=f"Vraag {i}")
            factories.case(community, who, title=f"Casus {i}", tags=f"tag{i % 4}", domain=f"Domein {i % 3}")
            trajectory_actions.add_entry_to_log(others[0], trajectory, f"Geleerd {i}", "reflection", "applied")
            if i % 5 == 0:
                discussion_actions.set_pinned(coordinator, factories.discussion(community, who), True)
        # A reported reply hidden by the coordinator: moderation lines in the feed too.
        reply = factories.reply(discussion, others[0], body="Iets ongepasts")
        moderation_actions.hide(coordinator, "reply", reply, "Niet passend")

    # The search page too: its hits (replies, discussions, cases, the trajectory's log) grow with
    # the rows; with an author filter it reads the author's name as well.
    urls = [f"/d/{discussion.id}", f"/c/{community.slug}/", f"/c/{community.slug}/discussions",
            f"/c/{community.slug}/cases", "/dashboard", "/notifications", f"/t/{trajectory.id}", "/zoeken?q=antwoord",
            f"/zoeken?q=antwoord&author={others[1].id}&sort=date"]
    return grow, urls, make_client(member)


def _counts(client, urls, count_queries):
    counts = {}
    for url in urls:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


def test_the_busiest_pages_read_five_times_whatever_their_rows(setting, count_queries):
    grow, urls, client = setting
    grow(2)
    few = _counts(client, urls, count_queries)
    assert all(count <= BUDGET for count in few.values()), few
    grow(40)
    assert _counts(client, urls, count_queries) == few


def test_a_company_manager_reads_trajectory_notifications_in_five(factories, make_client, count_queries):
    """The centre loads the trajectories its rows point at with the reader's membership of each
    company (a manager may see their company's trajectories): no query per company."""
    coordinator = factories.user()
    community = factories.community(coordinator=coordinator)
    counts = []
    manager = factories.user()
    factories.community_member(community, manager)
    for n in (1, 4):
        for _ in range(n):
            company = factories.organisation()
            factories.member(company, manager, role="manager")
            coach = factories.community_member(community).user
            trajectory = factories.trajectory(community, manager, company, participants=[(coach, "coach")])
            trajectory_actions.follow(manager, trajectory)
            trajectory_actions.add_entry_to_log(coach, trajectory, "Geleerd", "reflection", "applied")
        from community.extensions import db
        from community.models import Notification
        shown = db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == manager.id, Notification.object_type == "trajectory"))
        assert shown >= n  # one trajectory (and company) more per row
        client = make_client(manager)
        client.get("/notifications")
        with count_queries() as counter:
            assert client.get("/notifications").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] <= BUDGET, counts
