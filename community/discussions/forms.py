"""Discussion forms. The actions check lengths and emptiness (one set of rules for the pages
and the API), so the fields carry no validators of their own."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from community.forms import Form

EDIT_NOTE_HELP = _l("You are changing someone else's post: say why. The note is shown with it.")


class DiscussionForm(Form):
    title = StringField(_l("Title"), description=_l("One line that says what it is about."))
    body = TextAreaField(_l("Text"))
    edit_note = StringField(_l("Reason for the edit"), description=EDIT_NOTE_HELP)


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"))
    quote_of = HiddenField()


class EditReplyForm(Form):
    body = TextAreaField(_l("Reply"))
    edit_note = StringField(_l("Reason for the edit"), description=EDIT_NOTE_HELP)
