"""The only code that writes user-facing tables. One module per topic.

Actions validate their input, write, and commit. They raise ActionError with a translated,
user-facing message (and the form field it belongs to) when the input is refused; nothing is
written in that case.
"""


class ActionError(Exception):
    """Input refused. ``status`` is the HTTP status the API answers with."""

    def __init__(self, message, field=None, status=422, code="invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status
        self.code = code


class NotAllowed(ActionError):
    def __init__(self, message, field=None):
        super().__init__(message, field=field, status=403, code="forbidden")


class Conflict(ActionError):
    def __init__(self, message, field=None):
        super().__init__(message, field=field, status=409, code="conflict")
