"""JSON API at /api/v1: thin handlers over the same actions and permissions as the pages.

Authentication: 'Authorization: Bearer <personal access token>' (or the browser's login session,
with a CSRF header for writes). The OpenAPI document at /api/v1/openapi.json is generated from
the code by flask-smorest; every 4xx/5xx answers {"error": {"code": ..., "message": ...}}.
"""
from flask_smorest import Api

from community.api.schemas import ErrorEnvelopeSchema


class LeerkringApi(Api):
    # The schema the OpenAPI document shows for error answers (the body community.errors makes).
    ERROR_SCHEMA = ErrorEnvelopeSchema


def init_api(app):
    from community.api import me, organisations

    api = LeerkringApi(app, spec_kwargs={
        "info": {"description": "Leerkring JSON API. Authenticate with a personal access token "
                                "(create one on your profile page): `Authorization: Bearer lk_...`."},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    # flask-smorest registers its own HTTPException handler; community.errors registers ours
    # after it, answering JSON under /api and HTML pages elsewhere.
    for blueprint in (me.blp, organisations.blp):
        api.register_blueprint(blueprint, url_prefix="/api/v1" + blueprint.url_prefix)
    return api
