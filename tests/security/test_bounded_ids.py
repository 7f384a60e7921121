"""Issue 24 (#3): every id a request carries is bounded — one type, every route, enumerated.

An id of 2⁶³ does not fit SQLite's binding nor PostgreSQL's INTEGER and used to end in a
500 on the 19 routes that took a bare ``int``. The declaration test walks every parameter
of every route (path, query, form, JSON body models, lists of them) and names any whole
number without both bounds; the behaviour test then calls every route with 2⁶³ in each
path parameter, as an administrator, and accepts no 5xx.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

import annotated_types
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from planwatch.web import create_app
from planwatch.web.boundary import Access, route_rules
from planwatch.web.params import MAX_ROW_ID
from tests.security.helpers import api_token
from tests.web.client import login
from tests.web.conftest import database_url, seeded

__all__ = ["database_url", "seeded"]  # fixtures of the web tests

HUGE = 2**63


def _bounds(annotation: object, metadata: list[object]) -> Iterator[tuple[bool, bool, int | None]]:
    """(has lower bound, has upper bound, upper) for each whole number inside ``annotation``."""
    if annotation is int:
        lower = any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata)
        uppers = [m.le if isinstance(m, annotated_types.Le) else m.lt for m in metadata
                  if isinstance(m, annotated_types.Le | annotated_types.Lt)]
        yield lower, bool(uppers), int(uppers[0]) if uppers else None  # type: ignore[call-overload]
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field in annotation.model_fields.values():
            yield from _bounds(field.annotation, list(field.metadata))
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner_meta = [m for a in args[1:] for m in (getattr(a, "metadata", None) or [a])]
        yield from _bounds(args[0], [*metadata, *inner_meta])
        return
    for arg in args:
        if arg is not type(None):
            yield from _bounds(arg, metadata if origin in (typing.Union, None) or str(origin) == "types.UnionType"
                               else [])


def _parameters(entry: object) -> Iterator[tuple[str, object, list[object]]]:
    dependant = getattr(getattr(entry, "route", None), "dependant", None)
    stack = [dependant] if dependant is not None else []
    while stack:
        current = stack.pop()
        for group in (current.path_params, current.query_params, current.body_params):
            for param in group:
                yield param.name, param.field_info.annotation, list(param.field_info.metadata)
        stack.extend(current.dependencies)


def test_every_whole_number_a_route_takes_is_bounded() -> None:
    app = create_app("sqlite://")
    unbounded = []
    for entry in route_rules(app):
        for name, annotation, metadata in _parameters(entry):
            for lower, upper, high in _bounds(annotation, metadata):
                if not (lower and upper) or (high is not None and high > MAX_ROW_ID):
                    unbounded.append(f"{sorted(entry.methods)} {entry.path} {name}")
    assert unbounded == [], "use planwatch.web.params.RowId (or Year, Offset…) for these: " + "; ".join(unbounded)


def _huge_urls(app: FastAPI) -> Iterator[tuple[str, str, Access]]:
    for entry in route_rules(app):
        names = [n for n in re.findall(r"\{(\w+)\}", entry.path) if n.endswith("id")]
        if entry.rule is None or not names:
            continue
        for method in sorted(entry.methods - {"HEAD"}):
            for name in names:
                url = re.sub(r"\{(\w+)\}", lambda m, n=name: str(HUGE) if m.group(1) == n else (
                    "tasks" if m.group(1) == "kind" else "1"), entry.path)
                yield method, url, entry.rule.access


def test_every_route_answers_an_id_of_two_to_the_63_without_a_server_error(database_url: str) -> None:
    token = api_token(database_url, "admin")
    failures = []
    calls = 0
    with TestClient(create_app(database_url, secret_key="huge-ids")) as client:
        csrf = login(client, "admin")
        for method, url, access in _huge_urls(client.app):  # type: ignore[arg-type]
            headers = {"authorization": f"Bearer {token}"} if access is Access.TOKEN else {"x-csrf-token": csrf}
            response = client.request(method, url, headers=headers, follow_redirects=False)
            calls += 1
            if response.status_code >= 500 or response.status_code not in (400, 404, 405, 409, 422):
                failures.append(f"{method} {url}: {response.status_code}")
    assert calls > 50
    assert failures == []


def test_the_issues_example_is_a_422(database_url: str) -> None:
    with TestClient(create_app(database_url, secret_key="huge-ids")) as client:
        login(client, "admin")
        response = client.get(f"/admin/users/{HUGE}")
    # a page names the field as its reader knows it: the number in the address
    assert response.status_code == 422 and "网址中的编号：应不大于 2147483647" in response.text
