"""Districts kept apart, walked over every route of the app: 白石区's users against 青川区's data.

The routes are read from the app itself, so a route added later is walked as well — and
fails here until this file knows how to name its records (:data:`PATH_IDS`) and, for a
write, which form it takes (:data:`WRITES`). For every page and API read, each 白石区 user
asks for 青川区's records: refused (403/404) when a record is named in the path, and no page
or answer shows anything of 青川区. For every write, the 白石区 user whose role may do it sends
the same form once for 青川区's record — refused, nothing written — and once for 白石区's own,
which is done: the refusal is the district's, not the role's or the form's.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from planwatch.demo import DEMO_PLAN
from planwatch.report import ReportKind
from planwatch.services import exchange, periods, users
from planwatch.store import Database
from planwatch.store.models import AuditEvent, Indicator, Observation, OrgUnit, Plan, SourceFile
from planwatch.web import create_app
from tests.db.region_samples import plan_file
from tests.web.client import login
from tests.web.districts import FOREIGN_MARKS, HOME_USERS, PASSWORD, Ids, district_ids, seed_two_districts
from tests.web.excel_helpers import fill, rows_by_code

HOME, FOREIGN = "白石区", "青川区"


@pytest.fixture(scope="module")
def two_districts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("districts")
    database = Database(f"sqlite:///{folder / 'two.db'}")
    database.upgrade()
    seed_two_districts(database, folder)
    database.dispose()
    return folder / "two.db"


@dataclass
class Site:
    url: str
    client: TestClient
    home: Ids
    foreign: Ids
    tokens: dict[str, str] = field(default_factory=dict)

    def audit_count(self) -> int:
        database = Database(self.url)
        try:
            with database.session(readonly=True) as session:
                return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        finally:
            database.dispose()


@pytest.fixture
def site(two_districts: Path, tmp_path: Path) -> Iterator[Site]:
    copy = tmp_path / "two.db"
    shutil.copy(two_districts, copy)
    url = f"sqlite:///{copy}"
    database = Database(url)
    try:
        home, foreign = district_ids(database, HOME), district_ids(database, FOREIGN)
        with database.session() as session:
            tokens = {login_: users.create_token(session, users.find_user(session, login_), "walk")
                      for login_ in HOME_USERS}
    finally:
        database.dispose()
    with TestClient(create_app(url, secret_key="region-walk")) as client:
        yield Site(url, client, home, foreign, tokens)


# ---- naming records in paths -------------------------------------------------------------

PATH_IDS: dict[str, str] = {
    "entity_id": "observation_id", "notification_id": "notification_id",
    "plan_id": "plan_id", "indicator_id": "indicator_id", "source_file_id": "source_file_id",
    "period_id": "period_id", "report_id": "report_id", "evidence_id": "evidence_id", "unit_id": "org_unit_id",
    "user_id": "user_id", "token_id": "token_id", "job_id": "job_id", "observation_id": "observation_id",
    "decision_id": "decision_id", "opinion_id": "opinion_id",
}
QUERY: dict[str, Callable[[Ids], object]] = {
    "plan": lambda ids: ids.plan_id, "period": lambda ids: ids.period_id, "period_id": lambda ids: ids.period_id,
    "unit": lambda ids: ids.org_unit_id, "year": lambda ids: 2024,
    "format": lambda ids: "docx", "saved": lambda ids: ids.indicator_id, "edit": lambda ids: ids.org_unit_id,
}
# Not walked: no data of a district behind them (the log-in, static files, API docs), or walked
# by their own test below (the language switch, the landing redirect, the background upload,
# the system-wide four-eyes setting); the public site and its opinion form are for everyone,
# by a published decision (tests/web/test_public_site.py walks them).
NOT_WALKED = frozenset({"openapi", "static", "api_docs_assets", "api_docs", "login_form", "login", "logout",
                        "set_language", "home", "document_upload", "admin_four_eyes", "public_site",
                        "public_opinion_form", "public_opinion_received", "public_opinion_post"})


def _routes(method: str) -> list[APIRoute]:
    app = create_app("sqlite://")
    return [r for r in app.state.named_routes.values()
            if isinstance(r, APIRoute) and method in (r.methods or ()) and r.name not in NOT_WALKED]


def _paths(route: APIRoute, ids: Ids) -> list[str]:
    """The route's path with ``ids`` filled in; one path per kind where it takes a kind."""
    names = set(route.param_convertors)
    unknown = names - set(PATH_IDS) - {"kind", "item_id", "entity", "path"}
    assert not unknown, f"{route.name}: teach PATH_IDS which record {sorted(unknown)} names"
    values: dict[str, object] = {name: getattr(ids, PATH_IDS[name]) for name in names & set(PATH_IDS)}
    if "entity" in names:  # /threads/{entity}/{entity_id}: the thread of the figure waiting for review
        values["entity"] = "observations"
    if "path" in names:  # /publishing/{decision_id}/preview/{path}: the preview's home page
        values["path"] = "index.html"
    if "kind" not in names:
        if "item_id" in names:  # /ledger/tasks/{item_id}/…
            values["item_id"] = ids.task_id
        return [route.path_format.format(**values)]
    if route.name == "report_download":
        return [route.path_format.format(**values, kind=kind.value) for kind in ReportKind]
    items = {"tasks": ids.task_id, "projects": ids.project_id}
    return [route.path_format.format(**values, kind=kind, item_id=item) for kind, item in items.items()]


def _query(route: APIRoute, ids: Ids) -> dict[str, object]:
    """Query parameters naming ``ids``' records; a search for words both districts' texts
    hold (each its own copy), a comparison of an indicator both plans have."""
    values = {q.name: QUERY[q.name](ids) for q in route.dependant.query_params if q.name in QUERY}
    if route.name == "export_data_download":  # a data format, not a report's
        values["format"] = "csv"
    if any(q.name == "q" for q in route.dependant.query_params):
        values["q"] = "森林覆盖率" if "compare" in route.path else "森林防火工作"
    return values


def _leaks(text: str, foreign: Ids) -> list[str]:
    """What of 青川区 a page or answer shows: its names, or links to its plan, indicator or file."""
    found = [mark for mark in FOREIGN_MARKS if mark in text]
    links = (f"/plans/{foreign.plan_id}", f"/indicators/{foreign.indicator_id}", f"/documents/{foreign.source_file_id}")
    return found + [link for link in links if re.search(re.escape(link) + r"(?![0-9])", text)]


def _message(response: Any) -> str:
    """The error a page or answer shows (for a failing assertion)."""
    found = re.findall(r'class="(?:flash|error-box)[^"]*"[^>]*>(.*?)</', _text(response), re.S)
    return " | ".join(found) or re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(response)))[-600:]


def _text(response: Any) -> str:
    kind = response.headers.get("content-type", "")
    return response.text if kind.startswith(("text/", "application/json")) else ""


# ---- reads -------------------------------------------------------------------------------

def test_every_page_and_api_read_of_another_district_is_refused_or_shows_nothing_of_it(site: Site) -> None:
    pages = [r for r in _routes("GET") if not r.path.startswith("/api/")]
    api = [r for r in _routes("GET") if r.path.startswith("/api/")]
    assert len(pages) >= 20 and len(api) >= 10
    reached: dict[str, int] = {}  # route → how many 白石区 users it served, with 白石区's own records
    for login_ in HOME_USERS:
        site.client.cookies.clear()
        login(site.client, login_, PASSWORD)
        bearer = {"Authorization": f"Bearer {site.tokens[login_]}"}
        for route in pages + api:
            headers = bearer if route in api else {}
            for path in _paths(route, site.foreign):
                response = site.client.get(path, params=_query(route, site.foreign), headers=headers,
                                           follow_redirects=True)
                where = f"{login_} GET {path}"
                assert response.status_code < 500, where
                if route.param_convertors:
                    assert response.status_code in (403, 404), f"{where}: {response.status_code}"
                assert not _leaks(_text(response), site.foreign), f"{where} shows {_leaks(_text(response), site.foreign)}"
            for path in _paths(route, site.home):
                response = site.client.get(path, params=_query(route, site.home), headers=headers)
                if response.status_code < 400:
                    reached[route.name] = reached.get(route.name, 0) + 1
                assert not _leaks(_text(response), site.foreign), f"{login_} GET {path} (白石区)"
    unreached = sorted(r.name for r in pages + api if r.name not in reached)
    assert unreached == [], f"no 白石区 user could open these with 白石区's own records: {unreached}"


def test_landing_menus_and_the_language_switch_stay_in_the_users_district(site: Site) -> None:
    for login_ in HOME_USERS:
        site.client.cookies.clear()
        login(site.client, login_, PASSWORD)
        landing = site.client.get("/")
        assert landing.status_code == 200 and HOME in landing.text, login_
        assert not _leaks(landing.text, site.foreign), login_
        dashboard = f"/dashboard?plan={site.home.plan_id}&year=2025"
        switched = site.client.get("/lang/en", params={"next": dashboard}, follow_redirects=False)
        assert switched.headers["location"] == dashboard
        back = site.client.get(switched.headers["location"])
        assert HOME in back.text and 'lang="en"' in back.text and not _leaks(back.text, site.foreign)
        site.client.get("/lang/zh", params={"next": "/"})
        if HOME_USERS[login_] == "clerk":
            entry = site.client.get("/entry")
            assert entry.status_code == 200 and not _leaks(entry.text, site.foreign)
            assert "没有需要填报的指标" not in entry.text and "白石区发展和改革委员会" in entry.text


# ---- writes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    """One write: the 白石区 user who may do it on its own district, and its form for ``ids``.

    ``refused``: how a 青川区 record is refused; ``writes_home``: the same form for 白石区's
    record is done and audited (False where it needs a state this data lacks — a restore of
    something not retired — which then comes back as anything but “not found”);
    ``own_file``: the refusal quotes the file the user sent (a plan of 青川区 by its title)."""

    user: str
    form: Callable[[Ids, Path], dict[str, Any]]
    refused: frozenset[int] = frozenset({403, 404})
    writes_home: bool = True
    own_file: bool = False


def _data(**values: object) -> Callable[[Ids, Path], dict[str, Any]]:
    """A form whose values may depend on the district's ids (callables of :class:`Ids`)."""
    return lambda ids, _folder: {"data": {k: v(ids) if callable(v) else v for k, v in values.items()}}


def _json(**values: object) -> Callable[[Ids, Path], dict[str, Any]]:
    return lambda ids, _folder: {"json": {k: v(ids) if callable(v) else v for k, v in values.items()}}


def _file(name: str, make: Callable[[Ids, Path], bytes]) -> Callable[[Ids, Path], dict[str, Any]]:
    return lambda ids, folder: {"files": {"file": (name, make(ids, folder), "application/octet-stream")}}


def _template(url: str) -> Callable[[Ids, Path], bytes]:
    """The district's department's template for the open period, filled in where the unit may
    still enter (not where a figure waits for review or was approved)."""
    def make(ids: Ids, folder: Path) -> bytes:
        database = Database(url)
        try:
            with database.session() as session:
                path = folder / f"template-{ids.plan_id}.xlsx"
                period = periods.get_period(session, ids.period_id)
                exchange.write_unit_template(session, users.operator(session), session.get_one(OrgUnit, ids.org_unit_id),
                                             period, path)
                done = set(session.scalars(select(Indicator.code).join(Observation).where(
                    Observation.period_id == period.id, Observation.org_unit_id == ids.org_unit_id,
                    Observation.state.in_(("submitted", "approved")))))
            data = path.read_bytes()
            values = {code: "12.5" for code in rows_by_code(data) if code not in done}
            return fill(data, values, folder / f"filled-{ids.plan_id}.xlsx").read_bytes()
        finally:
            database.dispose()
    return make


def _plan_text(ids: Ids, folder: Path) -> bytes:
    district = HOME if ids.district_code == "BS" else FOREIGN
    return plan_file(folder, district, name=f"{ids.district_code}-new.txt").read_bytes()


def _writes(url: str) -> dict[str, Write]:
    task_form = _data(title="改写的任务", task_kind="task")
    return {
        "entry_save": Write("bs_jc", _data(indicator_id=lambda i: i.entry_indicator_id, period_id=lambda i: i.period_id,
                                           org_unit_id=lambda i: i.org_unit_id, value="12.5")),
        "entry_validate": Write("bs_fgw", _data(value="12.5"), writes_home=False),
        "review_decide": Write("bs_jc", _data(observation_id=lambda i: i.observation_id, decision="approve")),
        "entry_upload": Write("bs_jc", _file("填报表.xlsx", _template(url)), frozenset({422}), own_file=True),
        "indicator_correct": Write("bs_pg", _data(name="改名的指标", reason="原文表格第 3 行")),
        "indicator_add": Write("bs_pg", _data(plan_id=lambda i: i.plan_id, line=lambda i: i.plan_line,
                                              name="新增的指标", target="≥10", target_year="2025",
                                              reason="原文第 26 行漏提")),
        "ledger_progress_save": Write("bs_jc", lambda ids, folder: {
            "path": f"/ledger/tasks/{ids.report_task_id}/progress",
            "data": {"period_id": ids.period_id, "status": "in_progress", "org_unit_id": ids.report_unit_id,
                     "percent": "50"}}),
        "ledger_review": Write("bs_jc", lambda ids, folder: {
            "path": f"/ledger/reports/{ids.submitted_report_id}/review", "data": {"decision": "approve"}}),
        "ledger_add": Write("bs_pg", lambda ids, folder: {"path": f"/plans/{ids.plan_id}/ledger/tasks/new",
                                                          "data": {"title": "新增的任务", "task_kind": "task"}}),
        "ledger_save": Write("bs_pg", task_form),
        "ledger_retire": Write("bs_pg", _data(reason="已并入其他任务")),
        "ledger_restore": Write("bs_pg", _data(), writes_home=False),
        "ledger_merge": Write("bs_pg", _data(other=lambda i: [i.other_task_id])),
        "ledger_split_save": Write("bs_pg", _data(part_title=["第一部分", "第二部分"])),
        "assessment_adjust": Write("bs_pg", _data(year="2025", org_unit_id=lambda i: i.org_unit_id, points="2",
                                                  reason="按时报送")),
        "assessment_scheme": Write("bs_pg", _data(year="2025", weight_indicators="35")),
        "indicator_target": Write("bs_pg", _data(target="≥99", reason="上级调整")),
        "indicator_retire": Write("bs_pg", _data(reason="与其他指标重复")),
        "indicator_restore": Write("bs_pg", _data(reason="恢复"), writes_home=False),
        "indicator_merge": Write("bs_pg", _data(other=lambda i: i.other_indicator_code, reason="重复")),
        "admin_user_add": Write("bs_admin", _data(login="xinren", password="Strong-pass-26", role="viewer",
                                                  region=lambda i: i.district_code), frozenset({422})),
        "admin_user_password": Write("bs_admin", _data(password="Another-pass-9")),
        "admin_user_region": Write("bs_admin", _data(region=lambda i: i.district_code), writes_home=False),
        "admin_user_active": Write("bs_admin", _data(active="off")),
        "admin_user_logout": Write("bs_admin", _data()),
        "admin_token_add": Write("bs_admin", _data(label="脚本", expires_days="30")),
        "admin_token_revoke": Write("bs_admin", _data()),
        "admin_orgunit_add": Write("bs_admin", _data(code=lambda i: f"{i.district_code}-NEW", name=lambda i: f"{i.district_code}新单位",
                                                     kind="department", parent=lambda i: i.district_code),
                                   frozenset({422})),
        "admin_orgunit_import": Write("bs_admin", _file("单位.csv", lambda ids, _f: (
            f"代码,名称,类型,上级代码,简称\n{ids.district_code}-IMP,{ids.district_code}导入的单位,部门,"
            f"{ids.district_code},\n").encode()), frozenset({422})),
        "admin_orgunit_update": Write("bs_admin", _data(name=lambda i: f"{i.district_code}改名的单位", kind="department",
                                                        parent=lambda i: i.district_code)),
        "admin_orgunit_active": Write("bs_admin", _data(active="off")),
        "plan_assignments_bulk": Write("bs_jc", _data(unit=lambda i: f"{i.district_code}-FGW", role="配合",
                                                      indicator=lambda i: [i.other_indicator_id])),
        "plan_assignments_upload": Write("bs_jc", _file("分工.csv", lambda ids, _f: (
            f"指标,责任单位,责任类型\n{ids.other_indicator_id},{ids.district_code}-FGW,配合\n").encode())),
        "plan_region": Write("bs_admin", _data(region_id=lambda i: i.district_id)),
        "plan_unit_name_map": Write("bs_jc", _data(printed_name="区新名称", unit=lambda i: f"{i.district_code}-FGW")),
        "plan_unit_name_create": Write("bs_admin", _data(printed_name="区新设局", code=lambda i: f"{i.district_code}-XSJ",
                                                         name=lambda i: f"{i.district_code}新设局")),
        "plan_period_create": Write("bs_jc", _data(year="2026", opens="2026-01-05", closes="2026-03-01")),
        "period_window": Write("bs_admin", _data(opens="2026-01-05", closes="2026-04-01")),
        "period_lock": Write("bs_jc", _data(reason="审定", confirmed="1")),
        "period_remind": Write("bs_jc", _data(org_unit_id=lambda i: i.org_unit_id), writes_home=False),
        "entry_submit_all": Write("bs_fgw", _data(period_id=lambda i: i.period_id, org_unit_id=lambda i: i.org_unit_id),
                                  writes_home=False),
        "review_reports": Write("bs_jc", _data(report_id=lambda i: i.submitted_report_id, decision="approve")),
        "thread_comment": Write("bs_jc", _data(body="请核实这个数字")),
        "inbox_open": Write("bs_fgw", _data(), writes_home=False),
        "inbox_read_all": Write("bs_fgw", _data(), frozenset({303}), writes_home=False),
        "admin_smtp": Write("bs_admin", _data(host="", sender=""), frozenset({422}), writes_home=False),
        "admin_reminders": Write("bs_admin", _data(hours="12"), frozenset({422}), writes_home=False),
        "admin_user_contact": Write("bs_admin", _data(name="新名字", email="someone@example.gov.cn")),
        "period_reopen": Write("bs_jc", _data(reason="更正"), writes_home=False),
        "enter_observation": Write("bs_jc", _json(period_id=lambda i: i.period_id, indicator_id=lambda i: i.indicator_id,
                                                  org_unit_id=lambda i: i.org_unit_id, value="12.5")),
        "approve_observation": Write("bs_jc", _json()),
        "return_observation": Write("bs_jc", _json(comment="请核实")),
        "add_indicator": Write("bs_pg", _json(line=lambda i: i.plan_line, name="新增的指标", target="≥10")),
        "correct_indicator": Write("bs_pg", _json(name="改名的指标")),
        "set_target": Write("bs_pg", _json(target="≥99", reason="上级调整")),
        "retire_indicator": Write("bs_pg", _json(reason="重复")),
        "restore_indicator": Write("bs_pg", _json(reason="恢复"), writes_home=False),
        "merge_indicator": Write("bs_pg", _json(merge_id=lambda i: i.other_indicator_id, reason="重复")),
        "upload_document": Write("bs_jc", _file("plan.txt", _plan_text), frozenset({403}), own_file=True),
        "report_ledger_progress": Write("bs_jc", _json(period_id=lambda i: i.period_id, task_id=lambda i: i.report_task_id,
                                                       org_unit_id=lambda i: i.report_unit_id, status="in_progress")),
        "plan_publishing_propose": Write("bs_pg", _data(office="区发展和改革委员会", years="2024", tasks="yes")),
        "publishing_approve": Write("bs_jc", _data()),
        "publishing_reject": Write("bs_jc", _data(reason="范围再议")),
        "publishing_retract": Write("bs_pg", _data(item="tasks", reason="核实中"), writes_home=False),
        "opinion_moderate": Write("bs_pg", _data(decision="show")),
        "opinion_answer": Write("bs_pg", _data(answer="感谢建议，将按季度公开。")),
        "opinion_erase_contact": Write("bs_pg", _data(reason="本人要求")),
        "opinion_delete": Write("bs_pg", _data(reason="本人要求")),
        "approve_ledger_report": Write("bs_jc", lambda ids, folder: {
            "path": f"/api/v1/ledger/reports/{ids.submitted_report_id}/approve", "json": {}}),
        "return_ledger_report": Write("bs_jc", lambda ids, folder: {
            "path": f"/api/v1/ledger/reports/{ids.submitted_report_id}/return", "json": {"comment": "请补充材料"}}),
    }


def _send(site: Site, route: APIRoute, write: Write, ids: Ids, folder: Path, csrf: str) -> Any:
    request = write.form(ids, folder)
    path = request.pop("path", None) or _paths(route, ids)[0]
    if path.startswith("/api/"):
        return site.client.post(path, headers={"Authorization": f"Bearer {site.tokens[write.user]}"}, **request)
    request.setdefault("data", {})["csrf_token"] = csrf
    return site.client.post(path, follow_redirects=False, **request)


@pytest.mark.parametrize("route", _routes("POST"), ids=lambda r: r.name)
def test_no_write_reaches_another_district(route: APIRoute, site: Site, tmp_path: Path) -> None:
    write = _writes(site.url).get(route.name)
    assert write is not None, f"{route.name}: add the form it takes to WRITES"
    csrf = login(site.client, write.user, PASSWORD)
    before = site.audit_count()
    refused = _send(site, route, write, site.foreign, tmp_path, csrf)
    assert refused.status_code in write.refused, f"{route.name}: {refused.status_code} {_message(refused)}"
    assert site.audit_count() == before, f"{route.name} wrote to 青川区"
    assert write.own_file or not _leaks(_text(refused), site.foreign), _leaks(_text(refused), site.foreign)
    done = _send(site, route, write, site.home, tmp_path, csrf)
    assert done.status_code != 404, f"{route.name} (白石区): {_message(done)}"
    if write.writes_home:
        assert done.status_code < 400, f"{route.name} (白石区): {done.status_code} {_message(done)}"
        assert site.audit_count() > before, f"{route.name} (白石区) wrote nothing"


def test_a_plan_of_another_district_is_not_imported_by_a_bound_user(site: Site, tmp_path: Path) -> None:
    """The browser upload runs in the background: its outcome page says why, nothing is stored."""
    csrf = login(site.client, "bs_jc", PASSWORD)
    sent = site.client.post("/documents", data={"csrf_token": csrf}, follow_redirects=True,
                            files={"file": ("qingchuan.txt", DEMO_PLAN.read_bytes(), "text/plain")})
    deadline = time.monotonic() + 180  # extraction runs in a worker process
    while "error-box" not in sent.text and time.monotonic() < deadline:
        time.sleep(0.5)
        sent = site.client.get(sent.url)
    assert "不属于您所在的地区（白石区）" in sent.text and not _leaks(sent.text, site.foreign)
    database = Database(site.url)
    try:
        with database.session(readonly=True) as session:
            assert session.scalar(select(func.count()).select_from(SourceFile)) == 2
            assert session.scalar(select(func.count()).select_from(Plan)) == 2
    finally:
        database.dispose()


def test_only_an_administrator_of_every_district_switches_the_four_eyes_rule(site: Site) -> None:
    before = site.audit_count()
    csrf = login(site.client, "bs_admin", PASSWORD)
    page = site.client.get("/admin/users")
    assert "只能由不限地区的管理员更改" in page.text and 'action="/admin/settings/four-eyes"' not in page.text
    refused = site.client.post("/admin/settings/four-eyes", data={"required": "off", "csrf_token": csrf})
    assert refused.status_code == 403 and site.audit_count() == before
    site.client.cookies.clear()
    csrf = login(site.client, "admin", PASSWORD)
    done = site.client.post("/admin/settings/four-eyes", data={"required": "off", "csrf_token": csrf},
                            follow_redirects=False)
    assert done.status_code == 303 and site.audit_count() == before + 1
