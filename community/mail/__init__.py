"""Mail: messages built from one template into a plain-text and an HTML part, in the
recipient's language, and sent by a job after the commit that queued them.

- ``render``: a template of templates/mail/ in a language, as (text, html).
- ``message``: the RFC 5322 message (Date, Message-ID, List-Unsubscribe for non-essential
  mail); refuses header values that could smuggle in headers of their own.
- ``transport``: SMTP (STARTTLS or TLS, with credentials) when MAIL_SERVER is set, otherwise
  the outbox: the ``mails`` table, read by admins at Admin > Mail.
- ``links``: absolute links for mails, made from BASE_URL (never from a request's Host).

Writes (queueing, marking sent or failed) live in community.actions.mail; the sending job in
community.jobs.mail. Replies by mail would come in through a seam of their own (a Reply-To
address per thread); not built.
"""
