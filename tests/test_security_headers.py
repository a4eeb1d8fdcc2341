"""Security headers on pages and JSON, the session cookie's flags, the health check, and the
production configuration refusing to start with a weak SECRET_KEY."""
import pytest

from community import create_app
from config import INSECURE_DEFAULT_KEY, ProductionConfig

SESSION_COOKIE = "leerkring_session"


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return policy, directives


def assert_security_headers(response):
    policy, directives = csp_directives(response)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "*" not in policy.split()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin",
                                                   "no-referrer", "strict-origin"}


def test_headers_on_public_html_page(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert_security_headers(response)


def test_headers_on_private_html_page(factories, make_client):
    response = make_client(factories.user()).get("/dashboard")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_headers_on_json(factories, client):
    from community.actions.tokens import create_token
    token = create_token(factories.user(), "headers")[1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path,status", [("/healthz", 200), ("/api/v1/nope", 404), ("/nope", 404),
                                         ("/api/v1/me", 401)])
def test_headers_on_errors_and_health(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_no_inline_scripts_or_styles_on_pages(factories, make_client):
    """The CSP forbids inline code, so the pages must not rely on it."""
    client = make_client(factories.admin())
    for path in ("/", "/dashboard", "/organisations/", "/account/", "/admin/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and " style=" not in html, path


def test_session_cookie_flags(factories, client):
    response = client.login(factories.user())
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    flags = [flag.strip().lower() for flag in cookies[-1].split(";")[1:]]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags


def test_session_cookie_is_set_for_anonymous_csrf_too(client):
    """Even the anonymous session (holding the CSRF secret) is HttpOnly and SameSite=Lax."""
    response = client.get("/login")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


# --- production configuration -----------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "", "short", "x" * 31, INSECURE_DEFAULT_KEY])
def test_production_refuses_a_weak_secret_key(monkeypatch, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_by_name_too(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_accepts_a_strong_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    ProductionConfig.check()  # does not raise
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_nul_characters_in_queries_and_forms_are_refused(client, factories):
    client.login(factories.user())
    assert client.get("/organisations/?q=a%00b").status_code == 400
    assert client.get("/communities/?sector=%00").status_code == 400
    assert client.get("/api/v1/organisations?q=%00").status_code == 400
    response = client.submit("/account/", {"display_name": "a\x00b", "kind": "employee", "language": "nl"})
    assert response.status_code == 400
