from flask_login import current_user

from community import permissions
from community.api import Blueprint
from community.api.schemas import OrganisationListArgs, OrganisationPageSchema, OrganisationSchema
from community.queries import organisations as queries

blp = Blueprint("api_organisations", __name__, url_prefix="/organisations",
                description="Companies, schools and partners")
PER_PAGE = 50


@blp.route("")
@blp.arguments(OrganisationListArgs, location="query")
@blp.response(200, OrganisationPageSchema)
def list_organisations(args):
    """Active organisations, by name, 50 a page."""
    filters = queries.OrganisationFilters(args["q"][:100], args["kind"], page=args["page"])
    page = queries.organisation_page(current_user, filters, per_page=PER_PAGE)
    return {"items": [org for org, _members, _my_state in page.rows], "page": page.number, "pages": page.pages,
            "total": page.total}


@blp.route("/<int:org_id>")
@blp.response(200, OrganisationSchema, errors={404: "No such organisation"})
def get_organisation(org_id):
    """One organisation."""
    return permissions.access_organisation_or_404(org_id, current_user)
