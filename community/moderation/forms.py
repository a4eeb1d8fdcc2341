from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from community.forms import Form
from community.labels import choices

# SelectChoice: wtforms deprecates tuples (a warning, which the tests turn into a 500).
DURATIONS = [SelectChoice(value, label) for value, label in (
    ("1", _l("1 hour")), ("24", _l("1 day")), ("72", _l("3 days")), ("168", _l("1 week")),
    ("720", _l("30 days")), ("", _l("Until I lift it (bans only)")))]


class ReportForm(Form):
    reason = RadioField(_l("What is wrong?"), validators=[InputRequired()])
    note = TextAreaField(_l("Explain (needed for “other”, optional otherwise)"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = choices("report_reason")


class ReasonForm(Form):
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=300)])


class SanctionForm(Form):
    member = StringField(_l("Member (name handle or e-mail address)"), validators=[InputRequired()])
    kind = RadioField(_l("Sanction"), validators=[InputRequired()])
    duration = SelectField(_l("For how long"), choices=DURATIONS, default="24")
    until = StringField(_l("Or until (date and time)"), validators=[Optional()],
                        description=_l("Leave empty to use the period above."))
    reason = StringField(_l("Reason (shown to the member)"), validators=[InputRequired(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("sanction_kind")


class MoveForm(Form):
    community = SelectField(_l("Move to"), validators=[InputRequired()])
    reason = StringField(_l("Reason (optional, in the audit log)"), validators=[Length(max=300)])
