"""``planwatch --version`` and ``--help`` load the command line only: the database, the
evaluation engine, the web app and the report writers are imported by the commands that
use them. Measured in a fresh interpreter, as a user's shell starts it; the timings are in
bench/bench_cli.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "alembic", "numpy", "matplotlib", "fastapi", "starlette", "jinja2", "openpyxl", "docx",
         "argon2", "planwatch.store", "planwatch.services", "planwatch.evaluate", "planwatch.web")

_PROBE = """
import json, sys
from planwatch.cli import app
try:
    app(sys.argv[1:], prog_name="planwatch")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("report", "--help"), ("users", "--help")])
def test_version_and_help_do_not_import_the_heavy_modules(args: tuple[str, ...]) -> None:
    loaded = _loaded(*args)
    assert not [name for name in HEAVY if name in loaded]


def test_a_command_still_finds_what_it_imports_lazily(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "planwatch", "report", "annual", "--year", "2024", "--db",
                           f"sqlite:///{tmp_path / 'empty.db'}"], capture_output=True, text=True)
    assert done.returncode == 2 and "错误：" in done.stderr  # no plan stored: a one-line error, not an ImportError
