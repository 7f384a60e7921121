"""Publishing the demo plan for the public-site tests, through the services and the CLI as the office
would, and a static file server of no code of ours to read the written site back."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from planwatch.cli import app as cli
from planwatch.services import publishing, users
from planwatch.services.public_snapshot import PublicationScope, plan_slug
from planwatch.store import Database
from planwatch.store.models import (
    Indicator,
    LedgerEvidence,
    Observation,
    ObservationRevision,
    Plan,
    ReportingPeriod,
    User,
)

__all__ = ["LEFT_OUT", "Published", "assert_nothing_unpublished", "publish_demo", "publish_site", "static_server"]

LEFT_OUT = "I003"  # an indicator with approved figures that the tests keep off the site


@dataclass(frozen=True, slots=True)
class Published:
    plan_id: int
    plan_key: str
    slug: str
    decision_id: int
    codes: tuple[str, ...]  # the published indicators
    years: tuple[int, ...]


def publish_demo(url: str, *, years: Iterable[int] = (2021, 2022, 2023, 2024), reports: Iterable[str] = (),
                 left_out: Iterable[str] = (LEFT_OUT,), approve: bool = True) -> Published:
    """评估组 (pinggu) proposes the demo plan's indicators but ``left_out`` for ``years``, with
    tasks and projects; the monitoring group (tongji) approves unless ``approve`` is False.
    ``reports`` are KIND:YEAR (a PDF each: LibreOffice)."""
    database = Database(url)
    try:
        with database.session() as session:
            plan = session.scalars(select(Plan).where(Plan.current.is_(True)).order_by(Plan.id)).first()
            assert plan is not None
            proposer = users.find_user(session, "pinggu")
            eligible = publishing.eligibility(session, proposer, plan)
            skipped = set(left_out)
            chosen = [c for c in eligible.candidates if c.years and c.code not in skipped]
            scope = PublicationScope(tuple(c.key for c in chosen), tuple(years), True, True, False,
                                     tuple((k, int(y)) for k, _, y in (r.partition(":") for r in reports)))
            decision = publishing.propose(session, proposer, plan, scope, office="青川区发展和改革委员会")
            if approve:
                publishing.approve(session, users.find_user(session, "tongji"), decision.id)
            return Published(plan.id, plan.plan_key, plan_slug(plan.plan_key), decision.id,
                             tuple(c.code for c in chosen), tuple(scope.years))
    finally:
        database.dispose()


def assert_nothing_unpublished(files: Mapping[str, bytes], url: str, published: Published) -> None:
    """No file of the site (path relative to its root → bytes) names a login or a person, an
    evidence file or an internal address, holds the indicator left out, or a figure of a year
    that was not published (the demo's open 2025 round above all)."""
    texts = {path: body.decode("utf-8", "replace") for path, body in files.items() if not path.endswith(".pdf")}
    everything = "\n".join(texts.values())
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            people = list(session.scalars(select(User)))
            evidence = list(session.scalars(select(LedgerEvidence.name)))
            left_out = session.scalars(select(Indicator).where(Indicator.code == LEFT_OUT)).one()
            open_year = session.scalar(select(func.max(ReportingPeriod.year)).where(ReportingPeriod.locked.is_(False)))
            unpublished = {(code, value) for code, value in session.execute(
                select(Indicator.code, ObservationRevision.value)
                .join(Observation, Observation.indicator_id == Indicator.id)
                .join(ObservationRevision, ObservationRevision.observation_id == Observation.id)
                .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
                .where(ReportingPeriod.year == open_year))}
    finally:
        database.dispose()
    assert open_year == 2025 and unpublished
    for person in people:  # no login, no clerk's or official's name
        assert not re.search(rf"(?<![A-Za-z0-9_]){re.escape(person.login)}(?![A-Za-z0-9_])", everything), person.login
        if person.name:
            assert person.name not in everything, person.name
    for name in evidence:
        assert name not in everything
    assert not any(f"/{LEFT_OUT.lower()}." in path for path in files)
    assert not any("/documents" in t or "/ledger/" in t or "evidence" in t for t in texts.values())
    assert all(path.endswith("/reports/" + path.rsplit("/", 1)[-1]) for path in files if path.endswith(".pdf"))
    years = {str(y) for y in published.years}
    for path, text in texts.items():
        if path.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            assert all(r["指标代码"] != LEFT_OUT and r["指标名称"] != left_out.name for r in rows), path
            assert {r["年份"] for r in rows} <= years, path
        elif path.endswith(".json"):
            for indicator in json.loads(text)["indicators"]:
                assert indicator["code"] != LEFT_OUT, path
                assert {str(v["year"]) for v in indicator["values"]} <= years, path
        elif "/indicators/" in path and 'id="figures-caption"' in text:
            code = path.rsplit("/", 1)[-1].removesuffix(".html").upper()
            actual = dict(re.findall(r'<tr><th scope="row">(\d{4})</th><td class="num">([^<]*)</td>', text))
            assert actual.get(str(open_year), "—") == "—", path
            for figure in (v for c, v in unpublished if c == code and v is not None):
                assert f"{figure:g}（{open_year}）" not in text, path


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Python's own static file server on the folder, in a thread: no code of ours serves."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def publish_site(url: str, folder: Path, *extra: str) -> str:
    """``planwatch publish -o folder``: the static site, written as the office would."""
    result = CliRunner().invoke(cli, ["publish", "-o", str(folder), "--db", url, *extra])
    assert result.exit_code == 0, result.output
    return result.output
