"""Absolute links for mails. They are made from BASE_URL, or the HOST and PORT the embedded
server listens on, never from a request: a forged Host header must not put another site into
a password-reset link. Works in a job too, where there is no request."""
from flask import current_app


def base_url():
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    return f"http://{current_app.config['HOST']}:{current_app.config['PORT']}"


def absolute_url(endpoint, **values):
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path
