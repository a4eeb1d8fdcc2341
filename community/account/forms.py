from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired

from community.forms import Form
from community.labels import choices
from community.models import KIND_CHOICES


class ProfileForm(Form):
    display_name = StringField(_l("Your name"), validators=[InputRequired()])
    kind = SelectField(_l("I am a"), choices=[])
    language = SelectField(_l("Language"), choices=[])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = choices("user_kind")
        self.language.choices = choices("language")


class AvatarForm(Form):
    avatar = FileField(_l("Photo"), description=_l(
        "PNG, JPEG or WebP, at most 5 MB. It is cut to a square around the middle; location and camera "
        "data are removed."))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired()],
                                 description=_l("At least 10 characters."))


class TokenForm(Form):
    name = StringField(_l("Name of the token"), validators=[InputRequired()],
                       description=_l("What you will use it for, e.g. 'spreadsheet export'."))


class EmailForm(Form):
    email = EmailField(_l("New e-mail address"), validators=[InputRequired()],
                       description=_l("We send it a link; it becomes your login address once you open it."))
    password = PasswordField(_l("Current password"), validators=[InputRequired()])


class MailSettingsForm(Form):
    mentions_replies = SelectField(_l("Mentions of you and replies in discussions you follow"), choices=[],
                                   description=_l("At once, gathered over ten minutes: five replies make one mail."))
    join_requests = SelectField(_l("Requests to join a community you coordinate"), choices=[])
    activity = SelectField(_l("Activity in communities, discussions and trajectories you follow"), choices=[],
                           description=_l("New discussions and trajectory updates, in one mail a day (in the "
                                          "morning) or a week (on Monday)."))
    milestones = SelectField(_l("Milestones signed off in your trajectories"), choices=[],
                             description=_l("In trajectories you take part in, own or follow: at once (gathered "
                                            "over ten minutes), or in a digest of their own."))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for kind, allowed in KIND_CHOICES.items():
            self[kind].choices = [choice for choice in choices("mail_choice") if choice.value in allowed]


class DeleteAccountForm(Form):
    password = PasswordField(_l("Your password"), validators=[InputRequired()],
                             description=_l("To be sure it is you who deletes this account."))
