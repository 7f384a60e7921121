"""A district built through the CLI as an office would (the demo's units and plan, two clerks, the
2025 period open): the exchange tests and the input tests that upload its files share it (``db``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS

runner = CliRunner()


def run_cli(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--db", db], env={"PLANWATCH_PASSWORD": "secret-pass"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'pw.db'}"
    run_cli(url, "orgunits", "import", str(DEMO_ORG_UNITS))
    run_cli(url, "import", str(DEMO_PLAN))
    run_cli(url, "users", "add", "lyj", "--role", "clerk", "--org-unit", "QC-LYJ")
    run_cli(url, "users", "add", "wjw", "--role", "clerk", "--org-unit", "QC-WJW")
    run_cli(url, "periods", "open", "--year", "2025")
    return url
