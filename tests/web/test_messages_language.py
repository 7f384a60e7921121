"""No field code and no English sentence reaches the Chinese UI on the error paths.

Every form route of the app (enumerated from the app itself, so a route added later is
covered) is posted to with nothing filled in, with every field filled with nonsense, and with
a path id that is not a number or names nothing; a Chinese user must read each answer: no
``password：``/``org_unit：`` field codes, no ``Field required`` or ``not a PDF document``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from planwatch.web import create_app
from planwatch.web.i18n import MESSAGES, Translator
from planwatch.web.messages import readable
from tests.language_check import foreign_words, visible_text
from tests.web.client import login

_PATH_IDS = {"kind": "tasks"}


def form_routes() -> Iterator[APIRoute]:
    app = create_app("sqlite:///:memory:", secret_key="enumerate")
    for route in app.state.named_routes.values():
        if isinstance(route, APIRoute) and not route.path.startswith("/api/") \
                and route.methods & {"POST", "PUT", "PATCH", "DELETE"} and route.name != "logout":
            yield route


ROUTES = sorted(form_routes(), key=lambda r: r.path)


def _fields(route: APIRoute) -> list[str]:
    names: list[str] = []
    for param in route.dependant.body_params:
        annotation = param.field_info.annotation
        fields = getattr(annotation, "model_fields", None)
        names.extend(fields if fields else [param.name])
    return names


def _path(route: APIRoute, value: str) -> str:
    return route.path_format.format(**{p.name: _PATH_IDS.get(p.name, value) for p in route.dependant.path_params})


def test_the_enumeration_finds_the_forms_of_every_area() -> None:
    names = {r.name for r in ROUTES}
    assert {"login", "admin_user_add", "admin_orgunit_add", "indicator_correct", "entry_save", "period_lock",
            "document_upload", "entry_upload", "ledger_retire"} <= names
    assert len(ROUTES) >= 40


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_bad_input_to_a_form_is_answered_in_chinese(app_client: TestClient, route: APIRoute) -> None:
    token = login(app_client, "admin")
    fields = _fields(route)
    attempts: list[tuple[str, dict[str, str], dict[str, tuple[str, bytes, str]] | None]] = [
        (_path(route, "1"), {}, None),
        (_path(route, "1"), dict.fromkeys(fields, "x?!"), None),
        (_path(route, "999999"), dict.fromkeys(fields, "0"), None),
    ]
    if route.dependant.path_params:
        attempts.append((_path(route, "abc"), {}, None))
    if "file" in fields or route.name in ("document_upload", "entry_upload"):
        attempts.append((_path(route, "1"), {}, {"file": ("报表.pdf", b"this is not a document", "application/pdf")}))
        attempts.append((_path(route, "1"), {}, {"file": ("空.xlsx", b"", "application/octet-stream")}))
    for path, data, files in attempts:
        if route.name == "login":
            data = {**data, "next": "/"}
        response = app_client.post(path, data={**data, "csrf_token": token}, files=files, follow_redirects=True)
        assert "application/json" not in response.headers.get("content-type", ""), (path, response.text[:300])
        leaks = foreign_words(visible_text(response.text))
        assert not leaks, (path, data, response.status_code, leaks)
        if route.name == "login":
            token = login(app_client, "admin")  # the bad log-in ended the session


def test_every_form_field_has_a_label_in_both_languages() -> None:
    missing = sorted({name for route in ROUTES for name in _fields(route)
                      if f"field.{name}" not in MESSAGES["zh"] or f"field.{name}" not in MESSAGES["en"]})
    assert not missing


def test_a_form_posted_without_its_fields_names_them_by_label(app_client: TestClient) -> None:
    token = login(app_client, "admin")
    answer = app_client.post("/admin/orgunits", data={"csrf_token": token})
    assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]
    text = visible_text(answer.text)
    assert "代码：必填" in text and "名称：必填" in text and "类型：必填" in text
    app_client.cookies.set("planwatch_lang", "en")
    english = visible_text(app_client.post("/admin/orgunits", data={"csrf_token": token}).text)
    assert "Code: required" in english
    api = app_client.get("/api/v1/plans/abc/summary")  # scripts keep the structured answer
    assert api.status_code in (401, 422) and "application/json" in api.headers["content-type"]


def test_service_field_codes_are_shown_as_labels() -> None:
    t = Translator("zh")
    assert readable("org_unit：没有代码为「X」的单位", t) == "单位：没有代码为「X」的单位"
    assert readable("报告期 opens: 日期应为 YYYY-MM-DD", t) == "报告期 开始日期：日期应为 YYYY-MM-DD"
    assert readable("value：不是数值；unit：单位不对", t) == "数值：不是数值；计量单位：单位不对"
    assert readable("会议 15: 30 开始，见 https://example.cn", t) == "会议 15: 30 开始，见 https://example.cn"


def test_the_checker_sees_codes_and_english() -> None:
    assert foreign_words("password：密码至少 8 位") == ["password："]
    assert foreign_words("org_unit: 没有单位") == ["org_unit:"]
    assert foreign_words("报表.pdf: not a PDF document (no %PDF- header)")
    assert foreign_words("导出为 Excel 或 PDF，数据来自 DHIS2") == []
    assert foreign_words("访问 https://example.gov.cn 查看") == []
