"""'Wachtwoord vergeten': a mail with a link to choose a new password. The request answers
the same whether or not the address has an account (the lookup and the mail happen in a job,
after the answer); the link works once (it holds a fingerprint of the password hash, which
the new password changes) and for an hour; using it logs the account out everywhere."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import signed_links
from community.actions import ActionError
from community.actions.accounts import end_all_sessions
from community.actions.mail import queue_mail
from community.actions.validate import check_password, clean_email
from community.extensions import db
from community.mail.links import absolute_url
from community.models import Mail, User, utcnow
from community.queries.accounts import user_by_email
from community.security import hash_password

RESET = "password-reset"
RESET_SECONDS = 3600


def request_password_reset(email):
    """Queue the lookup and the mail for after the commit; nothing here depends on whether the
    address has an account. Refuses only an address that cannot be one (ActionError)."""
    from community.jobs import enqueue_on_commit
    from community.jobs.mail import password_reset_requested

    email = clean_email(email)
    enqueue_on_commit(password_reset_requested, email)
    db.session.commit()


def send_password_reset(email, key=None):
    """The job's part: a mail with a link, if the address belongs to an active account. The
    job's ``key``: run again (a retry), it finds the mail it queued and sends no second one."""
    return _mail_owner(email, key, "password_reset", _l("Choose a new password for Leerkring"),
                       _l("You receive this mail because a new password was asked for on Leerkring with this "
                          "address."), url=lambda user: absolute_url("auth.reset_password", token=reset_token(user)))


def send_account_exists(email, key=None):
    """Someone registered with the address of an account: tell its owner how to get in (at
    most once an hour, so the form cannot be used to flood them)."""
    return _mail_owner(email, key, "account_exists", _l("You already have a Leerkring account"),
                       _l("You receive this mail because someone registered on Leerkring with this address."),
                       once_per=timedelta(hours=1), login_url=lambda user: absolute_url("auth.login"),
                       url=lambda user: absolute_url("auth.forgot_password"))


def _mail_owner(email, key, kind, subject, reason, once_per=None, **links):
    """Queue mail ``kind`` to the active account with this address (None when there is none, or
    when it had one within ``once_per``; the one queued before when the job of ``key`` runs
    again). ``links``: name -> function of the user giving a URL."""
    user = user_by_email(email)
    if user is None or not user.active:
        return None
    if once_per is not None and db.session.scalar(sa.select(Mail.id).where(
            Mail.user_id == user.id, Mail.kind == kind, Mail.created_at > utcnow() - once_per).limit(1)) is not None:
        return None
    context = dict(name=user.display_name, email=user.email, reason=reason,
                   **{name: make(user) for name, make in links.items()})
    mail = queue_mail(kind, user.email, user.language, subject, context, to_name=user.display_name, user=user,
                      dedupe_key=key)
    db.session.commit()
    return mail


def reset_token(user):
    return signed_links.make(RESET, {"u": user.id, "f": _fingerprint(user)})


def _fingerprint(user):
    return signed_links.fingerprint(user.password_hash, user.email)


def user_for_reset_token(token):
    """The active user this link is for, while it is valid. Raises ActionError (404) for a
    link that expired, was used, or was never ours."""
    try:
        payload = signed_links.read(RESET, token, RESET_SECONDS)
    except signed_links.LinkExpired:
        raise ActionError(_l("This link has expired: it works for one hour. Ask for a new one below."),
                          status=404, code="expired")
    except signed_links.LinkInvalid:
        payload = None
    user = db.session.get(User, payload["u"]) if isinstance(payload, dict) and isinstance(payload.get("u"), int) \
        and 0 < payload["u"] < 2 ** 31 else None
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        raise ActionError(_l("This link does not work (anymore): it may have been used already. Ask for a new "
                             "one below."), status=404, code="invalid_link")
    return user


def reset_password(token, new_password):
    """Set the new password and end every session and live connection of the account."""
    user = user_for_reset_token(token)
    check_password(new_password)
    user.password_hash = hash_password(new_password)
    db.session.commit()
    end_all_sessions(user)
    return user
