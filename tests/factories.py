"""Factories that build test state through the real actions (never by writing rows directly)."""
import itertools
from datetime import timedelta

from community.actions import accounts, cases, communities, discussions, organisations, scan, tokens, trajectories
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


def community_member(community, who=None, role="member", state="active", by=None):
    """Put a user (a fresh one by default) into a community the way the join policy allows, and
    return the membership.

    state "pending": they asked to join (needs join policy "request"); "invited": a coordinator
    picked them and they have not accepted; "active": they joined an open community, or asked and
    were approved, or were invited and accepted. role "coordinator" is then given by an admin.
    ``by`` decides (invites, approves, appoints): a fresh admin by default.
    """
    if role != "member" and state != "active":
        raise ValueError("only active members can have a role other than member")
    who = who or user()
    # An admin decides only where the policy or the role asks for one (no stray admins otherwise).
    needs_decider = state == "invited" or role != "member" or (state == "active" and community.join_policy != "open")
    decider = (by or admin()) if needs_decider else None
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


def company_with_manager(name=None, actor=None, sector="Metaal", **fields):
    """A company with a manager of its own: returns (company, manager)."""
    org = organisation(name=name, kind="company", actor=actor, sector=sector, **fields)
    return org, member(org, role="manager")


# --- content, built by its authors ----------------------------------------------------------------

def _author_in(community, author):
    """``author``, or a fresh active member of ``community``."""
    return author or community_member(community).user


def discussion(community, author=None, title=None, body="Wie heeft hier **ervaring** mee?", **fields):
    """A discussion in ``community`` started by ``author`` (a fresh member by default)."""
    title = title or f"Discussie {next(_seq)}"
    return discussions.start_discussion(_author_in(community, author), community, title, body, **fields)


def reply(discussion, author=None, body=None, **fields):
    """A reply to ``discussion`` by ``author`` (a fresh member of its community by default)."""
    author = _author_in(discussion.community, author)
    return discussions.post_reply(author, discussion, body or f"Antwoord {next(_seq)}", **fields)


def case(community, author=None, title=None, publish=True, **fields):
    """A practice case (published by default, a draft with publish=False) by ``author`` (a fresh
    member by default); other fields (tags, domain, level, the sections) go to create_case."""
    title = title or f"Praktijkcasus {next(_seq)}"
    fields.setdefault("context", f"De situatie van {title}.")
    return cases.create_case(_author_in(community, author), community, title=title, publish=publish, **fields)


def trajectory(community, owner=None, company=None, title=None, visibility="community", participants=(),
               milestones=(), **fields):
    """A trajectory of ``company`` hosted in ``community``, started by ``owner`` (a manager of the
    company who is a member there). By default a fresh company and manager, made a member here.
    participants: (user, role) pairs; milestones: titles. Other fields go to create_trajectory."""
    if owner is None:
        if company is None:
            company, owner = company_with_manager()
        else:
            owner = member(company, role="manager")
        community_member(community, owner)
    made = trajectories.create_trajectory(owner, company, community, title=title or f"Traject {next(_seq)}",
                                          goal=fields.pop("goal", "**Sneller** inwerken"), visibility=visibility,
                                          **fields)
    for who, role in participants:
        trajectories.add_participant(owner, made, who, role)
    for milestone in milestones:
        trajectories.add_milestone(owner, made, title=milestone)
    return made


def scan_round(company=None, manager=None, title=None, opens_on=None, days=14, **fields):
    """A scan round of ``company`` opened by ``manager`` (a fresh company and manager by default).
    opens_on: a past date makes a round that ran then (closed by its date); today by default."""
    if company is None:
        company, manager = company_with_manager()
    opens_on = opens_on or scan.today()
    if opens_on != scan.today():
        fields.setdefault("on_day", opens_on)
    return scan.create_round(manager, company, title or f"Ronde {next(_seq)}", opens_on,
                             opens_on + timedelta(days=days), **fields)
