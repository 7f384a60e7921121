"""``planwatch extract``: documents and indicators of plan files, as tables or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import err
from planwatch.demo import DEMO_PLAN
from planwatch.errors import PlanWatchError
from planwatch.extract import extract_file
from planwatch.extract.records import Extraction
from planwatch.ingest import DEFAULT_MAX_BYTES


@app.command()
def extract(
    files: Annotated[list[Path] | None, typer.Argument(
        help="Gazettes or plans (.txt/.md/.docx/.pdf/.html). Default: the bundled demo plan.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {documents, indicators, diagnostics, tasks, projects} "
                                                          "as JSON.")]
    = False,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse files larger than this.")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """Extract documents and the indicator system from plan files."""
    paths = files or [DEMO_PLAN]
    results: list[Extraction] = []
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, disable=not err.is_terminal) as progress:
        files_task = progress.add_task("extracting", total=len(paths), visible=len(paths) > 1)
        for path in paths:
            progress.update(files_task, description=f"extracting {path.name}")
            # A big PDF takes seconds: its pages get a bar of their own.
            pages_task = progress.add_task(f"reading {path.name}", total=None, visible=False)

            def pages_read(done: int, total: int, task: TaskID = pages_task) -> None:
                progress.update(task, completed=done, total=total, visible=True)
                progress.refresh()  # drawn at each page, not only at the timer's next tick

            try:
                results.append(extract_file(path, max_bytes=max_bytes, progress=pages_read))
            except PlanWatchError as exc:
                failed += 1
                err.print(f"[red]错误：[/red]{exc}", highlight=False, soft_wrap=True)
            progress.remove_task(pages_task)
            progress.advance(files_task)
    if as_json:
        payload = {
            "documents": [d.to_json() for r in results for d in r.documents],
            "indicators": [i.to_json() for r in results for i in r.indicators],
            "diagnostics": [d.to_json() for r in results for d in r.diagnostics],
            "tasks": [t.to_json() | {"file": r.file} for r in results for t in r.tasks],
            "projects": [p.to_json() | {"file": r.file} for r in results for p in r.projects],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_tables(results)
    if failed:
        raise typer.Exit(2)


def _print_tables(results: list[Extraction]) -> None:
    console = Console()
    for result in results:
        docs = Table(title=f"{result.file}: {len(result.documents)} documents", show_lines=False)
        for col in ("lines", "发文字号", "成文日期", "标题"):
            docs.add_column(col)
        for d in result.documents:
            docs.add_row(f"{d.start_line}-{d.end_line}", d.doc_number or "", d.date or "", d.title)
        console.print(docs)
        table = Table(title=f"{result.file}: {len(result.indicators)} indicators")
        for col in ("line", "指标", "单位", "属性", "基期", "目标", "来源"):
            table.add_column(col)
        for ind in result.indicators:
            targets = "; ".join(f"{t.year}: {t.text}" for t in ind.targets)
            base = f"{ind.baseline_year or ''} {ind.baseline or ''}".strip()
            table.add_row(str(ind.line), ind.name, ind.unit or "", ind.attribute or "", base, targets, ind.kind)
        console.print(table)
        if result.diagnostics:
            unread = Table(title=f"{result.file}：{len(result.diagnostics)} 处看似目标但未提取出指标的内容"
                           "（请核对；可在网站的原文页面中手工新增指标）")
            for col in ("line", "看到的内容", "原因"):
                unread.add_column(col, overflow="fold")
            for passage in result.diagnostics:
                unread.add_row(str(passage.line), passage.seen, passage.reason)
            console.print(unread)
