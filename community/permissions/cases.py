"""Practice cases and their attachments."""
import sqlalchemy as sa

from community.models import Case, Community
from community.permissions.communities import can_post_in_community, can_view_community, readable_communities_filter
from community.permissions.core import _signed_in, can_coordinate, is_author_while_member, row_or_404, usable_or_403
from community.permissions.hidden import can_see_content, visible_content_filter


def can_view_case(user, case):
    if not can_view_community(user, case.community) or not can_see_content(user, case):
        return False
    if case.is_published:
        return True
    # Drafts are the author's unfinished work: nobody else reads them, admins included (as the
    # list filter below, which never shows someone else's draft).
    return _signed_in(user) and case.author_id == user.id


def can_edit_case(user, case):
    if not _signed_in(user) or case.community.archived:
        return False
    if is_author_while_member(user, case, case.community):
        return True
    return case.is_published and can_coordinate(user, case.community)


def can_publish_case(user, case):
    """Publish a draft: only its author, while they may post in the community."""
    return not case.is_published and _signed_in(user) and case.author_id == user.id \
        and can_post_in_community(user, case.community)


def can_delete_case(user, case):
    """Only drafts can be deleted, by their author; a published case stays (its discussion too)."""
    return not case.is_published and _signed_in(user) and case.author_id == user.id


def access_case_or_404(case_id, user):
    return row_or_404(Case, case_id, lambda case: can_view_case(user, case))


def access_case_for_editing_or_404(case_id, user):
    """The edit page and the attachment upload: 404 when the user may not read the case, 403
    when they may read it but not edit it."""
    return usable_or_403(access_case_or_404(case_id, user), lambda case: can_edit_case(user, case))


def readable_cases_filter(user):
    """SQL condition for cases the user may see in lists: published ones in readable
    communities, plus their own drafts."""
    own_drafts = sa.and_(Case.status == "draft", Case.author_id == getattr(user, "id", None))
    return sa.and_(Case.community_id.in_(sa.select(Community.id).where(readable_communities_filter(user))),
                   sa.or_(Case.status == "published", own_drafts), visible_content_filter(user, Case))
