"""Issue 24 (#5): no stored string breaks a page, a download or a report.

The demo database is poisoned the way data stored before this round could be — control
characters (a vertical tab pasted from Word, U+0001, DEL, a C1 control) in names, titles,
notes and sources, written with sqlite3 itself so that nothing of the app cleans them — and
then every GET route of the app is called as an administrator, with each download format.
A route added later is called too: its parameters are filled from :data:`VALUES` by name,
and a required parameter of a name not there fails the test with the route, so the table
grows with the app.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from planwatch.cli import app as cli
from planwatch.store import Database
from planwatch.store.models import (
    Indicator,
    LedgerEvidence,
    Observation,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)
from planwatch.web import create_app
from planwatch.web.boundary import route_rules
from tests.web.client import login
from tests.web.conftest import database_url, seeded
from tests.web.public_support import publish_demo

__all__ = ["database_url", "seeded"]  # fixtures of the web tests

POISON = "\x0b\x01\x7f\x85"
POISONED = {  # table: text columns a person or an import fills
    "indicators": ("name", "unit", "domain", "source_text"),
    "org_units": ("name", "short_name"),
    "plans": ("title",),
    "tasks": ("title", "section"),
    "projects": ("name", "content"),
    "targets": ("text",),
    "ledger_reports": ("progress",),
    "users": ("name",),
}
FORMATS = ("docx", "xlsx", "html")


def _poison(path: Path) -> None:
    connection = sqlite3.connect(path)
    with connection:
        for table, columns in POISONED.items():
            assignments = ", ".join(f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE {c} || ? END" for c in columns)
            connection.execute(f"UPDATE {table} SET {assignments}", (POISON,) * len(columns))
    connection.close()


@pytest.fixture
def poisoned(database_url: str) -> str:
    _poison(Path(database_url.removeprefix("sqlite:///")))
    return database_url


def _values(url: str) -> dict[str, str]:
    """A real id or value for each parameter name the app's GET routes use; the poisoned
    plan is published, so the public site and its preview show the poisoned text too."""
    published = publish_demo(url)
    database = Database(url)
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan).where(Plan.current.is_(True)).order_by(Plan.id)).first()
        assert plan is not None
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id)
                                 .order_by(ReportingPeriod.year.desc())).first()
        task = session.scalars(select(Task).where(Task.plan_id == plan.id)).first()
        project = session.scalars(select(Project).where(Project.plan_id == plan.id)).first()
        unit = session.scalars(select(OrgUnit).order_by(OrgUnit.id)).first()
        evidence = session.scalars(select(LedgerEvidence)).first()
        values = {
            "plan_id": plan.id, "plan": plan.id, "indicator_id": session.scalars(select(Indicator.id)).first(),
            "source_file_id": plan.source_file_id,
            "period": period.id if period else 1, "period_id": period.id if period else 1,
            "unit": unit.id if unit else 1, "item_id": task.id if task else 1, "kind": "tasks",
            "user_id": session.scalars(select(User.id).where(User.login == "lyj")).first(),
            "year": period.year if period else 2024, "q": "森林", "code": "zh", "job_id": "x" * 16,
            "evidence_id": evidence.id if evidence else 1, "token_id": 1, "report_id": 1,
            "edit": unit.id if unit else 1, "project": project.id if project else 1,
            "format": "csv", "entity": "observations", "entity_id": session.scalars(select(Observation.id)).first() or 1,
            "decision_id": published.decision_id, "path": f"plans/{published.slug}/indicators/i001.html",
        }
    database.dispose()
    return {k: str(v) for k, v in values.items()}


def _urls(client: TestClient, values: dict[str, str]) -> Iterator[str]:
    app = client.app
    for entry in route_rules(app):  # type: ignore[arg-type]
        if "GET" not in entry.methods or entry.path.startswith(("/static", "/api/v1/docs/assets")):
            continue
        dependant = getattr(entry.route, "dependant", None)
        names = re.findall(r"\{(\w+)\}", entry.path)
        missing = [n for n in names if n not in values]
        required = [p.name for p in getattr(dependant, "query_params", []) if p.field_info.is_required()]
        missing += [n for n in required if n not in values]
        assert missing == [], f"{entry.path}: add a value for {missing} to _values"
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], entry.path)
        if entry.path == "/plans/{plan_id}/reports/{kind}":
            for kind in ("annual", "midterm", "final"):
                for suffix in FORMATS:
                    yield f"/plans/{values['plan_id']}/reports/{kind}?format={suffix}"
            continue
        query = "&".join(f"{n}={values[n]}" for n in required)
        yield path + (f"?{query}" if query else "")


def test_every_page_and_download_survives_control_characters_in_stored_text(poisoned: str) -> None:
    failures = []
    with TestClient(create_app(poisoned, secret_key="poisoned")) as client:
        login(client, "admin")
        values = _values(poisoned)
        urls = list(_urls(client, values))
        for url in urls:
            response = client.get(url, follow_redirects=False)
            if response.status_code >= 500:
                failures.append(f"{url}: {response.status_code}")
        login(client, "lyj")  # a clerk gets the unit's template
        template = client.get(f"/entry/template?period={values['period']}")
        if template.status_code != 200:
            failures.append(f"template: {template.status_code}")
    assert len(urls) > 30
    assert failures == []


def test_the_report_command_writes_word_and_excel_over_poisoned_text(poisoned: str, tmp_path: Path) -> None:
    database = Database(poisoned)
    with database.session(readonly=True) as session:
        year = session.scalars(select(ReportingPeriod.year).order_by(ReportingPeriod.year.desc())).first()
    database.dispose()
    docx, xlsx = tmp_path / "报告.docx", tmp_path / "附件.xlsx"
    result = CliRunner().invoke(cli, ["report", "annual", "--year", str(year), "-o", str(docx), "-o", str(xlsx),
                                      "--db", poisoned])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    from docx import Document
    from openpyxl import load_workbook

    names = [c.value for row in load_workbook(xlsx).worksheets[0].iter_rows(min_row=2, max_row=3)
             for c in row if isinstance(c.value, str)]
    assert names and not any(ch in name for name in names for ch in "\x01\x7f\x85")
    assert any("\n" in p.text for p in Document(str(docx)).paragraphs) or docx.stat().st_size > 10_000
