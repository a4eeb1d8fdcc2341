"""Languages: Dutch by default, English complete; the user's choice wins."""
import datetime
import functools

from babel import dates
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import format_decimal, get_locale, get_timezone, get_translations
from flask_login import current_user

from community.extensions import babel


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands
    if g.get("database_unavailable"):
        # The error page of an outage: the account's language is a query away. The session
        # carries it (security_setup.load_user_from_session), else the browser says.
        chosen = session.get("lang")
        return chosen if chosen in languages else \
            request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def format_day(value, _style=None):
    """Every date the product shows, in the reader's language: "3 december 2026", "December 3,
    2026" (the locale's long date). ``_style`` is ignored: there is one style (a template written
    as ``|date("short")`` still gets it; tests/test_i18n.py refuses such templates). A date-time
    shows its day in the reader's time zone."""
    locale, zone = _reader()
    if isinstance(value, datetime.datetime):
        value = _in_zone(value, zone).date()
    return _long_date(value, locale)


def format_moment(value, _style=None):
    """Every date with a time: "3 december 2026, 06:06", "December 3, 2026, 6:06 AM" (the long
    date and the locale's short time, in the reader's time zone)."""
    locale, zone = _reader()
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return _moment(value.replace(second=0, microsecond=0), locale, zone)


def moment_or_nothing(value, _style=None):
    """The ``datetime`` filter: format_moment, or "" for no value."""
    return format_moment(value) if value else ""


def _reader():
    """The reader's locale and time zone, as Flask-Babel chose them for this request: read from
    its request state when it has them (asking get_locale and get_timezone cost more than the
    formatting below does)."""
    state = g.get("_flask_babel") if has_app_context() else None
    return (getattr(state, "babel_locale", None) or get_locale(),
            getattr(state, "babel_tzinfo", None) or get_timezone())


def _in_zone(value, zone):
    """``value`` (naive values are UTC) in ``zone``, as flask_babel.to_user_timezone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    local = value.astimezone(zone)
    return zone.normalize(local) if hasattr(zone, "normalize") else local


# Babel's formatting (the locale's pattern looked up and applied field by field) is the costly part
# of a date, and a page of replies has one per reply: the day and the clock time are formatted once
# per language and remembered for the process (a long date and a short time depend on nothing else;
# a thread's replies share a few days, and a day has 1,440 minutes).
@functools.lru_cache(maxsize=4096)
def _moment(minute, locale, zone):
    """The text of a whole minute (UTC): converting to the time zone costs as much as the rest,
    and the minutes a page shows repeat from page to page. (Time zones have offsets of whole
    minutes since 1972, so the seconds never change the minute shown.)"""
    local = _in_zone(minute, zone)
    return _translations().ugettext("%(date)s, %(time)s") % {
        "date": _long_date(local.date(), locale), "time": _short_time(local.hour, local.minute, locale)}


@functools.lru_cache(maxsize=4096)
def _long_date(day, locale):
    return dates.format_date(day, "long", locale=locale)


@functools.lru_cache(maxsize=4096)
def _short_time(hour, minute, locale):
    return dates.format_time(datetime.time(hour, minute), "short", locale=locale)


def remembered(formatter):
    """The template filter for ``formatter`` (format_day: the ``date`` filter): each value is
    formatted once per request in a language and time zone, then looked up (a page shows the
    same dates in several places, and Babel's formatting is the costly part)."""
    def format_value(value, fmt="medium"):
        if not value:
            return ""
        if not has_app_context():
            return formatter(value, fmt)
        memo = g.setdefault("formatted_dates", {})
        key = (formatter, value, fmt, *_reader())
        text = memo.get(key)
        if text is None:
            text = memo[key] = formatter(value, fmt)
        return text
    return format_value


def _translations():
    """This request's translations, found once per request and language: a page asks for a few
    hundred strings, and Flask-Babel looks the locale and its catalogue up for each of them."""
    if not has_app_context():
        return get_translations()
    memo = g.get("_translations")
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)  # what Flask-Babel chose (force_locale resets it)
    if memo is None or locale is None or memo[0] is not locale:
        translations = get_translations()
        g._translations = memo = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return memo[1]


def init_app(app):
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n), newstyle=True)
    # The only date filters (one style each, see format_day and format_moment). A date-time costs
    # a few dictionary look-ups now (each reply of a thread has its own), so it is not remembered.
    app.jinja_env.filters["datetime"] = moment_or_nothing
    app.jinja_env.filters["date"] = remembered(format_day)
    app.jinja_env.filters["number"] = lambda value: format_decimal(value)
    # A fixed number of decimals in the reader's locale (0,74 / 0.74): research figures.
    app.jinja_env.filters["decimal"] = lambda value, digits=2: format_decimal(value, format="0." + "0" * digits)
