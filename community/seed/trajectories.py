"""The demo's development trajectories, built through the actions (community/actions/trajectories.py)
and idempotent: a trajectory is found again by title, and every step inside it (participant,
milestone, status, sign-off, log entry, link) is done only when it has not been done yet.

Owners are managers of their company and active members of the hosting community (see USERS and
COMMUNITIES in community/seed/demo.py); participants are members there too, so they can read along.
"""
from datetime import date

import sqlalchemy as sa

from community import permissions
from community.actions import trajectories as actions
from community.extensions import db
from community.models import Case, Community, Milestone, Organisation, OutcomeEntry, Trajectory

LASCOBOT = dict(
    title="Lascobot invoeren bij Van der Meer",
    organisation="Van der Meer Metaalbewerking",
    community="lasautomatisering-cobots",
    owner="hr@vandermeer.example",
    visibility="community",
    status="active",
    planned_start=date(2026, 2, 2),
    planned_end=date(2026, 12, 18),
    goal="""\
Binnen dit jaar kunnen **drie lassers** zelfstandig kleine series frames en beugels op de lascobot
programmeren en de kwaliteit van de naden zelf beoordelen. Nieuwe collega's werken we in met de
cobot als leermiddel, samen met Techniek College Rijnland.

- inwerktijd van een beginnende lasser van twaalf naar acht weken
- minder herstelwerk aan naden bij kleine series
- een stageopdracht die elk jaar terugkomt
""",
    participants=[("lasser@vandermeer.example", "employee"), ("docent@rijnland.example", "coach"),
                  ("student@rijnland.example", "student")],
    milestones=[
        dict(title="Veiligheidsinstructie en risicoanalyse cobotcel", due_date=date(2026, 3, 13),
             description="Samen met de leverancier de risicoanalyse doorlopen en de werkplekinstructie "
                         "vastgesteld.", signed_off_by="docent@rijnland.example"),
        dict(title="Eerste serie beugels geprogrammeerd", due_date=date(2026, 5, 29),
             description="Ahmed programmeert een serie van 50 beugels door voordoen en vergelijkt de "
                         "naden met zijn handlas.", done=True),
        dict(title="Inwerkprogramma met de cobot beschreven", due_date=date(2026, 9, 25),
             description="Een inwerkplan van acht weken, met de cobot als **leermiddel**.", link_case=True),
        dict(title="Drie lassers zelfstandig aan de cobot", due_date=date(2026, 12, 11),
             description="Elke lasser draait zelfstandig een nieuwe serie, inclusief de eerste controle."),
    ],
    entries=[
        dict(author="lasser@vandermeer.example", kind="reflection", value_kind="immediate", milestone=1,
             body="Door de naden van de cobot naast mijn eigen handlas te leggen, zag ik pas hoeveel de "
                  "**toortshoek** uitmaakt. Dat neem ik mee naar het handlassen."),
        dict(author="student@rijnland.example", kind="result", value_kind="applied", milestone=1,
             body="De serie van 50 beugels is in twee dagen gelast; drie naden moesten worden nagelast, "
                  "tegen gemiddeld negen bij handlassen."),
        dict(author="docent@rijnland.example", kind="obstacle", value_kind="potential", milestone=2,
             body="Het programmeren lukt, maar het *inwerkplan* verdwijnt onder de productiedruk. "
                  "Voorstel: een vaste leermiddag per week."),
        dict(author="hr@vandermeer.example", kind="next_step", value_kind="reframing",
             body="We zien de cobot niet meer alleen als productiemiddel maar als **leermiddel**: het "
                  "inwerkprogramma wordt onderdeel van ons opleidingsplan."),
    ],
)

ONDERHOUD = dict(
    title="Conditiegebaseerd onderhoud",
    organisation="Twentse Onderhoudstechniek",
    community="smart-maintenance-oost",
    owner="onderhoud@twente.example",
    visibility="confidential",
    status="active",
    planned_start=date(2026, 1, 12),
    planned_end=date(2026, 10, 30),
    goal="""\
Van correctief naar **conditiegebaseerd** onderhoud bij onze klanten: de monteurs leren
trillings- en temperatuurtrends lezen en stellen samen grenswaarden vast. Begeleid door het
lectoraat Smart Maintenance.
""",
    participants=[("lector@hogeschooloost.example", "coach")],
    milestones=[
        dict(title="Nulmeting storingshistorie", due_date=date(2026, 2, 27),
             description="Alle storingen van het afgelopen jaar digitaal vastgelegd per machine.", done=True),
        dict(title="Sensoren op vier bewerkingscentra", due_date=date(2026, 5, 15),
             description="Draadloze trillingssensoren geplaatst en een vast weekmoment voor de trends."),
        dict(title="Grenswaarden door het team vastgesteld", due_date=date(2026, 9, 18),
             description="De monteurs bepalen samen de alarmgrenzen op basis van de metingen."),
    ],
    entries=[
        dict(author="onderhoud@twente.example", kind="result", value_kind="realised", milestone=0,
             body="De storingshistorie staat nu digitaal: elf stilstanden door spindellagers in een jaar, "
                  "samen ruim **140 productie-uren**."),
        dict(author="lector@hogeschooloost.example", kind="reflection", value_kind="potential",
             body="De monteurs herkennen de patronen sneller dan verwacht. Het weekmoment met het hele "
                  "team lijkt belangrijker dan de techniek."),
    ],
)

TRAJECTORIES = [LASCOBOT, ONDERHOUD]
COBOT_CASE_TITLE = "Een nieuwe lasser inwerken met een cobot"


def seed_trajectories(users):
    """Build the demo trajectories; ``users`` maps e-mail addresses to the seeded users."""
    for spec in TRAJECTORIES:
        _trajectory(users, spec)


def _trajectory(users, spec):
    owner = users[spec["owner"]]
    trajectory = db.session.scalar(sa.select(Trajectory).where(Trajectory.title == spec["title"]))
    if trajectory is None:
        organisation = db.session.scalar(sa.select(Organisation).where(
            Organisation.name_key == spec["organisation"].casefold()))
        community = db.session.scalar(sa.select(Community).where(Community.slug == spec["community"]))
        trajectory = actions.create_trajectory(
            owner, organisation, community, title=spec["title"], goal=spec["goal"],
            visibility=spec["visibility"], planned_start=spec["planned_start"], planned_end=spec["planned_end"])
    for email, role in spec["participants"]:
        if permissions.trajectory_role(users[email], trajectory) is None:
            actions.add_participant(owner, trajectory, users[email], role)
    if trajectory.status == "concept" and spec["status"] != "concept":
        actions.change_status(owner, trajectory, spec["status"])
    milestones = [_milestone(owner, trajectory, users, m) for m in spec["milestones"]]
    for entry in spec["entries"]:
        _entry(users, trajectory, milestones, entry)
    for milestone, m_spec in zip(milestones, spec["milestones"]):
        if m_spec.get("link_case"):
            _link_case(owner, trajectory, milestone)
    return trajectory


def _milestone(owner, trajectory, users, spec):
    milestone = db.session.scalar(sa.select(Milestone).where(Milestone.trajectory_id == trajectory.id,
                                                             Milestone.title == spec["title"]))
    if milestone is None:
        milestone = actions.add_milestone(owner, trajectory, title=spec["title"], description=spec["description"],
                                          due_date=spec["due_date"])
    if spec.get("signed_off_by") and milestone.signed_off_at is None:
        actions.sign_off_milestone(users[spec["signed_off_by"]], milestone)
    elif spec.get("done") and not milestone.is_done:
        actions.set_milestone_done(owner, milestone, True)
    return milestone


def _entry(users, trajectory, milestones, spec):
    author = users[spec["author"]]
    exists = db.session.scalar(sa.select(OutcomeEntry.id).where(
        OutcomeEntry.trajectory_id == trajectory.id, OutcomeEntry.author_id == author.id,
        OutcomeEntry.body == spec["body"]))
    if exists is None:
        milestone = milestones[spec["milestone"]] if "milestone" in spec else None
        actions.add_entry_to_log(author, trajectory, spec["body"], spec["kind"], spec["value_kind"],
                                 milestone=milestone)


def _link_case(owner, trajectory, milestone):
    """The cobot case as evidence. Linking needs the right to edit both ends: its author (the
    company's HR lead) owns the trajectory, so the link is theirs. Linking again changes nothing."""
    case = db.session.scalar(sa.select(Case).where(Case.title == COBOT_CASE_TITLE))
    if case is None:
        return
    linker = case.author if case.author and permissions.can_link_to_trajectory(case.author, trajectory, case) \
        else owner
    actions.link_evidence(linker, trajectory, case, milestone=milestone)
