"""The demo's tables in an 80-column terminal: names wrap instead of being cut to “…”,
the formula columns come back in a wide terminal, and warnings left out are counted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import demo_template


def _demo(db: Path, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "planwatch", "demo", "--no-serve", "--db", f"sqlite:///{db}"],
                          capture_output=True, text=True, env=env, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's seeded demo: ``planwatch demo`` finds it seeded and prints its tables."""
    db = tmp_path_factory.mktemp("cli") / "demo.db"
    shutil.copyfile(demo_template(), db)
    return db


def test_table_fits_80_columns_with_whole_names(demo_db: Path) -> None:
    printed = _demo(demo_db, 80)
    table = [line for line in printed.splitlines() if line.startswith(("┃", "│"))]
    assert table and all(cell_len(line) <= 80 for line in table)
    assert not any("…" in line for line in table)
    assert "居民人均可支配收入年均增长" in printed and "完成进度" not in printed
    # 9 warnings, 8 listed: the ninth is counted, not dropped.
    assert "预警指标 9 个" in printed and "另有 1 个未列出" in printed


def test_wide_terminal_shows_the_formula_columns(demo_db: Path) -> None:
    printed = _demo(demo_db, 140)
    assert "完成进度" in printed and "时间进度" in printed and "预测" in printed
