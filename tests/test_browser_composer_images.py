"""End to end in Chromium: images in any composer. Pasted, dropped or chosen with the Image
button, an image is uploaded at once and its markdown written into the text; saved, the text
shows it to its readers. The heading button formats for those who do not know markdown."""
import base64
import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from community.extensions import db
from community.models import Attachment, Case
from tests import worlds
from tests.test_composer_browser import _login

pytestmark = pytest.mark.browser

IMAGE_MARKDOWN = re.compile(r"!\[[^\]]*\]\(/attachments/(\d+)/[\w.-]+\)")

# Paste and drop as the browser delivers them: a DataTransfer holding a file.
SEND_FILE = """([selector, kind, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: 'image/png'}));
  const target = document.querySelector(selector);
  target.focus();
  const event = kind === 'paste'
    ? new ClipboardEvent('paste', {clipboardData: transfer, bubbles: true, cancelable: true})
    : new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true});
  return target.dispatchEvent(event);  // false: the composer took it (preventDefault)
}"""


def png(color="orange", size=(60, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def b64png(color="orange"):
    return base64.b64encode(png(color)).decode()


@pytest.fixture
def setting():
    return worlds.sensor_question()


def _shown(page, attachment_id):
    """The image is in the page and the browser could load it."""
    image = page.locator(f'.prose img[src^="/attachments/{attachment_id}/"]').first
    image.wait_for()
    return image.evaluate("img => img.complete && img.naturalWidth") > 0


def test_paste_and_drop_upload_at_once_and_write_the_markdown(page, setting):
    from playwright.sync_api import expect

    _login(page, setting.member)
    page.goto(f"/d/{setting.discussion.id}")
    body = page.locator("form[data-draft] textarea").last
    body.fill("Zo ziet het eruit:")
    body.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    selector = "form[data-draft] textarea[data-markdown]"

    assert page.evaluate(SEND_FILE, [selector, "paste", b64png("red"), "sensor rood.png"]) is False
    expect(body).to_have_value(
        re.compile(r"^Zo ziet het eruit:\n\n!\[sensor rood\]\(/attachments/\d+/sensor-rood\.png\)$"))
    status = page.locator("[data-composer-status]").last
    expect(status).to_contain_text("sensor rood.png")

    assert page.evaluate(SEND_FILE, [selector, "drop", b64png("blue"), "blauw.png"]) is False
    expect(body).to_have_value(re.compile(r"\(/attachments/\d+/blauw\.png\)$"))
    ids = [int(number) for number in IMAGE_MARKDOWN.findall(body.input_value())]
    assert len(ids) == 2
    # Uploaded before the reply is saved: its uploader's alone for now.
    db.session.expire_all()
    assert all(row.discussion_id is None for row in db.session.scalars(sa.select(Attachment)))

    body.locator("xpath=ancestor::form").locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    for attachment_id in ids:
        assert _shown(page, attachment_id)
    db.session.expire_all()
    assert {row.discussion_id for row in db.session.scalars(sa.select(Attachment))} == {setting.discussion.id}


def test_a_case_gets_a_photo_with_the_image_button_before_its_first_save(page, setting):
    """Item 7: a practice case with a photo without knowing any markdown, keyboard only."""
    from playwright.sync_api import expect

    _login(page, setting.member)
    page.goto(f"/c/{setting.community.slug}/cases/new")
    page.locator("#title").fill("Lagerschade aan de spindel")
    context = page.locator("#context")
    context.fill("De spindel maakte lawaai.")
    button = context.locator("xpath=ancestor::*[@data-composer]").locator("[data-composer-image]")
    expect(button).to_have_accessible_name(re.compile(".+"))
    button.focus()
    with page.expect_file_chooser() as chooser:
        button.press("Enter")
    chooser.value.set_files(files=[{"name": "spindel.png", "mimeType": "image/png", "buffer": png()}])
    expect(context).to_have_value(re.compile(r"lawaai\.\n\n!\[spindel\]\(/attachments/\d+/spindel\.png\)$"))
    expect(context).to_be_focused()
    attachment_id = int(IMAGE_MARKDOWN.search(context.input_value()).group(1))

    page.locator("form[data-draft] button[type=submit]").first.click()  # Save draft
    page.wait_for_url(re.compile(r"/cases/\d+"))
    db.session.expire_all()
    case = db.session.scalar(sa.select(Case).where(Case.title == "Lagerschade aan de spindel"))
    assert db.session.get(Attachment, attachment_id).case_id == case.id
    page.goto(f"/cases/{case.id}")
    assert _shown(page, attachment_id)


def test_a_refused_file_says_why_and_leaves_no_placeholder(page, setting):
    from playwright.sync_api import expect

    _login(page, setting.member)
    page.goto(f"/c/{setting.community.slug}/discussions/new")
    body = page.locator("#body")
    body.fill("Tekst")
    broken = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"kapot" * 10).decode()
    page.evaluate(SEND_FILE, ["#body", "paste", broken, "kapot.png"])
    status = page.locator("[data-composer-status]")
    expect(status).to_have_class(re.compile("error"))
    expect(status).to_contain_text("kapot.png")
    expect(body).to_have_value("Tekst")
    # The refused upload is the one failed request this test expects.
    page.console_errors[:] = [error for error in page.console_errors if "/api/v1/uploads" not in error]


def test_heading_button_formats_the_line(page, setting):
    from playwright.sync_api import expect

    _login(page, setting.member)
    page.goto(f"/c/{setting.community.slug}/discussions/new")
    body = page.locator("#body")
    body.fill("Aanpak")
    heading = page.get_by_role("button", name="Kop", exact=True)
    heading.focus()
    page.keyboard.press("Enter")
    expect(body).to_have_value("## Aanpak")
    expect(body).to_be_focused()
    heading.click()
    expect(body).to_have_value("Aanpak")
