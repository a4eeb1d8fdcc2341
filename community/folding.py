"""Accent and case folding for name look-ups: "Coördinator", "COORDINATOR" and "coördinator"
all become "coordinator".

Every Latin letter from U+00C0 to U+024F whose decomposition is a single ASCII letter maps to it
("Ö" -> "o"), as do the letters with a stroke ("Ł" -> "l", "ø" -> "o"); "ß" and "Æ" have no
one-letter form and are only lower-cased. Names are stored folded beside themselves
(User.name_key), so both databases compare plain text; the typed text is folded the same way
here. migrations/versions/0013_user_name_key.py holds a copy, as migrations import no app code.
"""
import unicodedata


# Letters with a stroke have no decomposition; these are the ones found in European names.
_STROKES = {"Ł": "l", "ł": "l", "Ø": "o", "ø": "o", "Đ": "d", "đ": "d", "Ħ": "h", "ħ": "h", "ı": "i"}


def _table():
    table = {ord(ch): base for ch, base in _STROKES.items()}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != ch:
            table[code] = base
    return table


_TRANSLATION = _table()


def fold(text):
    """``text`` accent-folded and in lower case."""
    return (text or "").translate(_TRANSLATION).lower()


def words(text):
    """The folded words of ``text`` with one space before each: what User.name_key holds, so a
    single ``LIKE '% term%'`` finds a word that starts with the term ("Jan-Willem" is two
    words)."""
    return "".join(" " + word for word in fold(text).replace("-", " ").split())
