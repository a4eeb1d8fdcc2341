"""Live updates over HTTP: what a browser missed, and notifications.

``GET /live/<kind>/<id>/events?after=<seq>`` answers the events of one stream after a number,
in order. A browser that reconnects (or sees a gap in the numbers) asks here before it applies
live events again, so nothing is lost and nothing comes twice. The stream is authorised exactly
like following it over the socket: a thing you may not see is answered as missing (404).
"""
from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from community import permissions, urls
from community.actions import notifications as actions
from community.api import Blueprint
from community.api.community_schemas import page_field
from community.queries import notifications as queries
from community.realtime.events import CATCH_UP_LIMIT, last_seq
from community.realtime.reading import readable_events

blp = Blueprint("api_live", __name__, url_prefix="/live",
                description="Live updates: catch up on a stream's events after a number")
notifications_blp = Blueprint("api_notifications", __name__, url_prefix="",
                              description="Notifications and follow levels")

NO_STREAM = "No such thing, or one you may not see"


class CatchUpArgs(Schema):
    after = fields.Int(load_default=0, validate=validate.Range(min=0, max=2 ** 31 - 1),
                       metadata={"description": "The last number the client has applied"})
    limit = fields.Int(load_default=CATCH_UP_LIMIT, validate=validate.Range(min=1, max=CATCH_UP_LIMIT))


class CatchUpSchema(Schema):
    stream = fields.Str()
    events = fields.List(fields.Dict(), metadata={"description": "Events with stream, seq, type, op and "
                                                               "their data, in order"})
    more = fields.Bool(metadata={"description": "More events follow: ask again after the last seq"})
    last = fields.Int(metadata={"description": "The stream's latest number"})
    gap = fields.Bool(metadata={"description": "Events after `after` were pruned: reload the page"})


@blp.route("/<kind>/<int:object_id>/events")
@blp.arguments(CatchUpArgs, location="query")
@blp.response(200, CatchUpSchema, errors={404: NO_STREAM})
def events(args, kind, object_id):
    """Events of a community, discussion, case, trajectory or your own stream (`user`).

    Events about something you may no longer see come as `{"type": "withheld"}` with their
    number only."""
    stream = permissions.access_live_stream(kind, object_id, current_user)
    if stream is None:
        abort(404)
    rows, more = readable_events(stream, args["after"], current_user, args["limit"])
    gap = bool(rows) and rows[0]["seq"] > args["after"] + 1
    return {"stream": stream, "events": rows, "more": more, "last": last_seq(stream), "gap": gap}


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    object_type = fields.Str()
    object_id = fields.Int()
    actor = fields.Function(lambda n: n.actor.display_name if n.actor else None)
    data = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda n: urls.notification_url(n))


class NotificationListArgs(Schema):
    unread = fields.Bool(load_default=False)
    page = page_field()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    page = fields.Int()
    pages = fields.Int()
    unread = fields.Int(metadata={"description": "Unread notifications, counted up to 100 (100: a hundred or more)"})


class ReadArgs(Schema):
    ids = fields.List(fields.Int(), load_default=None, validate=validate.Length(max=500),
                      metadata={"description": "Notification ids; leave out to mark all read"})


class ReadSchema(Schema):
    marked = fields.Int()
    unread = fields.Int(metadata={"description": "Unread notifications, counted up to 100 (100: a hundred or more)"})


class LevelArgs(Schema):
    level = fields.Str(required=True, validate=validate.OneOf(("following", "normal", "muted")))


class LevelSchema(Schema):
    level = fields.Str()


@notifications_blp.route("/notifications")
@notifications_blp.arguments(NotificationListArgs, location="query")
@notifications_blp.response(200, NotificationPageSchema)
def list_notifications(args):
    """Your notifications, newest first (only those about things you may still see)."""
    page, rows = queries.notification_page(current_user, queries.NotificationFilters(args["unread"], args["page"]))
    return {"items": rows, "page": page.number, "pages": page.pages,
            "unread": queries.unread_count(current_user)}


@notifications_blp.route("/notifications/read", methods=["POST"])
@notifications_blp.arguments(ReadArgs)
@notifications_blp.response(200, ReadSchema)
def read_notifications(args):
    """Mark notifications read (all of them when no ids are given)."""
    marked = actions.mark_read(current_user, args["ids"])
    return {"marked": marked, "unread": queries.unread_count(current_user)}


FOLLOW_NOT_FOUND = "No such community, discussion or trajectory, or one you may not see"


@notifications_blp.route("/follow/<target>/<int:object_id>", methods=["PUT"])
@notifications_blp.arguments(LevelArgs)
@notifications_blp.response(200, LevelSchema, errors={404: FOLLOW_NOT_FOUND})
def set_level(args, target, object_id):
    """Follow level of a community, discussion or trajectory: following, normal or muted."""
    from community.models import Community, Discussion, Trajectory

    models = {"community": Community, "discussion": Discussion, "trajectory": Trajectory}
    if target not in models:
        abort(404)
    obj = permissions.get_row(models[target], object_id)
    if obj is None or not permissions.can_follow_live(current_user, target, obj):
        abort(404)
    return {"level": actions.set_follow_level(current_user, target, obj, args["level"])}
