"""JSON API at /api/v1: thin handlers over the same actions and permissions as the pages.

Authentication: 'Authorization: Bearer <personal access token>' (or the browser's login session,
with a CSRF header for writes). The OpenAPI document at /api/v1/openapi.json is generated from
the code by flask-smorest; every 4xx/5xx answers {"error": {"code": ..., "message": ...}}.
"""
import json
from contextlib import contextmanager

import flask_smorest
from flask_smorest import Api
from webargs.flaskparser import FlaskParser, abort

from community.actions import ActionError
from community.api.auth import require_login
from community.api.schemas import ErrorEnvelopeSchema


# Error descriptions that several handlers give (as the OpenAPI document shows them).
NO_COMMUNITY = "No such community, or a private one you are not in"
NOT_COORDINATOR = "You do not coordinate this community"
NO_DISCUSSION = "No such discussion, or one you cannot read"
NO_REPLY = "No such reply, or one you cannot read"
NO_CASE = "No such case, someone else's draft, or a private community's"
INPUT_REFUSED = "Input refused (field names it)"


class LeerkringApi(Api):
    # The schema the OpenAPI document shows for error answers (the body community.errors makes).
    ERROR_SCHEMA = ErrorEnvelopeSchema


class JsonParser(FlaskParser):
    """webargs' parser, but every unreadable JSON body is a 400: the json module raises plain
    ValueError for integers longer than 4300 digits and RecursionError for deep nesting, which
    webargs would let through as a 500."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs handles these (an empty body is "no body", the rest a 400)
        except (ValueError, RecursionError):
            abort(400, messages={"json": ["Invalid JSON body."]})


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint: each of its endpoints needs a signed-in caller, checked once before
    the handler runs, and the OpenAPI document lists that 401 for each of them; handlers document
    only their own errors, beside their success answer: @blp.response(200, Schema, errors={404: ...})."""

    ARGUMENTS_PARSER = JsonParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(require_login)

    def route(self, rule, **options):
        register = super().route(rule, **options)

        def decorator(view):
            return register(self.errors({401: "Not authenticated"})(view))
        return decorator

    def response(self, status_code, schema=None, *, errors=None, **kwargs):
        """flask-smorest's response, and with ``errors`` the handler's error answers as well
        (see errors())."""
        document = super().response(status_code, schema, **kwargs)
        if not errors:
            return document
        return lambda view: document(self.errors(errors)(view))

    def errors(self, descriptions):
        """Document a handler's error answers, {status: description}; each has the error
        envelope (community.errors) as its body."""
        def decorator(view):
            for status, description in descriptions.items():
                view = self.alt_response(status, schema="Error", description=description)(view)
            return view
        return decorator


def patched(row, args, names):
    """The values a PATCH leaves a row with: each named field from args, or the row's own value
    where args leaves it out."""
    return {name: args.get(name, getattr(row, name)) for name in names}


@contextmanager
def api_field(form_field, api_field):
    """The actions name fields as the page forms do; say the API's name for the same input."""
    try:
        yield
    except ActionError as error:
        if error.field == form_field:
            error.field = api_field
        raise


def init_api(app):
    from community.api import (
        cases, communities, discussions, invitations, live, me, moderation, organisations, people, preview, research,
        scan, search, trajectories, uploads,
    )

    api = LeerkringApi(app, spec_kwargs={
        "info": {"description": "Leerkring JSON API. Authenticate with a personal access token "
                                "(create one on your profile page): `Authorization: Bearer lk_...`."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    # Handlers document their errors with blp.response(..., errors=...), that is alt_response(...,
    # schema="Error"): give that name a component (the envelope above), or every such reference
    # would point nowhere.
    api.spec.components.schema("Error", {"$ref": "#/components/schemas/ErrorEnvelope"})
    # flask-smorest registers its own HTTPException handler; community.errors registers ours
    # after it, answering JSON under /api and HTML pages elsewhere.
    for blueprint in (me.blp, organisations.blp, communities.blp, invitations.blp, discussions.blp, cases.blp,
                      preview.blp, uploads.blp, trajectories.blp, live.blp, live.notifications_blp, scan.blp,
                      moderation.blp, people.blp, research.blp, search.blp):
        api.register_blueprint(blueprint, url_prefix="/api/v1" + blueprint.url_prefix)
    return api
