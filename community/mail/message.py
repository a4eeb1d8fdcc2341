"""The message itself: an ``EmailMessage`` with a plain-text and an HTML alternative, and the
headers mail programs and spam filters look for. Header values come from people (a name, a
title in a subject): one that holds a line break, or is absurdly long, is refused with
``HeaderRefused`` before anything is queued; EmailMessage would refuse it too, later and less
clearly."""
import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from community.models import utcnow

MAX_HEADER_TEXT = 300


class HeaderRefused(ValueError):
    """A header value that cannot go into a mail as it is."""


def _checked(value, what):
    value = str(value)
    if any(ch in value for ch in "\r\n\x00\u2028\u2029\x85"):
        raise HeaderRefused(f"line break in {what}")
    if len(value) > MAX_HEADER_TEXT:
        raise HeaderRefused(f"{what} too long")
    return value


def sender():
    """(name, address) of MAIL_FROM."""
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    if "@" not in address:
        raise RuntimeError(f"MAIL_FROM is not an address: {current_app.config['MAIL_FROM']!r}")
    return name, address


def unsubscribe_headers(url):
    """One-click unsubscribe (RFC 8058): a POST to ``url`` unsubscribes, without logging in."""
    return {"List-Unsubscribe": f"<{_checked(url, 'unsubscribe link')}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def build(to_address, to_name, subject, text, html, language, unsubscribe_url=None):
    """The message, ready to send. ``unsubscribe_url`` for every mail that is not essential
    (a notification or digest; not a password reset). Raises HeaderRefused."""
    from_name, from_address = sender()
    try:
        local, domain = _checked(to_address, "address").rsplit("@", 1)
        to = Address(display_name=_checked(to_name or "", "name"), username=local, domain=domain)
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = Address(display_name=from_name, addr_spec=from_address)
        msg["To"] = to
        msg["Subject"] = _checked(subject, "subject")
        msg["Date"] = format_datetime(utcnow())
        msg["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[1])
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office answers, please
        if unsubscribe_url:
            for name, value in unsubscribe_headers(unsubscribe_url).items():
                msg[name] = value
        # Quoted-printable keeps the stored message ASCII whatever the language.
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        msg["Content-Language"] = language  # after the content: setting that clears Content-* headers
    except (ValueError, TypeError, IndexError) as error:  # HeaderRefused is a ValueError too
        raise HeaderRefused(str(error)) from error
    return msg


def parts(raw):
    """(message, plain text, html) of a stored message, for the admin's outbox."""
    msg = email.message_from_string(raw, policy=email.policy.default)
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return msg, plain.get_content() if plain else "", html.get_content() if html else ""


def encoded_forms(text):
    """How ``text`` can appear in a stored message: as it is (a header in ASCII) and as its
    quoted-printable body form. A line break the encoder put inside it hides it from these."""
    from email import quoprimime

    return {text, quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), maxlinelen=10000)}


def replace_text(raw, replace):
    """The stored message with ``replace(text)`` applied to its subject and every text part
    (re-encoded as they were made); the same string when nothing changed."""
    msg = email.message_from_string(raw, policy=email.policy.SMTP)
    changed = False
    subject = str(msg.get("Subject", ""))
    if replace(subject) != subject:
        msg.replace_header("Subject", replace(subject))
        changed = True
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        text = part.get_content()
        if replace(text) != text:
            part.set_content(replace(text), subtype=part.get_content_subtype(), charset="utf-8",
                             cte="quoted-printable")
            changed = True
    return msg.as_string() if changed else raw
