"""Accent and case folding for name look-ups, the same in Python and in SQL on both databases:
"Coördinator", "COORDINATOR" and "coördinator" all become "coordinator".

One table decides: every Latin letter from U+00C0 to U+024F whose decomposition is a single
ASCII letter maps to it in lower case ("Ö" -> "o"; "ß" and "Æ" stay, they have no one-letter
form). ``fold`` applies it in Python (and is the SQLite function ``leerkring_fold``, registered
on every connection by community.database); ``folded(column)`` applies it in SQL: that function
on SQLite, ``lower(translate(...))`` with the same table on PostgreSQL.
"""
import unicodedata

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "leerkring_fold"


def _table():
    table = {}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != ch:
            table[ch] = base
    return table


_FOLDS = _table()
_TRANSLATION = str.maketrans(_FOLDS)
_FROM, _TO = "".join(_FOLDS), "".join(_FOLDS.values())


def fold(text):
    """``text`` accent-folded and in lower case (None stays None, as in SQL)."""
    if text is None:
        return None
    return text.translate(_TRANSLATION).lower()


class folded(FunctionElement):
    """SQL: the folded form of a text expression (see the module's docstring)."""

    type = sa.String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_sqlite(element, compiler, **kw):
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    (expression,) = element.clauses.clauses
    # The table as literals, not parameters: it is part of the expression, and the same text
    # every time lets PostgreSQL reuse the plan.
    translated = sa.func.translate(expression, sa.literal_column(_quoted(_FROM)), sa.literal_column(_quoted(_TO)))
    return compiler.process(sa.func.lower(translated), **kw)


def _quoted(text):
    return "'" + text.replace("'", "''") + "'"
