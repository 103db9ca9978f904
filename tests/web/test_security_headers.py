"""Security headers on every response, a Content Security Policy the pages can live with, and cookies."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db
from facilitation.security import CONTENT_SECURITY_POLICY
from tests.conftest import ROOT, add_staff, sign_in

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def urls_of_every_kind(meeting) -> list[str]:
    chair, screen, parent = meeting["chair"], meeting["screen"], meeting["participants"][0]
    return [
        f"/chair/{chair}",
        f"/screen/{screen}",
        f"/join/{parent}",
        f"/join/{parent}/actions",
        f"/minutes/{chair}",
        f"/minutes/{parent}/state.json",
        f"/actions/{chair}",
        f"/actions/{chair}/overview",
        "/api/openapi.json",
        "/static/js/room-core.js",
        "/static/css/app.css",
        "/no/such/page",
        f"/join/{'x' * 43}",  # an unknown link: the 404 page
    ]


def test_every_kind_of_response_carries_the_security_headers(client, meeting):
    for url in urls_of_every_kind(meeting):
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        for name, value in EXPECTED.items():
            assert r.headers.get(name) == value, (url, name, r.headers.get(name))
        assert "Strict-Transport-Security" not in r.headers, url  # plain HTTP: HSTS means nothing here


def test_the_policy_allows_only_our_own_scripts_and_styles_and_no_framing():
    csp = policy(CONTENT_SECURITY_POLICY)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert not any("unsafe" in s for sources in csp.values() for s in sources)
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    # connect-src 'self' also covers ws:/wss: to our own host (CSP level 3); no other host is reachable.
    assert csp["connect-src"] == ["'self'"]


def test_headers_a_view_sets_itself_are_kept(client, meeting):
    room = client.get(f"/chair/{meeting['chair']}")
    assert room.headers["Cache-Control"] == "no-store"
    assert room.headers.get_all("Referrer-Policy") == ["no-referrer"]  # set once, not twice


def test_pages_that_carry_links_or_tokens_are_never_stored(client, app, staff, meeting):
    chair, parent, feed = meeting["chair"], meeting["participants"][0], "f" * 43
    admin = add_staff(app, "admin@school.test", "Ms Admin", "admin")
    signed_out = client.application.test_client()
    # A secret link in the URL: whatever the page shows, its address and contents are private.
    for url in (f"/join/{parent}", f"/join/{parent}/actions", f"/minutes/{parent}", f"/minutes/{chair}/state.json",
                f"/actions/{chair}", f"/actions/{chair}/overview", f"/calendar/{feed}.ics", f"/join/{'x' * 43}"):
        assert signed_out.get(url).headers.get("Cache-Control") == "no-store", url
    # A signed-in account: its home page lists its meetings' chair links, the account page issues API tokens.
    sign_in(client, staff["email"])
    home = client.get("/")
    assert f"/chair/{chair}" in home.get_data(as_text=True)
    assert home.headers.get("Cache-Control") == "no-store"
    issued = client.post("/account", data={"what": "api_token"})
    assert 'id="api-token">' in issued.get_data(as_text=True)
    assert issued.headers.get("Cache-Control") == "no-store"
    for url in ("/account", "/actions", "/meetings/new"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    administrator = client.application.test_client()
    sign_in(administrator, admin["email"])
    for url in ("/admin/", "/admin/users", "/admin/settings", "/admin/access-log", "/admin/data-protection/"):
        r = administrator.get(url)
        assert r.status_code == 200 and r.headers.get("Cache-Control") == "no-store", url
    # What is the same for everyone may still be cached: the public pages, and static files even when signed in.
    assert "no-store" not in signed_out.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in signed_out.get("/login").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_a_method_not_allowed_names_the_methods_that_are(client, meeting):
    page = client.put("/")
    assert page.status_code == 405 and "text/html" in page.headers["Content-Type"]
    assert set(page.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    api = client.delete("/api/v1/meetings", headers={"Authorization": f"Bearer {meeting['chair']}"})
    assert api.status_code == 405 and api.get_json()["error"]["code"] == "method_not_allowed"
    assert set(api.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}


def test_the_downloadable_minutes_keep_their_own_policy_which_allows_their_style_and_no_script(client, meeting):
    r = client.get(f"/minutes/{meeting['chair']}/export/html")
    assert r.status_code == 200 and "<style>" in r.get_data(as_text=True)
    csp = policy(r.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]  # scripts fall back to it: none may run
    assert "script-src" not in csp
    assert csp["style-src"] == ["'unsafe-inline'"]
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"


def test_strict_transport_security_is_sent_over_https_only(client, meeting):
    url = f"/join/{meeting['participants'][0]}"
    assert "Strict-Transport-Security" not in client.get(url).headers
    r = client.get(url, base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_strict_transport_security_is_sent_when_the_public_url_is_https_behind_a_proxy(tmp_path):
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}", PUBLIC_URL="https://meet.example.org"
    )
    with app.app_context():
        db.create_all()
    r = app.test_client().get("/static/css/app.css")  # TLS ended at the proxy: the request itself is http
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_count(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}", TRUSTED_PROXIES=1)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    r = app.test_client().get("/static/css/app.css", headers=forwarded)
    assert "Strict-Transport-Security" in r.headers
    # Without TRUSTED_PROXIES the same headers are anyone's to write, and are ignored.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'u.db'}")
    assert "Strict-Transport-Security" not in app.test_client().get("/static/css/app.css", headers=forwarded).headers


def test_the_session_cookie_is_http_only_same_site_lax_and_secure_when_configured(tmp_path, meeting, client):
    plain = client.get(f"/join/{meeting['participants'][0]}").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_NAME="__Host-session",
    )
    cookie = app.test_client().get("/", base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"))
    assert "Domain=" not in cookie  # __Host- cookies belong to this host only


@pytest.mark.parametrize(
    ("public_url", "secure", "name"),
    [("https://meet.example.org", True, "__Host-session"), ("http://127.0.0.1:5000", False, "session")],
)
def test_cookies_are_secure_exactly_when_the_public_url_is_https(public_url, secure, name):
    code = (
        "from facilitation.config import Config as C;"
        "print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE, C.SESSION_COOKIE_NAME,"
        " C.SESSION_COOKIE_HTTPONLY, C.REMEMBER_COOKIE_HTTPONLY, C.SESSION_COOKIE_SAMESITE, C.REMEMBER_COOKIE_SAMESITE)"
    )
    env = {**os.environ, "PUBLIC_URL": public_url, "INSTANCE_PATH": "/nonexistent-instance"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(secure), str(secure), name, "True", "True", "Lax", "Lax"]


# ---------------------------------------------------------------- what the pages are made of

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def template_files():
    return sorted((ROOT / "templates").rglob("*.html"))


def test_no_template_has_inline_scripts_event_handlers_or_style_attributes():
    # (The browser tests run every page under the policy and fail on any violation; this finds the
    # cause early and names the file.)
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        assert not INLINE_SCRIPT.search(text), f"{where}: an inline <script> (move it to static/js)"
        assert not INLINE_HANDLER.search(text), f"{where}: an inline event handler (use addEventListener)"
        assert "style=" not in text, f"{where}: a style attribute (use a class in static/css)"
        assert "javascript:" not in text, f"{where}: a javascript: URL"
        if path.name != "export.html":  # the downloadable minutes: a standalone file with its own policy
            assert "<style" not in text, f"{where}: an inline <style> (move it to static/css)"


def test_no_script_sets_a_style_attribute_writes_markup_from_strings_or_evaluates_code():
    # element.style.width = ... (CSSOM) is allowed by the policy; a style attribute written as markup is not.
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"setAttribute\(\s*[\"']style", text), path.name
        assert not re.search(r"[{,]\s*style\s*:\s*[\"'`]", text), (
            f"{path.name}: el(..., {{style: ...}}) sets an attribute"
        )
        assert "cssText" not in text and "innerHTML" not in text and "insertAdjacentHTML" not in text, path.name
        assert "eval(" not in text and "new Function" not in text, path.name


def test_the_security_guide_names_only_tests_that_exist():
    guide = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", guide)
    assert len(named) > 30
    for path, name in named:
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"docs/security.md names {path}::{name}"
