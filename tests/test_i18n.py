"""Dutch first, English complete: every string in the code has a Dutch translation."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_message_has_a_dutch_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with (ROOT / "community/translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        for text in strings:
            if text and not set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(" ".join(ids))):
                problems.append(f"placeholder mismatch: {ids[0]!r} -> {text!r}")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and not m.fuzzy}
    missing = sorted(wanted - translated)
    assert not missing, "strings without a Dutch translation (run `make extract-messages`):\n" + "\n".join(missing)
    assert not problems, "\n".join(problems)


def test_dutch_is_the_default_and_english_is_a_choice(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page and "Inloggen" in page
    client.submit("/language", {"language": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page


def test_dates_in_dutch_format(app):
    from datetime import datetime, timezone

    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ when|datetime('long') }}").render(
            when=datetime(2026, 3, 5, 13, 30, tzinfo=timezone.utc))
    assert "5 maart 2026" in rendered and "14:30" in rendered  # Europe/Amsterdam


def test_dates_are_formatted_once_per_request_in_each_language(app, monkeypatch):
    """The date filters remember what they formatted during a request, per language."""
    from datetime import date

    import flask_babel

    from community import i18n

    calls = []

    def counted(value, fmt):
        calls.append(value)
        return flask_babel.format_date(value, fmt)

    remembered = i18n.remembered(counted)
    day = date(2026, 3, 5)
    with app.app_context(), app.test_request_context():  # served, a request has its own app context
        assert [remembered(day) for _ in range(3)] == ["5 mrt 2026"] * 3
        assert remembered(day, "long") == "5 maart 2026" and remembered(None) == ""
        with flask_babel.force_locale("en"):
            assert remembered(day) == "Mar 5, 2026"
        assert remembered(day) == "5 mrt 2026"
    assert len(calls) == 3  # medium and long in Dutch, medium in English
    with app.app_context(), app.test_request_context():  # a new request formats again
        remembered(day)
    assert len(calls) == 4


def test_page_strings_are_looked_up_once_per_request_and_follow_a_forced_language(app, monkeypatch):
    """Templates find the catalogue once per request and language (community.i18n._translations),
    and a mail rendered in its recipient's language (force_locale) still gets that language."""
    import flask_babel

    from community import i18n

    looked_up = []
    real = i18n.get_translations

    def counted():
        looked_up.append(1)
        return real()

    monkeypatch.setattr(i18n, "get_translations", counted)
    page = app.jinja_env.from_string("{{ _('Log out') }} {{ _('Notifications') }} {{ _('Log out') }}")
    with app.app_context(), app.test_request_context():
        assert page.render() == "Uitloggen Meldingen Uitloggen"
        with flask_babel.force_locale("en"):
            assert page.render() == "Log out Notifications Log out"
        assert page.render() == "Uitloggen Meldingen Uitloggen"
    assert len(looked_up) == 3  # Dutch, English, Dutch again: not once per string


def test_one_date_style_and_one_date_time_style_per_language(app):
    """Issue 18: dates read "3 december 2026" and date-times "3 december 2026, 07:06" everywhere;
    English shows the English locale's long date, never the US short "12/3/26"."""
    from datetime import date, datetime, timezone

    import flask_babel

    page = app.jinja_env.from_string("{{ day|date }} | {{ when|datetime }}")
    values = dict(day=date(2026, 12, 3), when=datetime(2026, 12, 3, 6, 6, tzinfo=timezone.utc))
    with app.app_context(), app.test_request_context():
        assert page.render(**values) == "3 december 2026 | 3 december 2026, 07:06"  # Europe/Amsterdam
        with flask_babel.force_locale("en"):
            day, moment = page.render(**values).split(" | ")
    assert day == "December 3, 2026"
    assert re.fullmatch(r"December 3, 2026, 7:06\s?AM", moment), moment


def test_no_template_asks_for_another_date_style():
    """The date filters have one style each (community.i18n.format_day, format_moment)."""
    asking = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in (ROOT / "templates").rglob("*.html")
              for match in re.finditer(r"\|\s*(?:date|datetime)\s*\(", path.read_text(encoding="utf-8"))]
    assert not asking, asking


DUTCH_OTHER_STYLES = re.compile(r"\b\d{1,2}-\d{1,2}-\d{2,4}\b|\b\d{1,2} (?:jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov|dec)"
                                r"\.? \d{4}\b")
ENGLISH_OTHER_STYLES = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                  r"\d{1,2}, \d{4}\b")


@pytest.mark.parametrize("language, wanted, other", [
    ("nl", r"1 oktober 2026", DUTCH_OTHER_STYLES),
    ("en", r"October 1, 2026", ENGLISH_OTHER_STYLES),
])
def test_a_page_shows_dates_in_one_style(make_client, language, wanted, other):
    """A trajectory page (due dates, planned dates, log entries with times) never mixes styles."""
    from datetime import date

    from community.actions import trajectories as actions
    from tests import worlds

    world = worlds.trajectories(language=language)
    t = worlds.trajectory(world, "community")
    actions.add_milestone(world.owner, t, title="Eerste las", due_date=date(2026, 10, 1))
    actions.add_entry_to_log(world.coach, t, "Een notitie", "reflection", "applied")
    html = make_client(world.owner).get(f"/t/{t.id}").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert re.search(wanted, main)
    assert not other.findall(main), other.findall(main)
