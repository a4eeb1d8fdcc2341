"""Demo data, built through the real actions. Idempotent: running it twice changes nothing."""
import sqlalchemy as sa
from flask import current_app

from community.actions import accounts, organisations as org_actions
from community.extensions import db
from community.models import Organisation, OrganisationMembership
from community.queries import user_by_email

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


def seed_demo():
    password = current_app.config["SEED_DEMO_PASSWORD"]
    admin = _user(USERS[0], password)
    orgs = {data["name"]: _organisation(admin, data) for data in ORGANISATIONS}
    for spec in USERS:
        user = _user(spec, password)
        for org_name, role in spec[4]:
            _membership(admin, orgs[org_name], user, role)
    return [(spec[0], spec[5]) for spec in USERS]


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
