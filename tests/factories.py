"""Factories that build test state through the real actions (never by writing rows directly)."""
import itertools

from community.actions import accounts, organisations, tokens
from community.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def user(name=None, email=None, kind="employee", admin=False, password=PASSWORD, language="nl"):
    n = next(_seq)
    return accounts.register_user(email or f"user{n}@example.com", name or f"Gebruiker {n}", password,
                                  kind=kind, language=language, is_admin=admin)


def admin(**kwargs):
    return user(admin=True, kind="other", **kwargs)


def organisation(name=None, kind="company", actor=None, **fields):
    actor = actor or admin()
    n = next(_seq)
    return organisations.create_organisation(actor, name=name or f"Bedrijf {n}", kind=kind, **fields)


def member(org, who=None, role="member", approve=True):
    """Add a user to an organisation through request + approval (+ role change)."""
    who = who or user()
    membership = organisations.request_membership(who, org)
    if approve:
        decider = admin()
        organisations.decide_membership(decider, membership, approve=True)
        if role != "member":
            organisations.set_member_role(decider, membership, role)
    db.session.refresh(membership)
    return who


def token(owner, name="test"):
    return tokens.create_token(owner, name)[1]
