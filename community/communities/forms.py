from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from community.forms import Form
from community.labels import choices


class CommunityForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired()])
    slug = StringField(_l("Web address"), description=_l(
        "Lower-case letters, digits and hyphens. Leave empty to make one from the name."))
    description = TextAreaField(_l("Description"), description=_l(
        "What is this community about, who is it for, how do you work together? Markdown is allowed."))
    sector = StringField(_l("Sector"), description=_l("E.g. metal, maintenance, installation technology."))
    topic = StringField(_l("Topic"), description=_l("E.g. smart maintenance, welding automation."))
    visibility = RadioField(_l("Who can read it?"), default="public", choices=[
        SelectChoice("public", _l("Public: every signed-in user can read it")),
        SelectChoice("private", _l("Private: only members can read it")),
    ])
    unlisted = BooleanField(_l("Hide from the community list (private communities only)"))
    join_policy = RadioField(_l("Who can join?"), default="open", choices=[
        SelectChoice("open", _l("Open: anyone who can see it joins at once")),
        SelectChoice("request", _l("On request: a coordinator approves each request")),
        SelectChoice("invite", _l("Invitation only")),
    ])
    coordinator = EmailField(_l("First coordinator (e-mail address)"), description=_l(
        "Leave empty to become the coordinator yourself."))

    def values(self):
        return dict(name=self.name.data, slug=self.slug.data or "", description=self.description.data or "",
                    sector=self.sector.data or "", topic=self.topic.data or "",
                    visibility=self.visibility.data, unlisted=self.unlisted.data,
                    join_policy=self.join_policy.data)


class RequestForm(Form):
    message = TextAreaField(_l("Message to the coordinators (optional)"))


class InviteLinkForm(Form):
    days = IntegerField(_l("Valid for (days)"), default=14, validators=[InputRequired()])
    max_uses = IntegerField(_l("Maximum number of uses"), validators=[Optional()],
                            description=_l("Leave empty for no limit."))
    note = StringField(_l("Note for yourself"), description=_l("E.g. 'for the welding class of 2026'."))


class InviteUserForm(Form):
    email = EmailField(_l("E-mail address of the person"), validators=[InputRequired()], description=_l(
        "They get a mail. With an account they accept on their dashboard; without one the mail leads to "
        "registration and straight into this community."))
    note = TextAreaField(_l("Personal note in the mail (optional)"), description=_l("At most 500 characters."))


class InvitedRegisterForm(Form):
    display_name = StringField(_l("Your name"), validators=[InputRequired()],
                               description=_l("Shown to other members, e.g. 'Sanne de Vries'."))
    password = PasswordField(_l("Password"), validators=[InputRequired()],
                             description=_l("At least 10 characters. A sentence you can remember works well."))
    kind = SelectField(_l("I am a"), choices=[], default="employee")
    language = SelectField(_l("Language"), choices=[], default="nl")
    accept_privacy = BooleanField(_l("I have read the privacy statement and agree to it"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = choices("user_kind")
        self.language.choices = choices("language")
