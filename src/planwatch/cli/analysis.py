"""``planwatch evaluate``: status, progress and projections of a stored plan's indicators."""

from __future__ import annotations

import dataclasses
import json
import sys
from enum import StrEnum
from pathlib import Path
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
    fail,
    open_database,
    out,
    plan_of,
    plan_year,
    reported,
)
from planwatch.configuration import Settings

if TYPE_CHECKING:
    from planwatch.evaluate import EvaluationResult
    from planwatch.services.evaluation import PlanEvaluation

if TYPE_CHECKING:
    from planwatch.web.serve import Exposure


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    """At most two decimals: 6.349941 as 6.35, 600.0 as 600."""
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


@app.command()
def evaluate(
    year: YearOption,
    plan: PlanOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="每个指标输出一条 JSON 记录。")] = False,
    include_pending: Annotated[bool, typer.Option(
        "--include-pending", help="把已报送但尚未审核通过的数值也计入。")] = False,
    as_user: AsUser = None,
    db: DbOption = None,
) -> None:
    """评估规划某一年度：完成进度、时间进度、状态和趋势预测。

    每个指标附计算说明。
    """
    from planwatch.services.evaluation import evaluate_stored_plan

    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        actor = acting_user(session, as_user)
        the_plan = plan_of(session, plan, actor)
        evaluation = evaluate_stored_plan(session, actor, the_plan, plan_year(the_plan, year),
                                          include_pending=include_pending)
    if as_json:
        records = [{**r.to_json(), "code": evaluation.codes.get(r.indicator_id)} for r in evaluation.results]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(_table(evaluation, out.width))


def _latest(evaluation: PlanEvaluation, result: EvaluationResult) -> str:
    """The figure last entered; an amount over the period's running total (累计); a verdict."""
    if result.judgement is not None:
        return f"{result.judgement.verdict.label_zh}（{result.judgement.year}）"
    if result.target_type == "cumulative" and result.current is not None:
        return f"累计{_number(result.current)}"  # up to the year evaluated; narrow, for an 80-column terminal
    entered = evaluation.values.get(result.indicator_id, {}).get(result.data_year) if result.data_year else None
    return f"{_number(entered)}（{result.data_year}）" if entered is not None else ""


# Terminal widths from which the formula columns (completion, schedule) and then the
# attribute and projection columns are shown; below, a table of 80 columns keeps the names whole.
_WITH_PROGRESS, _WITH_EVERYTHING = 100, 130
_WARNINGS_LISTED = 8


def _table(evaluation: PlanEvaluation, width: int) -> Table:
    """The evaluation as a table that fits ``width`` columns: names wrap, never cut to “…”."""
    table = Table(title=f"{evaluation.plan_title} · {evaluation.year} 年评估")
    progress, everything = width >= _WITH_PROGRESS, width >= _WITH_EVERYTHING
    table.add_column("代码", no_wrap=True)
    table.add_column("指标", overflow="fold", ratio=1, min_width=8)
    if everything:
        table.add_column("属性", no_wrap=True)
    for column in ("最新值", "目标"):
        table.add_column(column, no_wrap=True, justify="right")
    if progress:
        table.add_column("完成进度", no_wrap=True, justify="right")
        table.add_column("时间进度", no_wrap=True, justify="right")
    table.add_column("状态", no_wrap=True)
    if everything:
        table.add_column("预测", overflow="fold")
    for r in evaluation.results:
        row = [evaluation.codes.get(r.indicator_id, ""), r.name]
        if everything:
            row.append(r.attribute or "")
        row += [_latest(evaluation, r), f"{_number(r.target)}（{r.target_year}）" if r.target is not None else ""]
        if progress:
            row += [_percent(r.completion), _percent(r.schedule)]
        row.append(r.status.label_zh)
        if everything:
            row.append(r.projection_verdict.label_zh if r.projected is not None else "")
        table.add_row(*row)
    return table


def _warning_lines(evaluation: PlanEvaluation) -> list[str]:
    """The warnings, one a line; the count of any left out is said, never dropped silently."""
    warnings = evaluation.warnings
    lines = [f"预警指标 {len(warnings)} 个："]
    lines += [f"  {w.name}（{w.status.label_zh}，{'、'.join(w.responsible) or '未落实责任单位'}）"
              for w in warnings[:_WARNINGS_LISTED]]
    if len(warnings) > _WARNINGS_LISTED:
        lines.append(f"  另有 {len(warnings) - _WARNINGS_LISTED} 个未列出，"
                     f"全部见 planwatch evaluate --year {evaluation.year}")
    return lines


HostOption = Annotated[str, typer.Option("--host", help="监听地址。")]
PortOption = Annotated[int, typer.Option("--port", help="监听端口。")]


@app.command()
def demo(
    year: Annotated[int, typer.Option("--year", help="评估年度。")] = 2024,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="完成后启动网站。")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    db: DbOption = None,
) -> None:
    """建立演示数据、打印评估结果并启动网站。

    演示数据为虚构的青川区规划、组织机构、各角色账号和历年数据。
    """
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
    out.print(_table(evaluation, out.width))
    for line in _warning_lines(evaluation):
        out.print(line, highlight=False)
    out.print(f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "，".join(f"{u.login}（{u.name}）" for u in DEMO_USERS),
              highlight=False)
    if serve:
        _serve(Settings.from_env(database_url=where), host, port)


def _serve(settings: Settings, host: str, port: int, workers: int = 1, exposure: Exposure | None = None) -> None:
    from planwatch.web import serve as run_app
    from planwatch.web.serve import Exposure

    chosen = exposure or Exposure()
    scheme = "https" if chosen.ssl_certfile else "http"
    out.print(f"PlanWatch 已启动：{scheme}://{host}:{port}/ （接口文档 /api/v1/docs，OpenAPI /openapi.json；"
              f"公开网站 /public/；Ctrl+C 停止）", highlight=False)
    run_app(settings, host, port, workers=workers, exposure=chosen)


class LogFormat(StrEnum):
    """The formats of :mod:`planwatch.logs` (``configuration.LOG_FORMATS``) as Typer's choices."""

    KV = "kv"
    JSON = "json"


LogFormatOption = Annotated[LogFormat | None, typer.Option(
    "--log-format", case_sensitive=False,
    help="日志格式：kv 为每行 key=value，json 为每行一个 JSON 对象（默认取环境变量 PLANWATCH_LOG_FORMAT，再默认 kv）。")]


@app.command()
def serve(host: HostOption = "127.0.0.1", port: PortOption = 8000, db: DbOption = None,
          workers: Annotated[int, typer.Option("--workers", min=1, help=(
              "处理请求的进程数；同时在线的人多时每个 CPU 核一个。"))] = 1,
          https: Annotated[bool, typer.Option(
              "--https", help="经 https 提供服务（用 --ssl-certfile 直接提供，或由前置代理提供）：Cookie 带 Secure，"
                              "发送 HSTS（或环境变量 PLANWATCH_HTTPS=1）。")]
          = False,
          proxy_headers: Annotated[bool, typer.Option(
              "--proxy-headers", help="信任 --forwarded-allow-ips 所列代理发来的 X-Forwarded-For/-Proto。")]
          = False,
          forwarded_allow_ips: Annotated[str, typer.Option(
              "--forwarded-allow-ips", help="受信任代理的地址，逗号分隔。")] = "127.0.0.1",
          allowed_hosts: Annotated[str | None, typer.Option(
              "--allowed-hosts",
              help="只应答这些 Host 名称（逗号分隔，如 jc.example.gov.cn），其余返回 400（默认取环境变量 "
                   "PLANWATCH_ALLOWED_HOSTS）。")] = None,
          ssl_certfile: Annotated[Path | None, typer.Option("--ssl-certfile", exists=True, dir_okay=False,
                                                            help="直接提供 https 的证书（PEM）。")] = None,
          ssl_keyfile: Annotated[Path | None, typer.Option("--ssl-keyfile", exists=True, dir_okay=False,
                                                           help="--ssl-certfile 的私钥（PEM）。")] = None,
          extract_workers: Annotated[int | None, typer.Option(
              "--extract-workers", min=0,
              help="每个进程同时导入的上传文件数；0 表示交给 `planwatch worker` 进程（默认取环境变量 "
                   "PLANWATCH_EXTRACT_WORKERS，再默认 2）。")] = None,
          log_format: LogFormatOption = None,
          ) -> None:
    """启动网站（总览、数据填报、审核、报告和 /api/v1 接口）。"""
    from planwatch.web.serve import Exposure

    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise fail("--ssl-certfile 和 --ssl-keyfile 须同时给出")
    hosts = None if allowed_hosts is None else tuple(h.strip() for h in allowed_hosts.split(",") if h.strip())
    with reported():
        settings = Settings.from_env(database_url=db, https=https or None, allowed_hosts=hosts,
                                     extract_workers=extract_workers, log_format=log_format.value if log_format else None)
    exposure = Exposure(proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
                        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None)
    with open_database(settings.database_url) as database:
        settings = dataclasses.replace(settings, database_url=database.url)
    _serve(settings, host, port, workers, exposure)


@app.command()
def worker(db: DbOption = None,
           jobs: Annotated[int, typer.Option("--jobs", min=1, help="同时进行的导入数（每个约占一个 CPU 核）。")]
           = 2,
           log_format: LogFormatOption = None) -> None:
    """从数据库的队列中取出上传的规划并导入，不提供网页：在连接同一数据库的任一主机上运行即可增加
    抽取能力（Ctrl+C 后等进行中的导入完成再退出）。"""
    import signal
    import threading

    from sqlalchemy import make_url

    from planwatch import configuration, logs
    from planwatch.web.uploads import UploadJobs

    with reported():
        settings = Settings.from_env(database_url=db, log_format=log_format.value if log_format else None)
    configuration.install(settings)
    logs.configure(settings)
    with open_database(settings.database_url) as database:
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        uploads = UploadJobs(settings, workers=jobs)
        uploads.recover(database)
        uploads.serve(database)
        where = make_url(database.url).render_as_string(hide_password=True)
        out.print(f"PlanWatch 提取进程已启动：同时导入 {jobs} 个文件，数据库 {where}（Ctrl+C 停止）", highlight=False)
        stop.wait()
        out.print("正在等待进行中的导入完成……", highlight=False)
        uploads.shutdown()
