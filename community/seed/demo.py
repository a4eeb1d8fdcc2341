"""Demo data, built through the real actions. Idempotent: running it twice changes nothing."""
import re

import sqlalchemy as sa
from flask import current_app

from community.actions import accounts, communities as community_actions, organisations as org_actions
from community.actions import cases as case_actions, discussions as discussion_actions
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, Organisation, OrganisationMembership, Reply,
)
from community.queries.accounts import user_by_email
from community.seed.content import CASES, DISCUSSIONS
from community import permissions
from community.seed.research import seed_research
from community.seed.scan import seed_scan
from community.seed.trajectories import seed_trajectories

ORGANISATIONS = [
    dict(name="Van der Meer Metaalbewerking", kind="company", sector="Metaal", city="Eindhoven",
         size_band="50-249", description="Plaatbewerking, lassen en CNC-verspanen voor de machinebouw."),
    dict(name="Brouwer Installatietechniek", kind="company", sector="Installatietechniek", city="Zwolle",
         size_band="10-49", description="Klimaat- en elektrotechnische installaties voor utiliteitsbouw."),
    dict(name="Twentse Onderhoudstechniek", kind="company", sector="Onderhoud", city="Hengelo",
         size_band="10-49", description="Onderhoud en revisie van productie-installaties."),
    dict(name="Techniek College Rijnland", kind="school", sector="Onderwijs", city="Leiden", level="mbo",
         description="Mbo-opleidingen in werktuigbouw, mechatronica en elektrotechniek."),
    dict(name="Hogeschool Oost-Nederland", kind="school", sector="Onderwijs", city="Enschede", level="hbo",
         description="Hbo-opleidingen en het lectoraat Smart Maintenance."),
    dict(name="Metaal & Techniek Netwerk", kind="partner", sector="Brancheorganisatie", city="Utrecht",
         description="Brancheorganisatie en opleidingsfonds voor de technische maakindustrie."),
]

# email, name, kind, admin, [(organisation, role)], what the login is for
USERS = [
    ("admin@leerkring.example", "Beheerder Leerkring", "other", True, [], "platform admin"),
    ("coordinator@leerkring.example", "Marieke Jansen", "other", False,
     [("Metaal & Techniek Netwerk", "manager")], "coordinator (branch organisation)"),
    ("hr@vandermeer.example", "Sanne de Vries", "employee", False,
     [("Van der Meer Metaalbewerking", "manager")], "HR lead, Van der Meer (company manager)"),
    ("lasser@vandermeer.example", "Ahmed El Amrani", "employee", False,
     [("Van der Meer Metaalbewerking", "member")], "employee (welder), Van der Meer"),
    ("monteur@brouwer.example", "Joost Brouwer", "employee", False,
     [("Brouwer Installatietechniek", "manager")], "owner, Brouwer Installatietechniek"),
    ("onderhoud@twente.example", "Fenna Kuipers", "employee", False,
     [("Twentse Onderhoudstechniek", "manager")], "maintenance lead, Twentse Onderhoudstechniek"),
    ("docent@rijnland.example", "Peter Bakker", "teacher", False,
     [("Techniek College Rijnland", "member")], "mbo teacher"),
    ("student@rijnland.example", "Lotte Visser", "student", False,
     [("Techniek College Rijnland", "member")], "mbo student (internship)"),
    ("lector@hogeschooloost.example", "Dr. Noor Hendriks", "teacher", False,
     [("Hogeschool Oost-Nederland", "manager")], "hbo researcher / teacher"),
]

SMART_MAINTENANCE = """\
Voor onderhoudsmensen, docenten en studenten in Oost-Nederland die willen leren van elkaars
storingen, sensordata en verbeterprojecten. We delen praktijkcasussen van de werkvloer en maken
er samen lesmateriaal van voor mbo en hbo.

**Waar we het over hebben**

- conditiebewaking met trillings- en temperatuursensoren
- van correctief naar preventief en voorspellend onderhoud
- storingsanalyse met het hele team (5x waarom, FMEA)
- stage- en afstudeeropdrachten rond onderhoudsdata

Elk kwartaal komen we bij een van de bedrijven samen; tussendoor loopt het gesprek hier.
Achtergrond bij het lectoraat: [Smart Maintenance](https://www.hogeschooloost.example/lectoraat-smart-maintenance).
"""

LASAUTOMATISERING = """\
Lassers, werkvoorbereiders en docenten die aan de slag gaan met lasrobots en cobots. Hoe kies je
een eerste toepassing, wat betekent het voor het vakmanschap van de lasser, en hoe leer je
programmeren naast het werk?

Zo werken we:

1. Deel je toepassing: product, seriegrootte en lasproces.
2. Beschrijf wat er misging en wat je ervan leerde.
3. Vraag de groep om feedback of een meekijkmoment in de werkplaats.

> Een cobot neemt het herhaalwerk over; de lasser blijft de vakman die de naad beoordeelt.

Nieuwe leden vragen toegang aan met een korte toelichting; een coördinator keurt de aanvraag goed.
"""

HYBRIDE_LEREN = """\
Een besloten groep docenten, praktijkopleiders en studenten die leren op school en leren op de
werkvloer beter op elkaar willen laten aansluiten. We ontwikkelen opdrachten die in het bedrijf
beginnen en op school worden verdiept, en andersom.

**Dit schooljaar**

- hybride leeropdrachten voor mbo-niveau 3 en 4 ontwerpen en uitproberen
- de rol van de praktijkopleider bij het beoordelen
- reflectie-instrumenten voor studenten tijdens de stage

Deelname is op uitnodiging, zodat we ook halffabricaten en ervaringen uit de klas veilig kunnen
delen.
"""

DIRECTIEOVERLEG = """\
Besloten overleg voor directeuren en eigenaren van technische mkb-bedrijven uit het netwerk van
Metaal & Techniek. We bespreken strategische vragen over personeel, opleiden en investeren:
vertrouwelijk, en zonder verslag naar buiten.

- behoud van vakmensen op een krappe arbeidsmarkt
- samenwerking met mbo en hbo rond stages en leerbanen
- investeren in automatisering, en wat dat betekent voor functies
"""

# Built in this order; "coordinators" are appointed by the admin, the first one when the community
# is created. "members" join the way the join policy allows; "pending" users asked to join and
# wait for a coordinator; "invited" users were picked by a coordinator and have not accepted yet.
COMMUNITIES = [
    dict(name="Smart Maintenance Oost", slug="smart-maintenance-oost", description=SMART_MAINTENANCE,
         visibility="public", join_policy="open", unlisted=False, sector="Onderhoud",
         topic="Smart maintenance",
         coordinators=["coordinator@leerkring.example"],
         members=["onderhoud@twente.example", "lector@hogeschooloost.example", "hr@vandermeer.example",
                  "student@rijnland.example"]),
    dict(name="Lasautomatisering & cobots", slug="lasautomatisering-cobots", description=LASAUTOMATISERING,
         visibility="public", join_policy="request", unlisted=False, sector="Metaal",
         topic="Lasautomatisering",
         coordinators=["coordinator@leerkring.example", "docent@rijnland.example"],
         members=["lasser@vandermeer.example", "hr@vandermeer.example", "student@rijnland.example"],
         pending=[("monteur@brouwer.example",
                   "Wij willen een lasrobot inzetten voor leidingwerk en horen graag hoe anderen "
                   "daarmee zijn begonnen.")]),
    dict(name="Hybride leren op de werkvloer", slug="hybride-leren-op-de-werkvloer", description=HYBRIDE_LEREN,
         visibility="private", join_policy="invite", unlisted=False, sector="Onderwijs", topic="Hybride leren",
         coordinators=["docent@rijnland.example"],
         members=["lector@hogeschooloost.example", "student@rijnland.example", "hr@vandermeer.example"],
         invited=["monteur@brouwer.example"]),
    dict(name="Directieoverleg Metaal & Techniek", slug="directieoverleg-metaal-techniek",
         description=DIRECTIEOVERLEG, visibility="private", join_policy="invite", unlisted=True,
         sector="Metaal", topic="Strategie",
         coordinators=["coordinator@leerkring.example"],
         members=["monteur@brouwer.example"]),
]


def seed_demo():
    password = current_app.config["SEED_DEMO_PASSWORD"]
    admin = _user(USERS[0], password)
    orgs = {data["name"]: _organisation(admin, data) for data in ORGANISATIONS}
    users = {}
    for spec in USERS:
        user = users[spec[0]] = _user(spec, password)
        for org_name, role in spec[4]:
            _membership(admin, orgs[org_name], user, role)
    communities = {spec["slug"]: _community(admin, users, spec) for spec in COMMUNITIES}
    for spec in CASES:
        _case(communities[spec["community"]], users, orgs, spec)
    discussions = [_discussion(communities[spec["community"]], users, spec) for spec in DISCUSSIONS]
    _report(discussions, users)
    seed_trajectories(users)
    seed_scan(users)
    seed_research(admin, users)
    _outbox_example()
    return [(spec[0], _login_description(spec)) for spec in USERS]


def _outbox_example():
    """One mail in the outbox, so the demo's admin sees what Leerkring mails look like
    (Beheer → Mail): a demo student asked for a new password."""
    from community.actions import recovery
    from community.models import Mail

    if db.session.scalar(sa.select(Mail.id).where(Mail.kind == "password_reset").limit(1)) is None:
        recovery.send_password_reset("student@rijnland.example")


def _login_description(spec):
    """What the login is for, plus its part in the demo communities (who to log in as to try
    coordinating, or accepting an invitation)."""
    email, description = spec[0], spec[5]
    coordinates = [c["name"] for c in COMMUNITIES if email in c["coordinators"]]
    notes = []
    if coordinates:
        notes.append("coordinator of " + ", ".join(coordinates) if len(coordinates) == 1
                     else f"coordinator of {len(coordinates)} communities")
    notes += [f"invited to {c['name']}" for c in COMMUNITIES if email in c.get("invited", [])]
    notes += [f"asked to join {c['name']}" for c in COMMUNITIES
              if email in [e for e, _ in c.get("pending", [])]]
    return "; ".join([description] + notes)


def _user(spec, password):
    email, name, kind, is_admin = spec[:4]
    return user_by_email(email) or accounts.register_user(email, name, password, kind=kind, is_admin=is_admin)


def _organisation(admin, data):
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.name_key == data["name"].casefold()))
    return existing or org_actions.create_organisation(admin, **data)


def _membership(admin, org, user, role):
    membership = db.session.scalar(sa.select(OrganisationMembership).where(
        OrganisationMembership.organisation_id == org.id, OrganisationMembership.user_id == user.id))
    if membership is None:
        membership = org_actions.request_membership(user, org)
    if membership.state == "pending":
        org_actions.decide_membership(admin, membership, approve=True)
    if membership.role != role:
        org_actions.set_member_role(admin, membership, role)


def _community(admin, users, spec):
    """One demo community with its people, each step through the real actions; steps already
    done (community by slug, membership by (community, user)) are skipped."""
    coordinators = [users[email] for email in spec["coordinators"]]
    community = db.session.scalar(sa.select(Community).where(Community.slug == spec["slug"]))
    if community is None:
        fields = {key: spec[key] for key in ("name", "slug", "description", "visibility", "join_policy",
                                               "unlisted", "sector", "topic")}
        community = community_actions.create_community(admin, coordinator=coordinators[0], **fields)
    for user in coordinators[1:]:
        membership = _community_member(community, coordinators[0], user)
        if membership.role != "coordinator":
            community_actions.set_role(admin, membership, "coordinator")
    for email in spec["members"]:
        _community_member(community, coordinators[0], users[email])
    for email, message in spec.get("pending", []):
        if _community_membership(community, users[email]) is None:
            community_actions.request_to_join(users[email], community, message)
    for email in spec.get("invited", []):
        if _community_membership(community, users[email]) is None:
            community_actions.invite_user(coordinators[0], community, users[email])
    return community


def _community_membership(community, user):
    return db.session.scalar(sa.select(CommunityMembership).where(
        CommunityMembership.community_id == community.id, CommunityMembership.user_id == user.id))


def _community_member(community, coordinator, user):
    """Make user an active member the way the join policy allows: join an open community, ask and
    be approved by the coordinator, or be invited by the coordinator and accept."""
    membership = _community_membership(community, user)
    if membership is None:
        if community.join_policy == "open":
            return community_actions.join(user, community)
        if community.join_policy == "request":
            membership = community_actions.request_to_join(user, community)
        else:
            membership = community_actions.invite_user(coordinator, community, user)
    if membership.state == "pending":
        community_actions.decide_request(coordinator, membership, approve=True)
    elif membership.state == "invited":
        community_actions.join(user, community)
    return _community_membership(community, user)


# --- cases and discussions (texts in community/seed/content.py) ---------------------------------

def _with_handles(text, users):
    """``@<email>`` in a demo text becomes that user's @handle."""
    return re.sub(r"@<([^>]+)>", lambda match: "@" + users[match.group(1)].handle, text)


def _case(community, users, orgs, spec):
    """A published practice case with replies in its discussion; found again by title."""
    author = users[spec["author"]]
    case = db.session.scalar(sa.select(Case).where(Case.community_id == community.id,
                                                   Case.title == spec["title"]))
    if case is None:
        sections = {name: _with_handles(spec[name], users)
                    for name in ("context", "question", "approach", "result", "lessons")}
        case = case_actions.create_case(author, community, title=spec["title"], domain=spec["domain"],
                                        level=spec["level"], tags=spec["tags"],
                                        organisation_id=orgs[spec["organisation"]].id, **sections)
    if not case.is_published:
        case_actions.publish_case(author, case)
    _replies(case.discussion, users, spec["replies"])
    return case


def _discussion(community, users, spec):
    """A discussion with its replies, quotes, helpful marks, answer and pin; found by title."""
    discussion = db.session.scalar(sa.select(Discussion).where(
        Discussion.community_id == community.id, Discussion.case_id.is_(None),
        Discussion.title == spec["title"]))
    if discussion is None:
        discussion = discussion_actions.start_discussion(users[spec["author"]], community, spec["title"],
                                                         _with_handles(spec["body"], users))
    replies = _replies(discussion, users, spec["replies"])
    for reply, reply_spec in zip(replies, spec["replies"]):
        for email in reply_spec.get("helpful_by", ()):
            discussion_actions.set_helpful(users[email], reply)  # does nothing when already marked
        if reply_spec.get("accepted") and discussion.accepted_reply_id != reply.id:
            discussion_actions.accept_answer(users[spec["author"]], discussion, reply)
    if spec.get("pinned_by") and not discussion.pinned:
        discussion_actions.set_pinned(users[spec["pinned_by"]], discussion, True)
    return discussion


def _report(discussions, users):
    """One open report, so a coordinator's review queue shows what it looks like (once)."""
    from community.actions import moderation
    from community.models import Report

    if db.session.scalar(sa.select(Report.id).limit(1)) is not None:
        return
    for discussion in discussions:
        reply = db.session.scalar(sa.select(Reply).where(Reply.discussion_id == discussion.id)
                                  .order_by(Reply.number.desc()).limit(1))
        reporter = discussion.author
        if reporter is None or permissions.is_coordinator(reporter, discussion.community):
            continue  # a member reports; coordinators act on reports
        if reply is not None and reply.author_id != reporter.id:
            moderation.report(reporter, "reply", reply, "off_topic",
                              "Dit gaat over iets anders dan de vraag; misschien een eigen discussie waard?")
            return


def _replies(discussion, users, specs):
    """Post the replies that are not there yet (same author and text), in order; returns all."""
    existing = {(reply.author_id, reply.body): reply for reply in db.session.scalars(
        sa.select(Reply).where(Reply.discussion_id == discussion.id).order_by(Reply.number))}
    replies = []
    for spec in specs:
        author, body = users[spec["author"]], _with_handles(spec["body"], users).strip()
        reply = existing.get((author.id, body))
        if reply is None:
            quote = replies[spec["quote"]] if "quote" in spec else None
            reply = discussion_actions.post_reply(author, discussion, body, quote_of=quote)
        replies.append(reply)
    return replies
