"""The app around the pages: sessions, cookies, CSRF, languages, static files, error mapping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from planwatch.configuration import Settings
from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import Action, PermissionDenied
from planwatch.web import templating
from planwatch.web.app import SESSION_COOKIE, create_app
from planwatch.web.templating import echarts_available


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page should carry a CSRF token"
    return match.group(1)


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(secret_key="test-secret"))


def test_login_page_is_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text and "用户登录" in page.text
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Log in" in english.text


def test_language_switch_sets_a_cookie_and_stays_on_site(client: TestClient) -> None:
    switched = client.get("/lang/en", params={"next": "/login"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    cookie = switched.headers["set-cookie"]
    assert "planwatch_lang=en" in cookie and "httponly" in cookie.lower()
    assert "User name" in client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    away = client.get("/lang/zh", params={"next": "https://evil.example/"}, follow_redirects=False)
    assert away.headers["location"] == "/"


def test_session_cookie_flags() -> None:
    plain = TestClient(create_app(secret_key="k")).get("/login")
    cookie = plain.headers["set-cookie"].lower()
    assert cookie.startswith(SESSION_COOKIE)
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = TestClient(create_app(Settings(https=True), secret_key="k"), base_url="https://testserver").get("/login")
    assert "; secure" in secure.headers["set-cookie"].lower()


def test_post_without_csrf_token_is_rejected(client: TestClient) -> None:
    token = _csrf(client.get("/login").text)
    refused = client.post("/logout", data={})
    assert refused.status_code == 403 and "表单已过期" in refused.text
    forged = client.post("/logout", data={"csrf_token": "forged" + token})
    assert forged.status_code == 403
    assert client.post("/logout", data={"csrf_token": token}).status_code == 200
    header = client.post("/logout", headers={"X-CSRF-Token": _csrf(client.get("/login").text)})
    assert header.status_code == 200


def test_csrf_token_from_another_session_is_rejected() -> None:
    app = create_app(secret_key="k")
    alice, mallory = TestClient(app), TestClient(app)
    token = _csrf(mallory.get("/login").text)
    alice.get("/login")
    assert alice.post("/logout", data={"csrf_token": token}).status_code == 403


def test_static_files_and_chart_fallback(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200
    assert "data-chart" in client.get("/static/app.js").text
    page = client.get("/login").text
    vendor = client.get("/static/vendor/echarts.min.js")
    if echarts_available():
        assert vendor.status_code == 200 and "echarts.min.js" in page
    else:
        assert vendor.status_code == 404 and "echarts" not in page


def test_pages_degrade_to_tables_without_echarts(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(templating, "ECHARTS_FILE", tmp_path / "absent.js")
    assert not templating.echarts_available()
    assert "echarts" not in client.get("/login").text


def _app_raising(exc: Exception) -> FastAPI:
    app = create_app(secret_key="k")

    @app.get("/api/v1/boom")
    @app.get("/boom")
    def boom() -> None:
        raise exc

    return app


@pytest.mark.parametrize(
    ("exc", "status", "text"),
    [
        (PermissionDenied("lisi", Action.APPROVE, "角色「填报员」不具备此权限"), 403, "用户 lisi 无权审核通过"),
        (InputError("value", "应为数字"), 422, "数值：应为数字"),
        (PlanWatchError("报告期已锁定"), 400, "报告期已锁定"),
    ],
)
def test_service_errors_become_http_answers(exc: Exception, status: int, text: str) -> None:
    client = TestClient(_app_raising(exc))
    api = client.get("/api/v1/boom")
    assert api.status_code == status and api.json() == {"detail": str(exc)}
    page = client.get("/boom")
    assert page.status_code == status and text in page.text and "<html" in page.text
    fragment = client.get("/boom", headers={"X-Requested-With": "fetch"})
    assert fragment.status_code == status and "<html" not in fragment.text and text in fragment.text


def test_unknown_page_is_a_translated_404(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "页面不存在" in page.text
    assert client.get("/api/v1/no-such").json() == {"detail": "Not Found"}


def test_menu_follows_the_role_matrix() -> None:
    from dataclasses import dataclass

    from planwatch.web.templating import nav_items

    @dataclass
    class Person:
        login: str
        role: str
        org_unit_id: int | None = None

    def labels(role: str) -> list[str]:
        return [item.label for item in nav_items(Person("x", role, 1))]

    assert "nav.entry" in labels("clerk") and "nav.review" not in labels("clerk")
    assert "nav.review" in labels("monitoring")
    assert "nav.entry" not in labels("viewer") and "nav.review" not in labels("viewer")
    assert "nav.dashboard" in labels("evaluation") and "nav.entry" not in labels("evaluation")
    assert "nav.entry" in labels("admin"), "the administrator downloads any unit's template on the entry page"
    assert "nav.review" not in labels("admin")


def test_template_links_match_starlette_for_every_named_route() -> None:
    from starlette.requests import Request

    app = create_app(secret_key="test-secret")
    request = Request({"type": "http", "app": app, "router": app.router, "scheme": "http", "method": "GET",
                       "server": ("testserver", 80), "path": "/", "root_path": "", "headers": [],
                       "query_string": b""})
    url_for = templating.url_builder(request)
    samples = {"int": 7, "string": "plan 甲", "path": "css/app.css", "float": 1.5}
    routes = app.state.named_routes
    assert {"dashboard", "indicator_page", "document_page", "report_download", "static"} <= set(routes)
    for name, route in routes.items():
        params = {key: samples[type(convertor).__name__.removesuffix("Convertor").lower()]
                  for key, convertor in route.param_convertors.items()}
        assert str(url_for(name, **params)) == request.url_for(name, **params).path, name  # paths, never the Host
