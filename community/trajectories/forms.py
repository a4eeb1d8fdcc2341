"""Trajectory forms. The actions check lengths, choices and date order (one set of rules for the
pages and the API); the fields only parse what was typed."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from community.forms import Form
from community.labels import choices


class TrajectoryForm(Form):
    title = StringField(_l("Title"), description=_l("One line that says what the trajectory is about."))
    goal = TextAreaField(_l("Goal"), description=_l("What should the company and the people in it have learned?"))
    community_id = SelectField(_l("Hosting community"), choices=[], validate_choice=False)
    visibility = RadioField(_l("Who can read it"), choices=choices("trajectory_visibility"), default="community",
                            validate_choice=False)
    planned_start = DateField(_l("Planned start"), validators=[Optional()], render_kw={"type": "date"})
    planned_end = DateField(_l("Planned end"), validators=[Optional()], render_kw={"type": "date"})
    scan_dimension = SelectField(_l("Scan dimension it works on"), choices=[], validate_choice=False,
                                 description=_l("Optional: the learning-culture scan dimension this trajectory "
                                                "should improve; the next scan round shows whether it did."))

    def values(self):
        return dict(title=self.title.data or "", goal=self.goal.data or "", visibility=self.visibility.data,
                    planned_start=self.planned_start.data, planned_end=self.planned_end.data,
                    scan_dimension=self.scan_dimension.data or None)


class MilestoneForm(Form):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    due_date = DateField(_l("Due date"), validators=[Optional()], render_kw={"type": "date"})

    def values(self):
        return dict(title=self.title.data or "", description=self.description.data or "",
                    due_date=self.due_date.data)


class EntryForm(Form):
    body = TextAreaField(_l("What did you learn or run into?"))
    kind = SelectField(_l("Kind of entry"), choices=choices("entry_kind"), validate_choice=False)
    value_kind = SelectField(_l("Kind of value"), choices=choices("value_kind"), validate_choice=False)
    milestone_id = SelectField(_l("Milestone"), choices=[], validate_choice=False)
