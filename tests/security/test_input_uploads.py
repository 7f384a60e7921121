"""Uploads are not read before the caller is known (issue 14 item 8).

The app runs in-process behind httpx's ASGI transport, which pulls the request body from
the test's generator only when the app asks for it, so the test sees how much of a 120 MB
upload the server read: nothing for an unknown or unauthorised caller, nothing past a
declared size over the limit, and no more than the limit of an undeclared (chunked) one.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import User
from planwatch.web import create_app
from tests.web.conftest import database_url, seeded

__all__ = ["database_url", "seeded"]  # fixtures of the web tests

BODY_BYTES = 120 * 1024 * 1024
CHUNK = 1024 * 1024
BOUNDARY = "planwatch-test-boundary"


class Body:
    """A 120 MB multipart upload that counts what the server pulled of it."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\n").encode()
        self.sent += len(head)
        yield head
        while self.sent < BODY_BYTES:
            self.sent += CHUNK
            yield b"x" * CHUNK
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def scratch_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def app(database_url: str, scratch_tmp: Path) -> Iterator[FastAPI]:
    application = create_app(database_url, secret_key="uploads-test")
    yield application
    application.state.uploads.shutdown()


def _files(folder: Path) -> list[Path]:
    """Files the app wrote under the temporary folder (its empty upload-jobs folder aside)."""
    return [p for p in folder.rglob("*") if p.is_file()]


def _token(database_url: str, login: str) -> str:
    database = Database(database_url)
    with database.session() as session:
        token = users.create_token(session, session.scalars(select(User).where(User.login == login)).one())
    database.dispose()
    return token


async def _post(app: FastAPI, url: str, headers: dict[str, str], *, declare_length: bool,
                log_in: str | None = None) -> tuple[httpx.Response, int]:
    body = Body()
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    if declare_length:
        headers["content-length"] = str(BODY_BYTES + 200)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        if log_in is not None:
            page = await client.get("/login")
            csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
            await client.post("/login", data={"login": log_in, "password": DEMO_PASSWORD, "csrf_token": csrf,
                                              "next": "/"})
        response = await client.post(url, content=body, headers=headers)
    return response, body.sent


@pytest.mark.parametrize("declare_length", [True, False])
def test_an_unauthenticated_120mb_api_upload_is_refused_unread(app: FastAPI, scratch_tmp: Path,
                                                               declare_length: bool) -> None:
    response, read = asyncio.run(_post(app, "/api/v1/documents", {}, declare_length=declare_length))
    assert response.status_code == 401
    assert read <= CHUNK and _files(scratch_tmp) == []


@pytest.mark.parametrize("headers", [{}, {"x-requested-with": "fetch"}])
def test_an_unauthenticated_120mb_page_upload_is_refused_unread(app: FastAPI, scratch_tmp: Path,
                                                                headers: dict[str, str]) -> None:
    response, read = asyncio.run(_post(app, "/documents", headers, declare_length=False))
    assert response.status_code in (303, 401)
    assert response.status_code == 401 or "/login" in response.headers["location"]
    assert read <= CHUNK and _files(scratch_tmp) == []


def test_a_user_without_the_right_to_import_is_refused_unread(app: FastAPI, database_url: str,
                                                              scratch_tmp: Path) -> None:
    headers = {"authorization": f"Bearer {_token(database_url, 'wjw')}"}
    # streamed without a length: the boundary's size check cannot answer first
    response, read = asyncio.run(_post(app, "/api/v1/documents", headers, declare_length=False))
    assert response.status_code == 403
    assert read <= CHUNK and _files(scratch_tmp) == []


def test_a_declared_size_over_the_limit_is_refused_before_reading(app: FastAPI, database_url: str,
                                                                  scratch_tmp: Path) -> None:
    headers = {"authorization": f"Bearer {_token(database_url, 'admin')}"}
    response, read = asyncio.run(_post(app, "/api/v1/documents", headers, declare_length=True))
    assert response.status_code == 413
    assert read <= CHUNK and _files(scratch_tmp) == []


def test_an_undeclared_body_is_cut_off_at_the_limit(app: FastAPI, scratch_tmp: Path) -> None:
    app.state.uploads.max_bytes = 8 * CHUNK
    response, read = asyncio.run(_post(app, "/documents", {"x-requested-with": "fetch"}, declare_length=False,
                                       log_in="admin"))
    assert response.status_code == 413
    assert read <= 10 * CHUNK
    assert _files(scratch_tmp) == []
