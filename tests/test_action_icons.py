"""Action icons: Lucide's SVG files from the npm registry, copied by `make assets` (no CDN),
inlined and hidden from screen readers; a reply card has one primary action, and removing is
behind "More" and a confirmation."""
import os
import re

import pytest

from community import icons
from tests import worlds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_makefile_copies_every_icon_the_pages_name():
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as handle:
        makefile = handle.read()
    listed = re.search(r"^ICONS := (.*?)(?<!\\)\n", makefile, re.M | re.S).group(1)
    assert set(listed.replace("\\", " ").split()) == set(icons.ICONS.values())
    with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as handle:
        assert '"lucide-static": "' in handle.read()


def test_icons_are_inline_and_hidden_from_screen_readers(app):
    with app.app_context():
        svg = str(icons.icon("reply"))
    if not svg:
        pytest.skip("static/vendor/icons is not installed (make assets)")
    assert svg.startswith('<svg aria-hidden="true" focusable="false"') and 'class="icon"' in svg
    assert "<!--" not in svg and "<script" not in svg and "style=" not in svg


def test_a_missing_icon_file_leaves_the_icon_out(app, monkeypatch):
    monkeypatch.setattr(icons, "_loaded", {})
    monkeypatch.setitem(icons.ICONS, "reply", "no-such-icon")
    with app.app_context():
        assert str(icons.icon("reply")) == ""


def test_reply_card_has_one_primary_action_and_removing_is_in_a_menu(make_client, factories):
    world = worlds.sensor_question()
    reply = factories.reply(world.discussion, world.member, body="Wij meten met een trillingsmeter.")
    factories.reply(world.discussion, world.coordinator, body="Dank je.")
    html = make_client(world.member).get(f"/d/{world.discussion.id}").get_data(as_text=True)
    own = html[html.index(f'data-reply-id="{reply.id}"'):]
    own = own[:own.index("</li>")]
    actions = own[own.index('class="reply-actions"'):]
    primary = re.findall(r'class="button small(?: with-icon)?"', actions)
    assert len(primary) == 1  # Quote
    menu = re.search(r'<details class="action-menu">(.*?)</details>', actions, re.S).group(1)
    assert f"/replies/{reply.id}/remove" in menu and "data-confirm=" in menu
    assert f"/replies/{reply.id}/edit" in menu
    assert 'class="button small danger"' not in html
