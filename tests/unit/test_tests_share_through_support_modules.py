"""Test modules share helpers through support modules: a test module imported by another
runs its module-level code twice under different names and ties the two together, and a
newcomer looking for a helper should find it where CONTRIBUTING says."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                       else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.relative_to(TESTS.parent)}:{node.lineno} imports {m}" for m in modules
                      if m.startswith("tests.") and m.rsplit(".", 1)[-1].startswith("test_")]
    assert len(list(TESTS.rglob("test_*.py"))) > 100  # the walk reads the suite
    assert found == []
