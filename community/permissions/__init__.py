"""Who may do what: the only place for authorisation, one module per topic.

``can_*`` predicates answer yes/no (and are Jinja globals, so templates show buttons by the same
rule that guards the endpoint). ``access_*_or_404`` loaders fetch an object by id and authorise
it in one step; when the existence of something is private, they answer 404, never 403. Actions
ask the same predicates and raise NotAllowed, which community/errors.py answers with a 403.

Every name is re-exported here: callers write ``permissions.can_reply(...)`` and need not know
the module. Each rule has one name; ``can_coordinate`` is "a coordinator of the community or a
platform admin", whatever they are about to do. Nothing here imports a view, the API or a
blueprint.

    core           signed in, admin, member, coordinator (cached per request), rows by id
    organisations  organisations, their members, platform administration
    communities    reading, joining, leaving and posting in a community
    hidden         who sees content a coordinator hid
    cases          practice cases
    discussions    discussions and replies
    trajectories   development trajectories
    readers        who may read a place (the people an @mention there can reach), as SQL
    uploads        files: case attachments, composer images, profile photos
    moderation     reporting, sanctions, moving a discussion
    live           live streams, notifications, catching up on events
    scan           the learning-culture scan
    privacy        data exports, deleting an account
"""
from community.permissions.core import (  # noqa: F401
    can_coordinate, community_membership, forget_memberships, get_row, is_admin, is_author_while_member,
    is_community_member, is_coordinator, prime_memberships, row_or_404, sanction_in_force, valid_row_id,
)
from community.permissions.organisations import (  # noqa: F401
    access_membership_or_404, access_organisation_for_managing_or_404, access_organisation_or_404,
    access_user_for_admin_or_404, can_leave_organisation, can_manage_organisation, can_request_membership,
    can_view_organisation, is_organisation_manager, organisation_membership, prime_organisation_membership,
)
from community.permissions.communities import (  # noqa: F401
    access_community_for_managing_or_404, access_community_for_posting_or_404, access_community_listing_or_404,
    access_community_membership_or_404, access_community_or_404, access_invitation_or_404,
    access_managed_membership_or_404, can_create_community, can_join, can_leave_community, can_open_post_form,
    can_post_in_community, can_request_to_join, can_see_community_listing, can_view_community,
    can_invite_by_email, coordinated_communities_filter, invitable_user, readable_communities_filter,
    visible_communities_filter,
)
from community.permissions.hidden import can_see_content, can_see_reply, visible_content_filter  # noqa: F401
from community.permissions.cases import (  # noqa: F401
    access_case_for_editing_or_404, access_case_or_404, can_delete_case, can_edit_case, can_publish_case,
    can_view_case, readable_cases_filter,
)
from community.permissions.discussions import (  # noqa: F401
    ReplyRights, access_discussion_for_editing_or_404, access_discussion_or_404, access_reply_for_editing_or_404,
    access_reply_or_404, can_accept_answer, can_delete_reply, can_edit_discussion, can_edit_reply, can_react,
    can_read_discussion, can_reply,
)
from community.permissions.trajectories import (  # noqa: F401
    access_milestone_or_404, access_trajectory_link_or_404, access_trajectory_or_404, can_contribute_to_trajectory,
    can_edit_trajectory, can_follow_trajectory, can_link_to_trajectory, can_sign_off_milestone,
    can_start_trajectory, can_view_trajectory, is_trajectory_insider, trajectory_role, visible_feed_audiences,
    visible_trajectories_filter,
)
from community.permissions.readers import (  # noqa: F401
    PLACE_KINDS, access_place_or_404, can_search_people, readers_filter,
)
from community.permissions.uploads import (  # noqa: F401
    access_attachment_or_404, access_avatar_or_404, access_case_attachment_or_404, can_upload_files,
)
from community.permissions.moderation import (  # noqa: F401
    access_reported_item_or_404, access_sanction_or_404, can_move_discussion, can_report, can_sanction, item_community,
    move_targets_filter,
)
from community.permissions.live import (  # noqa: F401
    LIVE_KINDS, access_live_stream, can_follow_live, can_see_event_subject, can_see_notification,
)
from community.permissions.scan import (  # noqa: F401
    access_scan_link_or_404, access_scan_organisation_or_404, access_scan_round_or_404, can_manage_scan,
    scan_code_row,
)
from community.permissions.privacy import (  # noqa: F401
    access_export_or_404, can_delete_account, is_export_available, handover_needed,
)
from community.permissions.research import can_use_research, can_become_researcher  # noqa: F401

# The predicates templates may ask: every can_* and is_* above.
JINJA_GLOBALS = {
    name: obj for name, obj in dict(globals()).items()
    if name.startswith(("can_", "is_")) and callable(obj)
}
