"""Form base class: re-shows the user's input with clear errors, also after a CSRF failure."""
from flask import flash, g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from community.actions import ActionError


class Form(FlaskForm):
    """Base of every form. WTForms' own messages are translated by Flask-WTF's i18n support."""

    def validate(self, extra_validators=None):
        if g.get("csrf_failed"):
            self.form_errors.append(_l(
                "Your session expired before you sent this form. We kept what you typed: "
                "check it and send it again."))
            return False
        return super().validate(extra_validators=extra_validators)

    refused_status = None

    @property
    def status(self):
        """The HTTP status to show this form with: a post's kept refusal status (add_refusal),
        else 400 once it holds errors, else 200."""
        if self.refused_status:
            return self.refused_status
        return 400 if self.errors or self.form_errors else 200

    def add_error(self, error):
        """Attach an ActionError to its field (or to the form as a whole)."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(error.message)
        else:
            self.form_errors.append(error.message)

    def add_refusal(self, error):
        """add_error for a new post: a muted author (403), a locked or archived place or a double
        post (409) and posting too fast (429) keep their status; any other refusal is a 400."""
        self.add_error(error)
        self.refused_status = error.status if error.status in (403, 409, 429) else None

    def saved(self, action, message):
        """On a valid submission, run action() and flash message: True when it is saved. False
        when there is nothing to save yet or the action refused (its reason stands on the form).
        A lazy message is translated after the action (a profile change can switch the language)."""
        if not self.validate_on_submit():
            return False
        try:
            action()
        except ActionError as error:
            self.add_error(error)
            return False
        flash(str(message), "success")
        return True


def row_id(value):
    """Text from a form field or URL as a row id, or None when it cannot be one: only plain
    ASCII digits ("²".isdigit() is true, yet int() refuses it) and within what a table holds."""
    value = value.strip() if isinstance(value, str) else ""
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    number = int(value)
    return number if 0 < number < 2 ** 31 else None
