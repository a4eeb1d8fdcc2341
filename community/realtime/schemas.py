"""The shape of every event, one entry per type and op: what a browser (or an API client catching
up) may rely on. The data itself is built in community.realtime.payloads; the tests check every
event sent during the suite against these shapes (tests/conftest.py, as Zulip's event tests do),
and tests/test_event_schemas.py sends each type through the real actions.

A shape maps each field to its type: a Python type, a tuple of them (``OPTIONAL_STR``), or one
of the nested shapes below. Every field is required, and no other field may come.
"""
NONE = type(None)
OPTIONAL_INT = (int, NONE)
OPTIONAL_STR = (str, NONE)

# Every event has these, from the event log (community.realtime.events.message_of).
ENVELOPE = {"stream": str, "seq": int, "type": str, "op": str, "at": str}

PERSON = {"id": int, "name": str, "handle": str}
LOCALISED = {"nl": str, "en": str}  # pre-rendered HTML in every interface language

REPLY = {"discussion_id": int, "reply_id": int, "number": int, "author": (PERSON, NONE), "removed": bool,
         "helpful_count": int, "reply_count": int}
DISCUSSION = {"discussion_id": int, "community_id": int, "title": str, "body_html": str, "locked": bool,
              "lock_reason": OPTIONAL_STR, "pinned": bool, "accepted_reply_id": OPTIONAL_INT,
              "reply_count": int}

EVENTS = {
    ("reply", "new"): REPLY,
    ("reply", "edited"): REPLY,
    ("reply", "removed"): REPLY,
    ("reply", "restored"): REPLY,
    ("reply", "hidden"): {"reply_id": int, "number": int},
    ("reaction", "changed"): {"reply_id": int, "number": int, "helpful_count": int},
    ("discussion", "new"): DISCUSSION,
    ("discussion", "edited"): DISCUSSION,
    ("discussion", "answer"): DISCUSSION,
    ("discussion", "pinned"): DISCUSSION,
    ("discussion", "locked"): DISCUSSION,
    ("discussion", "hidden"): {"discussion_id": int},
    ("discussion", "restored"): {"discussion_id": int},
    ("discussion", "moved"): {"discussion_id": int, "community_id": int},
    ("case", "published"): {"case_id": int, "community_id": int, "title": str},
    ("case", "updated"): {"case_id": int, "community_id": int, "title": str},
    ("case", "hidden"): {"case_id": int},
    ("case", "restored"): {"case_id": int},
    ("trajectory", "updated"): {"trajectory_id": int},
    ("trajectory", "participants"): {"trajectory_id": int},
    ("trajectory", "milestones"): {"trajectory_id": int},
    ("trajectory", "links"): {"trajectory_id": int},
    ("membership", "joined"): {"community_id": int, "member_count": int},
    ("membership", "left"): {"community_id": int, "member_count": int},
    ("queue", "reported"): {"community_id": int},
    ("queue", "decided"): {"community_id": int},
    ("feed", "new"): {"community_id": int, "entry_id": int, "kind": str, "html": LOCALISED},
    ("notification", "new"): {"notification_id": int, "kind": str, "unread": int, "html": LOCALISED},
    ("notification", "read"): {"unread": int},
}

# A logged event about something hidden since keeps only these (community.realtime.payloads.redacted).
REDACTED_KEEPS = {"reply_id": int, "number": int, "discussion_id": int, "case_id": int, "entry_id": int,
                  "community_id": int, "notification_id": int, "kind": str, "unread": int}
# Catching up, an event the reader may no longer see comes as its number only (realtime.reading).
WITHHELD = ("withheld", "withheld")


def _type_problems(name, value, expected):
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return [f"{name} is {type(value).__name__}, not an object"]
        return _fields_problems(value, expected, prefix=f"{name}.")
    if isinstance(expected, tuple):
        for option in expected:
            if not _type_problems(name, value, option):
                return []
        return [f"{name} is {value!r}, not one of the allowed types"]
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        return [f"{name} is {type(value).__name__}, not {expected.__name__}"]
    return []


def _fields_problems(data, shape, prefix="", optional=False):
    problems = [f"{prefix}{key} is not in the schema" for key in sorted(set(data) - set(shape))]
    for key, expected in shape.items():
        if key not in data:
            if not optional:
                problems.append(f"{prefix}{key} is missing")
            continue
        problems += _type_problems(prefix + key, data[key], expected)
    return problems


def problems(message):
    """What is wrong with an event as sent or caught up on ([] when it fits its schema)."""
    envelope = {key: message[key] for key in ENVELOPE if key in message}
    found = _fields_problems(envelope, ENVELOPE)
    data = {key: value for key, value in message.items() if key not in ENVELOPE}
    kind = (message.get("type"), message.get("op"))
    if kind == WITHHELD:
        return found + _fields_problems(data, {})
    if kind not in EVENTS:
        return found + [f"no schema for {kind[0]}/{kind[1]}"]
    if data.get("redacted") is True:
        data.pop("redacted")
        return found + _fields_problems(data, REDACTED_KEEPS, optional=True)
    return found + _fields_problems(data, EVENTS[kind])
