"""End to end in Chromium: a practice case is written in one composer (issue 18, item 7). One
toolbar and one Write/Preview for the five sections, which are numbered steps in one writing
area; an image pasted or dropped into a section is uploaded at once and shown there; the case is
saved, then edited. Also: the toolbar works on the section being written, @mentions are offered
under it, the page fits a 375 px phone and axe finds nothing serious."""
import re

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Attachment, Case
from tests import factories, worlds
from tests.helpers import browser_login
from tests.test_browser_composer_images import IMAGE_MARKDOWN, SEND_FILE, _shown, b64png
from tests.test_browser_phone import AXE_JS, OVERFLOW_JS
from tests.test_composer_browser import _notice_button

pytestmark = pytest.mark.browser

DRAFT_HOLDS = """text => Object.keys(localStorage).some(
  key => key.startsWith('leerkring-draft:') && localStorage.getItem(key).includes(text))"""
SECTIONS = ("context", "question", "approach", "result", "lessons")


@pytest.fixture
def setting():
    world = worlds.sensor_question()
    factories.community_member(world.community, factories.user(name="Santiago Sánchez"))
    return world


def _ids(text):
    return [int(number) for number in IMAGE_MARKDOWN.findall(text)]


def _no_serious_axe_finding(page):
    page.add_script_tag(url="/static/vendor/axe.min.js")
    assert page.evaluate(AXE_JS) == []


def test_a_case_is_written_in_one_composer_with_images_then_edited(page, setting):
    from playwright.sync_api import expect

    browser_login(page, setting.member)
    page.goto(f"/c/{setting.community.slug}/cases/new")
    composer = page.locator("[data-composer]")
    expect(composer).to_have_count(1)
    expect(composer.locator(".composer-bar")).to_be_visible()
    expect(composer.locator("[data-composer-image]")).to_have_count(1)
    parts = composer.locator("[data-composer-part] textarea")
    expect(parts).to_have_count(5)
    assert [parts.nth(n).get_attribute("name") for n in range(5)] == list(SECTIONS)
    expect(composer.locator("label[for=approach]")).to_have_text("Aanpak")  # the step number is decoration
    _no_serious_axe_finding(page)

    # Keyboard: from the title the toolbar comes first, then the sections in order.
    page.locator("#title").fill("Lagerschade aan de spindel")
    page.locator("#title").press("Tab")
    expect(composer.get_by_role("button", name="Kop", exact=True)).to_be_focused()

    context, approach, result = page.locator("#context"), page.locator("#approach"), page.locator("#result")
    context.fill("De spindel maakte lawaai.")
    context.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    assert page.evaluate(SEND_FILE, ["#context", "paste", b64png("red"), "spindel.png"]) is False
    expect(context).to_have_value(re.compile(r"^De spindel maakte lawaai\.\n\n!\[spindel\]\(/attachments/\d+/spindel\.png\)$"))
    assert page.evaluate(SEND_FILE, ["#approach", "drop", b64png("blue"), "meting.png"]) is False
    expect(approach).to_have_value(re.compile(r"^!\[meting\]\(/attachments/\d+/meting\.png\)$"))
    expect(context).to_have_value(re.compile(r"spindel\.png\)$"))  # the drop went where it was dropped

    # The toolbar works on the section last written in.
    result.fill("Het lager was versleten.")
    result.evaluate("t => t.setSelectionRange(4, 9)")
    bold = composer.get_by_role("button", name="Vet", exact=True)
    bold.focus()
    page.keyboard.press("Enter")
    expect(result).to_have_value("Het lager was versleten.".replace("lager", "**lager**"))
    expect(result).to_be_focused()
    expect(page.locator("[data-composer-part].active textarea")).to_have_attribute("name", "result")

    # @mentions are offered under the section being written.
    lessons = page.locator("#lessons")
    lessons.focus()
    page.keyboard.type("Vraag het @sant")
    listbox = page.locator("[data-composer-part]:has(#lessons) [role=listbox]")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(lessons).to_have_value(re.compile(r"^Vraag het @[\w.-]+ $"))

    # A reload loses nothing: the draft keeps every section, and restoring it fills them again.
    typed = {name: page.locator(f"#{name}").input_value() for name in SECTIONS}
    page.wait_for_function(DRAFT_HOLDS, arg="Vraag het @")
    page.reload()
    expect(lessons).to_have_value("")
    _notice_button(page, "restore").click()
    for name, text in typed.items():
        expect(page.locator(f"#{name}")).to_have_value(text)
    expect(page.locator("#title")).to_have_value("Lagerschade aan de spindel")
    lessons.focus()

    # One preview of the whole case, each section under its heading.
    composer.get_by_role("button", name="Voorbeeld").click()
    preview = composer.locator("[data-composer-preview]")
    expect(preview.locator("h2")).to_have_text(
        ["Context en situatie", "Aanpak", "Resultaat en leeropbrengst", "Geleerde lessen en reflectie"])
    expect(preview.locator("img")).to_have_count(2)
    expect(parts.first).to_be_hidden()
    composer.get_by_role("button", name="Schrijven").click()
    expect(lessons).to_be_focused()  # back where the writer was

    # A phone: nothing wider than the screen; the one toolbar stays in view while writing below.
    page.set_viewport_size({"width": 375, "height": 700})
    width = page.evaluate(OVERFLOW_JS)
    assert width["scrollWidth"] <= 375 and not width["over"], width
    lessons.scroll_into_view_if_needed()
    bar_top = composer.locator(".composer-bar").evaluate("bar => bar.getBoundingClientRect().top")
    assert 0 <= bar_top < 5
    _no_serious_axe_finding(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    uploaded = _ids(context.input_value()) + _ids(approach.input_value())
    page.locator("form[data-draft] button[type=submit]").first.click()  # Save draft
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    db.session.expire_all()
    case = db.session.scalar(sa.select(Case).where(Case.title == "Lagerschade aan de spindel"))
    assert case.status == "draft" and case.result == "Het **lager** was versleten." and case.question == ""
    assert {db.session.get(Attachment, number).case_id for number in uploaded} == {case.id}
    for number in uploaded:
        assert _shown(page, number)
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('leerkring-draft:'))")

    # Editing: the sections come back in the same composer; another image, then publish.
    page.goto(f"/cases/{case.id}/edit")
    expect(context).to_have_value(re.compile(r"^De spindel maakte lawaai\."))
    expect(result).to_have_value("Het **lager** was versleten.")
    question = page.locator("#question")
    question.fill("Waarom sleet het lager zo snel?")
    question.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    page.evaluate(SEND_FILE, ["#question", "paste", b64png("green"), "lager.png"])
    expect(question).to_have_value(re.compile(r"snel\?\n\n!\[lager\]\(/attachments/\d+/lager\.png\)$"))
    added = _ids(question.input_value())
    page.get_by_role("button", name="Publiceren", exact=True).click()
    page.wait_for_url(re.compile(rf"/cases/{case.id}$"))
    assert _shown(page, added[0])
    expect(page.locator(".prose img")).to_have_count(3)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "published" and case.question.startswith("Waarom sleet het lager zo snel?")
    assert db.session.get(Attachment, added[0]).case_id == case.id
