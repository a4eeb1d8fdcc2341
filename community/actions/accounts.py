"""Accounts: registering, logging in and out, profile, password, disabling."""
import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community.actions import ActionError, Conflict, NotAllowed
from community import permissions
from community.actions.validate import check_choice, check_password, clean_email, clean_line
from community.extensions import db
from community.models import LANGUAGES, USER_KINDS, ApiToken, LoginSession, User, utcnow
from community.queries.accounts import user_by_email
from community.realtime.access import recheck_on_commit
from community.realtime.events import disconnect_user_on_commit
from community.security import (
    digest, dummy_verify, hash_password, new_secret, password_needs_rehash, verify_password,
)


def _clean_profile(display_name, kind, language):
    return (
        clean_line(display_name, "display_name", 80),
        check_choice(kind, USER_KINDS, "kind"),
        check_choice(language, LANGUAGES, "language"),
    )


def register_user(email, display_name, password, kind="employee", language="nl", is_admin=False):
    """Create an account (command line, admins, tests). Raises ActionError (field-specific) for
    anything it refuses, a taken address included; visitors register through sign_up."""
    email = clean_email(email)
    display_name, kind, language = _clean_profile(display_name, kind, language)
    check_password(password)
    if user_by_email(email) is not None:
        raise Conflict(_l("An account with this e-mail address already exists. Log in instead?"),
                       field="email")
    return _create_user(email, display_name, hash_password(password), kind, language, is_admin)


def check_privacy_accepted(accepted):
    """A visitor registers only after accepting the privacy statement (/privacy)."""
    if accepted is not True:
        raise ActionError(_l("Read and accept the privacy statement to create an account."),
                          field="accept_privacy")


def sign_up(email, display_name, password, kind="employee", language="nl", accepted_privacy=False):
    """Registration by a visitor, which must not tell whether the address already has an
    account: the same checks and the same password hashing either way. Returns the new user,
    or None when the address was taken (also by a parallel registration). The account records
    the privacy statement's version (PRIVACY_VERSION) the visitor accepted, and when."""
    email = clean_email(email)
    display_name, kind, language = _clean_profile(display_name, kind, language)
    check_password(password)
    check_privacy_accepted(accepted_privacy)
    password_hash = hash_password(password)  # also for a taken address: the same work and time
    if user_by_email(email) is not None:
        # when mail exists: send the owner a notice (how to log in or choose a new password), so
        # a real owner who forgot is not left wondering; a job after the answer sends it, so the
        # answer tells nothing (community/actions/recovery.py, send_account_exists).
        from community.jobs import enqueue_on_commit
        from community.jobs.mail import signed_up_again

        enqueue_on_commit(signed_up_again, email)
        db.session.commit()
        return None
    try:
        return _create_user(email, display_name, password_hash, kind, language, accepted_privacy=True)
    except Conflict:
        return None


def _create_user(email, display_name, password_hash, kind, language, is_admin=False, accepted_privacy=False):
    user = User(email=email, display_name=display_name, password_hash=password_hash,
                kind=kind, language=language, is_admin=is_admin, active=True,
                handle=unique_handle(display_name))
    if accepted_privacy:
        user.privacy_version = current_app.config["PRIVACY_VERSION"]
        user.privacy_accepted_at = utcnow()
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a parallel registration with the same address
        db.session.rollback()
        raise Conflict(_l("An account with this e-mail address already exists. Log in instead?"),
                       field="email")
    return user


def unique_handle(display_name):
    """A handle for @mentions made from the name: 'Zoë de Vries' -> 'zoe-de-vries' (-2, -3...)."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:36].strip("-")
    if len(base) < 2:
        base = "lid"
    taken = set(db.session.scalars(sa.select(User.handle).where(
        sa.or_(User.handle == base, User.handle.like(base + "-%")))))
    handle, n = base, 1
    while handle in taken or (base == "lid" and n == 1):
        n += 1
        handle = f"{base}-{n}"
    return handle


def authenticate(email, password):
    """The user for these credentials, or None. Takes the same time whether or not the account
    exists. Disabled accounts are refused like wrong passwords."""
    user = user_by_email(email) if email and len(email) <= 254 else None
    if user is None:
        dummy_verify(password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if not user.active:
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user, user_agent=""):
    """Record a new login session and return its key (for the cookie). Commits."""
    key = new_secret()
    now = utcnow()
    db.session.add(LoginSession(
        user_id=user.id, key_hash=digest(key), created_at=now, last_seen_at=now,
        expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"], user_agent=user_agent[:200],
    ))
    user.last_login_at = now
    # Expired rows of this user are cleaned up here rather than by a separate job.
    db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.expires_at < now - timedelta(days=1)))
    db.session.commit()
    user.session_key = key
    return key


def end_session(key):
    """Log out one browser: its row goes, so a replayed cookie is refused."""
    if key:
        user_id = db.session.scalar(sa.select(LoginSession.user_id).where(LoginSession.key_hash == digest(key)))
        db.session.execute(sa.delete(LoginSession).where(LoginSession.key_hash == digest(key)))
        if user_id is not None:
            disconnect_user_on_commit(user_id)  # its live connections end too
        db.session.commit()


def end_all_sessions(user, except_key=None):
    stmt = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if except_key:
        stmt = stmt.where(LoginSession.key_hash != digest(except_key))
    db.session.execute(stmt)
    # Every live connection ends; the browser that keeps its session reconnects by itself.
    disconnect_user_on_commit(user.id)
    db.session.commit()


def update_profile(user, display_name, kind, language):
    user.display_name, user.kind, user.language = _clean_profile(display_name, kind, language)
    db.session.commit()
    return user


def set_language(user, language):
    user.language = check_choice(language, LANGUAGES, "language")
    db.session.commit()


def change_password(user, current_password, new_password, keep_session_key=None):
    """Needs the current password. Other browsers of this user are logged out."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ActionError(_l("Your current password is not correct."), field="current_password")
    check_password(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    db.session.commit()
    end_all_sessions(user, except_key=keep_session_key)


def set_user_active(actor, user, active):
    """Admins enable or disable accounts. Disabling ends every session of the user at once and
    revokes their API tokens (re-enabling does not bring those back)."""
    if not actor.is_admin:
        raise NotAllowed(_l("Only platform administrators can do this."))
    if user.id == actor.id and not active:
        raise ActionError(_l("You cannot disable your own account."))
    if user.is_deleted:
        raise ActionError(_l("This account was deleted; it cannot be used again."), status=409, code="conflict")
    if user.active != bool(active):
        from community.actions.moderation import audit

        audit(actor, "enable_account" if active else "disable_account", None, "member", user.id, user)
    user.active = bool(active)
    if not active:
        db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=utcnow()))
    db.session.commit()
    if not active:
        end_all_sessions(user)
    return user


def set_user_researcher(actor, user, is_researcher):
    """Grant or take back the research area (admins; only for members of a school or partner
    organisation). Recorded in the audit log."""
    if not actor.is_admin:
        raise NotAllowed(_l("Only platform administrators can do this."))
    is_researcher = bool(is_researcher)
    if is_researcher and not permissions.can_become_researcher(user):
        raise ActionError(_l("Only members of a school or partner organisation can become researchers."))
    from community.actions.moderation import audit
    if user.is_researcher != is_researcher:
        user.is_researcher = is_researcher
        audit(actor, "grant_research" if is_researcher else "revoke_research", None, "member", user.id, user)
    db.session.commit()
    return user


def set_user_admin(actor, user, is_admin):
    if not actor.is_admin:
        raise NotAllowed(_l("Only platform administrators can do this."))
    if user.id == actor.id and not is_admin:
        raise ActionError(_l("You cannot take away your own administrator rights."))
    user.is_admin = bool(is_admin)
    recheck_on_commit(user=user)  # a former admin leaves what only admins may follow
    db.session.commit()
    return user
