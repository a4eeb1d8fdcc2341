"""The practice-case form. It only carries what was typed: every rule lives in actions.cases,
whose errors the view attaches to these fields (the field names match the action's)."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from community.forms import Form
from community.labels import choices
from community.models import CASE_SECTIONS

# Headings of the five sections, in the order of the template (also used on the case page).
SECTION_LABELS = {
    "context": _l("Context and situation"),
    "question": _l("Question or challenge"),
    "approach": _l("Approach"),
    "result": _l("Result and learning outcome"),
    "lessons": _l("Lessons learned and reflection"),
}
SECTION_HELP = {
    "context": _l("Where and when did this happen? Which company, department, machine or people were involved?"),
    "question": _l("What was the problem, question or challenge you faced?"),
    "approach": _l("What did you do, step by step? Who helped, what did you try?"),
    "result": _l("What came out of it, and what did you (or your colleagues, teachers, students) learn?"),
    "lessons": _l("Looking back: what would you do differently, and what can others take from this?"),
}


class CaseForm(Form):
    title = StringField(_l("Title"))
    context = TextAreaField(SECTION_LABELS["context"], description=SECTION_HELP["context"])
    question = TextAreaField(SECTION_LABELS["question"], description=SECTION_HELP["question"])
    approach = TextAreaField(SECTION_LABELS["approach"], description=SECTION_HELP["approach"])
    result = TextAreaField(SECTION_LABELS["result"], description=SECTION_HELP["result"])
    lessons = TextAreaField(SECTION_LABELS["lessons"], description=SECTION_HELP["lessons"])
    domain = StringField(_l("Technical domain"), description=_l(
        "E.g. maintenance, welding, mechatronics, installation technology."))
    # validate_choice=False: the action decides, so a refused value gets the action's message.
    level = SelectField(_l("Education level"), choices=choices("case_level"), default="na", validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), validate_choice=False, description=_l(
        "The organisation this case comes from; you can choose among the organisations you belong to."))
    tags = StringField(_l("Tags"), description=_l(
        "Up to 10 words, separated by commas, e.g. cnc, predictive maintenance, sensors."))
    edit_note = StringField(_l("Why do you edit this case?"), description=_l(
        "You edit someone else's case: this note is shown with it."))

    def set_organisations(self, organisations):
        """organisations: [(id, name)] the user may choose, with 'none' first."""
        self.organisation_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(org_id), name) for org_id, name in organisations]

    def values(self):
        """What the action takes (create_case / update_case keyword arguments)."""
        values = dict(title=self.title.data or "", domain=self.domain.data or "",
                      level=self.level.data or "na", organisation_id=_id_or_raw(self.organisation_id.data),
                      tags=self.tags.data or "")
        for name in CASE_SECTIONS:
            values[name] = getattr(self, name).data or ""
        return values


def _id_or_raw(value):
    """'' → None, '12' → 12; anything else goes to the action as is, which refuses it."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else value


def initial_values(case):
    """Form data of an existing case (tags as 'a, b, c')."""
    data = {name: getattr(case, name) for name in CASE_SECTIONS}
    data.update(title=case.title, domain=case.domain, level=case.level,
                organisation_id=str(case.organisation_id) if case.organisation_id else "",
                tags=", ".join(case.tag_names))
    return data
