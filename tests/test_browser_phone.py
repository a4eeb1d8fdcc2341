"""In Chromium, on the demo data: every main page, for every kind of user, fits a 390 px phone
(nothing wider than the screen) and has no serious or critical axe-core finding (on the phone,
with the header menu open; each person's first page on a desktop screen too). The keyboard walks
are in test_browser_keyboard.py.

One browser context per person, one page reused for all of their pages, so the walk stays quick."""
import pytest
import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import Case, Discussion, Organisation, ScanRound, Trajectory, User
from tests.helpers import browser_login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# The outermost elements that reach past the viewport's right or left edge (inside a box that clips
# or scrolls sideways an element is not past it; one wholly off to the left, like the skip link, is
# hidden on purpose), each named as a short CSS path, and the page's width.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && node !== document.body && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      if (node.classList.length) part += "." + Array.from(node.classList).join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const clippedByAncestor = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  const over = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= 0 || (box.right <= width + 0.5 && box.left >= -0.5)) continue;
    if (clippedByAncestor(el)) continue;
    const parent = el.parentElement;
    const outer = parent && parent !== document.body ? parent.getBoundingClientRect() : null;
    if (outer && (outer.right > width + 0.5 || outer.left < -0.5)) continue;
    over.push(name(el) + " (" + Math.round(box.right) + " px)");
  }
  return {scrollWidth: document.documentElement.scrollWidth, over: over.slice(0, 5)};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) =>
    v.impact + " " + v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}"""


def _demo():
    """The demo data, and the pages each kind of user opens in a first week."""
    from community.seed import seed_demo

    seed_demo()
    one = db.session.scalar

    def user(email):
        return one(sa.select(User).where(User.email == email))

    def org(name):
        return one(sa.select(Organisation).where(Organisation.name == name)).id

    company = org("Van der Meer Metaalbewerking")
    lascobot = one(sa.select(Trajectory.id).where(Trajectory.title == "Lascobot invoeren bij Van der Meer"))
    closed_round = one(sa.select(ScanRound.id).where(ScanRound.title == "Leercultuurscan najaar 2025"))
    open_round = one(sa.select(ScanRound.id).where(ScanRound.title == "Leercultuurscan (lopende ronde)"))
    discussion = one(sa.select(Discussion.id).join(Discussion.community)
                     .where(Discussion.community.has(slug="lasautomatisering-cobots"))
                     .order_by(Discussion.id).limit(1))
    case = one(sa.select(Case.id).where(Case.community.has(slug="lasautomatisering-cobots"))
               .order_by(Case.id).limit(1))
    welder = user("lasser@vandermeer.example")
    cobots, smart, hybrid = "/c/lasautomatisering-cobots", "/c/smart-maintenance-oost", "/c/hybride-leren-op-de-werkvloer"
    common = ["/dashboard", "/communities/", "/trajectories/following", "/organisations/", "/notifications",
              "/account/", f"{cobots}/", f"/d/{discussion}", f"/cases/{case}", f"/t/{lascobot}"]
    people = {
        "admin@leerkring.example": common + [
            "/admin/", "/admin/users", f"/admin/users/{welder.id}", "/admin/mail", "/admin/jobs", "/admin/audit",
            "/admin/reports", "/communities/new", f"/organisations/{company}", f"/people/{welder.handle}"],
        "coordinator@leerkring.example": common + [
            f"{cobots}/members", f"{cobots}/manage/reports", f"{cobots}/manage/requests",
            f"{cobots}/manage/invitations", f"{cobots}/manage/sanctions", f"{cobots}/manage/audit",
            f"{cobots}/edit", f"{cobots}/discussions", f"{cobots}/discussions/new", f"{smart}/"],
        "hr@vandermeer.example": common + [
            f"/organisations/{company}", f"/organisations/{company}/scan", f"/scan/rounds/{closed_round}",
            f"/scan/rounds/{open_round}", f"/organisations/{company}/trajectories",
            f"/organisations/{company}/trajectories/new", f"/t/{lascobot}/edit", f"/t/{lascobot}/report",
            f"{cobots}/cases", f"{cobots}/cases/new"],
        "lasser@vandermeer.example": common + [
            f"{cobots}/discussions", f"{cobots}/members", "/account/mail", "/account/tokens",
            f"/people/{welder.handle}"],
        "docent@rijnland.example": common + [
            f"{hybrid}/", f"{hybrid}/members", f"{cobots}/manage/reports", f"{cobots}/trajectories"],
        None: ["/", "/login", "/register", "/password/forgot", "/scan/code"],
    }
    return {(user(email) if email else None): paths for email, paths in people.items()}


def _check(page, path, desktop=False):
    """What is wrong on the page at `path`: too wide on a phone, and axe's serious findings on a
    phone with the menu open (and, with `desktop`, on a desktop screen too)."""
    problems = []
    page.set_viewport_size(PHONE)
    response = page.goto(path)
    assert response.status == 200 and response.url.endswith(path), f"{path}: {response.status} {response.url}"
    width = page.evaluate(OVERFLOW_JS)
    if width["scrollWidth"] > PHONE["width"] or width["over"]:
        problems.append(f"{path}: {width['scrollWidth']} px wide on a phone; past the edge: {width['over']}")
    page.locator(".menu-toggle").click()
    page.add_script_tag(url="/static/vendor/axe.min.js")
    problems += [f"{path} (phone): {finding}" for finding in page.evaluate(AXE_JS)]
    if desktop:
        page.set_viewport_size(DESKTOP)
        problems += [f"{path} (desktop): {finding}" for finding in page.evaluate(AXE_JS)]
        header = page.evaluate("document.querySelector('.site-header').offsetHeight")
        if header > 70:
            problems.append(f"{path}: the header takes {header} px on a desktop screen (more than one row)")
    return problems


def test_every_main_page_fits_a_phone_and_has_no_serious_axe_finding(browser, live_server, page):

    people = _demo()
    password = current_app.config["SEED_DEMO_PASSWORD"]
    problems = []
    for person, paths in people.items():
        context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=PHONE)
        tab = context.new_page()
        errors = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
               and errors.append(msg.text))
        if person is not None:
            browser_login(tab, person, password)
        for number, path in enumerate(paths):
            problems += _check(tab, path, desktop=number == 0)
        context.close()
        problems += [f"{person.email if person else 'visitor'}: console: {error}" for error in errors]
    assert not problems, "\n" + "\n".join(problems)
