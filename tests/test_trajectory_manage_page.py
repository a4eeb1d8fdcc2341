"""The manager's trajectory page reads as a page, not a control panel: the status form in a
"Manage" section at the end, deleting and removing behind a "More" menu and a confirmation, the
five value types explained, participants chosen from the company's members."""
import re
from datetime import date

import pytest
from flask_babel import force_locale

from community.actions import trajectories as actions
from community.extensions import db
from community.labels import LABELS
from tests import factories, worlds

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def world(make_client):
    world = worlds.trajectories(language="en")
    world.trajectory = worlds.trajectory(world, "community", roles=("coach",))
    actions.add_milestone(world.owner, world.trajectory, title="Eerste las", due_date=date(2026, 10, 1))
    actions.add_milestone(world.owner, world.trajectory, title="Tweede las", due_date=date(2026, 11, 1))
    world.colleague = factories.member(world.company_a, factories.user(name="Aaron Collega", language="en"))
    world.clients = worlds.clients(make_client, world.users)
    return world


def _page(world, role="owner"):
    response = world.clients[role].get(f"/t/{world.trajectory.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_status_is_managed_at_the_end_of_the_page(world):
    html = _page(world)
    manage = html.index('id="manage"')
    assert html.index('id="milestones"') < html.index('id="log"') < manage
    assert html.index(f'action="/t/{world.trajectory.id}/status"') > manage
    assert ">Manage</h2>" in html
    assert 'id="manage"' not in _page(world, "employee")


def test_no_red_button_in_sight_deleting_is_in_a_menu_and_asks_first(world):
    html = _page(world)
    assert "button small danger\"" not in html and 'class="button danger"' not in html
    menus = re.findall(r'<details class="action-menu">(.*?)</details>', html, re.S)
    deletes = [menu for menu in menus if "/delete" in menu or "/remove" in menu]
    assert len(deletes) == 3  # two milestones and one participant
    assert all("data-confirm=" in menu for menu in deletes)


def test_the_five_value_types_are_explained(world):
    html = _page(world, "coach")
    block = html[html.index('class="help-details value-kinds"'):]
    block = block[:block.index("</details>")]
    with force_locale("en"):
        for value, name in LABELS["value_kind"].items():
            assert str(name) in block and str(LABELS["value_kind_help"][value]) in block
    assert block.count("<dd>") == 5


def test_participants_are_chosen_from_the_company(world):
    html = _page(world)
    select = html[html.index('<select id="participant-user"'):]
    select = select[:select.index("</select>")]
    names = re.findall(r'<option value="\d+">([^<]+)</option>', select)
    # Company A's active members who do not take part yet; not the coach (already in), not
    # company B's manager nor the community's other members.
    assert names == ["Aaron Collega", "HR A", "Lasser A"]

    client = world.clients["owner"]
    response = client.submit(f"/t/{world.trajectory.id}/participants",
                             {"user_id": str(world.colleague.id), "role": "employee", "email": ""},
                             page=f"/t/{world.trajectory.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert actions.permissions.trajectory_role(world.colleague, world.trajectory) == "employee"
    assert "Aaron Collega" not in _page(world).split('<select id="participant-user"')[1].split("</select>")[0]


def test_an_id_outside_the_company_is_refused(world):
    client = world.clients["owner"]
    for outsider in (world.other_manager, world.teacher):
        response = client.submit(f"/t/{world.trajectory.id}/participants",
                                 {"user_id": str(outsider.id), "role": "coach", "email": ""},
                                 page=f"/t/{world.trajectory.id}", follow_redirects=True)
        assert "Choose a colleague from the list." in response.get_data(as_text=True)
        db.session.expire_all()
        assert actions.permissions.trajectory_role(outsider, world.trajectory) is None


def test_someone_outside_the_company_by_e_mail_address(world):
    client = world.clients["owner"]
    response = client.submit(f"/t/{world.trajectory.id}/participants",
                             {"user_id": "", "role": "coach", "email": world.teacher.email},
                             page=f"/t/{world.trajectory.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert actions.permissions.trajectory_role(world.teacher, world.trajectory) == "coach"


def test_owner_page_reads_a_constant_number_of_statements(world, count_queries):
    """The colleagues list is one statement, whatever the size of the company."""
    client, url = world.clients["owner"], f"/t/{world.trajectory.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(15):
        factories.member(world.company_a, factories.user(name=f"Collega {i}"))
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count
