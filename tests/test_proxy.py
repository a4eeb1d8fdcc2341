"""Behind a reverse proxy (PROXY_COUNT set) the visitor's address comes from X-Forwarded-For, so
per-address limits count visitors, not the proxy; without it the header is ignored (spoofable)."""
from flask import request

from community import create_app
from config import TestingConfig


def _app(count):
    class Config(TestingConfig):
        PROXY_COUNT = count

    app = create_app(Config)
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr or "")
    return app


def test_forwarded_address_is_used_only_behind_a_proxy():
    headers = {"X-Forwarded-For": "203.0.113.7"}
    assert _app(1).test_client().get("/_addr", headers=headers).get_data(as_text=True) == "203.0.113.7"
    assert _app(0).test_client().get("/_addr", headers=headers).get_data(as_text=True) == "127.0.0.1"
