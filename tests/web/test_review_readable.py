"""The review queue shows last year's value and the submitter; the audit trail and the
entry form speak the page's language, in sentences rather than field names."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services.evaluation import yearly_values
from planwatch.store import Database
from planwatch.store.models import Indicator, Observation, Plan, ReportingPeriod
from tests.web.client import login
from tests.web.open_round import open_item


def test_review_queue_shows_previous_value_and_submitter(app_client: TestClient, database_url: str) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan)).one()
        last_year = {i: v[2024] for i, v in yearly_values(session, plan).items() if 2024 in v}
        names = {i.name: i.id for i in session.scalars(select(Indicator))}
    database.dispose()
    login(app_client, "tongji")
    page = app_client.get("/review").text
    rows = re.findall(r'<tr id="value-\d+".*?</tr>', page, re.S)
    assert rows
    for row in rows:
        name = re.search(r'/indicators/\d+">([^<]+)</a>', row)
        assert name is not None
        previous = re.search(r'<td class="num hide-phone">([^<]*)</td>', row)
        assert previous is not None
        assert previous.group(1) == f"{last_year[names[name.group(1)]]:,.4f}".rstrip("0").rstrip(".")  # the 2024 figure
        submitter = re.search(r"(?:<br>报送人|填报并报送) ([^<]+)</td>", row)
        assert submitter is not None and submitter.group(1).strip() not in ("", "—")  # a clerk or the operator


def test_audit_trail_actions_are_translated(app_client: TestClient, database_url: str) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.year == 2024)).one()
        indicator_id = session.scalars(select(Observation.indicator_id)
                                       .where(Observation.period_id == period.id)).first()
    database.dispose()
    login(app_client, "tongji")
    page = app_client.get(f"/indicators/{indicator_id}").text
    assert "<td>报送</td>" in page and "<td>审核通过</td>" in page
    assert not re.search(r"<td>(submit|enter|approve)</td>", page)


def test_entry_messages_are_sentences_without_field_names(app_client: TestClient, database_url: str) -> None:
    clerk, indicator_id, period_id, unit_id = open_item(database_url)
    token = login(app_client, clerk)
    form = {"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id, "org_unit_id": unit_id,
            "value": "abc", "step": "submit"}
    bad = app_client.post("/entry", data=form, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 422 and "未保存：「abc」不是数值" in bad.text
    assert "value：" not in bad.text and "填报单位 #" not in bad.text
    check = app_client.post(f"/entry/validate/{indicator_id}", data={"value": "abc"}, headers={"X-CSRF-Token": token})
    assert "「abc」不是数值" in check.text and "value：" not in check.text
