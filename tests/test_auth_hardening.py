"""Logging in and registering without telling strangers which addresses have an account, and
login limits that slow an attacker down without locking the owner out."""
import re
import statistics
import time

import pytest
from argon2 import PasswordHasher
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from community.actions import accounts
from community.auth import known_browser
from community.extensions import db
from community.models import OrganisationMembership, User
from tests.factories import PASSWORD

TRIES = 15


@pytest.fixture
def real_hasher(app):
    """The production argon2 parameters, as in a real deployment (the suite uses cheap ones)."""
    app.config["PASSWORD_HASH_FAST"] = False
    yield
    app.config["PASSWORD_HASH_FAST"] = True


@pytest.fixture
def account_limit(app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "5 per 10 minutes"
    yield
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "10000 per minute"


def _timed_posts(client, url, forms, tries=TRIES):
    """Post each form ``tries`` times, alternating between the kinds so that the machine's load
    at any moment weighs on both alike; the median time of each kind."""
    token = client.csrf_token(url)
    times = {kind: [] for kind in forms}
    for number in range(tries):
        for kind, make in forms.items():
            data = make(number) | {"csrf_token": token}
            started = time.perf_counter()
            client.post(url, data=data)
            times[kind].append(time.perf_counter() - started)
    return {kind: statistics.median(values) for kind, values in times.items()}


def _assert_alike(medians):
    first, second = medians.values()
    assert 0.67 <= first / second <= 1.5, medians


# --- timing ------------------------------------------------------------------------------------

def test_unknown_and_known_addresses_take_the_same_time_to_refuse(real_hasher, make_client, factories):
    user = factories.user()
    assert user.password_hash.startswith("$argon2id$v=19$m=65536"), "not the production parameters"
    client = make_client()
    forms = {"known": lambda n: {"email": user.email, "password": f"wrong guess {n}"},
             "unknown": lambda n: {"email": f"nobody{n}@example.com", "password": f"wrong guess {n}"}}
    _timed_posts(client, "/login", forms, tries=1)  # warm up: caches, the stand-in hash
    _assert_alike(_timed_posts(client, "/login", forms))


def test_an_unknown_address_costs_one_verify_and_no_hash(app, factories, monkeypatch):
    """The deterministic side of the timing test: the same argon2 work either way."""
    user = factories.user()
    accounts.authenticate("warm-up@example.com", "x")  # the stand-in hash is made once per process
    calls = []
    monkeypatch.setattr(PasswordHasher, "hash", _counting(PasswordHasher.hash, "hash", calls))
    monkeypatch.setattr(PasswordHasher, "verify", _counting(PasswordHasher.verify, "verify", calls))
    with app.test_request_context():
        assert accounts.authenticate("nobody@example.com", "wrong guess") is None
        unknown, calls[:] = list(calls), []
        assert accounts.authenticate(user.email, "wrong guess") is None
    assert unknown == calls == ["verify"]


def _counting(method, name, calls):
    def counted(self, *args, **kwargs):
        calls.append(name)
        return method(self, *args, **kwargs)
    return counted


def test_registering_a_taken_address_takes_the_same_time(real_hasher, make_client, factories):
    taken = factories.user(email="taken@example.com")
    client = make_client()

    def form(email):
        return {"display_name": "Naam", "email": email, "password": "een lang wachtwoord",
                "kind": "employee", "language": "nl", "accept_privacy": "y"}

    forms = {"taken": lambda n: form(taken.email), "new": lambda n: form(f"new{n}@example.com")}
    _timed_posts(client, "/register", {"taken": forms["taken"], "new": lambda n: form("warm@example.com")}, 1)
    _assert_alike(_timed_posts(client, "/register", forms, tries=9))  # fewer: each one makes an account


# --- registering: the same answer for a taken address -------------------------------------------

def _register(client, email, **extra):
    data = {"display_name": "Iemand Anders", "email": email, "password": "een ander wachtwoord",
            "kind": "employee", "language": "nl", "organisation": "", "accept_privacy": "y"} | extra
    response = client.submit("/register", data, page="/register")
    page = client.get(response.headers.get("Location", "/register")).get_data(as_text=True)
    return response, page


def _comparable(page, email):
    page = page.replace(email, "EMAIL")
    return re.sub(r"[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}", "TOKEN", page)  # CSRF tokens differ per session


def test_registering_a_taken_address_looks_the_same_as_a_new_one(make_client, factories):
    org = factories.organisation(name="Van der Meer Metaal")
    owner = factories.user(email="owner@example.com", name="Echte Eigenaar")
    choice = {"organisation": str(org.id)}
    taken, taken_page = _register(make_client(), "Owner@Example.com", **choice)
    new, new_page = _register(make_client(), "fresh@example.com", **choice)

    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"] == "/login"
    assert _comparable(taken_page, "owner@example.com") == _comparable(new_page, "fresh@example.com")
    assert "Er bestaat al" not in taken_page and "bestaat" not in taken_page
    assert "Had je met dit adres al een account?" in taken_page
    assert "Van der Meer Metaal" in taken_page  # the same organisation message either way
    # Nothing changed for the owner: no second account, no request in their name, same password.
    db.session.rollback()  # see what the requests wrote, not a read snapshot from before them
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "owner@example.com")) == 1
    assert db.session.get(User, owner.id).display_name == "Echte Eigenaar"
    assert db.session.scalar(db.select(db.func.count(OrganisationMembership.id)).where(
        OrganisationMembership.user_id == owner.id)) == 0
    assert accounts.authenticate("owner@example.com", PASSWORD) is not None
    assert accounts.authenticate("owner@example.com", "een ander wachtwoord") is None


def test_a_new_member_can_log_in_after_registering(make_client, factories):
    org = factories.organisation(name="Van der Meer Metaal")
    client = make_client()
    _response, page = _register(client, "fresh@example.com", organisation=str(org.id))
    assert 'value="fresh@example.com"' in page
    response = client.submit("/login", {"email": "fresh@example.com", "password": "een ander wachtwoord"},
                             page="/login")
    assert response.headers["Location"] == "/dashboard"
    db.session.rollback()  # reading org.id above opened a read snapshot from before the requests
    user = db.session.scalar(db.select(User).where(User.email == "fresh@example.com"))
    assert db.session.scalar(db.select(OrganisationMembership.state).where(
        OrganisationMembership.user_id == user.id)) == "pending"


def test_the_taken_address_path_leaves_a_hook_for_mail():
    import inspect

    assert "# when mail exists: send the owner a notice" in inspect.getsource(accounts.sign_up)


# --- per-account limit and the known-browser cookie ------------------------------------------------

def _try(client, email, password):
    return client.submit("/login", {"email": email, "password": password}, page="/login").status_code


def _owner_browser(make_client, user):
    """A browser the owner logged in with before (and logged out of again)."""
    browser = make_client(user)
    browser.logout()
    return browser


def test_a_stranger_cannot_lock_the_owner_out(account_limit, make_client, factories):
    user = factories.user()
    owner = _owner_browser(make_client, user)
    stranger = make_client()
    assert [_try(stranger, user.email, f"guess {n}") for n in range(7)] == [400] * 5 + [429] * 2
    assert _try(make_client(), user.email, PASSWORD) == 429  # a browser that never logged in waits
    assert _try(owner, user.email, PASSWORD) == 302  # the owner's own browser gets in


def test_the_owners_typos_do_not_count_against_the_account(account_limit, make_client, factories):
    user = factories.user()
    owner = _owner_browser(make_client, user)
    assert [_try(owner, user.email, f"typo {n}") for n in range(7)] == [400] * 7
    assert _try(make_client(), user.email, "a stranger's guess") == 400  # the limit is untouched
    assert _try(owner, user.email, PASSWORD) == 302


def test_the_cookie_vouches_only_for_its_own_account(account_limit, make_client, factories):
    user, other = factories.user(), factories.user()
    browser = _owner_browser(make_client, user)
    stranger = make_client()
    for n in range(6):
        _try(stranger, other.email, f"guess {n}")
    assert _try(browser, other.email, PASSWORD) == 429


def _cookie(client):
    cookie = client.get_cookie(known_browser.COOKIE_NAME, path="/login")
    assert cookie is not None
    return cookie


@pytest.mark.parametrize("forge", ["tampered", "expired", "other key"])
def test_a_forged_or_old_cookie_does_not_help(app, account_limit, make_client, factories, forge):
    user = factories.user()
    value = _cookie(_owner_browser(make_client, user)).value
    marks = URLSafeTimedSerializer(app.secret_key, salt="known-browser").loads(value)
    if forge == "tampered":
        value = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    elif forge == "expired":
        class LongAgo(TimestampSigner):
            def get_timestamp(self):
                return int(time.time()) - (app.config["KNOWN_BROWSER_DAYS"] + 1) * 24 * 3600
        value = URLSafeTimedSerializer(app.secret_key, salt="known-browser", signer=LongAgo).dumps(marks)
    else:
        value = URLSafeTimedSerializer("someone else's key", salt="known-browser").dumps(marks)
    stranger = make_client()
    for n in range(6):
        _try(stranger, user.email, f"guess {n}")
    forger = make_client()
    forger.set_cookie(known_browser.COOKIE_NAME, value, path="/login")
    assert _try(forger, user.email, PASSWORD) == 429


def test_a_new_password_retires_the_cookie(account_limit, make_client, factories):
    user = factories.user()
    owner = _owner_browser(make_client, user)
    accounts.change_password(user, PASSWORD, "een nieuw wachtwoord")
    stranger = make_client()
    for n in range(6):
        _try(stranger, user.email, f"guess {n}")
    assert _try(owner, user.email, "een nieuw wachtwoord") == 429


def test_the_address_limit_still_holds_for_a_known_browser(app, make_client, factories):
    user = factories.user()
    owner = _owner_browser(make_client, user)
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    try:
        assert [_try(owner, user.email, f"typo {n}") for n in range(4)] == [400, 400, 400, 429]
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "10000 per minute"


def test_known_browser_cookie_is_private_to_the_login_page(app, make_client, factories):
    user = factories.user()
    client = make_client()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD}, page="/login")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(known_browser.COOKIE_NAME))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/login" in header
    assert "Max-Age=" in header and "Secure" not in header
    marks = URLSafeTimedSerializer(app.secret_key, salt="known-browser").loads(header.split(";")[0].split("=", 1)[1])
    assert all(re.fullmatch(r"[0-9a-f]{32}", mark) for mark in marks)  # keyed hashes: they name no account
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        with app.test_request_context("/login"):
            secure = known_browser.remember(app.make_response(""), user).headers.getlist("Set-Cookie")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert any("Secure" in h for h in secure)


def test_one_browser_remembers_a_few_accounts(make_client, factories):
    people = [factories.user() for _ in range(known_browser.MAX_ACCOUNTS + 1)]
    browser = make_client()
    for person in people:
        browser.login(person)
        browser.logout()
    marks = URLSafeTimedSerializer(browser.application.secret_key, salt="known-browser").loads(
        _cookie(browser).value)
    assert len(marks) == known_browser.MAX_ACCOUNTS
