"""What the user is told about a query we do not run (page and API alike)."""
from flask_babel import lazy_gettext as _l

from community.search.text import MAX_QUERY_LENGTH, MAX_TERMS

REFUSALS = {
    "invalid": _l("Type the words you are looking for."),
    "empty": _l("Type the words you are looking for."),
    "too_long": _l("Search with at most %(max)d characters.", max=MAX_QUERY_LENGTH),
    "control": _l("Your search contains characters that cannot be searched for."),
    "quotes": _l("A quote is missing: put a phrase between two double quotes (\")."),
    "syntax": _l("Search with plain words and \"phrases\"; signs such as * ^ : ( ) and the words AND, OR, NOT "
                 "and NEAR are not supported."),
    "no_words": _l("Your search has no words to look for."),
    "too_many": _l("Search with at most %(max)d words.", max=MAX_TERMS),
}


def refusal(code):
    return REFUSALS.get(code, REFUSALS["invalid"])
