"""Invitations: links a coordinator shares (shown once, stored as a hash), inviting a known user
or an e-mail address, and accepting a link."""
from flask import jsonify, make_response, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community import permissions
from community.actions import ActionError, communities as actions, mail_invitations
from community.api import Blueprint, INPUT_REFUSED, NOT_COORDINATOR, NO_COMMUNITY, api_field
from community.api.communities import PER_PAGE, page_body, summary_of
from community.api.community_schemas import (
    AcceptInvitationArgs, CommunityMemberSchema, CommunitySummarySchema, InvitationArgs, InvitationPageSchema,
    InvitationSchema, InviteUserArgs, NewInvitationSchema, PageArgs,
)
from community.queries import communities as queries

blp = Blueprint("api_invitations", __name__, url_prefix="",
                description="Invitation links, and invitations of accounts and e-mail addresses")
IDEMPOTENCY_KEY_MAX = 64


class NewInvitation:
    """A new invitation row with the secret that is shown this once (and never stored)."""

    def __init__(self, invitation, token, url):
        self.invitation, self.token, self.url = invitation, token, url

    def __getattr__(self, name):
        return getattr(self.invitation, name)


def invitation_url(token):
    """The page that accepts the link."""
    return url_for("communities.invitation", token=token, _external=True)


@blp.route("/communities/<slug>/invitations")
@blp.response(200, InvitationPageSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY})
@blp.arguments(PageArgs, location="query")
def list_invitations(args, slug):
    """The community's invitation links, 50 a page (coordinators): those not revoked first, then
    the newest, as on the invitations page. The links themselves cannot be shown again."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    page = queries.invitation_page(community, queries.InvitationFilters(page=args["page"]), per_page=PER_PAGE)
    return page_body(page, page.rows)


@blp.route("/communities/<slug>/invitations", methods=["POST"])
@blp.response(201, NewInvitationSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY,
                                                409: "The community is archived"})
@blp.arguments(InvitationArgs)
def create_invitation(args, slug):
    """Make an invitation link (coordinators). The token and url are in this answer only."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    invitation, token = actions.create_invite_link(current_user, community, days=args["days"],
                                                   max_uses=args["max_uses"], note=args["note"])
    return NewInvitation(invitation, token, invitation_url(token))


@blp.route("/communities/<slug>/invitations/<int:invitation_id>", methods=["DELETE"])
@blp.response(204, errors={403: NOT_COORDINATOR, 404: "No such community or invitation"})
def revoke_invitation(slug, invitation_id):
    """Withdraw an invitation link (coordinators); people who joined through it stay."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    actions.revoke_invite_link(current_user, permissions.access_invitation_or_404(
        community, invitation_id, current_user))


@blp.route("/communities/<slug>/invitations/users", methods=["POST"])
@blp.response(201, CommunityMemberSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY,
                                                  409: "Already a member, or the community is archived",
                                                  422: INPUT_REFUSED + "; code idempotency_key_reused for a key "
                                                                       "used before for another address",
                                                  429: "50 invitations by e-mail in 24 hours (code too_many)"})
@blp.alt_response(202, schema=InvitationSchema,
                  description="The address has no account: an invitation is mailed to it, with a link to register "
                              "and join that works once, for 14 days")
@blp.arguments(InviteUserArgs)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                      "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
                      "description": "With email: asked again with the same key (a retry), the first answer comes "
                                     "again and nothing is invited or mailed twice"}])
def invite_user(args, slug):
    """Invite someone (coordinators): an account by its number, or an e-mail address as on the
    invitations page. An account is invited (and, by address, mailed); they join when they
    accept. Someone who asked to join already is let in at once. An address without an account
    gets a mail with a link to register and join (202, the mailed invitation). At most 50
    invitations by e-mail a day per coordinator."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    if "email" in args:
        with api_field("user", "email"):
            outcome, row = mail_invitations.invite_by_email(current_user, community, args["email"], args["note"],
                                                            idempotency_key=_idempotency_key())
        if outcome == "mailed":
            return make_response(jsonify(InvitationSchema().dump(row)), 202)
        return row
    user = permissions.invitable_user(args["user_id"])
    if user is None:
        raise ActionError(_l("There is no active account with this number."), field="user_id")
    return actions.invite_user(current_user, community, user)


def _idempotency_key():
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable() or not key.isascii():
        raise ActionError(_l("The Idempotency-Key header is too long or holds characters it cannot have."),
                          code="invalid_idempotency_key")
    return key or None


@blp.route("/invitations/accept", methods=["POST"])
@blp.response(200, CommunitySummarySchema, errors={404: "Unknown token (code invitation_unknown)",
                                                   409: "The community is archived",
                                                   410: "Revoked, expired or used up (code invitation_...)"})
@blp.arguments(AcceptInvitationArgs)
def accept_invitation(args):
    """Join the community of an invitation link: the link is the permission."""
    membership = actions.use_invite_link(current_user, args["token"])
    return summary_of(membership.community)
