"""An indicator with data but no baseline says 缺基期值 and links to where the baseline is
entered, instead of 无数据."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import observations, periods, review, users
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, Plan, Target, User
from tests.web.client import login


def test_reported_indicator_without_baseline_says_so_and_links_to_the_correction(
        app_client: TestClient, database_url: str) -> None:
    database = Database(database_url)
    with database.session() as session:
        plan = session.scalars(select(Plan)).one()
        plan_id, source_file_id = plan.id, plan.source_file_id
        # 孕产妇死亡率, reported since 2021, now with a target relative to a baseline nobody gave;
        # evaluated in 2021 there is one value, and no earlier one to stand in for the baseline.
        indicator = session.scalars(select(Indicator).where(Indicator.name == "孕产妇死亡率")).one()
        indicator.baseline = indicator.baseline_year = indicator.baseline_text = None
        target = session.scalars(select(Target).where(Target.indicator_id == indicator.id)).one()
        target.text, target.value, target.comparator = "下降20%", 20.0, "decrease_by_pct"
        indicator_id = indicator.id
    database.dispose()
    login(app_client, "pinggu")
    page = app_client.get(f"/plans/{plan_id}", params={"year": 2021}).text
    row = re.search(rf'<tr><td><a href="[^"]*/indicators/{indicator_id}">.*?</tr>', page, re.S)
    assert row is not None
    assert "缺基期值" in row.group(0) and "无数据" not in row.group(0)
    assert f'/documents/{source_file_id}#ind-{indicator_id}">补录基期值</a>' in row.group(0)
    detail = app_client.get(f"/indicators/{indicator_id}", params={"year": 2021}).text
    assert "缺基期值" in detail and f"#ind-{indicator_id}\">补录基期值</a>" in detail


def test_the_baseline_years_reported_value_is_the_baseline(database_url: str) -> None:
    """村级综合服务设施覆盖率 prints no baseline; once its 2020 value is reported and approved,
    that value is the baseline (not the earliest later value standing in)."""
    database = Database(database_url)
    with database.session() as session:
        operator = users.operator(session)
        plan = session.scalars(select(Plan)).one()
        indicator = session.scalars(select(Indicator).where(Indicator.name == "村级综合服务设施覆盖率")).one()
        unit_id = session.scalars(select(Assignment.org_unit_id).where(Assignment.indicator_id == indicator.id)).first()
        assert indicator.baseline is None and unit_id is not None
        period = periods.create_period(session, operator, plan.id, 2020, opens_at=datetime(2021, 1, 5, tzinfo=UTC),
                                       closes_at=datetime(2021, 3, 1, tzinfo=UTC))
        view = observations.enter_value(session, operator, period.id,
                                        observations.ObservationInput(indicator.id, unit_id, "71.5"))
        observations.submit(session, operator, view.id)
        monitoring = session.scalars(select(User).where(User.login == "tongji")).one()
        review.approve(session, monitoring, view.id)  # four eyes: not the one who entered it
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan)).one()
        evaluation = evaluate_stored_plan(session, None, plan, 2024)
        result = next(r for r in evaluation.results if r.name == "村级综合服务设施覆盖率")
    database.dispose()
    inputs = result.explanation.inputs
    assert inputs["baseline"] == 71.5 and inputs["baseline_source"] == "observation of the baseline year"
    assert "取2020年观测值71.5为基期值" in result.explanation.text_zh
