from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from community.forms import Form
from community.labels import choices


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=[], default="company")
    sector = StringField(_l("Sector"), description=_l("E.g. metal, installation technology, maintenance."))
    city = StringField(_l("City"))
    size_band = SelectField(_l("Size (companies)"), choices=[], default="")
    level = SelectField(_l("Level (schools)"), choices=[], default="")
    description = TextAreaField(_l("Short description"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = choices("org_kind")
        self.size_band.choices = choices("size_band", blank=_l("— not applicable —"))
        self.level.choices = choices("level", blank=_l("— not applicable —"))

    def values(self):
        return dict(name=self.name.data, kind=self.kind.data, sector=self.sector.data or "",
                    city=self.city.data or "", size_band=self.size_band.data or None,
                    level=self.level.data or None, description=self.description.data or "")


class JoinForm(Form):
    message = TextAreaField(_l("Message to the managers (optional)"))
