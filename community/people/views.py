"""People's profile pages: who someone is, where they work and which communities they share
with the viewer. Reached from @mentions and author names."""
import io
import re

import sqlalchemy as sa
from flask import abort, render_template, send_file
from flask_login import current_user

from community import permissions
from community.actions import avatars
from community.queries.communities import organisations_of
from community.extensions import db
from community.models import Community, CommunityMembership, User
from community.people import bp

# The shape every handle has (see actions.accounts.unique_handle and markup.MENTION_RE);
# anything else is not looked up.
_HANDLE_SHAPE = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


@bp.route("/people/<handle>")
def profile(handle):
    handle = handle.lower()
    user = db.session.scalar(sa.select(User).where(User.handle == handle)) \
        if _HANDLE_SHAPE.fullmatch(handle) else None
    if user is None or not user.active:
        abort(404)
    # Their communities, but only those the viewer may read too: a private community's
    # membership list is not shown to outsiders.
    communities = db.session.scalars(
        sa.select(Community).join(CommunityMembership, CommunityMembership.community_id == Community.id)
        .where(CommunityMembership.user_id == user.id, CommunityMembership.state == "active",
               permissions.readable_communities_filter(current_user))
        .order_by(sa.func.lower(Community.name))).all()
    return render_template("people/profile.html", person=user, communities=communities,
                           organisations=organisations_of([user.id]).get(user.id, []))


@bp.route("/people/<int:user_id>/photo/<name>")
def avatar(user_id, name):
    """A profile photo, for signed-in users (as the names beside it). The name is the stored
    file's: a new photo has a new address, so this one may be kept for long."""
    user = permissions.access_avatar_or_404(user_id, name, current_user)
    try:
        with open(avatars.path_of(user), "rb") as handle:
            data = io.BytesIO(handle.read())
    except FileNotFoundError:
        abort(404)
    response = send_file(data, mimetype="image/jpeg", etag=user.avatar_name, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
