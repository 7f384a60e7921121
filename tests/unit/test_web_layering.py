"""web/ asks the services and does not query the ORM itself (ARCHITECTURE.md, "web").

The import-linter contract in pyproject.toml keeps SQLAlchemy out of ``planwatch.web``, so no
``select`` or ``func`` can be built there. A session can still be asked without importing
SQLAlchemy (``db.get(Plan, plan_id)``, ``db.execute(...)`` on a query a service built), and a
read by id there skips the region and permission checks every service read makes: this test
walks every module of web/ and fails on such a call, naming the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import planwatch.web

# The Session methods that read rows: whatever the receiver is called, web/ has no business with them.
QUERY_METHODS = frozenset({"execute", "scalar", "scalars", "scalar_one", "scalar_one_or_none", "query", "get_one"})
MODELS = "planwatch.store.models"
WEB = Path(planwatch.web.__file__).parent


def query_calls(source: str) -> list[tuple[int, str]]:
    """The lines of ``source`` that query the ORM, with the call as written."""
    tree = ast.parse(source)
    models: set[str] = set()  # names bound to model classes, or to the models package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(MODELS):
            models.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "planwatch.store":
            models.update(alias.asname or alias.name for alias in node.names if alias.name == "models")
        elif isinstance(node, ast.Import):
            models.update(alias.asname for alias in node.names if alias.name.startswith(MODELS) and alias.asname)

    def is_model(expr: ast.expr) -> bool:
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and root.id in models

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        by_key = method == "get" and len(node.args) >= 2 and is_model(node.args[0])
        if method in QUERY_METHODS or by_key:
            found.append((node.lineno, ast.unparse(node.func)))
    return sorted(found)


def test_no_module_of_web_queries_the_orm() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) > 20, f"web/ not found at {WEB}"
    offences = [f"{path.relative_to(WEB.parent)}:{line}: {call}(…)"
                for path in modules for line, call in query_calls(path.read_text(encoding="utf-8"))]
    assert not offences, ("web/ queries the ORM; move each read into a service function that takes the "
                          "acting user (see CONTRIBUTING.md, 'Adding a route'):\n" + "\n".join(offences))


def test_the_check_finds_each_way_of_querying() -> None:
    source = '''
from planwatch.store.models import Plan
from planwatch.store import models as m
import planwatch.store.models as rows

def page(db, request, plan_id):
    db.get(Plan, plan_id)
    request.app.state.db.get(m.Indicator, 1)
    db.get(rows.Task, 2)
    db.get_one(Plan, plan_id)
    db.scalars(query)
    session.execute(query).all()
    db.scalar(query)
    request.session.get("user", None)
    form.get("name", "")
'''
    assert [line for line, _ in query_calls(source)] == [7, 8, 9, 10, 11, 12, 13]
