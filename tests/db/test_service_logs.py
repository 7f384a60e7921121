"""Services say in the log what they did — imports, refusals, account changes — naming
records by id, never by the people's logins, names, addresses or passwords (issue 25)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from planwatch.services import orgunits, plan_import, users
from planwatch.services.table_files import RowErrors
from planwatch.store import Database
from tests.db.region_samples import TREE, plan_file

PRIVATE = ("bs_zhang", "张三", "zhang@example.cn", "right-pass-1")


def test_imports_refusals_and_account_changes_are_logged_by_id(database: Database, tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="planwatch.services")
    with database.session() as session:
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow(*row) for row in TREE])
        imported = plan_import.import_file(session, plan_file(tmp_path, "白石区"))
        users.add_user(session, None, "bs_zhang", "right-pass-1", "monitoring", region="BS", name="张三",
                       email="zhang@example.cn")
    with database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "白石区"))  # the same bytes again
    with database.session() as session, pytest.raises(RowErrors):
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow("A", "甲", "district", "B"),
                                                  orgunits.OrgUnitRow("B", "乙", "department", "A")])

    messages = [record.getMessage() for record in caplog.records]
    plan_id, sha = imported.plans[0].plan_id, imported.sha256[:12]
    assert f"org units imported: {len(TREE)} created, 0 updated" in messages
    assert any(m.startswith(f"plan file {sha} (txt") and f"plan #{plan_id} version 1, " in m for m in messages)
    assert f"plan file {sha} imported before: plans [{plan_id}]" in messages
    assert "org-unit table of 2 rows refused: 1 problems" in messages
    assert any(re.fullmatch(r"create users #\d+ by the operator", m) for m in messages)
    logged = "\n".join(messages)
    assert not [word for word in PRIVATE if word in logged]
