"""Synthetic demo data for the research area, built through the actions and idempotent: ten
demo companies (named "… (demodata)", described as synthetic), each with two closed scan rounds
whose companies allowed research use, so every instrument figure shows (14 to 20 employees a
round: enough complete responses for the employees' confirmatory structure check, 335; the
managers' 5 or 6 a round stay below its 200, so the demo shows that explanation too); and the
demo lector is made a researcher.

Answers follow a simple latent model (fixed seed): each respondent has a level per dimension
around the company's climate, and each item is that level plus noise, rounded to 1..5. So the
items of a dimension hang together as real answers do, and the reliability figures look like a
real instrument's rather than like random numbers.

For the learning-outcome monitor each demo company also gets one or two trajectories (not
confidential) in a demo community, with milestones (some done on time, some late, some open) and
learning-log entries of every value type; the first five work on the scan's feedback dimension
and have a third consented round after their trajectory started, with a better climate on it.
The loop's comparison needs five companies on each side: the other five demo companies and Van
der Meer make the side without a trajectory on that dimension.
"""
import random
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from community.actions import accounts, organisations as org_actions, scan as scan_actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import VALUE_KINDS, Community, Milestone, Organisation, OutcomeEntry, ScanRound, Trajectory
from community.scan import scoring

RESEARCHER = "lector@hogeschooloost.example"
SECTORS = ("Metaal", "Installatietechniek", "Onderhoud", "Machinebouw")
COMPANIES = ["Aalten Staalbouw", "Betuwe Constructie", "Drentse Lastechniek", "Flevo Installaties",
             "Gelderse Machinebouw", "Hollandse Onderhoudsgroep", "IJssel Plaatwerk", "Kempen Mechatronica",
             "Limburgse Lasgroep", "Maasdelta Techniek"]
DESCRIPTION = "Synthetisch demobedrijf voor het onderzoeksgedeelte; de scanantwoorden zijn gegenereerd."
ROUND_DATES = (date(2025, 2, 3), date(2025, 9, 8))
THIRD_ROUND = date(2026, 5, 4)      # after the trajectories started (TRAJECTORY_START)
TRAJECTORY_START = date(2025, 11, 3)
LOOP_DIMENSION = "feedback"
LOOP_COMPANIES = 5                  # the first five work on LOOP_DIMENSION and get a third round
HOSTS = ("smart-maintenance-oost", "lasautomatisering-cobots", "hybride-leren-op-de-werkvloer")
ENTRY_TEXTS = {
    "immediate": "De werkplaatsbijeenkomst gaf meteen ideeën; collega's van andere afdelingen dachten mee.",
    "potential": "We hebben een aanpak voor feedbackgesprekken geleerd die we na de zomer willen gebruiken.",
    "applied": "Teamleiders houden nu elke week een kort gesprek over wat goed ging en wat beter kan.",
    "realised": "Minder herstelwerk bij de eindcontrole: fouten komen eerder op tafel.",
    "reframing": "We zien fouten niet meer alleen als kosten maar als iets om van te leren.",
}
BASE_CLIMATE = {"room_to_learn": 3.2, "feedback": 2.8, "knowledge_sharing": 3.0, "leadership": 3.3,
                "autonomy": 3.1, "opportunities": 3.4}


def _name(base):
    return f"{base} (demodata)"


def _answers(rng, variant, levels):
    answers = {}
    for item in scoring.all_items(scoring.questionnaire(), variant):
        level = min(5, max(1, round(levels[item["dimension"]] + rng.gauss(0, 0.65))))
        answers[item["code"]] = 6 - level if item.get("reverse") else level
    return answers


def _respondent(rng, climate, lift=0.0):
    return {code: value + lift + rng.gauss(0, 0.6) for code, value in climate.items()}


def seed_research(admin, users):
    rng = random.Random(20)
    for index, base in enumerate(COMPANIES):
        name = _name(base)
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name_key == name.casefold()))
        if org is None:
            org = org_actions.create_organisation(admin, name=name, kind="company", sector=SECTORS[index % 4],
                                                  city="Demodorp", size_band="10-49", description=DESCRIPTION)
        climate = {code: value + rng.uniform(-0.4, 0.4) for code, value in BASE_CLIMATE.items()}
        for number, opens_on in enumerate(ROUND_DATES):
            title = f"Leercultuurscan {opens_on.year} ronde {number + 1}"
            if db.session.scalar(sa.select(ScanRound.id).where(ScanRound.organisation_id == org.id,
                                                               ScanRound.title == title)) is not None:
                continue
            opens_on = opens_on + timedelta(days=7 * index)
            scan_round = scan_actions.create_round(admin, org, title, opens_on, opens_on + timedelta(days=21),
                                                   research_consent=True, on_day=opens_on)
            for _ in range(rng.randint(14, 20)):
                scan_actions.submit_response(scan_round, "employee", _answers(rng, "employee", _respondent(rng, climate)),
                                             on_day=opens_on)
            for _ in range(rng.randint(5, 6)):
                scan_actions.submit_response(scan_round, "management",
                                             _answers(rng, "management", _respondent(rng, climate, 0.5)), on_day=opens_on)
        if index < LOOP_COMPANIES:
            _third_round(admin, org, index, climate)
        _trajectories(admin, org, index, base)
    researcher = users.get(RESEARCHER)
    if researcher is not None and not researcher.is_researcher:
        accounts.set_user_researcher(admin, researcher, True)


def _third_round(admin, org, index, climate):
    """A consented round after the trajectory, better on the dimension it worked on."""
    title = f"Leercultuurscan {THIRD_ROUND.year} ronde 3"
    if db.session.scalar(sa.select(ScanRound.id).where(ScanRound.organisation_id == org.id,
                                                       ScanRound.title == title)) is not None:
        return
    rng = random.Random(2000 + index)   # its own seed: the first two rounds stay as they were
    opens_on = THIRD_ROUND + timedelta(days=7 * index)
    after = dict(climate, **{LOOP_DIMENSION: climate[LOOP_DIMENSION] + 0.5})
    scan_round = scan_actions.create_round(admin, org, title, opens_on, opens_on + timedelta(days=21),
                                           research_consent=True, on_day=opens_on)
    for _ in range(rng.randint(7, 12)):
        scan_actions.submit_response(scan_round, "employee", _answers(rng, "employee", _respondent(rng, after)),
                                     on_day=opens_on)
    for _ in range(5):
        scan_actions.submit_response(scan_round, "management",
                                     _answers(rng, "management", _respondent(rng, after, 0.5)), on_day=opens_on)


def _trajectories(admin, org, index, base):
    """One trajectory per company (the first five on the loop's dimension), a second one for
    every other company; through the actions, found again by title."""
    start = TRAJECTORY_START + timedelta(days=7 * index)
    specs = [dict(title=f"Leren van feedback bij {base}" if index < LOOP_COMPANIES else f"Vakmanschap delen bij {base}",
                  dimension=LOOP_DIMENSION if index < LOOP_COMPANIES else "knowledge_sharing", start=start,
                  status="completed" if index % 3 == 0 else "active")]
    if index % 2:
        specs.append(dict(title=f"Inwerken van nieuwe collega's bij {base}", dimension=None,
                          start=start + timedelta(days=60), status="paused" if index % 4 == 1 else "concept"))
    community = db.session.scalar(sa.select(Community).where(Community.slug == HOSTS[index % len(HOSTS)]))
    if community is None:
        return
    for number, spec in enumerate(specs):
        _trajectory(admin, org, community, index + number, spec)


def _trajectory(admin, org, community, index, spec):
    trajectory = db.session.scalar(sa.select(Trajectory).where(Trajectory.organisation_id == org.id,
                                                               Trajectory.title == spec["title"]))
    if trajectory is None:
        trajectory = trajectory_actions.create_trajectory(
            admin, org, community, title=spec["title"], visibility="community", planned_start=spec["start"],
            planned_end=spec["start"] + timedelta(days=180), scan_dimension=spec["dimension"],
            goal=f"{DESCRIPTION} Een traject om van te leren, met mijlpalen en een leerlogboek.")
    if spec["status"] == "concept":
        return
    if trajectory.status == "concept":
        trajectory_actions.change_status(admin, trajectory, "active")
    start = spec["start"]
    # (title, due after the start, done this many days after the due date or None)
    plan = [("Startbijeenkomst met het team", 30, -3), ("Eerste ronde werkplekgesprekken", 75, 12 if index % 2 else -1),
            ("Tussenevaluatie", 120, 20 if index % 3 == 1 else None), ("Borging in het werkoverleg", 420, None)]
    for title, due_after, done_after in plan:
        milestone = db.session.scalar(sa.select(Milestone).where(Milestone.trajectory_id == trajectory.id,
                                                                 Milestone.title == title))
        if milestone is None:
            milestone = trajectory_actions.add_milestone(admin, trajectory, title=title, description="",
                                                         due_date=start + timedelta(days=due_after))
        if done_after is not None and not milestone.is_done:
            done_on = milestone.due_date + timedelta(days=done_after)
            trajectory_actions.set_milestone_done(admin, milestone, True,
                                                  at=datetime(done_on.year, done_on.month, done_on.day, 14,
                                                              tzinfo=timezone.utc))
    for number in range(3 + index % 3):
        value_kind = VALUE_KINDS[(index + number) % len(VALUE_KINDS)]
        body = ENTRY_TEXTS[value_kind]
        if trajectory.status != "completed" and db.session.scalar(sa.select(OutcomeEntry.id).where(
                OutcomeEntry.trajectory_id == trajectory.id, OutcomeEntry.body == body)) is None:
            trajectory_actions.add_entry_to_log(admin, trajectory, body, "result" if number % 2 else "reflection",
                                                value_kind)
    if spec["status"] != trajectory.status and trajectory.status in ("active", "paused"):
        evaluation = "Het traject is afgerond; de volgende scanronde laat zien of het verschil blijft."
        trajectory_actions.change_status(admin, trajectory, spec["status"], evaluation=evaluation)
