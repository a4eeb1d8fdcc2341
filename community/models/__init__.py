"""Tables, relationships and small invariants. No commits, no emits, no request access here."""
from community.models.base import UTCDateTime, utcnow  # noqa: F401
from community.models.organisation import (  # noqa: F401
    MEMBERSHIP_STATES, ORG_KINDS, ORG_ROLES, SCHOOL_LEVELS, SIZE_BANDS, Organisation,
    OrganisationMembership,
)
from community.models.user import (  # noqa: F401
    EXPORT_STATUSES, LANGUAGES, USER_KINDS, ApiToken, DataExport, LoginSession, User,
)
from community.models.community import (  # noqa: F401,E402
    COMMUNITY_ROLES, COMMUNITY_STATES, JOIN_POLICIES, VISIBILITIES, Community, CommunityMembership,
    FeedEntry, Invitation,
)
from community.models.content import (  # noqa: F401,E402
    CASE_LEVELS, CASE_SECTIONS, CASE_STATUSES, Attachment, Case, CaseTag, Discussion, Mention, Reaction,
    ReadMark, Reply, Revision,
)
from community.models.trajectory import (  # noqa: F401,E402
    ENTRY_KINDS, LINK_TARGETS, MILESTONE_STATUSES, PARTICIPANT_ROLES, STATUS_TRANSITIONS, TRAJECTORY_STATUSES,
    TRAJECTORY_VISIBILITIES, VALUE_KINDS, Milestone, OutcomeEntry, Trajectory, TrajectoryFollow, TrajectoryLink,
    TrajectoryParticipant,
)
from community.models.live import (  # noqa: F401,E402
    FOLLOW_LEVELS, FOLLOW_TARGETS, NOTIFICATION_KINDS, STREAM_KINDS, Event, EventStream, FollowLevel,
    Notification,
)
from community.models.scan import SCAN_VARIANTS, ScanCode, ScanResponse, ScanRound, ScanScore  # noqa: F401,E402
from community.models.moderation import (  # noqa: F401,E402
    AUDIT_ACTIONS, REPORT_REASONS, REPORT_STATUSES, REPORT_TARGETS, SANCTION_KINDS, AuditEntry, Report, Sanction,
)
from community.models.jobs import JobFailure  # noqa: F401,E402
from community.models.mail import (  # noqa: F401,E402
    KIND_CHOICES, MAIL_CHOICES, MAIL_DEFAULTS, MAIL_PREFERENCE_KINDS, MAIL_STATUSES, Mail, MailPreference,
)
from community.models.search import SEARCH_KINDS, SearchEntry  # noqa: F401,E402
