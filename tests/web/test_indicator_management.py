"""Managing an indicator from its page and through /api/v1: edit the target, retire and
restore, merge — permissions, reasons, the retired badge and the merged page's redirect."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import users
from planwatch.services.indicator_lifecycle import merge_conflicts
from planwatch.store import Database
from planwatch.store.models import AuditEvent, Indicator, Observation, User
from tests.web.client import login


def _token(database_url: str, name: str) -> dict[str, str]:
    database = Database(database_url)
    with database.session() as session:
        user = session.scalars(select(User).where(User.login == name)).one()
        header = {"Authorization": f"Bearer {users.create_token(session, user, 'test')}"}
    database.dispose()
    return header


def _pair(database_url: str) -> tuple[int, int, int]:
    """Two indicators one unit reports (their merge conflicts) and one without shared figures."""
    database = Database(database_url)
    with database.session(readonly=True) as session:
        by_unit: dict[int, list[int]] = {}
        for indicator_id, unit_id in session.execute(select(Observation.indicator_id, Observation.org_unit_id)
                                                     .distinct().order_by(Observation.indicator_id)):
            by_unit.setdefault(unit_id, []).append(indicator_id)
        first, second = next(ids for ids in by_unit.values() if len(ids) >= 2)[:2]
        assert merge_conflicts(session, session.get_one(Indicator, first), session.get_one(Indicator, second))
        third = next(ids[0] for ids in by_unit.values() if first not in ids)
    database.dispose()
    return first, second, third


def test_page_edits_the_target_retires_and_restores(app_client: TestClient, database_url: str) -> None:
    kept, _, _ = _pair(database_url)
    assert "indicator_retire" not in app_client.get(f"/indicators/{kept}").text
    token = login(app_client, "pinggu")
    page = app_client.get(f"/indicators/{kept}").text
    assert f'action="/indicators/{kept}/retire"' in page and f'action="/indicators/{kept}/merge"' in page
    no_reason = app_client.post(f"/indicators/{kept}/target", data={"csrf_token": token, "target": "≥99",
                                                                   "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    done = app_client.post(f"/indicators/{kept}/target", data={"csrf_token": token, "target": "≥99",
                                                              "target_year": "2025", "reason": "规划中期调整"})
    assert done.status_code == 200 and "≥99" in done.text
    bad_year = app_client.post(f"/indicators/{kept}/target", data={"csrf_token": token, "target": "≥99",
                                                                  "target_year": "明年", "reason": "调整"})
    assert bad_year.status_code == 422 and "目标年份：应为四位年份（如 2025），而不是「明年」" in bad_year.text
    retired = app_client.post(f"/indicators/{kept}/retire", data={"csrf_token": token, "reason": "不再统计"})
    assert retired.status_code == 200 and 'id="retired-badge"' in retired.text and "不再统计" in retired.text
    plan_page = app_client.get(retired.text.split('<p class="muted"><a href="', 1)[1].split('"', 1)[0]).text
    listed = plan_page[plan_page.index('id="retired-list"'):]
    assert f"/indicators/{kept}" in listed and f'/indicators/{kept}"' not in plan_page[:plan_page.index(
        'id="retired-list"')]
    restored = app_client.post(f"/indicators/{kept}/restore", data={"csrf_token": token, "reason": "恢复统计"})
    assert restored.status_code == 200 and 'id="retired-badge"' not in restored.text
    events = restored.text[restored.text.index('id="definition-events"'):]
    assert events.index("恢复统计") < events.index("不再统计") < events.index("规划中期调整")  # newest first
    database = Database(database_url)
    with database.session(readonly=True) as session:
        reasons = [e.reason for e in session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "indicators", AuditEvent.entity_id == str(kept)).order_by(AuditEvent.id))]
    database.dispose()
    assert reasons == ["规划中期调整", "不再统计", "恢复统计"]
    clerk = login(app_client, "lyj")
    denied = app_client.post(f"/indicators/{kept}/retire", data={"csrf_token": clerk, "reason": "x"})
    assert denied.status_code == 403 and "无权" in denied.text


def _code(database_url: str, indicator_id: int) -> tuple[str, str, int]:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        indicator = session.get_one(Indicator, indicator_id)
        found = indicator.code, indicator.name, indicator.plan_id
    database.dispose()
    return found


def test_page_merge_lists_conflicts_then_merges_and_redirects(app_client: TestClient, database_url: str) -> None:
    kept, merged, _ = _pair(database_url)
    token = login(app_client, "tongji")
    code, name, plan_id = _code(database_url, merged)
    page = app_client.get(f"/indicators/{kept}").text
    assert 'name="other"' in page and "<option" not in page.split('id="merge-choices"', 1)[1].split("</datalist>")[0]
    suggested = app_client.get("/suggest/indicators", params={"plan": plan_id, "q": name[:2], "leave_out": kept})
    assert suggested.status_code == 200 and f'<option value="{code}">{name}' in suggested.text
    assert f'value="{_code(database_url, kept)[0]}"' not in suggested.text  # not merged with itself
    unknown = app_client.post(f"/indicators/{kept}/merge", data={"csrf_token": token, "other": "没有这个指标",
                                                                "keep": "this", "reason": "重复指标"})
    assert unknown.status_code == 422 and "没有这个指标" in unknown.text and 'id="manage-error"' in unknown.text
    form = {"csrf_token": token, "other": code, "keep": "this", "reason": "重复指标"}
    refused = app_client.post(f"/indicators/{kept}/merge", data=form)
    assert refused.status_code == 422 and 'id="merge-conflicts"' in refused.text
    choices = {name: "kept" for name in set(re.findall(r'name="(choice-\d+)"', refused.text))}
    merged_page = app_client.post(f"/indicators/{kept}/merge", data=form | choices)
    assert merged_page.status_code == 200 and str(merged_page.url).endswith(f"/indicators/{kept}")
    redirect = app_client.get(f"/indicators/{merged}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].endswith(f"/indicators/{kept}")


def test_api_target_retire_restore_and_merge(app_client: TestClient, database_url: str) -> None:
    kept, merged, other = _pair(database_url)
    headers = _token(database_url, "pinggu")
    target = app_client.post(f"/api/v1/indicators/{kept}/target", headers=headers,
                             json={"target": "≥97", "target_year": 2025, "reason": "调整"})
    assert target.status_code == 200 and target.json()["targets"][-1]["text"] == "≥97"
    retired = app_client.post(f"/api/v1/indicators/{other}/retire", headers=headers, json={"reason": "不再统计"})
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert app_client.post(f"/api/v1/indicators/{other}/retire", headers=headers,
                           json={"reason": "再次"}).status_code == 400
    restored = app_client.post(f"/api/v1/indicators/{other}/restore", headers=headers, json={"reason": "恢复"})
    assert restored.status_code == 200 and restored.json()["retired"] is False
    conflict = app_client.post(f"/api/v1/indicators/{kept}/merge", headers=headers,
                               json={"merge_id": merged, "reason": "重复"})
    assert conflict.status_code == 409
    choices = {str(c["merged_observation_id"]): "merged" for c in conflict.json()["conflicts"]}
    done = app_client.post(f"/api/v1/indicators/{kept}/merge", headers=headers,
                           json={"merge_id": merged, "reason": "重复", "choices": choices})
    assert done.status_code == 200
    listed = {i["id"]: i for i in app_client.get(f"/api/v1/plans/{done.json()['plan_id']}/indicators",
                                                 headers=headers).json()}
    assert listed[merged]["merged_into_id"] == kept and listed[merged]["retired"] is True
    viewer = _token(database_url, "lingdao")
    assert app_client.post(f"/api/v1/indicators/{kept}/retire", headers=viewer,
                           json={"reason": "x"}).status_code == 403


def test_a_revised_plans_indicator_page_shows_the_carried_figures(app_client: TestClient, database_url: str,
                                                                 tmp_path: Path) -> None:
    from planwatch.demo import DEMO_PLAN
    from planwatch.services import plan_import

    revised = tmp_path / "revised.txt"
    revised.write_text("（修订稿）\n\n" + DEMO_PLAN.read_text(encoding="utf-8").replace("\t88.4\t≥90\t", "\t88.4\t≥91\t"),
                       encoding="utf-8")  # one target changed: a new version (the same system would not be)
    database = Database(database_url)
    with database.session() as session:
        plan_id = plan_import.import_file(session, revised).plans[0].plan_id
        carried = session.scalars(select(Observation.indicator_id).join(Indicator)
                                  .where(Indicator.plan_id == plan_id)).first()
    database.dispose()
    login(app_client, "tongji")
    page = app_client.get(f"/indicators/{carried}")
    assert page.status_code == 200 and "规划修订沿用" in page.text
