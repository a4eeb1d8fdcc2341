"""Translated display names for the stored codes (kinds, roles, states...)."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

LABELS = {
    "user_kind": {
        "employee": _l("Company employee"),
        "teacher": _l("Teacher"),
        "student": _l("Student"),
        "other": _l("Other"),
    },
    "language": {"nl": "Nederlands", "en": "English"},
    "mail_choice": {"instant": _l("At once"), "daily": _l("Daily digest"), "weekly": _l("Weekly digest"),
                    "never": _l("Never")},
    "mail_kind": {"mentions_replies": _l("mentions and replies"), "join_requests": _l("requests to join"),
                  "activity": _l("activity in what you follow"), "milestones": _l("milestones signed off")},
    "org_kind": {"company": _l("Company"), "school": _l("School"), "partner": _l("Partner")},
    "size_band": {"1-9": _l("1–9 employees"), "10-49": _l("10–49 employees"),
                  "50-249": _l("50–249 employees"), "250+": _l("250 or more employees")},
    "level": {"mbo": "mbo", "hbo": "hbo", "mbo-hbo": _l("mbo and hbo")},
    "org_role": {"member": _l("Member"), "manager": _l("Manager")},
    "membership_state": {"pending": _l("Awaiting approval"), "active": _l("Active")},
    "trajectory_status": {"concept": _l("concept"), "active": _l("active"), "paused": _l("paused"),
                          "completed": _l("completed")},
    "org_status": {"active": _l("Active"), "pending": _l("Awaiting approval")},
    "participant_role": {"employee": _l("Company employee"), "coach": _l("Teacher / coach"),
                         "student": _l("Student")},
    "entry_kind": {"reflection": _l("Reflection"), "result": _l("Result"), "obstacle": _l("Obstacle"),
                   "next_step": _l("Next step")},
    "value_kind": {"immediate": _l("Immediate value"), "potential": _l("Potential value"),
                   "applied": _l("Applied value"), "realised": _l("Realised value"),
                   "reframing": _l("Reframing value")},
    # One sentence each, shown beside the learning log (the value-creation framework's five cycles).
    "value_kind_help": {
        "immediate": _l("Useful right away: a good conversation, a tip that helps today."),
        "potential": _l("Knowledge, skills, contacts or ideas gained that can be used later."),
        "applied": _l("What was learned is put into practice: a way of working, a tool or a process changes."),
        "realised": _l("The change shows results: time, quality, safety or costs measurably improve."),
        "reframing": _l("Goals, standards or the way success is measured are rethought."),
    },
    "trajectory_visibility": {"community": _l("Members of the community"), "confidential": _l("Confidential")},
    "case_level": {"mbo": _l("mbo"), "hbo": _l("hbo"), "both": _l("mbo and hbo"), "na": _l("not applicable")},
    "report_reason": {"spam": _l("Spam or advertising"), "inappropriate": _l("Inappropriate or offensive"),
                      "confidential": _l("Confidential company information"), "off_topic": _l("Off-topic"),
                      "other": _l("Something else")},
    "report_target": {"reply": _l("Reply"), "discussion": _l("Discussion"), "case": _l("Practice case")},
    "sanction_kind": {"mute": _l("Mute: can read, cannot post"),
                      "ban": _l("Ban: loses access and cannot rejoin")},
    "audit_action": {"hide": _l("Hidden"), "restore": _l("Restored"), "edit": _l("Edited with a note"),
                     "dismiss": _l("Reports dismissed"), "pin": _l("Pinned"), "unpin": _l("Unpinned"),
                     "lock": _l("Locked"), "unlock": _l("Unlocked"), "move": _l("Moved"), "mute": _l("Muted"),
                     "ban": _l("Banned"), "lift": _l("Sanction lifted"), "disable_account": _l("Account disabled"),
                     "grant_research": _l("Research role granted"), "revoke_research": _l("Research role taken back"),
                     "enable_account": _l("Account enabled"), "delete_account": _l("Account deleted (anonymised)")},
}


def choices(group, blank=None):
    """Options for a select field, optionally with a blank first option."""
    options = [SelectChoice(value, label) for value, label in LABELS[group].items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + options
