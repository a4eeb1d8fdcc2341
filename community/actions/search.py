"""Rebuilding the search index (`flask search rebuild`); the content actions keep it current
themselves (community.search.index)."""
from community.extensions import db
from community.search import index


def rebuild_search_index(echo=None):
    """Fill the index anew from all content, in one transaction; {kind: entries}."""
    counts = index.rebuild(db.session, echo=echo)
    db.session.commit()
    return counts
