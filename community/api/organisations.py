import sqlalchemy as sa
from flask_login import current_user

from community import permissions
from community.api import Blueprint
from community.api.schemas import OrganisationListArgs, OrganisationPageSchema, OrganisationSchema
from community.models import Organisation
from community.pagination import Page, like_pattern
from community.extensions import db

blp = Blueprint("api_organisations", __name__, url_prefix="/organisations",
                description="Companies, schools and partners")
PER_PAGE = 50


@blp.route("")
@blp.arguments(OrganisationListArgs, location="query")
@blp.response(200, OrganisationPageSchema)
def list_organisations(args):
    """Active organisations, by name, 50 a page."""
    stmt = sa.select(Organisation).where(Organisation.status == "active")
    if args["q"]:
        like = like_pattern(args["q"][:100])
        stmt = stmt.where(sa.or_(Organisation.name_key.like(like, escape="\\"),
                                 sa.func.lower(Organisation.city).like(like, escape="\\"),
                                 sa.func.lower(Organisation.sector).like(like, escape="\\")))
    if args["kind"]:
        stmt = stmt.where(Organisation.kind == args["kind"])
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Organisation.name_key).limit(PER_PAGE)
                              .offset((args["page"] - 1) * PER_PAGE)).all()
    page = Page(rows=rows, number=args["page"], per_page=PER_PAGE, total=total)
    return {"items": rows, "page": page.number, "pages": page.pages, "total": total}


@blp.route("/<int:org_id>")
@blp.response(200, OrganisationSchema)
@blp.errors({404: "No such organisation"})
def get_organisation(org_id):
    """One organisation."""
    return permissions.access_organisation_or_404(org_id, current_user)
