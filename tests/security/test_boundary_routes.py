"""Issue 24 (#1, #2): every route of the app, enumerated, gets the boundary's protections.

The tests walk the app's routes as FastAPI holds them, so a route added later by anyone is
covered or named here: a route that neither authenticates nor is in
:data:`planwatch.web.boundary.ANONYMOUS`, or takes a file without declaring its limit,
fails the declaration tests with its method and path; every route that takes a body is then
sent one that it must refuse without reading — anonymous, too large, or multipart where it
takes no file — through httpx's ASGI transport, which hands the app the body only as it
asks for it, so the tests see how much was read.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.store import Database
from planwatch.store.models import Observation
from planwatch.web import create_app
from planwatch.web.boundary import ANONYMOUS, FORM_LIMIT, Access, route_rules
from tests.security.helpers import api_token
from tests.web.conftest import database_url, seeded

__all__ = ["database_url", "seeded"]  # fixtures of the web tests

CHUNK = 64 * 1024
GIB = 1024 * 1024 * 1024
WRITING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Body:
    """A body of ``size`` bytes, made only as the server pulls it; ``sent`` is what it pulled."""

    def __init__(self, size: int, *, multipart: bool) -> None:
        self.size, self.multipart, self.sent = size, multipart, 0

    @property
    def content_type(self) -> str:
        return "multipart/form-data; boundary=b0undary" if self.multipart else "application/x-www-form-urlencoded"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.multipart:
            head = b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
            self.sent += len(head)
            yield head
        else:
            self.sent += 2
            yield b"a="
        while self.sent < self.size:
            self.sent += CHUNK
            yield b"x" * CHUNK


@dataclass(frozen=True)
class Target:
    method: str
    url: str
    path: str
    access: Access
    limit: int
    files: bool


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _targets(app: FastAPI) -> list[Target]:
    return sorted((Target(method, _url(e.path), e.path, e.rule.access, e.rule.limit, e.rule.files)
                   for e in route_rules(app) if e.rule is not None for method in e.methods & WRITING),
                  key=lambda t: (t.path, t.method))


@pytest.fixture
def app(database_url: str) -> Iterator[FastAPI]:
    application = create_app(database_url, secret_key="boundary-test")
    yield application
    application.state.uploads.shutdown()


@asynccontextmanager
async def _client(app: FastAPI, login: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        if login is not None:
            csrf = _csrf(await client.get("/login"))
            answer = await client.post("/login", data={"login": login, "password": DEMO_PASSWORD,
                                                       "csrf_token": csrf, "next": "/"})
            assert answer.status_code == 303
        yield client


async def _send(client: httpx.AsyncClient, target: Target, body: Body, headers: dict[str, str]) -> httpx.Response:
    return await client.request(target.method, target.url, content=body,
                                headers={"content-type": body.content_type, **headers})


def test_every_route_authenticates_or_is_on_the_anonymous_list(app: FastAPI) -> None:
    """A route without page_user/api_user must be added to ANONYMOUS, with its limit, on purpose."""
    entries = route_rules(app)
    undeclared = [f"{sorted(e.methods)} {e.path}" for e in entries if e.rule is None]
    assert undeclared == [], "routes that neither authenticate nor are in boundary.ANONYMOUS"
    known = {(m, e.path) for e in entries for m in e.methods}
    assert [key for key in ANONYMOUS if key not in known] == [], "stale entries of boundary.ANONYMOUS"
    assert len(entries) > 90


def test_every_route_that_takes_a_file_declares_it(app: FastAPI) -> None:
    """An UploadFile parameter without ``openapi_extra=body(max_bytes, files=True)`` would have
    its multipart uploads refused (415) by the boundary: name the route here instead."""
    missing = []
    for entry in route_rules(app):
        dependant = getattr(entry.route, "dependant", None)
        params = getattr(dependant, "body_params", []) if dependant is not None else []
        if any("UploadFile" in str(p.field_info.annotation) for p in params) and not (entry.rule and entry.rule.files):
            missing.append(f"{sorted(entry.methods)} {entry.path}")
    assert missing == []


def test_anonymous_gigabyte_bodies_are_refused_unread_on_every_route(app: FastAPI) -> None:
    """#1: 1 GiB multipart without a cookie or token: the log-in answer comes before a byte is read."""
    failures: list[str] = []

    async def run() -> None:
        async with _client(app, None) as client:
            for target in _targets(app):
                body = Body(GIB, multipart=True)
                response = await _send(client, target, body, {"x-csrf-token": "forged"})
                expected = {Access.SESSION: {303, 401}, Access.TOKEN: {401}, Access.ANONYMOUS: {413, 415}}
                if response.status_code not in expected[target.access] or body.sent > CHUNK:
                    failures.append(f"{target.method} {target.path}: {response.status_code}, read {body.sent:,}")

    asyncio.run(run())
    assert failures == []


def test_logged_in_bodies_over_the_route_limit_are_refused_unread(app: FastAPI, database_url: str) -> None:
    """A declared length over the limit is refused before reading; a body streamed without one
    is cut off at the limit; multipart is refused where the route takes no file."""
    token = api_token(database_url, "admin")
    failures: list[str] = []

    async def run() -> None:
        async with _client(app, "admin") as client:
            for target in _targets(app):
                if target.access is Access.ANONYMOUS:
                    continue
                auth = {"authorization": f"Bearer {token}"} if target.access is Access.TOKEN else {}
                declared = Body(target.limit + CHUNK, multipart=target.files)
                response = await _send(client, target, declared, {**auth, "content-length": str(target.limit + 1)})
                if response.status_code != 413 or declared.sent > CHUNK:
                    failures.append(f"declared {target.method} {target.path}: {response.status_code}")
                streamed = Body(target.limit + 4 * CHUNK, multipart=target.files)
                response = await _send(client, target, streamed, auth)
                if response.status_code >= 500 or streamed.sent > target.limit + CHUNK:
                    failures.append(f"streamed {target.method} {target.path}: {response.status_code}, "
                                    f"read {streamed.sent:,} of limit {target.limit:,}")
                if not target.files:
                    multipart = Body(CHUNK, multipart=True)
                    response = await _send(client, target, multipart, auth)
                    if response.status_code != 415 or multipart.sent > 0:
                        failures.append(f"multipart {target.method} {target.path}: {response.status_code}")

    asyncio.run(run())
    assert failures == []


def test_form_routes_keep_the_default_limit_unless_they_declare_one(app: FastAPI) -> None:
    limits = {(t.method, t.path): t.limit for t in _targets(app)}
    assert limits[("POST", "/login")] <= 4096
    assert limits[("POST", "/entry")] == FORM_LIMIT
    assert limits[("POST", "/api/v1/observations")] == FORM_LIMIT
    assert limits[("POST", "/entry/upload")] < limits[("POST", "/documents")]


def _json_routes(app: FastAPI) -> list[Target]:
    return [t for t in _targets(app) if t.access is Access.TOKEN and not t.files]


def test_nan_and_infinity_in_any_json_body_get_a_one_line_422(app: FastAPI, database_url: str) -> None:
    """#2: every API write, even for a viewer: NaN is refused with the field named, never a 500."""
    token = api_token(database_url, "lingdao")  # a leader: read-only
    failures: list[str] = []

    async def run() -> None:
        async with _client(app, None) as client:
            for target in _json_routes(app):
                for constant in ("NaN", "Infinity", "-Infinity"):
                    response = await client.request(
                        target.method, target.url, content=f'{{"period_id": {constant}, "x": 1}}',
                        headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
                    detail = response.json().get("detail") if response.status_code == 422 else None
                    if not (isinstance(detail, str) and detail.startswith("period_id") and constant in detail):
                        failures.append(f"{target.method} {target.path} {constant}: {response.status_code} "
                                        f"{response.text[:120]}")

    asyncio.run(run())
    assert failures == []


def test_nan_in_an_observation_stores_nothing(app: FastAPI, database_url: str) -> None:
    token = api_token(database_url, "tongji")
    database = Database(database_url)
    with database.session(readonly=True) as session:
        before = session.scalar(select(func.count()).select_from(Observation))

    async def run() -> httpx.Response:
        async with _client(app, None) as client:
            return await client.post("/api/v1/observations", content='{"period_id": 1, "indicator_id": 1, '
                                     '"org_unit_id": 1, "value": "1", "note": NaN}',
                                     headers={"authorization": f"Bearer {token}", "content-type": "application/json"})

    response = asyncio.run(run())
    assert response.status_code == 422 and response.json()["detail"].startswith("note：")
    with database.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == before
    database.dispose()


def test_validation_errors_are_one_line_naming_the_field_in_the_users_language(app: FastAPI,
                                                                                database_url: str) -> None:
    token = api_token(database_url, "admin")

    async def run() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with _client(app, "admin") as client:
            api = await client.post("/api/v1/observations", json={"period_id": "x", "indicator_id": 1,
                                                                   "org_unit_id": 1, "value": "1"},
                                    headers={"authorization": f"Bearer {token}"})
            english = await client.post("/api/v1/observations", json={"indicator_id": 1, "org_unit_id": 1,
                                                                       "value": "1"},
                                        headers={"authorization": f"Bearer {token}", "accept-language": "en"})
            page = await client.post("/review", data={"observation_id": "abc", "decision": "approve"},
                                     headers={"x-csrf-token": _csrf(await client.get("/dashboard"))})
            return api, english, page

    api, english, page = asyncio.run(run())
    assert api.status_code == 422 and api.json()["detail"] == "period_id：应为整数"
    assert api.json()["errors"][0]["loc"] == ["body", "period_id"] and "input" not in api.json()["errors"][0]
    assert english.json()["detail"] == "period_id: required"
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert "数据：应为整数" in page.text  # a page names the field by its label


def _csrf(page: httpx.Response) -> str:
    return page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_refusals_are_one_line_in_the_users_language(app: FastAPI, database_url: str) -> None:
    token = api_token(database_url, "admin")

    async def run() -> list[httpx.Response]:
        async with _client(app, None) as client:
            auth = {"authorization": f"Bearer {token}"}
            return [
                await client.post("/api/v1/observations", content=b"x" * (FORM_LIMIT + 1),
                                  headers={**auth, "content-type": "application/json"}),
                await client.post("/api/v1/observations", content=b"--b\r\n", headers={
                    **auth, "content-type": "multipart/form-data; boundary=b", "accept-language": "en"}),
            ]

    too_large, multipart = asyncio.run(run())
    assert too_large.status_code == 413 and too_large.json() == {"detail": "请求内容超过上限 256 KB，未读取也未保存"}
    assert multipart.status_code == 415
    assert multipart.json()["detail"] == "This address takes no file uploads (multipart/form-data); send a plain form"
