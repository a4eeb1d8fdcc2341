"""Markdown preview for the composer: the HTML a post with this text would show, rendered and
sanitised by the same code as a real post (community.markup) and with the same @mentions linked.
Nothing is stored. Browsers call it with their session cookie and an X-CSRFToken header
(community.security.check_csrf insists on that header for session-authenticated API writes)."""

from community import markup
from community.actions.content import users_for_mentions
from community.actions.validate import clean_text
from community.api import Blueprint
from community.api.content_schemas import PREVIEW_MAX, PreviewArgs, PreviewSchema

blp = Blueprint("api_preview", __name__, url_prefix="/preview", description="Markdown preview for the composer")


@blp.route("", methods=["POST"])
@blp.response(200, PreviewSchema, errors={400: "Signed in with a session but no CSRF header (code csrf_failed)",
                                          422: f"No text, or more than {PREVIEW_MAX} characters"})
@blp.arguments(PreviewArgs)
def preview(args):
    """Render markdown as a post would show it. Nothing is stored."""
    # The same clean-up the actions apply before rendering (controls and bidi overrides go),
    # so the preview matches what will be stored.
    text = clean_text(args["text"], "text", PREVIEW_MAX)
    return {"html": markup.render_full(text, users_for_mentions(text)).html}
