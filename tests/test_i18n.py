"""Dutch first, English complete: every string in the code has a Dutch translation."""
import re
import subprocess
import sys
from pathlib import Path

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
