"""Sending one stored message: by SMTP when MAIL_SERVER is set, else to the outbox (the
message stays in the ``mails`` table for an admin to read). Returns which one it used; an
SMTP problem raises, and the sending job tries again later."""
import smtplib
import ssl

from flask import current_app


def deliver(raw, from_address, to_address):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return "outbox"
    context = ssl.create_default_context()
    if config["MAIL_USE_TLS"]:
        connection = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                      timeout=config["MAIL_TIMEOUT"], context=context)
    else:
        connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    with connection as smtp:
        if config["MAIL_USE_STARTTLS"] and not config["MAIL_USE_TLS"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.sendmail(from_address, [to_address], raw.encode("ascii"))
    return "smtp"
