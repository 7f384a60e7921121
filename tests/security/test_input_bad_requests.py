"""Bad input gets a clear answer, never a 500 or a traceback (issue 14 item 10).

Out-of-range ids and paging on the pages (the API is fuzzed by test_input_api_fuzz), a
300-character upload name, a CSV field over csv's 131072-character limit, JSON nested 100 000
deep, and .xlsx zip bombs refused by the same container checks as .docx.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.errors import InputError
from planwatch.monitor.exchange import read_template
from planwatch.services import users
from planwatch.services.orgunits import read_org_unit_file
from planwatch.store import Database
from planwatch.store.models import SourceFile, User
from tests.db.exchange_district import db
from tests.web.client import login
from tests.web.conftest import app_client, database_url, seeded

__all__ = ["app_client", "database_url", "db", "seeded"]

HUGE = 2**63
runner = CliRunner()


@pytest.mark.parametrize("url", [
    f"/plans/{HUGE}", f"/indicators/{HUGE}", f"/documents/{HUGE}", f"/plans/{HUGE}/reports/annual",
    f"/entry?period={HUGE}", f"/entry?unit={HUGE}", f"/documents/1?saved={HUGE}", f"/plans/1?year={HUGE}",
    "/search?q=森林&page=100000000000000000000", f"/compare?q=森林&year={HUGE}",
])
def test_pages_answer_out_of_range_numbers_with_404_or_422(app_client: TestClient, url: str) -> None:
    login(app_client, "admin")
    assert app_client.get(url, follow_redirects=False).status_code in (404, 422)


@pytest.mark.parametrize(("url", "data"), [
    (f"/entry/validate/{HUGE}", {"value": "1"}),
    ("/entry", {"indicator_id": str(HUGE), "period_id": "1", "org_unit_id": "1", "value": "1"}),
    (f"/indicators/{HUGE}/correction", {"name": "x"}),
    (f"/documents/{HUGE}/indicators", {"plan_id": str(HUGE), "line": "1", "name": "x", "target": "1"}),
    ("/review", {"observation_id": str(HUGE)}),
])
def test_forms_answer_out_of_range_ids_with_404_or_422(app_client: TestClient, url: str,
                                                        data: dict[str, str]) -> None:
    token = login(app_client, "admin")
    response = app_client.post(url, data=data, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code in (404, 422)


def _admin_token(database_url: str) -> str:
    database = Database(database_url)
    with database.session() as session:
        token = users.create_token(session, session.scalars(select(User).where(User.login == "admin")).one())
    database.dispose()
    return token


@pytest.mark.parametrize("query", ["offset=1e30", f"offset={10**30}", "limit=0", f"limit={HUGE}"])
def test_api_search_refuses_out_of_range_paging(app_client: TestClient, database_url: str, query: str) -> None:
    token = _admin_token(database_url)
    response = app_client.get(f"/api/v1/search?q=森林&{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422


def test_a_300_character_upload_name_is_shortened_not_a_500(app_client: TestClient, database_url: str) -> None:
    login(app_client, "admin")
    name = "青" * 300 + ".txt"
    plan = "青川区测试专项规划（2021—2025年）\n一、主要指标\n到2025年，森林覆盖率达到50%。\n".encode()
    token = _admin_token(database_url)
    response = app_client.post("/api/v1/documents", files={"file": (name, plan, "text/plain")},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (201, 422), response.text
    database = Database(database_url)
    with database.session(readonly=True) as session:
        names = session.scalars(select(SourceFile.name).where(SourceFile.name.startswith("青青青"))).all()
    database.dispose()
    assert names and all(len(n.encode()) <= 255 and n.endswith(".txt") for n in names)


def _submit(db_url: str, path: Path) -> str:
    result = runner.invoke(app, ["submit", str(path), "--as", "lyj", "--db", db_url])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.output


def test_submit_refuses_a_csv_field_over_the_csv_limit_in_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("indicator,org_unit,period,value,note\nI001,QC-LYJ,2025,49.6," + "注" * 131073 + "\n",
                    encoding="utf-8")
    output = _submit(db, path)
    assert "不是有效的 CSV" in output and "field larger than field limit" in output


def test_submit_refuses_json_nested_100k_deep_in_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"dataValues": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert "嵌套层数过深" in _submit(db, path)


def _xlsx_bomb(path: Path, inflated: int) -> None:
    """A real workbook whose sheet part is padded with ``inflated`` bytes of blanks."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData", b" " * inflated + b"<sheetData", 1)
            bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def test_xlsx_zip_bombs_are_refused_by_the_container_check(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    _xlsx_bomb(bomb, 60 * 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(InputError, match="压缩炸弹"):
        read_template(bomb)
    with pytest.raises(InputError, match="压缩炸弹"):
        read_org_unit_file(bomb)


def test_submit_refuses_an_xlsx_zip_bomb_in_one_line(db: str, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    _xlsx_bomb(bomb, 60 * 1024 * 1024)
    assert "压缩炸弹" in _submit(db, bomb)
