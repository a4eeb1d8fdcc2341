"""The demo's learning-culture scan, built through the actions (community/actions/scan.py) and
idempotent: a round is found again by its company and title, and answers are only added to a
round that was just created.

Van der Meer Metaalbewerking gets two closed rounds (spring and autumn 2025, with enough
employees and managers for figures, so the radar, the management comparison and the trend show)
and one open round with a few answers. Answers are generated from a fixed seed, so every run
builds the same demo.
"""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from community.actions import scan as actions
from community.extensions import db
from community.models import Organisation, ScanRound
from community.scan import scoring

COMPANY = "Van der Meer Metaalbewerking"
MANAGER = "hr@vandermeer.example"

# Intended climate per dimension (1..5) for each group; the autumn round is better on feedback
# and knowledge sharing after a trajectory, the management sees things rosier than employees.
SPRING = {"room_to_learn": 3.1, "feedback": 2.4, "knowledge_sharing": 2.7, "leadership": 3.2,
          "autonomy": 3.0, "opportunities": 3.4}
AUTUMN = {"room_to_learn": 3.4, "feedback": 2.9, "knowledge_sharing": 3.2, "leadership": 3.3,
          "autonomy": 3.1, "opportunities": 3.5}
MANAGEMENT_LIFT = 0.6

ROUNDS = [
    dict(title="Leercultuurscan voorjaar 2025", opens_on=date(2025, 3, 3), days=21, climate=SPRING,
         employees=8, management=5),
    dict(title="Leercultuurscan najaar 2025", opens_on=date(2025, 10, 6), days=21, climate=AUTUMN,
         employees=9, management=5),
]
OPEN_ROUND = dict(title="Leercultuurscan (lopende ronde)", days=21, employees=3, employee_codes=10,
                  management_codes=3)


def _answers(rng, variant, climate, lift=0.0):
    answers = {}
    for item in scoring.all_items(scoring.questionnaire(), variant):
        level = min(5, max(1, round(climate[item["dimension"]] + lift + rng.uniform(-1.1, 1.1))))
        answers[item["code"]] = 6 - level if item.get("reverse") else level
    return answers


def _round(org, title):
    return db.session.scalar(sa.select(ScanRound).where(ScanRound.organisation_id == org.id,
                                                        ScanRound.title == title))


def seed_scan(users):
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == COMPANY))
    manager = users[MANAGER]
    rng = random.Random(8)
    for spec in ROUNDS:
        if _round(org, spec["title"]) is not None:
            continue
        opens_on = spec["opens_on"]
        scan_round = actions.create_round(manager, org, spec["title"], opens_on,
                                          opens_on + timedelta(days=spec["days"]), research_consent=True,
                                          on_day=opens_on)
        for _ in range(spec["employees"]):
            actions.submit_response(scan_round, "employee", _answers(rng, "employee", spec["climate"]),
                                    on_day=opens_on)
        for _ in range(spec["management"]):
            actions.submit_response(scan_round, "management",
                                    _answers(rng, "management", spec["climate"], MANAGEMENT_LIFT), on_day=opens_on)
    if _round(org, OPEN_ROUND["title"]) is None:
        today = actions.today()
        scan_round = actions.create_round(manager, org, OPEN_ROUND["title"], today,
                                          today + timedelta(days=OPEN_ROUND["days"]),
                                          employee_codes=OPEN_ROUND["employee_codes"],
                                          management_codes=OPEN_ROUND["management_codes"],
                                          research_consent=True)
        for _ in range(OPEN_ROUND["employees"]):
            actions.submit_response(scan_round, "employee", _answers(rng, "employee", AUTUMN))
