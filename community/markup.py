"""The only module that renders markdown or sanitises HTML.

Render first (markdown-it-py: CommonMark, tables, strikethrough, linkify; raw HTML disabled),
sanitise last (nh3 with an explicit allowlist). The result is stored next to the source with
RENDER_VERSION, so `flask rerender` can redo rows made by an older version; nothing is rendered
on a read.

Links: http, https, mailto and site-relative paths, all with rel="nofollow noopener ugc".
Images: only from this site's own attachments (/attachments/...). Mentions: ``@handle`` of an
existing user becomes a link to their profile; the caller learns who was mentioned.
"""
import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

RENDER_VERSION = 3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},
    "th": {"class"},
    "td": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
IMAGE_PREFIX = "/attachments/"
PROFILE_PREFIX = "/people/"
# A handle: 2 to 40 of a-z, 0-9, dot, hyphen, underscore, starting with a letter or digit.
MENTION_RE = re.compile(r"(?<![\w@/.])@([a-z0-9][a-z0-9._-]{1,39})(?![\w-])", re.IGNORECASE)

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .enable("linkify")
)


def _render_image(renderer, tokens, idx, options, env):
    """Images from our own attachments render; any other image becomes its alt text, so a post
    cannot make readers' browsers fetch from another host."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if src.startswith(IMAGE_PREFIX) and _relative_url(src):
        return _default_image(tokens, idx, options, env)
    return escapeHtml(renderer.renderInlineAsText(token.children or [], options, env))


_default_image = _md.renderer.rules["image"]
_md.add_render_rule("image", _render_image)

# Very deep nesting is where markdown parsers get slow or recurse; CommonMark output for
# such input is useless anyway.
_md.options["maxNesting"] = 20


def _relative_url(url):
    """Site-relative URLs only: a single leading slash (not //host or /\\host)."""
    if url.startswith("/") and not url.startswith(("//", "/\\")) and "\\" not in url:
        return url
    return None


def _filter_attribute(tag, attribute, value):
    if tag == "img" and attribute == "src":
        return value if value.startswith(IMAGE_PREFIX) and _relative_url(value) else None
    if tag == "a" and attribute == "class":
        return "mention" if value == "mention" else None
    if tag == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[a-z0-9+#-]{1,30}", value) else None
    if tag in ("th", "td") and attribute == "class":
        return value if value in ("align-left", "align-center", "align-right") else None
    return value


def sanitise(html):
    """Clean HTML with the allowlist; links get rel="nofollow noopener ugc"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        url_relative=_relative_url,
        attribute_filter=_filter_attribute,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )


def plain_excerpt(html, length=200):
    """A short plain-text excerpt of stored, sanitised HTML (for mails): no tags, no markdown,
    whitespace collapsed, cut at a word with an ellipsis."""
    import html as html_module

    text = html_module.unescape(nh3.clean(re.sub(r"</(p|li|h\d|blockquote|pre|tr)>", " ", html or ""), tags=set()))
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


@dataclass
class Rendered:
    html: str
    mentioned: set = field(default_factory=set)  # user ids


def mention_candidates(source):
    """The handles written as @handle in the source (lower case)."""
    return {match.group(1).lower() for match in MENTION_RE.finditer(source or "")}


def render(source, users_by_handle=None):
    """Markdown source to safe HTML. ``users_by_handle`` maps lower-case handles to users (with
    ``.id`` and ``.handle``); mentions of anyone else stay plain text."""
    return render_full(source, users_by_handle).html


def render_full(source, users_by_handle=None):
    if not source or not source.strip():
        return Rendered("")
    env = {"users": users_by_handle or {}, "mentioned": set()}
    tokens = _md.parse(source, env)
    _align_with_classes(tokens)
    if env["users"]:
        _link_mentions(tokens, env)
    html = _md.renderer.render(tokens, _md.options, env)
    return Rendered(sanitise(html), env["mentioned"])


def _align_with_classes(tokens):
    """markdown-it aligns table cells with style="text-align:..."; our CSP allows no style
    attributes, so use classes (styled in app.css) instead."""
    for token in tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style", "").startswith("text-align:"):
            token.attrs["class"] = "align-" + token.attrs.pop("style")[len("text-align:"):]


def _link_mentions(tokens, env):
    """Turn @handle in plain text (not in links or code) into profile links."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children, depth = [], 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type == "text" and depth == 0 and "@" in token.content:
                children.extend(_split_mentions(token, env))
            else:
                children.append(token)
        block.children = children


def _split_mentions(token, env):
    parts, last = [], 0
    for match in MENTION_RE.finditer(token.content):
        user = env["users"].get(match.group(1).lower())
        if user is None:
            continue
        if match.start() > last:
            parts.append(_text(token.content[last:match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": PROFILE_PREFIX + user.handle, "class": "mention"}
        parts.extend([link, _text("@" + user.handle), Token("link_close", "a", -1)])
        env["mentioned"].add(user.id)
        last = match.end()
    if not parts:
        return [token]
    if last < len(token.content):
        parts.append(_text(token.content[last:]))
    return parts


def _text(content):
    token = Token("text", "", 0)
    token.content = content
    return token


def plain_text(source):
    """The words of markdown ``source`` as plain text, for the search index: what a reader sees
    (text, code, link and image texts), one block a line, without markup; never rendered HTML."""
    if not source or not source.strip():
        return ""
    lines = []
    for token in _md.parse(source, {}):
        if token.type == "inline":
            lines.append("".join(_plain_inline(child) for child in token.children or ()).strip())
        elif token.type in ("code_block", "fence"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line)


def _plain_inline(token):
    if token.type in ("text", "code_inline", "image"):
        return token.content
    return " " if token.type in ("softbreak", "hardbreak") else ""
