"""Scan forms. They only parse what was typed; the actions check dates, counts and lengths (one
set of rules for the pages and the API)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from community.forms import Form


class RoundForm(Form):
    title = StringField(_l("Title"), description=_l("For example: Leercultuurscan spring 2027."))
    opens_on = DateField(_l("Opens on"), validators=[Optional()], render_kw={"type": "date"})
    closes_on = DateField(_l("Closes on"), validators=[Optional()], render_kw={"type": "date"},
                          description=_l("Answers are taken until the end of this day. Results appear "
                                         "once the round is closed."))
    open_link = BooleanField(_l("Anyone with the employee link may answer"), default=True)
    research_consent = BooleanField(_l("Allow the anonymous, aggregated results of this round to be used "
                                       "for research across companies"), default=False)
    employee_codes = IntegerField(
        _l("Invitation codes for employees"), validators=[Optional(), NumberRange(min=0, max=500)],
        default=0, render_kw={"inputmode": "numeric", "min": 0, "max": 500},
        description=_l("One-time codes to hand out, for example on paper. Each code gives one response."))
    management_codes = IntegerField(
        _l("Invitation codes for management"), validators=[Optional(), NumberRange(min=0, max=50)],
        default=0, render_kw={"inputmode": "numeric", "min": 0, "max": 50})

    def values(self):
        return dict(title=self.title.data or "", opens_on=self.opens_on.data, closes_on=self.closes_on.data,
                    open_link=bool(self.open_link.data), research_consent=bool(self.research_consent.data),
                    employee_codes=self.employee_codes.data or 0,
                    management_codes=self.management_codes.data or 0)


class CodeForm(Form):
    code = StringField(_l("Your code"), render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                                   "spellcheck": "false", "maxlength": 40})


class DeleteForm(Form):
    confirm = BooleanField(_l("Yes, delete this round and all its answers for good"))
