"""Real app processes for the tests that start them (the scale-out pair, the embedded server):
waiting for one to answer, stopping its process group, a requests session signed in through the
login form, and a real Socket.IO client over a WebSocket with that session's cookie."""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PASSWORD = "scale-out-password-123"


def _wait_ready(proc, url, log_path, timeout=30):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app process exited: {log_path.read_text()[-2000:]}")
        try:
            if requests.get(url + "/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"app process on {url} did not answer: {log_path.read_text()[-2000:]}")


def _stop(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _csrf(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _browser(base, email):
    """A requests session signed in through the login form, like a browser."""
    import requests

    session = requests.Session()
    token = _csrf(session.get(base + "/login", timeout=10).text)
    response = session.post(base + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:500]
    return session


class Socket:
    """A real Socket.IO client (websocket transport) with the browser session's cookie."""

    def __init__(self, base, session):
        import socketio

        self.events, self.revoked, self.gone = [], [], threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self.events.append)
        self.client.on("revoked", self.revoked.append)
        self.client.on("disconnect", lambda *args: self.gone.set())
        cookie = session.cookies.get("leerkring_session")
        self.client.connect(base, headers={"Cookie": f"leerkring_session={cookie}"}, transports=["websocket"],
                            wait_timeout=10)

    def follow(self, discussion_id, kind="discussion"):
        return self.client.call("follow", {"kind": kind, "id": discussion_id}, timeout=10)

    def wait_for(self, predicate, timeout=10, among=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [event for event in (self.events if among is None else among) if predicate(event)]
            if found:
                return found
            time.sleep(0.02)
        return []

    def close(self):
        if self.client.connected:
            self.client.disconnect()
