"""Named test worlds: the people, communities and content that several test files share, built
through the factories (so through the real actions).

A world's parts are attributes named for their role (``world.coordinator``, ``world.lassen``,
``world.discussion``); ``world.users`` maps role names to the people who get a client. A test
file makes its clients with ``clients(make_client, world.users)`` (or ``api`` for token clients)
and adds what it needs on top of the world in its own fixture.
"""
from datetime import date
from types import SimpleNamespace

from tests import factories  # the same module as the ``factories`` fixture


class World(SimpleNamespace):
    """A test world: parts by attribute; ``world[name]`` reads a part named at run time."""

    def __getitem__(self, name):
        return getattr(self, name)


def clients(make, users, roles=None):
    """{role: client of that user} and "anonymous" (no one signed in); ``make`` is the
    make_client or api fixture. ``roles`` limits the clients to those roles."""
    made = {"anonymous": make()}
    made.update({role: make(user) for role, user in users.items() if roles is None or role in roles})
    return made


def circles(language="nl"):
    """Two communities run by Marieke (``coordinator``): "Kring public" (``public``, open to join)
    and "Kring private" (``private``, by invitation), with Piet (``member``) and Sanne
    (``author``) in both; ``other_coordinator`` runs a third, "Elders" (``elsewhere``); an
    ``admin`` and an ``outsider``. Everyone reads ``language``."""
    def person(name):
        return factories.user(name=name, language=language)

    admin = factories.admin(language=language)
    users = dict(admin=admin, coordinator=person("Marieke Coördinator"),
                 other_coordinator=person("Andere Coördinator"), member=person("Piet Lid"),
                 author=person("Sanne Auteur"), outsider=person("Buiten Staander"))
    elsewhere = factories.community(name="Elders", coordinator=users["other_coordinator"], actor=admin)
    world = World(elsewhere=elsewhere, users=users, **users)
    for visibility, policy in (("public", "open"), ("private", "invite")):
        community = factories.community(name=f"Kring {visibility}", visibility=visibility, join_policy=policy,
                                        coordinator=world.coordinator, actor=admin)
        for who in (world.member, world.author):
            factories.community_member(community, who, by=world.coordinator)
        setattr(world, visibility, community)
    return world


def lassen():
    """Public community "lassen" (coordinator Coco; members Anna the author and Mia), public
    "verspanen" (coordinator Olga); an admin and an outsider. Anna wrote a discussion with a reply
    and a published case in "lassen"."""
    admin = factories.admin(name="Platform Admin")
    coordinator = factories.user("Coco Coördinator", kind="teacher")
    other_coordinator = factories.user("Olga Andere", kind="teacher")
    community = factories.community(name="Lassen", slug="lassen", coordinator=coordinator, actor=admin)
    verspanen = factories.community(name="Verspanen", slug="verspanen", coordinator=other_coordinator, actor=admin)
    author, member, outsider = factories.user("Anna Auteur"), factories.user("Mia Lid"), factories.user("Otto Buiten")
    for person in (author, member):
        factories.community_member(community, person)
    discussion = factories.discussion(community, author, "Lasrookafzuiging", "Welke **afzuiging** gebruiken jullie?")
    reply = factories.reply(discussion, author, "Het geheime recept is 42.")
    case = factories.case(community, author, title="Lascobot", context="Een cobot in de hal.")
    users = dict(admin=admin, coordinator=coordinator, other_coordinator=other_coordinator, author=author,
                 member=member, outsider=outsider)
    return World(lassen=community, verspanen=verspanen, discussion=discussion, reply=reply, case=case,
                 users=users, **users)


def trajectories(language="nl"):
    """Community "lassen" (``coordinator`` "Coördinator") hosts the trajectories of company A ("Metaal
    A": manager ``owner``, ``employee``); company B's manager (``other_manager``), a ``coach`` and
    another ``teacher``, a ``student``, a plain ``member`` are members there too; an ``outsider``
    and an ``admin`` are not. Everyone reads ``language``."""
    def person(name, kind="employee"):
        return factories.user(name=name, kind=kind, language=language)

    admin = factories.admin(name="Platform Admin", language=language)
    coordinator = person("Coördinator")
    community = factories.community(name="Lassen", slug="lassen", coordinator=coordinator, actor=admin)
    company_a = factories.organisation(name="Metaal A", actor=admin)
    company_b = factories.organisation(name="Metaal B", actor=admin)
    users = dict(
        owner=factories.member(company_a, person("HR A"), role="manager"),
        employee=factories.member(company_a, person("Lasser A")),
        other_manager=factories.member(company_b, person("HR B"), role="manager"),
        coach=person("Docent", "teacher"),
        teacher=person("Andere docent", "teacher"),
        member=person("Lid"),
        student=person("Student", "student"),
    )
    for user in users.values():
        factories.community_member(community, user)
    users.update(outsider=person("Buitenstaander"), admin=admin, coordinator=coordinator)
    return World(community=community, company_a=company_a, company_b=company_b, users=users, **users)


def trajectory(world, visibility, title="Lascobot invoeren", roles=("employee", "coach"), **fields):
    """A trajectory of company A in the trajectories world (September 2026 to June 2027); the
    people of ``roles`` take part in that role."""
    return factories.trajectory(world.community, world.owner, world.company_a, title=title, visibility=visibility,
                                goal="**Sneller** inwerken", planned_start=date(2026, 9, 1), planned_end=date(2027, 6,
                                                                                                              30),
                                participants=[(world[role], role) for role in roles], **fields)


def private_circle():
    """A private community run by its admin maker, with two invited members, Alice Jansen and Bob
    de Boer."""
    admin = factories.admin()
    community = factories.community(name="Kring", visibility="private", join_policy="invite", coordinator=admin,
                                    actor=admin)
    alice, bob = factories.user(name="Alice Jansen"), factories.user(name="Bob de Boer")
    for user in (alice, bob):
        factories.community_member(community, user)
    return World(admin=admin, community=community, alice=alice, bob=bob)


def sensor_question():
    """A public community (coordinator Marieke Jansen) with a member, Fenna Kuipers, and
    Marieke's discussion about vibration sensors to reply to."""
    coordinator = factories.user(name="Marieke Jansen", kind="other")
    community = factories.community(name="Smart Maintenance Oost", coordinator=coordinator)
    member = factories.community_member(community, factories.user(name="Fenna Kuipers")).user
    discussion = factories.discussion(community, coordinator, "Welke trillingssensoren gebruiken jullie?",
                                      "Graag jullie **ervaringen**.")
    return World(coordinator=coordinator, community=community, member=member, discussion=discussion)
