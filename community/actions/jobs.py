"""Failed background jobs: kept with their error for admins, who can queue one again."""
import json

from flask_babel import lazy_gettext as _l

from community.actions import ActionError, NotAllowed
from community.extensions import db
from community.models import JobFailure, utcnow


def _plain(values):
    """Job arguments as JSON can hold them (they are ids and plain values already)."""
    return json.loads(json.dumps(list(values), default=str))


def record_failure(name, args, kwargs, error):
    db.session.add(JobFailure(name=name[:80], args=_plain(args), error=repr(error)[:4000]))
    db.session.commit()


def retry_failure(actor, failure):
    from community.jobs import enqueue_again

    if not actor.is_admin:
        raise NotAllowed(_l("Only platform administrators can do this."))
    if failure.retried_at is not None:
        raise ActionError(_l("This job was queued again already."), status=409, code="conflict")
    failure.retried_at = utcnow()
    enqueue_again(failure.name, failure.args)
    db.session.commit()
    return failure
