"""Live updates: events logged and sent after commit (events), who may follow what and when that
ends (access), stream names (streams), what events carry (payloads, schemas), catch-up (reading),
and the Socket.IO handlers (sockets).

This package's own module imports nothing, so the layers below the handlers (models,
permissions, actions) can use ``community.realtime.streams`` without pulling in socket handlers.
"""


def init_app(app):
    from community.realtime import sockets  # registers the Socket.IO handlers

    sockets.init_app(app)
