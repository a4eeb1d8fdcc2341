"""What the screenshot review of the main pages (issue 18) found in the HTML and the style sheets:
no merge leftovers in a style sheet (one dropped the header search rule), Dutch words in the
search filter, no "mark all as read" with nothing to mark, the admin list's status as a badge.
The layout findings are checked in Chromium (tests/test_browser_screenshot_review.py)."""
import os
import re

from community.actions import discussions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_merge_markers_in_style_sheets_and_templates():
    """A CSS parser drops the rule after a stray "=======" line without a word."""
    marker = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.M)
    for folder in ("static/css", "templates"):
        for directory, _, names in os.walk(os.path.join(ROOT, folder)):
            for name in names:
                if name.endswith((".css", ".html")):
                    with open(os.path.join(directory, name), encoding="utf-8") as handle:
                        assert not marker.search(handle.read()), os.path.join(directory, name)


def test_search_filter_says_leergemeenschappen_in_dutch(make_client, factories):
    html = make_client(factories.user()).get("/zoeken?q=lassen").get_data(as_text=True)
    assert "Alle leergemeenschappen" in html
    assert "communities" not in re.sub(r'(href|action)="[^"]*"', "", html).lower()


def test_mark_all_read_only_when_there_is_something_to_mark(make_client, factories):
    author, replier = factories.user("Anna Auteur"), factories.user("Bram")
    community = factories.community(coordinator=author)
    factories.community_member(community, replier)
    discussion = discussions.start_discussion(author, community, "Lasrook afzuigen", "Welke afzuiging?")
    client = make_client(author)
    assert 'action="/notifications/read"' not in client.get("/notifications").get_data(as_text=True)
    discussions.post_reply(replier, discussion, "Een puntafzuiging.")
    assert 'action="/notifications/read"' in client.get("/notifications").get_data(as_text=True)


def test_admin_user_status_is_a_badge_like_disabled(make_client, factories):
    admin = factories.admin(name="Beheerder")
    html = make_client(admin).get("/admin/users").get_data(as_text=True)
    assert '<span class="badge ok">actief</span>' in html


def test_composer_hint_speaks_of_formatting_not_markdown(make_client, factories):
    community = factories.community()
    member = factories.user()
    factories.community_member(community, member)
    html = make_client(member).get(f"/c/{community.slug}/discussions/new").get_data(as_text=True)
    assert "Of typ de opmaak zelf: **vet**" in html and "Markdown" not in html


def test_join_policy_badge_reads_as_a_property_not_an_action(make_client, factories):
    """A member saw "Lid worden op aanvraag" ("become a member on request") beside "Lid"."""
    community = factories.community(join_policy="request")
    member = factories.user()
    factories.community_member(community, member)
    html = make_client(member).get(f"/c/{community.slug}/").get_data(as_text=True)
    assert '<span class="badge">Toegang op aanvraag</span>' in html and "Lid worden op aanvraag" not in html


def test_trajectory_badge_says_who_can_read_it_and_the_dashboard_says_je(make_client):
    from tests import worlds

    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    client = make_client(world.owner)
    html = client.get(f"/t/{t.id}").get_data(as_text=True)
    assert '<span class="badge ">Zichtbaar voor leden van de leergemeenschap</span>' in html
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Je trajecten" in dashboard and "Jouw" not in dashboard
