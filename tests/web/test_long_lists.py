"""Long lists a page at a time: users, the review queue and an indicator's figure history show
a page, say how many there are and link to the others; what a page shows and what its pager
counts agree with the database."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from planwatch.services import review_queue, users
from planwatch.store import Database
from planwatch.store.models import Assignment, AuditEvent, Indicator, Observation, OrgUnit, User
from planwatch.web.views import entry, plans
from tests.web.client import login


def test_users_are_listed_a_page_at_a_time_and_found_by_name(app_client: TestClient, database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.session() as session:
            for n in range(60):
                session.add(User(login=f"zz-clerk-{n:02d}", name=f"基层填报员{n:02d}", role="viewer"))
            total = session.scalar(select(func.count()).select_from(User)) or 0
    finally:
        database.dispose()
    login(app_client, "admin")
    first = app_client.get("/admin/users").text
    assert first.count("/admin/users/") - first.count('href="/admin/users"') <= 50
    assert f"共 {total} 条" in first and 'rel="next"' in first
    last = app_client.get("/admin/users", params={"page": -(-total // 50)}).text
    assert "zz-clerk-59" in last and 'rel="next"' not in last
    found = app_client.get("/admin/users", params={"q": "基层填报员0"}).text
    assert found.count("zz-clerk-0") == 10 and 'id="pager"' not in found  # one page: no pager
    assert 'name="org_unit"' in found and 'list="unit-choices"' in found  # the unit is picked, not listed
    assert users.MIN_PASSWORD_LENGTH  # the add form stays below the list


def test_the_review_queue_pages_and_keeps_its_page_after_a_decision(app_client: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_queue, "PAGE_SIZE", 2)
    login(app_client, "tongji")
    first = app_client.get("/review").text
    pager = first.split('id="values-pager"', 1)[1].split("</nav>", 1)[0]
    total = int(re.search(r"共 (\d+) 条", pager).group(1))  # type: ignore[union-attr]
    assert total > 4, "the demo has values waiting for review"
    assert 'rel="next"' in pager and "#review-values" in pager
    second = app_client.get("/review", params={"page": 2}).text
    ids = lambda page: re.findall(r'name="observation_id" value="(\d+)"', page)  # noqa: E731
    assert 0 < len(ids(first)) <= 2 and 0 < len(ids(second)) <= 2 and not set(ids(first)) & set(ids(second))
    assert 'name="page" value="2"' in second  # a decision on page 2 shows page 2 again


def test_the_review_queue_is_filtered_by_a_unit_typed_in_its_picker(app_client: TestClient,
                                                                    database_url: str) -> None:
    """The unit filter is a picker, not a list of every unit (a province has tens of
    thousands): the name typed (or the id of the pager's links) filters the queue."""
    login(app_client, "tongji")
    everything = app_client.get("/review").text
    assert "<option" not in everything.split('id="review-filters"', 1)[1].split("</form>", 1)[0].split(
        'name="state"', 1)[0].split('name="unit"', 1)[1]
    database = Database(database_url)
    with database.session(readonly=True) as session:
        unit_id, name = session.execute(
            select(Observation.org_unit_id, OrgUnit.name).join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
            .where(Observation.state == "submitted").limit(1)).one()
        waiting = session.scalar(select(func.count()).select_from(Observation).where(
            Observation.state == "submitted", Observation.org_unit_id == unit_id))
    database.dispose()
    for typed in (name, str(unit_id)):
        page = app_client.get("/review", params={"unit": typed}).text
        pager = page.split('id="values-pager"', 1)[1].split("</nav>", 1)[0] if 'id="values-pager"' in page else ""
        shown = re.search(r"共 (\d+) 条", pager)
        assert (int(shown.group(1)) if shown else len(re.findall(r'name="observation_id"', page))) == waiting
        assert f'name="unit" value="{name}"' in page  # the picker shows the unit chosen


def test_the_entry_form_offers_the_units_with_indicators_to_report(app_client: TestClient,
                                                                    database_url: str) -> None:
    """A monitoring user's entry form lists the units the plan assigns indicators to, not
    every unit of the district (a province's tree has tens of thousands)."""
    login(app_client, "tongji")
    page = app_client.get("/entry").text
    form = page.split('name="unit"', 1)[1].split("</select>", 1)[0]
    offered = {int(i) for i in re.findall(r'<option value="(\d+)"', form)}
    database = Database(database_url)
    with database.session(readonly=True) as session:
        assigned = select(Assignment.org_unit_id).join(Indicator, Indicator.id == Assignment.indicator_id)
        with_indicators = set(session.scalars(assigned))
        every = set(session.scalars(select(OrgUnit.id)))
    database.dispose()
    assert offered and offered <= with_indicators and len(every - offered) > 0


def test_an_indicators_figure_history_pages(app_client: TestClient, database_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plans, "HISTORY_PAGE", 3)
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            indicator_id, lines = session.execute(
                select(Observation.indicator_id, func.count(AuditEvent.id))
                .join(AuditEvent, AuditEvent.entity_id == func.cast(Observation.id, AuditEvent.entity_id.type))
                .where(AuditEvent.entity == "observations").group_by(Observation.indicator_id)
                .order_by(func.count(AuditEvent.id).desc())).first()  # type: ignore[misc]
    finally:
        database.dispose()
    assert lines > 6
    login(app_client, "tongji")
    page = app_client.get(f"/indicators/{indicator_id}").text
    history = page.split('id="history"', 1)[1]
    assert history.count("<tr><td>") == 3 and f"共 {lines} 条" in history
    assert f'href="/indicators/{indicator_id}?history=2#history"' in history
    last = app_client.get(f"/indicators/{indicator_id}", params={"history": -(-lines // 3)}).text
    assert last.split('id="history"', 1)[1].count("<tr><td>") == lines - 3 * (-(-lines // 3) - 1)


def test_the_entry_sheet_pages_counts_all_its_rows_and_keeps_a_saved_rows_page(
        app_client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit reporting many indicators gets its sheet a page at a time; the counts above the
    rows are of the whole sheet, and a row saved without JavaScript comes back on its page."""
    monkeypatch.setattr(entry, "ROWS_PER_PAGE", 2)
    database = Database(database_url)
    with database.session(readonly=True) as session:
        busiest = session.scalars(select(Assignment.org_unit_id).where(Assignment.indicator_id.is_not(None))
                                  .group_by(Assignment.org_unit_id).order_by(func.count().desc())).first()
    database.dispose()
    login(app_client, "tongji")
    first = app_client.get("/entry", params={"unit": busiest}).text
    rows_of = lambda html: re.findall(r'<div class="card" id="row-(\d+)">', html)  # noqa: E731
    counts = re.search(r"未填 (\d+) · 草稿 (\d+) · 退回待改 (\d+) · 已报送 (\d+) · 已审核 (\d+)", first)
    assert counts is not None
    total = sum(int(n) for n in counts.groups())
    pages = -(-total // 2)
    assert total > 4 and len(rows_of(first)) == 2 and f"第 1 / {pages} 页，共 {total} 条" in first
    every = [row for page in range(1, pages + 1)
             for row in rows_of(app_client.get("/entry", params={"unit": busiest, "page": page}).text)]
    assert len(every) == len(set(every)) == total  # each row on one page, none left out
    beyond = app_client.get("/entry", params={"unit": busiest, "page": pages + 5}).text
    assert rows_of(beyond) == every[-len(rows_of(beyond)):] and rows_of(beyond)  # past the end: the last page

    period = re.search(r'name="period_id" value="(\d+)"', first)
    unit = re.search(r'name="org_unit_id" value="(\d+)"', first)
    assert period and unit
    last_row = every[-1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', first)
    assert token
    saved = app_client.post("/entry", data={"indicator_id": last_row, "period_id": period.group(1),
                                            "org_unit_id": unit.group(1), "value": "12", "csrf_token": token.group(1)},
                            follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"page={pages}#row-{last_row}")
