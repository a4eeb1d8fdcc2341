"""Files: case attachments, images uploaded from a composer and profile photos.

A file belongs to a case, a discussion or a trajectory, and whoever may read that may read the
file. A file uploaded from a composer that belongs to none of them yet (its text is not saved)
is its uploader's alone: for everyone else it does not exist (404).
"""
from community.models import Attachment, User
from community.permissions.cases import access_case_or_404
from community.permissions.core import _signed_in, row_or_404
from community.permissions.discussions import access_discussion_or_404
from community.permissions.trajectories import access_trajectory_or_404


def can_upload_files(user):
    """Any signed-in, active user may upload an image from a composer: it stays theirs alone
    until they save a text that shows it where they may write."""
    return _signed_in(user)


def _is_uploader(user, attachment):
    return _signed_in(user) and attachment.uploader_id == user.id


def access_attachment_or_404(attachment_id, user):
    attachment = row_or_404(Attachment, attachment_id, lambda row: True)
    if attachment.case_id is not None:
        access_case_or_404(attachment.case_id, user)
    elif attachment.discussion_id is not None:
        access_discussion_or_404(attachment.discussion_id, user)
    elif attachment.trajectory_id is not None:
        access_trajectory_or_404(attachment.trajectory_id, user)
    else:
        row_or_404(Attachment, attachment_id, lambda row: _is_uploader(user, row))
    return attachment


def access_avatar_or_404(user_id, name, viewer):
    """A profile photo, for signed-in users (as the name beside it), of an active account, by
    its current file name (an old address of a replaced photo is gone)."""
    return row_or_404(User, user_id, lambda user: _signed_in(viewer) and user.active
                      and user.avatar_name is not None and name == user.avatar_name)


def access_case_attachment_or_404(attachment_id, user):
    """A case's attachment, for its edit page (removing it): 404 for any other file."""
    attachment = access_attachment_or_404(attachment_id, user)
    if attachment.case_id is None:
        row_or_404(Attachment, attachment_id, lambda row: False)
    return attachment
