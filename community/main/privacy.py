"""The privacy statement's table: what Leerkring stores, why, for how long and who sees it. The
periods are read from the same settings the retention job uses (config.py), so the page never
says something other than what the job does."""
from flask import current_app
from flask_babel import gettext as _, ngettext


def _days(setting):
    """A retention setting (a number of days) as text: "14 dagen"."""
    return _count(current_app.config[setting])


def _count(days):
    return ngettext("%(num)d day", "%(num)d days", days)


def rows():
    """[(what, why, how long, who can see it)], in the order of the page."""
    return [
        (_("Your account: name, e-mail address, role (employee, teacher, student), language, "
           "organisations, when you last logged in; your password only as a one-way hash"),
         _("To let you log in and to show who wrote what"),
         _("Until you delete your account"),
         _("Your name: members of the communities and organisations you take part in. Your e-mail "
           "address: you and the platform administrators, never other members")),
        (_("What you write: discussions, replies (with earlier versions), practice cases with "
           "attachments, trajectory log entries and learning outcomes"),
         _("It is what the learning community is for"),
         _("As long as the community or trajectory exists; when you delete your account it stays "
           "under a pseudonym ('Former member'), so conversations remain readable"),
         _("Whoever may see the place where you wrote it: everyone for a public community, members "
           "for a private one, participants for a confidential trajectory")),
        (_("Logged-in browsers: the kind of browser, when you logged in and were last active"),
         _("To keep you logged in, and to log out everywhere"),
         _("Until you log out, at most %(period)s",
           period=_count(current_app.config["PERMANENT_SESSION_LIFETIME"].days)),
         _("Only you")),
        (_("Cookies in your browser: your login, your language, and a mark that this browser logged "
           "in to your account before (so others guessing your password cannot lock you out)"),
         _("To keep you logged in and to protect your account"),
         _("Your login until you log out; the mark %(period)s", period=_days("KNOWN_BROWSER_DAYS")),
         _("Only your browser")),
        (_("Notifications for you"),
         _("To tell you what happened in what you follow"),
         _("%(read)s after you read them; unread ones %(unread)s",
           read=_days("NOTIFICATION_RETENTION_DAYS"), unread=_days("UNREAD_NOTIFICATION_RETENTION_DAYS")),
         _("Only you")),
        (_("The log of live updates (new replies, changes) that open pages catch up from"),
         _("So a page that was briefly offline misses nothing"),
         _days("EVENT_RETENTION_DAYS"),
         _("Whoever may see the place the update is about")),
        (_("Sent mail (a copy with your address)"),
         _("To show administrators what went out and what failed"),
         _days("MAIL_RETENTION_DAYS"),
         _("Platform administrators")),
        (_("Invitations mailed to an address"),
         _("So the invited person can create an account with that address"),
         _("%(period)s after the invitation expired or was withdrawn", period=_days("INVITATION_RETENTION_DAYS")),
         _("The community's coordinators")),
        (_("Downloads of your data (export)"),
         _("So you can fetch the file when it is ready"),
         _days("EXPORT_RETENTION_DAYS"),
         _("Only you")),
        (_("Counters against abuse, per IP address and per e-mail address typed at login, "
           "registration and password reset"),
         _("To stop password guessing and mass registration"),
         _("Until the limit's period ends (at most one hour with the standard limits)"),
         _("Nobody: they are only counted")),
        (_("Learning-culture scan answers"),
         _("To show a company its learning climate"),
         _("As long as the company keeps the round"),
         _("Nobody can link an answer to a person: no name, address, code or time of day is stored. "
           "Managers see results only for groups of at least 5 respondents. Only if the company's "
           "manager allowed it for the round, and respondents are told before they answer, are its "
           "aggregated results used for research across companies")),
    ]

