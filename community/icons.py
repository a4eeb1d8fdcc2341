"""Action icons: Lucide's SVG files (the lucide-static package from the npm registry, ISC licence),
copied into static/vendor/icons/ by `make assets`, never loaded from another host. Templates call
icon("reply"): the SVG is written into the page (inline SVG needs no extra request and no CSP
exception), hidden from screen readers, since the button or link beside it carries the words.
Without the assets installed an icon is simply left out."""
import os
import re

from flask import current_app
from markupsafe import Markup

# The icons the pages use (the Makefile copies exactly these): what each stands for.
ICONS = {
    "reply": "reply", "quote": "quote", "helpful": "thumbs-up", "report": "flag", "edit": "pencil",
    "delete": "trash-2", "more": "ellipsis", "heading": "heading-2", "bold": "bold", "italic": "italic",
    "link": "link", "list": "list", "image": "image", "settings": "settings", "user-plus": "user-plus",
    "help": "circle-help", "search": "search",
}
_loaded = {}


def _read(file_name):
    path = os.path.join(current_app.static_folder, "vendor", "icons", f"{file_name}.svg")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return Markup("")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text).replace("> <", "><").strip()
    text = re.sub(r'class="[^"]*"', 'class="icon"', text, count=1)
    return Markup(text.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1))


def icon(name):
    """The inline SVG of the icon for ``name`` (a key of ICONS)."""
    if name not in _loaded:
        _loaded[name] = _read(ICONS[name])
    return _loaded[name]
