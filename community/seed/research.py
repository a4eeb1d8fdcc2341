"""Synthetic demo data for the research area, built through the actions and idempotent: eight
demo companies (named "… (demodata)", described as synthetic), each with two closed scan rounds
whose companies allowed research use, so every instrument figure shows; and the demo lector is
made a researcher.

Answers follow a simple latent model (fixed seed): each respondent has a level per dimension
around the company's climate, and each item is that level plus noise, rounded to 1..5. So the
items of a dimension hang together as real answers do, and the reliability figures look like a
real instrument's rather than like random numbers.
"""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from community.actions import accounts, organisations as org_actions, scan as scan_actions
from community.extensions import db
from community.models import Organisation, ScanRound
from community.scan import scoring

RESEARCHER = "lector@hogeschooloost.example"
SECTORS = ("Metaal", "Installatietechniek", "Onderhoud", "Machinebouw")
COMPANIES = ["Aalten Staalbouw", "Betuwe Constructie", "Drentse Lastechniek", "Flevo Installaties",
             "Gelderse Machinebouw", "Hollandse Onderhoudsgroep", "IJssel Plaatwerk", "Kempen Mechatronica"]
DESCRIPTION = "Synthetisch demobedrijf voor het onderzoeksgedeelte; de scanantwoorden zijn gegenereerd."
ROUND_DATES = (date(2025, 2, 3), date(2025, 9, 8))
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
            for _ in range(rng.randint(7, 13)):
                scan_actions.submit_response(scan_round, "employee", _answers(rng, "employee", _respondent(rng, climate)),
                                             on_day=opens_on)
            for _ in range(rng.randint(5, 6)):
                scan_actions.submit_response(scan_round, "management",
                                             _answers(rng, "management", _respondent(rng, climate, 0.5)), on_day=opens_on)
    researcher = users.get(RESEARCHER)
    if researcher is not None and not researcher.is_researcher:
        accounts.set_user_researcher(admin, researcher, True)
