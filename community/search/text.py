"""Words for the search index: plain text in, folded and stemmed terms out; a user's query read
into terms and phrases (never passed on as FTS syntax); snippets with the matched words marked.

The same functions prepare the indexed text and the query, on both engines, so a word matches
itself in every form the stemmer folds together:
- accents folded (NFKD, combining marks dropped): "coördinator" = "coordinator";
- lower case (casefold), words are runs of letters and digits (\\w);
- Dutch stop words (and a few English ones) dropped;
- stemmed with the Snowball Dutch stemmer (snowballstemmer, pure Python): "lassen", "las" and
  "gelast" all become "las"; "storingen" and "storing" become "stoor". English content is
  stemmed with the Dutch rules too (a plural "robots" stays apart from "robot"; acceptable for
  a Dutch-first site, and the last word of a query also matches as a prefix).
"""
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PREFIX_MIN = 3  # the last word matches as a prefix from this many letters on

# Snowball's Dutch stop list, and the commonest English function words.
STOP_WORDS = frozenset("""
aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens en er ge geen
geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar me meer
men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen tot u
uit uw van veel voor want waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou
a an and are as at be by for from has have in is it of on or that the this to was were will with
""".split())

# What reads as search-engine syntax: refused with a message, never handed to the engine.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})
OPERATOR_CHARS = set('*^:(){}[]|&!<>~+')
WORD_RE = re.compile(r"\w+")

_stemmer = snowballstemmer.stemmer("dutch")


def fold(text):
    """Lower case without accents: 'Coördinatie' -> 'coordinatie'."""
    if text.isascii():  # nothing to decompose (the same answer, without the walk below)
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def stem(folded_word):
    return _stemmer.stemWord(folded_word)


def words(text):
    """The folded words of a text (stop words included)."""
    return WORD_RE.findall(fold(text or ""))


def terms(text):
    """The text as the index holds it: stemmed words without stop words, space-separated."""
    return " ".join(stem(word) for word in words(text) if word not in STOP_WORDS)


# --- reading a query ---------------------------------------------------------------------------------

class QueryRefused(ValueError):
    """A query we do not run; str() is a message for the user (lazy-translated by the caller)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass
class Query:
    """What to look for: single terms and phrases (each a list of stems), all of which must
    match; ``prefix`` is the last word as typed (folded) when it may also match as a prefix."""

    terms: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    prefix: str = ""
    prefix_stem: str = ""

    @property
    def empty(self):
        return not (self.terms or self.phrases or self.prefix_stem)

    def stems(self):
        found = set(self.terms)
        for phrase in self.phrases:
            found.update(phrase)
        if self.prefix_stem:
            found.add(self.prefix_stem)
        return found


def parse(text):
    """Read a user's query; raise QueryRefused for one we do not run (too long, control
    characters, unbalanced quotes, search syntax, nothing but operators, too many words).
    Only stop words: an empty Query (no results)."""
    if not isinstance(text, str):
        raise QueryRefused("invalid")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryRefused("too_long")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise QueryRefused("control")
    # Invisible formatting (bidi overrides, zero-width joiners): dropped, not refused.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    if text.count('"') % 2:
        raise QueryRefused("quotes")
    if OPERATOR_CHARS & set(text) or any(word in OPERATOR_WORDS for word in text.split()):
        raise QueryRefused("syntax")
    query = Query()
    parts = text.split('"')
    count = 0
    last_loose = None  # (index in query.terms or None, folded word) of the last unquoted word
    for number, part in enumerate(parts):
        found = words(part)
        count += len(found)
        if number % 2:  # inside quotes: a phrase
            stems = [stem(word) for word in found if word not in STOP_WORDS]
            if len(stems) == 1:
                query.terms.append(stems[0])
            elif stems:
                query.phrases.append(stems)
            last_loose = None
        else:
            for word in found:
                if word not in STOP_WORDS:
                    query.terms.append(stem(word))
                last_loose = word
    if count == 0:
        raise QueryRefused("no_words") if text.strip() else QueryRefused("empty")
    if count > MAX_TERMS:
        raise QueryRefused("too_many")
    ends_open = bool(WORD_RE.fullmatch(text[-1:]))
    if last_loose is not None and ends_open and len(last_loose) >= PREFIX_MIN and last_loose not in STOP_WORDS:
        # Typing: the last word may be unfinished; it matches itself stemmed or as a prefix.
        query.prefix = last_loose
        query.prefix_stem = stem(last_loose)
        query.terms.remove(query.prefix_stem)
    return query


# --- snippets ------------------------------------------------------------------------------------------

SNIPPET_WORDS = 30


class Marker(dict):
    """The snippets of one query's hits: whether a word (as written) matches, worked out once for
    all of them (``marker[word]``: True or False)."""

    def __init__(self, query):
        super().__init__()
        self.wanted = query.stems()
        self.prefix = query.prefix

    def __missing__(self, word):
        folded = fold(word)
        found = self[word] = stem(folded) in self.wanted or bool(self.prefix and folded.startswith(self.prefix))
        return found

    def snippet(self, text, size=SNIPPET_WORDS):
        """About ``size`` words of plain ``text`` around the first word that matches, escaped,
        with <mark> around the matched words (Markup: safe to put in a page)."""
        text = text or ""
        words = list(WORD_RE.finditer(text))
        if not words:
            return Markup("")
        first_hit = next((index for index, word in enumerate(words) if self[word.group()]), None)
        first = max(0, first_hit - size // 3) if first_hit is not None else 0
        window = words[first:first + size]
        out = ["… "] if first else []
        position = window[0].start()
        for word in window:  # the text between the marked words escaped as it comes
            if self[word.group()]:
                out += [escape(text[position:word.start()]), "<mark>", escape(word.group()), "</mark>"]
                position = word.end()
        if first + size < len(words):
            out += [escape(text[position:window[-1].end()]), " …"]
        else:
            out.append(escape(text[position:]))
        return Markup(" ".join("".join(out).split()))


def snippet(text, query, size=SNIPPET_WORDS):
    """About ``size`` words of plain ``text`` around the first part that matches, escaped, with
    <mark> around the matched words (Markup: safe to put in a page). For many hits of one query:
    Marker(query).snippet."""
    return Marker(query).snippet(text, size)
