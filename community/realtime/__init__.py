"""Live updates: events logged and sent after commit (events), who may follow what and when that
ends (access), stream names (streams), what events carry (payloads) and their shapes (schemas),
catch-up (reading), and the Socket.IO handlers (sockets, wired in by create_app).

This file imports nothing, so the layers below the handlers (models, permissions, actions) can
use ``community.realtime.streams`` and ``events`` without pulling in socket handlers.
"""
