"""``planwatch evaluate``: status, progress and projections of a stored plan's indicators."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import (
    AsUser,
    DbOption,
    PlanOption,
    YearOption,
    acting_user,
    open_database,
    out,
    plan_of,
    reported,
)

if TYPE_CHECKING:
    from planwatch.evaluate import EvaluationResult


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@app.command()
def evaluate(
    year: YearOption,
    plan: PlanOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON record per indicator.")] = False,
    include_pending: Annotated[bool, typer.Option(
        "--include-pending", help="Count submitted values that are not approved yet.")] = False,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """Evaluate a plan at a year: completion vs time schedule, status, projection, with explanations."""
    from planwatch.services.evaluation import evaluate_stored_plan

    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        the_plan = plan_of(session, plan)
        evaluation = evaluate_stored_plan(session, acting_user(session, as_user), the_plan, year,
                                          include_pending=include_pending)
    if as_json:
        records = [{**r.to_json(), "code": evaluation.codes.get(r.indicator_id)} for r in evaluation.results]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(_table(evaluation.plan_title, year, evaluation.results, evaluation.codes))


def _table(title: str, year: int, results: list[EvaluationResult], codes: dict[str, str]) -> Table:
    table = Table(title=f"{title} · {year} 年评估")
    for column in ("代码", "指标", "属性", "最新值", "目标", "完成进度", "时间进度", "状态", "预测"):
        table.add_column(column)
    for r in results:
        target = f"{_number(r.target)}（{r.target_year}）" if r.target is not None else ""
        current = f"{_number(r.current)}（{r.data_year}）" if r.current is not None else ""
        table.add_row(codes.get(r.indicator_id, ""), r.name, r.attribute or "", current, target,
                      _percent(r.completion), _percent(r.schedule), r.status.label_zh,
                      r.projection_verdict.label_zh if r.projected is not None else "")
    return table


HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


@app.command()
def demo(
    year: Annotated[int, typer.Option("--year", help="Evaluation year.")] = 2024,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the web app afterwards.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    db: DbOption = None,
) -> None:
    """Set up the demo (青川区 plan, org units, users, four years of data), evaluate it, start the app."""
    from sqlalchemy import make_url

    from planwatch.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
    from planwatch.services.evaluation import evaluate_stored_plan

    with open_database(db) as database, reported():
        created = seed_demo(database)
        with database.session(readonly=True) as session:
            the_plan = plan_of(session, "青川区")
            evaluation = evaluate_stored_plan(session, None, the_plan, year)
        where = database.url
    shown = make_url(where).render_as_string(hide_password=True)
    out.print(f"演示数据{'已写入' if created else '已存在'}：{shown}", highlight=False)
    out.print(_table(evaluation.plan_title, year, evaluation.results, evaluation.codes))
    warnings = evaluation.warnings
    out.print(f"预警指标 {len(warnings)} 个：" + "；".join(f"{w.name}（{w.status.label_zh}，"
                                                      f"{'、'.join(w.responsible) or '未落实责任单位'}）"
                                                      for w in warnings[:8]), highlight=False)
    out.print(f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "，".join(f"{u.login}（{u.name}）" for u in DEMO_USERS),
              highlight=False)
    if serve:
        _serve(where, host, port)


def _serve(url: str, host: str, port: int, workers: int = 1) -> None:
    from planwatch.web import serve as run_app

    out.print(f"PlanWatch 已启动：http://{host}:{port}/ （接口文档 /api/v1/docs，OpenAPI /openapi.json；Ctrl+C 停止）",
              highlight=False)
    run_app(url, host, port, workers=workers)


@app.command()
def serve(host: HostOption = "127.0.0.1", port: PortOption = 8000, db: DbOption = None,
          workers: Annotated[int, typer.Option("--workers", min=1, help=(
              "Processes serving requests; for dozens of concurrent users, one per CPU core."))] = 1) -> None:
    """Start the web app (dashboard, data entry, review, reports, /api/v1)."""
    with open_database(db) as database:
        url = database.url
    _serve(url, host, port, workers)
