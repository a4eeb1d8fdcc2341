"""The only module that renders markdown or sanitises HTML.

Render first (markdown-it-py, CommonMark, raw HTML disabled), sanitise last (nh3 with an explicit
allowlist). The result is stored next to the source with RENDER_VERSION, so `flask rerender` can
redo rows rendered by an older version; nothing is rendered on a read.
"""
import nh3
from markdown_it import MarkdownIt

RENDER_VERSION = 1

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)


def sanitise(html):
    """Clean HTML with the allowlist; links get rel="nofollow noopener ugc"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )


def render(source):
    """Markdown source to safe HTML."""
    if not source or not source.strip():
        return ""
    return sanitise(_md.render(source))
