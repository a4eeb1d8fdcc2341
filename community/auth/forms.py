from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from community.forms import Form
from community.labels import choices


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class RegisterForm(Form):
    display_name = StringField(_l("Your name"), validators=[InputRequired()],
                               description=_l("Shown to other members, e.g. 'Sanne de Vries'."))
    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()],
                             description=_l("At least 10 characters. A sentence you can remember works well."))
    kind = SelectField(_l("I am a"), choices=[], default="employee")
    language = SelectField(_l("Language"), choices=[], default="nl")
    organisation = SelectField(_l("My organisation"), choices=[], default="",
                               description=_l("A manager of the organisation approves your request."))
    new_organisation_name = StringField(_l("Organisation not listed? Its name"),
                                        description=_l("An administrator checks and adds it."))
    new_organisation_kind = SelectField(_l("Kind of organisation"), choices=[], default="company")
    new_organisation_city = StringField(_l("City"))
    accept_privacy = BooleanField(_l("I have read the privacy statement and agree to it"))

    def __init__(self, organisations=(), **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = choices("user_kind")
        self.language.choices = choices("language")
        self.organisation.choices = [SelectChoice("", _l("— none / not listed —"))] + [
            SelectChoice(str(org.id), org.name) for org in organisations]
        self.new_organisation_kind.choices = choices("org_kind")


class MessageForm(Form):
    message = TextAreaField(_l("Message (optional)"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired()],
                       description=_l("The address you log in with."))


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[InputRequired()],
                             description=_l("At least 10 characters. A sentence you can remember works well."))
