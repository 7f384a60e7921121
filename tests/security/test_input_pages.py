"""What the adversarial run found fragile in the pages (issue 14): a failed data entry posted
without JavaScript keeps its message, and report downloads are written once per plan state."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from planwatch.services import kept, reports
from tests.web.client import login
from tests.web.conftest import app_client, database_url, seeded
from tests.web.open_round import open_item

__all__ = ["app_client", "database_url", "seeded"]  # fixtures of the web tests


def test_a_refused_entry_without_javascript_shows_the_form_again_with_the_message(
        app_client: TestClient, database_url: str) -> None:
    clerk, indicator_id, period_id, unit_id = open_item(database_url)
    token = login(app_client, clerk)
    form = {"csrf_token": token, "indicator_id": indicator_id, "period_id": period_id, "org_unit_id": unit_id,
            "value": "49,9", "step": "submit"}
    refused = app_client.post("/entry", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "<html" in refused.text and f'id="row-{indicator_id}"' in refused.text
    assert "逗号有歧义" in refused.text and 'value="49,9"' in refused.text


def test_report_downloads_are_written_once_per_plan_state(app_client: TestClient, database_url: str) -> None:
    login(app_client, "admin")
    plan_id = re.search(r"/plans/(\d+)", app_client.get("/plans").text)  # the list links each plan
    assert plan_id
    url = f"/plans/{plan_id.group(1)}/reports/annual"
    kept.forget_all()
    first = app_client.get(url, params={"format": "xlsx"})
    again = app_client.get(url, params={"format": "xlsx"})
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert len(reports._reports) == 1
    clerk, indicator_id, period_id, unit_id = open_item(database_url)
    app_client.cookies.clear()
    token = login(app_client, clerk)
    saved = app_client.post("/entry", data={"csrf_token": token, "indicator_id": indicator_id,
                                            "period_id": period_id, "org_unit_id": unit_id, "value": "8.6"},
                            follow_redirects=False)
    assert saved.status_code == 303
    app_client.cookies.clear()
    login(app_client, "admin")
    assert app_client.get(url, params={"format": "xlsx"}).status_code == 200
    assert len(reports._reports) == 2  # new data, a new report
