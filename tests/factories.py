"""Factories that build test state through the real actions (never by writing rows directly)."""
import itertools

from community.actions import accounts, communities, organisations, tokens
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


def community(name=None, visibility="public", join_policy="open", unlisted=False, coordinator=None,
              actor=None, **fields):
    """A community created by an admin (``actor``, a fresh one by default), who appoints
    ``coordinator`` (a fresh user by default, so the coordinator is not an admin). Extra fields
    (slug, description, sector, topic) go to create_community."""
    actor = actor or admin()
    coordinator = coordinator or user(kind="teacher")
    n = next(_seq)
    return communities.create_community(actor, name=name or f"Leergemeenschap {n}", visibility=visibility,
                                        join_policy=join_policy, unlisted=unlisted, coordinator=coordinator,
                                        **fields)


def community_member(community, who=None, role="member", state="active"):
    """Put a user (a fresh one by default) into a community the way the join policy allows, and
    return the membership.

    state "pending": they asked to join (needs join policy "request"); "invited": a coordinator
    picked them and they have not accepted; "active": they joined an open community, or asked and
    were approved, or were invited and accepted. role "coordinator" is then given by an admin.
    """
    if role != "member" and state != "active":
        raise ValueError("only active members can have a role other than member")
    who = who or user()
    decider = admin()
    if state == "pending":
        membership = communities.request_to_join(who, community)
    elif state == "invited":
        membership = communities.invite_user(decider, community, who)
    elif state == "active":
        if community.join_policy == "open":
            membership = communities.join(who, community)
        elif community.join_policy == "request":
            membership = communities.request_to_join(who, community)
            communities.decide_request(decider, membership, approve=True)
        else:
            communities.invite_user(decider, community, who)
            membership = communities.join(who, community)
        if role != "member":
            communities.set_role(decider, membership, role)
    else:
        raise ValueError(f"unknown membership state {state!r}")
    db.session.refresh(membership)
    return membership
