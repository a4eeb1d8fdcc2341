"""Mail for admins: the outbox (no mail server configured) or the record of what was sent,
with what waits and what failed; each message shown as its recipient gets it."""
import re

from flask import current_app, make_response, render_template
from markupsafe import Markup, escape

from community import permissions
from community.admin import bp
from community.mail.links import base_url
from community.mail.message import parts
from community.models import Mail
from community.queries.mail import mail_lists

# The HTML part is shown in a frame of its own: no script, nothing from elsewhere, only its
# own inline styles; framed only by this site.
HTML_PART_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox")
_URL = re.compile(r"https?://[^\s<>\"']+")


@bp.route("/mail")
def outbox():
    lists, counts = mail_lists()
    return render_template("admin/mail.html", lists=lists, counts=counts,
                           outbox=not current_app.config.get("MAIL_SERVER"))


def _mail_or_404(mail_id):
    return permissions.row_or_404(Mail, mail_id, lambda row: True)  # the blueprint admits admins only


def _linked(text):
    """The plain-text part with this site's links clickable (the outbox's demo follows them)."""
    own = base_url()

    def link(match):
        url = match.group(0)
        return Markup('<a href="{0}">{0}</a>').format(url) if url.startswith(own + "/") else escape(url)
    pieces, last = [], 0
    for match in _URL.finditer(text):
        pieces += [escape(text[last:match.start()]), link(match)]
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


@bp.route("/mail/<int:mail_id>")
def mail_message(mail_id):
    row = _mail_or_404(mail_id)
    msg, plain, html = parts(row.message)
    headers = [(name, msg[name]) for name in ("From", "To", "Subject", "Date", "Message-ID", "Content-Language",
                                              "List-Unsubscribe", "List-Unsubscribe-Post") if msg[name]]
    return render_template("admin/mail_message.html", mail=row, headers=headers, plain=_linked(plain),
                           has_html=bool(html))


@bp.route("/mail/<int:mail_id>/html")
def mail_html(mail_id):
    _msg, _plain, html = parts(_mail_or_404(mail_id).message)
    response = make_response(html or "")
    response.headers["Content-Security-Policy"] = HTML_PART_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
