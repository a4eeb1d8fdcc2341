"""Decide once: every rule has one name in community.permissions (a package, imported as one
module), the actions enforce it, and their refusal is the answer: the 403 page or 403 JSON."""
import ast
import pathlib
import re

from community import permissions
from community.actions import discussions as discussion_actions
from community.extensions import db
from tests.helpers import assert_error

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Names that meant "a coordinator of the community or a platform admin" (can_coordinate now),
# "a platform admin" (is_admin) and "an owner of the trajectory" (can_edit_trajectory).
RETIRED = ("can_manage_members", "can_edit_community", "can_moderate_discussion", "can_moderate",
           "can_administer", "is_trajectory_owner")


def _sources():
    for folder, pattern in (("community", "*.py"), ("templates", "*.html"), ("static/js", "*.js")):
        yield from (ROOT / folder).rglob(pattern)


def test_one_name_for_coordinator_or_admin():
    assert callable(permissions.can_coordinate) and "can_coordinate" in permissions.JINJA_GLOBALS
    for name in RETIRED:
        assert not hasattr(permissions, name) and name not in permissions.JINJA_GLOBALS, name
    called = re.compile(r"\b(%s)\(" % "|".join(RETIRED))  # "can_moderate" stays an API field name
    uses = [f"{path.relative_to(ROOT)}:{number}" for path in _sources()
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if called.search(line)]
    assert not uses, uses


def test_the_package_keeps_one_import_path_and_imports_no_views():
    from community.permissions import access_case_or_404, can_coordinate  # noqa: F401

    for name, predicate in permissions.JINJA_GLOBALS.items():
        assert getattr(permissions, name) is predicate
    allowed = ("community.extensions", "community.models", "community.permissions", "community.realtime.streams",
               "community.request_facts")
    for path in (ROOT / "community" / "permissions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for module in modules:
                assert not module.startswith("community") or module.startswith(allowed), (path.name, module)


def test_a_refused_button_is_the_403_page_with_the_actions_reason(factories, make_client):
    community = factories.community()
    member = factories.community_member(community).user
    discussion = discussion_actions.start_discussion(member, community, "Vastzetten?", "Mag dit bovenaan?")
    response = make_client(member).submit(f"/d/{discussion.id}/pin", {"pinned": "1"})
    assert response.status_code == 403
    assert "Alleen coördinatoren kunnen discussies vastzetten." in response.get_data(as_text=True)
    db.session.refresh(discussion)
    assert discussion.pinned is False


def test_a_refused_api_call_is_403_json_with_the_actions_reason(factories, api):
    community = factories.community()
    member = factories.community_member(community).user
    discussion = discussion_actions.start_discussion(member, community, "Verbergen?", "Tekst")
    response = api(member).post(f"/api/v1/moderation/discussion/{discussion.id}/hide", json={"reason": "Spam"})
    error = assert_error(response, 403, code="forbidden")
    assert error["message"] != "You do not have access to this page."  # the action said why
    db.session.refresh(discussion)
    assert not discussion.is_hidden


def test_a_button_shows_by_the_rule_the_action_keeps(factories, make_client):
    """The members page offers "Mute or ban" by can_sanction, the rule the sanction action keeps;
    the community page offers "Leave" by can_leave_community (never to the last coordinator)."""
    admin = factories.admin()
    coordinator = factories.user(kind="teacher")
    community = factories.community(coordinator=coordinator, actor=admin)
    member = factories.community_member(community).user
    page = make_client(coordinator).get(f"/c/{community.slug}/members").get_data(as_text=True)
    sanction_links = re.findall(r"/manage/sanctions\?member=([^\"&]+)", page)
    assert sanction_links == [member.handle]
    assert permissions.can_sanction(coordinator, community, member)
    assert not permissions.can_sanction(coordinator, community, admin)
    leave = f"/c/{community.slug}/leave"
    assert leave not in make_client(coordinator).get(f"/c/{community.slug}/").get_data(as_text=True)
    assert leave in make_client(member).get(f"/c/{community.slug}/").get_data(as_text=True)
