"""Issue 24 (#4, #6): control characters at the boundary, in the store and in a restore.

A NUL byte used to end in a 500 on PostgreSQL (which cannot store one) on the anonymous
log-in form and on observations, ledger reports, search, entry, org units and corrections.
Now a name or identifier with a control character is refused with a one-line 422 naming
the field, on every route (enumerated); free text is normalised when stored (line breaks
and tabs kept); a restore of an older backup normalises and names each place it changed.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from typer.testing import CliRunner

from planwatch.cli import app as cli
from planwatch.services import orgunits, table_files, users
from planwatch.store import Database
from planwatch.store.models import AuditEvent, OrgUnit
from planwatch.text_cleaning import ControlCharacters, normalise_text, refuse_controls
from planwatch.web import create_app
from planwatch.web.boundary import FREE_TEXT, Access, route_rules
from planwatch.web.i18n import Translator
from planwatch.web.messages import field_label
from tests.conftest import DIALECTS, database_url, migrated_sqlite_url
from tests.security.conftest import Site
from tests.security.helpers import csrf_of, log_in, try_log_in

ZH = Translator("zh")


def test_free_text_keeps_its_lines_and_tabs_and_drops_the_rest() -> None:
    assert normalise_text("第一行\r\n第二行\x0b第三行\x0c\t完\x00\x01\x7f\x85\x9f\ud800\uffff") == \
        "第一行\n第二行\n第三行\n\t完\n"
    assert normalise_text("干净的文字") == "干净的文字"
    assert refuse_controls(" 区卫健委\n", "name") == " 区卫健委\n"  # whitespace at the ends is the caller's to strip
    with pytest.raises(ControlCharacters, match=r"name.*U\+000B"):
        refuse_controls("区卫\x0b健委", "name")


def test_a_nul_in_the_log_in_form_is_a_422_not_a_500(site: Site) -> None:
    response = try_log_in(site.client, "wjw\x00", "right-pass-1")
    assert response.status_code == 422
    assert "登录名：含有控制字符 U+0000" in response.text  # a page names the field by its label
    log_in(site.new_client(), "wjw")


def test_a_nul_in_a_search_is_harmless(site: Site) -> None:
    log_in(site.client, "jiance")
    assert site.client.get("/search", params={"q": "森林\x00覆盖"}).status_code == 200


def test_free_text_is_normalised_when_stored_on_either_database(site: Site) -> None:
    """A reason (free text) with a NUL and Word's line break: stored without the NUL, the break kept."""
    log_in(site.client, "guanli")
    token = csrf_of(site.client)
    response = site.client.post("/admin/settings/four-eyes", data={"required": "off", "reason": "测试\x00原因\x0b第二行",
                                                                    "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    with site.database.session(readonly=True) as session:
        reason = session.scalars(select(AuditEvent.reason).where(AuditEvent.entity == "settings")).one()
    assert reason == "测试原因\n第二行"


def test_names_with_control_characters_are_refused_and_nothing_is_stored(site: Site) -> None:
    log_in(site.client, "guanli")
    token = csrf_of(site.client)
    response = site.client.post("/admin/orgunits", data={"code": "QC-X", "name": "地区生产总值\x01", "kind": "department",
                                                         "csrf_token": token})
    assert response.status_code == 422 and "名称：含有控制字符 U+0001" in response.text
    with site.database.session(readonly=True) as session:
        assert session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-X")).all() == []


def test_the_store_normalises_whatever_reaches_it(site: Site) -> None:
    """The last line: the command line, an extraction, a script — a NUL never reaches PostgreSQL."""
    with site.database.session() as session:
        unit = OrgUnit(code="QC-NUL", name="单位\x00甲", kind="department", short_name="", active=True)
        session.add(unit)
        session.flush()
        unit_id = unit.id
    with site.database.session(readonly=True) as session:
        assert session.get_one(OrgUnit, unit_id).name == "单位甲"
        assert session.scalars(select(OrgUnit).where(OrgUnit.name == "单位\x00甲")).one().id == unit_id


def _form_fields(entry: object) -> list[str]:
    dependant = getattr(getattr(entry, "route", None), "dependant", None)
    if dependant is None:
        return []
    names = [p.alias for p in dependant.body_params]
    for param in dependant.body_params:
        model = getattr(param.field_info.annotation, "model_fields", None)
        if model:
            names += list(model)
    return [n for n in names if n not in {"file", "evidence", "body"}]


def test_every_form_and_json_field_refuses_control_characters_unless_free_text(tmp_path: Path) -> None:
    """Enumerated: each writing route, each of its body fields, a value with U+0001 — a name
    is refused naming the field, free text gets through (to be normalised when stored)."""
    url = migrated_sqlite_url(tmp_path / "app.db")
    database = Database(url)
    with database.session() as session:
        admin = users.add_user(session, None, "guanli", "right-pass-1", "admin")
        token = users.create_token(session, admin)
    database.dispose()
    app: FastAPI = create_app(url, secret_key="controls")
    failures: list[str] = []
    checked = 0

    async def run() -> None:
        nonlocal checked
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', (await client.get("/login")).text)
            assert csrf
            await client.post("/login", data={"login": "guanli", "password": "right-pass-1",
                                              "csrf_token": csrf.group(1), "next": "/"})
            for entry in route_rules(app):
                if entry.rule is None or entry.rule.files or not entry.methods & {"POST", "PUT", "PATCH"}:
                    continue
                route_url = re.sub(r"\{[^}]+\}", "1", entry.path)
                for field in _form_fields(entry):
                    checked += 1
                    value = "甲\x01乙"
                    if entry.rule.access is Access.TOKEN:
                        answer = await client.post(route_url, json={field: value},
                                                   headers={"authorization": f"Bearer {token}"})
                        detail = answer.json().get("detail", "") if answer.status_code == 422 else ""
                    else:
                        answer = await client.post(route_url, data={field: value}, headers={
                            "x-csrf-token": csrf.group(1), "x-requested-with": "fetch"})
                        detail = answer.text
                    # programs read the field's code, people its label on the page
                    shown = field if entry.rule.access is Access.TOKEN else (field_label(field, ZH) or field)
                    refused = answer.status_code == 422 and f"{shown}：含有控制字符 U+0001" in detail
                    if field in FREE_TEXT and (answer.status_code >= 500 or refused):
                        failures.append(f"{entry.path} {field}: free text refused or 5xx ({answer.status_code})")
                    if field not in FREE_TEXT and not refused:
                        failures.append(f"{entry.path} {field}: {answer.status_code} {detail[:80]}")

    asyncio.run(run())
    app.state.uploads.shutdown()
    assert checked > 100
    assert failures == [], "\n".join(failures)


def test_query_parameters_with_control_characters_are_refused_by_name(site: Site) -> None:
    log_in(site.client, "jiance")
    response = site.client.get("/plans/1", params={"domain": "经济\x00"})
    assert response.status_code == 422 and "领域：含有控制字符 U+0000" in response.text


@pytest.mark.parametrize("target_dialect", DIALECTS)
def test_a_restore_normalises_old_control_characters_and_names_each_place(tmp_path: Path,
                                                                          target_dialect: str) -> None:
    """#6: an org unit stored as "\\x00单位" by an old version, backed up from SQLite, restored
    into PostgreSQL (which cannot store the NUL): restored as "单位", and the place is named."""
    source = migrated_sqlite_url(tmp_path / "old.db")
    database = Database(source)
    with database.engine.begin() as connection:  # the raw driver: as an old version wrote it
        connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "INSERT INTO org_units (code, name, kind, short_name, active) VALUES ('QC-OLD', ?, 'department', ?, 1)",
            ("\x00单位", "旧\x0b简称"))
        unit_id = connection.execute(text("SELECT id FROM org_units WHERE code = 'QC-OLD'")).scalar()
    database.dispose()
    snapshot = tmp_path / "old.jsonl.gz"
    runner = CliRunner()
    assert runner.invoke(cli, ["backup", str(snapshot), "--db", source]).exit_code == 0
    urls = database_url(target_dialect, tmp_path / "target")
    target = next(urls)
    try:
        result = runner.invoke(cli, ["restore", str(snapshot), "--db", target])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert f"org_units#{unit_id} name" in result.output and f"org_units#{unit_id} short_name" in result.output
        restored = Database(target)
        with restored.session(readonly=True) as session:
            unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-OLD")).one()
            assert (unit.name, unit.short_name) == ("单位", "旧\n简称")
        restored.dispose()
    finally:
        urls.close()


def test_imports_refuse_control_characters_in_names_naming_the_row(tmp_path: Path) -> None:
    table = tmp_path / "units.csv"
    table.write_text("代码,名称,类型,上级代码\nQC-A,区\x0b卫健委,部门,\n", encoding="utf-8")
    with pytest.raises(table_files.RowErrors, match=r"第 2 行「名称」含有控制字符 U\+000B"):
        orgunits.read_org_unit_file(table)

