"""One template, two parts: templates/mail/<name>.jinja rendered as plain text (no escaping)
and as HTML (escaped), in the recipient's language. The template's macros (mail/_parts.jinja)
write a paragraph or a link for either part; the HTML part loads nothing from elsewhere."""
import re

from flask import current_app
from flask_babel import force_locale

_HTML_ENV = "leerkring_mail_html_env"


def _html_env():
    """The app's Jinja environment with escaping switched on for every template (the .jinja
    files are plain text to the app's own environment), with a template cache of its own."""
    env = current_app.extensions.get(_HTML_ENV)
    if env is None:
        env = current_app.jinja_env.overlay(autoescape=True, cache_size=100)
        current_app.extensions[_HTML_ENV] = env
    return env


def _tidy(text):
    # Trailing spaces go, except in the signature separator "-- " (RFC 3676).
    lines = [line.rstrip() if line.rstrip() != "--" else "-- " for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(template, language, subject, **context):
    """(text, html) of templates/mail/<name>.jinja in ``language``. Only ``context`` reaches
    the template: no context processors, so nothing of the person whose request queued it."""
    context.update(subject=subject, language=language)
    with force_locale(language):
        text = current_app.jinja_env.get_template(f"mail/{template}.jinja").render(context, html=False)
        html = _html_env().get_template(f"mail/{template}.jinja").render(context, html=True)
    return _tidy(text), html
