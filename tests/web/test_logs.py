"""Issue 25, structured logging: every request and every refusal leaves one record with the method,
the route template, the status, the time taken and the user's id; an upload job logs its start, its
import and its end, a refused upload its refusal — and nothing logs a password, token, query
string, login, name or file name."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.configuration import Settings
from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.logs import JsonFormatter, KeyValueFormatter
from planwatch.services import users
from planwatch.services.import_history import Channel
from planwatch.store import Database
from planwatch.store.models import User
from planwatch.web.uploads import UploadJobs
from tests.unit import plan_samples
from tests.web.client import login

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

Records = Callable[[], list[dict[str, object]]]
SECRETS = (DEMO_PASSWORD, "lyj", "区林业局填报员", "q-token-8h3k2", "not-a-real-token-5x9")


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """Everything the app logs at INFO and above, as JSON lines (not the test client's httpx, which
    logs the URLs it requests)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _requests(stream: io.StringIO) -> list[dict[str, object]]:
    return [record for line in stream.getvalue().splitlines()
            if (record := json.loads(line))["logger"] == "planwatch.requests"]


def _user_id(url: str, login_name: str) -> int:
    with Database(url).session(readonly=True) as session:
        return session.scalars(select(User.id).where(User.login == login_name)).one()


def test_a_page_request_and_a_refused_one_are_logged_with_the_user_id_and_no_personal_data(
        app_client: TestClient, database_url: str, log_text: io.StringIO) -> None:
    login(app_client, "lyj")
    assert app_client.get("/dashboard", params={"token": "q-token-8h3k2"}).status_code == 200
    assert app_client.get("/records/imports").status_code == 403  # a clerk does not read the history
    clerk = _user_id(database_url, "lyj")
    records = _requests(log_text)
    page = next(r for r in records if r["route"] == "/dashboard")
    assert (page["method"], page["status"], page["user"], page["level"]) == ("GET", 200, clerk, "info")
    assert isinstance(page["ms"], float) and page["ms"] >= 0
    refused = next(r for r in records if r["status"] == 403)
    assert (refused["method"], refused["route"], refused["user"], refused["level"]) == (
        "GET", "/records/imports", clerk, "warning")
    logged_in = next(r for r in records if r["route"] == "/login" and r["method"] == "POST")
    assert logged_in["status"] == 303 and logged_in["user"] is None
    assert not [secret for secret in SECRETS if secret in log_text.getvalue()]


def test_an_api_call_with_a_wrong_token_is_logged_as_a_refusal_without_the_token(
        app_client: TestClient, log_text: io.StringIO) -> None:
    answer = app_client.get("/api/v1/plans", headers={"Authorization": "Bearer not-a-real-token-5x9"})
    assert answer.status_code == 401
    (record,) = _requests(log_text)
    assert {key: record[key] for key in ("msg", "method", "route", "status", "user", "level")} == {
        "msg": "request", "method": "GET", "route": "/api/v1/plans", "status": 401, "user": None, "level": "warning"}
    assert "not-a-real-token-5x9" not in log_text.getvalue()


def test_an_api_call_is_logged_with_the_token_owner_id_and_not_the_token(
        app_client: TestClient, database_url: str, log_text: io.StringIO) -> None:
    with Database(database_url).session() as session:
        user = session.scalars(select(User).where(User.login == "tongji")).one()
        token, user_id = users.create_token(session, user, "log test", actor=user), user.id
    assert app_client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    (record,) = _requests(log_text)
    assert (record["route"], record["status"], record["user"], record["level"]) == (
        "/api/v1/plans", 200, user_id, "info")
    assert token not in log_text.getvalue() and token[3:] not in log_text.getvalue()


def test_a_path_no_route_matches_is_logged_without_the_path(app_client: TestClient, log_text: io.StringIO) -> None:
    assert app_client.get("/no-such-page/q-token-8h3k2").status_code == 404
    (record,) = _requests(log_text)
    assert (record["route"], record["status"]) == ("-", 404)
    assert "q-token-8h3k2" not in log_text.getvalue()


def test_a_refused_upload_is_logged_with_the_channel_and_user_but_not_the_file_name(
        database_url: str, log_text: io.StringIO) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        clerk = session.scalars(select(User).where(User.login == "lyj")).one()
    with pytest.raises(Exception, match="不支持的文件类型"):
        UploadJobs(Settings(extract_workers=0)).save(database, clerk, "张三的计划.exe", io.BytesIO(b"MZ"),
                                                     Channel.WEB_UPLOAD)
    (record,) = [json.loads(line) for line in log_text.getvalue().splitlines()]
    assert {key: record[key] for key in ("msg", "channel", "user", "problems", "level")} == {
        "msg": "import refused", "channel": "web_upload", "user": clerk.id, "problems": 1, "level": "warning"}
    assert "张三" not in log_text.getvalue()
    database.dispose()


def test_an_upload_job_logs_its_start_the_import_and_its_end_without_the_file_name(
        app_client: TestClient, database_url: str, log_text: io.StringIO, tmp_path: Path) -> None:
    token = login(app_client, "tongji")
    content = plan_samples.write_docx(tmp_path / "生态环境保护规划.docx").read_bytes()
    sent = app_client.post("/documents", data={"csrf_token": token},
                           files={"file": ("生态环境保护规划.docx", content, DOCX)}, follow_redirects=False)
    assert sent.status_code == 303
    deadline = time.monotonic() + 60
    while 'data-stage="done"' not in app_client.get(sent.headers["location"], headers={"X-Requested-With": "fetch"}).text:
        assert time.monotonic() < deadline, "the upload did not finish"
        time.sleep(0.1)
    officer = _user_id(database_url, "tongji")
    deadline = time.monotonic() + 10  # the worker logs the end just after the page shows it
    while '"job finished"' not in log_text.getvalue():
        assert time.monotonic() < deadline, log_text.getvalue()
        time.sleep(0.05)
    events = {record["msg"]: record for line in log_text.getvalue().splitlines()
              if (record := json.loads(line))["logger"] == "planwatch.web.uploads"}
    started, imported, finished = events["job started"], events["import"], events["job finished"]
    assert (started["user"], started["bytes"]) == (officer, len(content))
    assert (imported["channel"], imported["outcome"], imported["user"]) == ("web_upload", "imported", officer)
    assert isinstance(imported["plan"], int)
    assert (finished["job"], finished["stage"], finished["user"]) == (started["job"], "done", officer)
    assert isinstance(finished["ms"], int) and finished["ms"] >= 0
    assert "生态环境保护规划" not in log_text.getvalue()


def test_uvicorns_coloured_copy_of_a_message_is_left_out() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started server process [%d]", (7,), None)
    record.__dict__["color_message"] = "Started server process [\x1b[36m%d\x1b[0m]"
    assert json.loads(JsonFormatter().format(record))["msg"] == "Started server process [7]"
    assert "color_message" not in JsonFormatter().format(record)


def test_key_value_lines_quote_what_has_spaces_and_keep_chinese() -> None:
    record = logging.LogRecord("planwatch.requests", logging.INFO, __file__, 1, "request", None, None)
    record.__dict__.update({"route": "/plans/{plan_id}", "status": 200, "note": "两个 词", "ok": True, "user": None})
    line = KeyValueFormatter().format(record)
    assert line.split(" ", 1)[0].startswith("ts=")
    assert line.split(" ", 1)[1] == ('level=info logger=planwatch.requests msg=request route=/plans/{plan_id} '
                                     'status=200 note="两个 词" ok=true user=""')
