"""Issue 14, item 9: security headers on every answer, Secure cookies over https, redirects
that never name a forged Host, and API docs from installed files only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from planwatch.configuration import Settings
from planwatch.web import create_app
from planwatch.web.headers import CONTENT_SECURITY_POLICY
from tests.security.conftest import Site
from tests.security.helpers import csrf_of, log_in

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}


@pytest.mark.parametrize("path", ["/login", "/dashboard", "/static/app.css", "/api/v1/plans", "/openapi.json",
                                  "/no-such-page", "/api/v1/docs", "/api/v1/docs/assets/swagger-ui.css"])
def test_every_answer_carries_the_security_headers(path: str) -> None:
    with TestClient(create_app(secret_key="headers")) as client:
        response = client.get(path, follow_redirects=False)
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (path, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain http: no HSTS


def test_a_forged_host_never_appears_in_a_redirect(site: Site) -> None:
    evil = {"Host": "evil.example"}
    client = site.client
    for path in ["/dashboard", "/dashboard/", "/", "/lang/en?next=/dashboard"]:
        response = client.get(path, headers=evil, follow_redirects=False)
        assert response.status_code in {303, 307}, path
        assert "evil.example" not in response.headers["location"] and response.headers["location"].startswith("/")
    log_in(client, "jiance")
    for path in ["/"]:
        response = client.get(path, headers=evil, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/"), path
    logged_in = client.post("/login", headers=evil, follow_redirects=False, data={
        "login": "jiance", "password": "right-pass-1", "next": "/dashboard", "csrf_token": csrf_of(client)})
    assert logged_in.headers["location"] == "/dashboard"


def test_allowed_hosts_refuse_other_host_names() -> None:
    with TestClient(create_app(Settings(allowed_hosts=("jc.example.gov.cn",)), secret_key="hosts"),
                    base_url="http://jc.example.gov.cn") as client:
        assert client.get("/login").status_code == 200
        refused = client.get("/login", headers={"Host": "evil.example"})
        assert refused.status_code == 400 and refused.headers["x-frame-options"] == "DENY"


def _secure_cookies(response_cookies: list[str]) -> bool:
    return bool(response_cookies) and all("secure" in [p.strip().lower() for p in c.split(";")]
                                          for c in response_cookies)


def test_cookies_are_secure_whenever_the_request_came_over_https() -> None:
    with TestClient(create_app(secret_key="tls"), base_url="https://testserver") as client:
        response = client.get("/login")  # a proxy's X-Forwarded-Proto: https ends up as this scheme
        assert _secure_cookies(response.headers.get_list("set-cookie"))
        assert response.headers["strict-transport-security"].startswith("max-age=")
        language = client.get("/lang/en", follow_redirects=False)
        assert _secure_cookies(language.headers.get_list("set-cookie"))
    with TestClient(create_app(Settings(https=True), secret_key="tls")) as client:  # --https behind a proxy
        assert _secure_cookies(client.get("/login").headers.get_list("set-cookie"))
    with TestClient(create_app(secret_key="plain")) as client:
        assert not _secure_cookies(client.get("/login").headers.get_list("set-cookie"))


def test_the_api_docs_come_from_this_site_and_link_back() -> None:
    with TestClient(create_app(secret_key="docs")) as client:
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        assert re.findall(r"https?://", page.text) == []  # no CDN, no other host
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert "/api/v1/docs/assets/swagger-ui-bundle.js" in assets and 'id="back-to-app" href="/"' in page.text
        for asset in assets:
            assert client.get(asset, follow_redirects=False).status_code in {200, 303}, asset
