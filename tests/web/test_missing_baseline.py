"""An indicator with data but no baseline says 缺基期值 and links to where the baseline is
entered, instead of 无数据."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import Indicator, Plan, Target
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
