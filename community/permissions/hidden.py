"""Hidden content: what a coordinator hid shows to its author (with the reason) and to those who
run the community; to nobody else."""
import sqlalchemy as sa

from community.permissions.communities import coordinated_communities_filter
from community.permissions.core import _signed_in, can_coordinate, is_admin


def can_see_content(user, item):
    """Hidden content shows to its author (with the reason) and to moderators; to nobody else."""
    if not item.is_hidden:
        return True
    if not _signed_in(user):
        return False
    community = item.discussion.community if hasattr(item, "discussion_id") else item.community
    return item.author_id == user.id or can_coordinate(user, community)


def can_see_reply(user, reply):
    return can_see_content(user, reply) if reply.is_hidden else True


def visible_content_filter(user, model):
    """SQL condition matching what can_see_content allows, for lists: not hidden, or the user's
    own, or anything in communities they moderate."""
    if is_admin(user):
        return sa.true()
    if not _signed_in(user):
        return model.hidden_at.is_(None)
    return sa.or_(model.hidden_at.is_(None), model.author_id == user.id,
                  coordinated_communities_filter(user, model.community_id))
