"""Upload with progress, extraction correction in the viewer, search and comparison — pages and API."""

from __future__ import annotations

import html
import io
import re
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import AuditEvent, Indicator, Plan, SourceFile, User
from planwatch.web import create_app
from tests.unit import plan_samples
from tests.web.client import login

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _count(database_url: str, model: type) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def _wait_for_upload(client: TestClient, location: str) -> str:
    """Poll the progress fragment like the page does, until the import has finished."""
    deadline = time.monotonic() + 60
    stages = []
    while time.monotonic() < deadline:
        fragment = client.get(location, headers={"X-Requested-With": "fetch"})
        assert fragment.status_code == 200 and "<html" not in fragment.text
        stage = re.search(r'data-stage="(\w+)"', fragment.text)
        assert stage
        stages.append(stage.group(1))
        if stage.group(1) in ("done", "failed"):
            assert "data-poll=" not in fragment.text  # the page stops polling
            return client.get(location).text
        assert "data-poll=" in fragment.text
        time.sleep(0.1)
    raise AssertionError(f"upload did not finish: {stages}")


def _upload(client: TestClient, token: str, name: str, content: bytes, kind: str = DOCX) -> tuple[int, str]:
    response = client.post("/documents", data={"csrf_token": token}, files={"file": (name, content, kind)},
                           follow_redirects=False)
    if response.status_code != 303:
        return response.status_code, response.text
    assert re.fullmatch(r".*/uploads/[\w-]+", response.headers["location"])
    return 200, _wait_for_upload(client, response.headers["location"])


def test_upload_a_docx_and_see_its_indicators(app_client: TestClient, database_url: str, tmp_path: Path) -> None:
    token = login(app_client, "tongji")
    assert 'enctype="multipart/form-data"' in app_client.get("/documents").text
    content = plan_samples.write_docx(tmp_path / "生态环境保护规划.docx").read_bytes()
    status, page = _upload(app_client, token, "生态环境保护规划.docx", content)
    assert status == 200 and 'data-stage="done"' in page and "导入完成" in page
    assert plan_samples.TITLE in page
    shown = {html.unescape(n) for n in re.findall(r'<a href="[^"]*/indicators/\d+">([^<]+)</a>', page)}
    assert shown == plan_samples.EXPECTED_NAMES
    listing = app_client.get("/documents").text
    assert "生态环境保护规划.docx" in listing and plan_samples.TITLE in listing

    again_status, again = _upload(app_client, token, "生态环境保护规划.docx", content)
    assert again_status == 200 and "此文件以前已导入过" in again


def test_upload_progress_is_answered_by_every_process_of_the_server(database_url: str, tmp_path: Path) -> None:
    """Two apps on one database stand for two ``serve --workers`` processes (or two hosts):
    the one that took the upload imports it, the other answers the progress page."""
    with TestClient(create_app(database_url, secret_key="shared")) as taking, \
            TestClient(create_app(database_url, secret_key="shared")) as polling:
        token = login(taking, "tongji")
        polling.cookies.update(taking.cookies)  # the same browser session, signed by the shared key
        content = plan_samples.write_docx(tmp_path / "规划.docx").read_bytes()
        response = taking.post("/documents", data={"csrf_token": token},
                               files={"file": ("规划.docx", content, DOCX)}, follow_redirects=False)
        assert response.status_code == 303
        page = _wait_for_upload(polling, response.headers["location"])
        assert 'data-stage="done"' in page and plan_samples.TITLE in page
        assert polling.get("/uploads/not-a-job-id-at-all").status_code == 404


def test_an_import_killed_mid_way_is_reported_and_its_files_removed_at_the_next_start(
        database_url: str, tmp_path: Path) -> None:
    """kill -9 during an import: the progress page says so at once (its process is gone), and
    the next start of a server on this host marks the job failed and removes the upload."""
    with TestClient(create_app(database_url, secret_key="shared")) as client:
        token = login(client, "tongji")
        owner = _user_id(database_url, "tongji")
        upload_dir = tmp_path / "planwatch-upload-left"
        upload_dir.mkdir()
        (upload_dir / "规划.docx").write_bytes(b"half an upload")
        _add_job(database_url, "k" * 16, owner, upload_dir, pid=_ended_pid())
        stopped = client.get("/uploads/" + "k" * 16).text
        assert 'data-stage="failed"' in stopped and "导入进程已中止" in stopped and "data-poll=" not in stopped
        assert upload_dir.exists(), "a page only reads: the cleanup is the next start's"
        assert token
    with TestClient(create_app(database_url, secret_key="shared")) as restarted:
        login(restarted, "tongji")
        assert not upload_dir.exists()
        assert _job_stage(database_url, "k" * 16) == "failed"
        assert "导入进程已中止" in restarted.get("/uploads/" + "k" * 16).text


def test_a_job_on_a_host_that_went_away_is_reported_interrupted(database_url: str) -> None:
    """Another host's job is judged by its heartbeat: renewed, it is running; stale, interrupted."""
    from datetime import UTC, datetime, timedelta

    with TestClient(create_app(database_url, secret_key="shared")) as client:
        login(client, "tongji")
        owner = _user_id(database_url, "tongji")
        _add_job(database_url, "r" * 16, owner, Path("/nonexistent"), host="another-host", pid=1)
        assert 'data-stage="extract"' in client.get("/uploads/" + "r" * 16).text
        _set_heartbeat(database_url, "r" * 16, datetime.now(UTC) - timedelta(minutes=10))
        assert "导入进程已中止" in client.get("/uploads/" + "r" * 16).text


def _user_id(database_url: str, login_name: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(User.id).where(User.login == login_name)).one()
    finally:
        database.dispose()


def _add_job(database_url: str, job_id: str, owner: int, upload_dir: Path, *, pid: int,
             host: str | None = None) -> None:
    import socket

    from planwatch.store.models import ImportJob

    database = Database(database_url)
    try:
        with database.session() as session:
            session.add(ImportJob(id=job_id, owner_id=owner, file_name="规划.docx", stage="extract", error="",
                                  pages_done=0, pages_total=0, host=host or socket.gethostname(), pid=pid,
                                  upload_dir=str(upload_dir)))
    finally:
        database.dispose()


def _set_heartbeat(database_url: str, job_id: str, moment: object) -> None:
    from sqlalchemy import update

    from planwatch.store.models import ImportJob

    database = Database(database_url)
    try:
        with database.session() as session:
            session.execute(update(ImportJob).where(ImportJob.id == job_id).values(heartbeat_at=moment))
    finally:
        database.dispose()


def _job_stage(database_url: str, job_id: str) -> str:
    from planwatch.store.models import ImportJob

    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.get_one(ImportJob, job_id).stage
    finally:
        database.dispose()


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize(("name", "content", "status", "message"), [
    ("plan.exe", b"MZ...", 422, "不支持的文件类型「.exe」"),
    ("empty.txt", b"", 422, "文件是空的"),
    ("broken.docx", b"this is not a zip archive", 200, "broken.docx"),
])
def test_bad_uploads_are_explained_and_store_nothing(app_client: TestClient, database_url: str, name: str,
                                                     content: bytes, status: int, message: str) -> None:
    before = (_count(database_url, SourceFile), _count(database_url, Indicator))
    token = login(app_client, "tongji")
    got, page = _upload(app_client, token, name, content)
    assert got == status and message in html.unescape(page)
    if status == 200:  # accepted, then failed while reading: the page says so
        assert 'data-stage="failed"' in page and "未写入任何数据" in page and "planwatch-upload-" not in page
    assert (_count(database_url, SourceFile), _count(database_url, Indicator)) == before


def test_only_importers_may_upload(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "pinggu")
    assert 'type="file"' not in app_client.get("/documents").text
    refused = app_client.post("/documents", data={"csrf_token": token},
                              files={"file": ("a.txt", "目标".encode(), "text/plain")})
    assert refused.status_code == 403 and "导入规划" in refused.text


def _forest(database_url: str) -> tuple[int, int]:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            forest = session.scalars(select(Indicator).join(Plan).where(
                Plan.current.is_(True), Indicator.name == "森林覆盖率", Indicator.kind == "table")).first()
            assert forest is not None
            return forest.id, forest.plan.source_file_id
    finally:
        database.dispose()


def test_correct_and_add_in_the_document_viewer(app_client: TestClient, database_url: str) -> None:
    forest_id, file_id = _forest(database_url)
    token = login(app_client, "pinggu")
    viewer = app_client.get(f"/documents/{file_id}").text
    assert f'/indicators/{forest_id}/correction"' in viewer and 'data-select-line="#add-indicator"' in viewer
    form = {"csrf_token": token, "name": "森林覆盖率", "unit": "%", "attribute": "约束性", "baseline_year": "2020",
            "baseline": "48.3", "target_year": "2025", "target": "≥52", "comparator": "", "reason": "原文为≥52"}
    unexplained = app_client.post(f"/indicators/{forest_id}/correction", data={**form, "reason": " "})
    assert unexplained.status_code == 422 and "请填写更正的原因" in unexplained.text
    saved = app_client.post(f"/indicators/{forest_id}/correction", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#ind-{forest_id}")
    page = app_client.get(saved.headers["location"]).text
    assert "已保存更正" in page and "已人工更正" in page and "2025 ≥52" in page

    clash = app_client.post(f"/indicators/{forest_id}/correction", data={**form, "name": "地区生产总值",
                                                                         "unit": "亿元"})
    assert clash.status_code == 422 and "已有指标「地区生产总值」" in html.unescape(clash.text)
    bad_year = app_client.post(f"/indicators/{forest_id}/correction", data={**form, "target_year": "二〇二五"})
    assert bad_year.status_code == 422 and "目标年份：应为四位年份" in bad_year.text

    plan_id = int(re.search(r'name="plan_id" value="(\d+)"', page).group(1))  # type: ignore[union-attr]
    line = next(int(m.group(1)) for m in re.finditer(r'id="line-(\d+)" data-line="\d+">(.*?)</span>', page)
                if "规模以上工业产值突破800亿元" in m.group(2))
    added = app_client.post(f"/documents/{file_id}/indicators", follow_redirects=True, data={
        "csrf_token": token, "plan_id": plan_id, "line": line, "name": "规模以上工业产值", "unit": "亿元",
        "target": "突破800", "comparator": ">", "reason": "目标句漏提"})
    assert added.status_code == 200 and "已保存更正" in added.text
    assert re.search(r'<mark class="indicator" id="ind-\d+" title="I\d+ 规模以上工业产值">规模以上工业产值</mark>',
                     added.text)

    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "indicators")).all()
            assert sorted(actions) == ["add", "correct"]  # the refused corrections left no trace
            assert [t.text for t in session.get_one(Indicator, forest_id).targets] == ["≥52"]
    finally:
        database.dispose()


def test_clerks_see_documents_but_cannot_correct(app_client: TestClient, database_url: str) -> None:
    forest_id, file_id = _forest(database_url)
    token = login(app_client, "lyj")
    viewer = app_client.get(f"/documents/{file_id}")
    assert viewer.status_code == 200 and "/correction" not in viewer.text
    refused = app_client.post(f"/indicators/{forest_id}/correction", data={"csrf_token": token, "unit": "‰"})
    assert refused.status_code == 403 and "更正指标提取结果" in refused.text


def test_search_page_marks_words_and_links_to_the_line(app_client: TestClient, database_url: str) -> None:
    login(app_client, "lingdao")
    page = app_client.get("/search", params={"q": "孕产妇死亡率"}).text
    links = re.findall(r'href="[^"]*/documents/(\d+)#line-(\d+)"', page)
    assert len(links) == 2 and '<mark class="hit">孕产妇死亡率</mark>' in page
    source_id, line = links[0]
    document = app_client.get(f"/documents/{source_id}").text
    anchored = document.split(f'id="line-{line}"', 1)[1].split("</span>\n", 1)[0]
    assert "孕产妇死亡率" in anchored
    assert "找到 0 处" in app_client.get("/search", params={"q": "量子引力"}).text


def test_compare_the_same_indicator_across_plans(app_client: TestClient, database_url: str, tmp_path: Path) -> None:
    token = login(app_client, "tongji")
    shared_link = '/compare?q=%E6%A3%AE%E6%9E%97%E8%A6%86%E7%9B%96%E7%8E%87"'  # 森林覆盖率
    assert shared_link not in app_client.get("/compare").text  # one plan has it so far
    _upload(app_client, token, "生态环境保护规划.docx", plan_samples.write_docx(tmp_path / "p.docx").read_bytes())
    assert shared_link in app_client.get("/compare").text
    page = app_client.get("/compare", params={"q": "森林覆盖率"}).text
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", page, flags=re.S)
    assert len(rows) == 2
    assert any(plan_samples.TITLE in r for r in rows) and any("青川区国民经济" in r for r in rows)
    assert "≥50（2025）" in page and "55%以上（2025）" in page  # both plans' targets side by side
    demo_row = next(r for r in rows if "青川区" in r)  # the demo plan has data: latest value and status
    assert re.search(r'<td class="num">[\d.]+（20\d\d）</td>\s*<td><span class="status status-\w+">', demo_row)


# ---- API ------------------------------------------------------------------------------------

def _bearer(database_url: str, login_name: str) -> dict[str, str]:
    database = Database(database_url)
    try:
        with database.session() as session:
            user = session.scalars(select(User).where(User.login == login_name)).one()
            return {"Authorization": f"Bearer {users.create_token(session, user, 'test')}"}
    finally:
        database.dispose()


def test_api_upload_indicators_correct_add_search_compare(app_client: TestClient, database_url: str,
                                                          tmp_path: Path) -> None:
    monitoring, clerk, viewer = (_bearer(database_url, n) for n in ("tongji", "lyj", "lingdao"))
    content = plan_samples.write_docx(tmp_path / "p.docx").read_bytes()
    upload = {"file": ("生态环境保护规划.docx", io.BytesIO(content), DOCX)}
    assert app_client.post("/api/v1/documents", files=upload).status_code == 401
    assert app_client.post("/api/v1/documents", files=upload, headers=viewer).status_code == 403
    bad = app_client.post("/api/v1/documents", files={"file": ("x.doc", b"old", "application/msword")},
                          headers=monitoring)
    assert bad.status_code == 422 and "x.doc" in bad.json()["detail"]
    imported = app_client.post("/api/v1/documents", files={"file": ("生态环境保护规划.docx", content, DOCX)},
                               headers=monitoring)
    assert imported.status_code == 201, imported.text
    (plan,) = imported.json()["plans"]
    assert plan["title"].endswith(plan_samples.TITLE) and plan["indicators"] == len(plan_samples.EXPECTED_NAMES)

    listed = app_client.get(f"/api/v1/plans/{plan['plan_id']}/indicators", headers=viewer)
    assert listed.status_code == 200 and {i["name"] for i in listed.json()} == plan_samples.EXPECTED_NAMES
    first = listed.json()[0]
    assert app_client.get("/api/v1/plans/999999/indicators", headers=viewer).status_code == 404

    fix = {"target": "≤30", "comparator": "<="}
    # a clerk of 青川区 may not correct, and does not even see a plan of 云溪区
    assert app_client.post(f"/api/v1/indicators/{first['id']}/corrections", json=fix, headers=clerk).status_code == 404
    assert app_client.post("/api/v1/indicators/999999/corrections", json=fix, headers=monitoring).status_code == 404
    wrong = app_client.post(f"/api/v1/indicators/{first['id']}/corrections", json={"comparator": "about"},
                            headers=monitoring)
    assert wrong.status_code == 400 and "比较方式「about」无效" in wrong.json()["detail"]
    assert app_client.post(f"/api/v1/indicators/{first['id']}/corrections", json={"baseline_year": "2020"},
                           headers=monitoring).status_code == 422  # strict: a year is a number
    corrected = app_client.post(f"/api/v1/indicators/{first['id']}/corrections", json=fix, headers=monitoring)
    assert corrected.status_code == 200
    assert corrected.json()["targets"][-1]["text"] == "≤30" and corrected.json()["extracted_name"] == first["name"]

    line = first["line"]
    new = {"line": line, "name": "新增的监测指标", "unit": "%", "target": "≥60", "target_year": 2025}
    added = app_client.post(f"/api/v1/plans/{plan['plan_id']}/indicators", json=new, headers=monitoring)
    assert added.status_code == 201 and added.json()["kind"] == "manual" and added.json()["line"] == line
    missing = app_client.post(f"/api/v1/plans/{plan['plan_id']}/indicators", json={"line": line, "name": "x"},
                              headers=monitoring)
    assert missing.status_code == 422

    found = app_client.get("/api/v1/search", params={"q": "森林覆盖率"}, headers=viewer)
    assert found.status_code == 200 and found.json()["total"] >= 2
    assert all("森林覆盖率" in h["matches"] for h in found.json()["hits"])
    assert {h["file_name"] for h in found.json()["hits"]} >= {"生态环境保护规划.docx"}
    own = app_client.get("/api/v1/search", params={"q": "森林覆盖率"}, headers=clerk).json()  # 青川区's clerk
    assert {h["file_name"] for h in own["hits"]} == {"qingchuan_plan.txt"}
    assert app_client.get("/api/v1/search", params={"q": "森林", "limit": 0}, headers=clerk).status_code == 422

    compared = app_client.get("/api/v1/compare", params={"q": "森林覆盖率"}, headers=viewer)
    assert compared.status_code == 200 and len(compared.json()) == 2
    assert {c["plan_id"] for c in compared.json()} == {plan["plan_id"], next(
        p["id"] for p in app_client.get("/api/v1/plans", headers=viewer).json() if "青川区" in p["title"])}


def test_what_extraction_could_not_read_is_shown_with_the_way_to_add_it(app_client: TestClient,
                                                                         database_url: str) -> None:
    """The upload page and the viewer list the passages that looked like targets but gave none."""
    token = login(app_client, "tongji")
    text = plan_samples.NOTICE.format(title="农村公路提质行动方案（2025—2027年）") + (
        "一、主要目标\n"
        "到2027年，全区农村公路新改建里程达到120公里。便民服务点实现2级覆盖。\n")
    status, page = _upload(app_client, token, "农村公路.txt", text.encode("utf-8"), "text/plain")
    assert status == 200 and 'data-stage="done"' in page
    assert "另有 1 处看似目标但未提取" in html.unescape(page)
    link = re.search(r'href="([^"]*/documents/(\d+)\?add_line=(\d+))#line-\d+"', page)
    assert link is not None
    line = int(link.group(3))
    viewer = html.unescape(app_client.get(link.group(1)).text)
    assert "看似目标但未提取的内容（1 处）" in viewer and "便民服务点实现2级覆盖。" in viewer
    assert f'class="line unread" id="line-{line}"' in viewer
    assert re.search(rf'<input name="line"[^>]*value="{line}"', viewer)  # the add form is filled in
    assert '<details id="add-indicator" open>' in viewer


def test_a_pdf_upload_shows_its_pages(app_client: TestClient, tmp_path: Path) -> None:
    """The extraction worker reports a PDF's pages; the progress page shows them and moves with them."""
    from planwatch.services.import_jobs import JobState
    from tests.unit.pdf_gazette import gazette_pdf

    token = login(app_client, "tongji")
    content = gazette_pdf(tmp_path / "gazette.pdf").read_bytes()
    status, page = _upload(app_client, token, "公报.pdf", content, "application/pdf")
    assert status == 200 and 'data-stage="done"' in page
    pages = re.search(r"导入完成（共 (\d+) 页）", page)  # done: all pages, not the last count polled
    assert pages is not None and int(pages.group(1)) >= 2 and "已读取" not in page
    halfway = JobState("x" * 16, 1, "公报.pdf", stage="extract", pages_done=3, pages_total=6)
    started = JobState("x" * 16, 1, "公报.pdf", stage="extract", pages_done=0, pages_total=6)
    assert started.fraction < halfway.fraction < JobState("x" * 16, 1, "a", stage="store").fraction
