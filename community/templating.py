"""Jinja set-up: permission predicates and small helpers available in every template."""
from flask import request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from community import permissions, urls
from community.icons import icon
from community.labels import LABELS
from community.realtime import streams
from community.realtime.events import last_seq


def initials(name):
    """'Marieke de Vries' -> 'MV', 'Fenna' -> 'F': the first letters of the first and last word."""
    words = [word for word in (name or "").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def init_app(app):
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals.update(permissions.JINJA_GLOBALS)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["label"] = lambda group, value: LABELS[group].get(value, value) if value else ""
    app.jinja_env.globals["labels"] = LABELS
    app.jinja_env.globals.update(search_hit_url=urls.search_hit_url, reply_url=urls.reply_url, reply_number_url=urls.reply_number_url,
                                 quote_url=urls.quote_url, live_stream=streams.name, live_seq=last_seq)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def page_context():
        return {"current_locale": str(get_locale()), "current_path": request.full_path.rstrip("?")}
