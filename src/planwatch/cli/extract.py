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
from planwatch.extract import extract_source
from planwatch.extract.records import Extraction
from planwatch.ingest import DEFAULT_MAX_BYTES, SourceText, read_source
from planwatch.ingest.front_matter import front_matter
from planwatch.ingest.pdf import OCR_INSTALL


@app.command()
def extract(
    files: Annotated[list[Path] | None, typer.Argument(
        help="公报或规划文件（.txt/.md/.docx/.pdf/.html），默认为内置的示例规划。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 {documents, indicators, diagnostics, tasks, projects}。")]
    = False,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="拒绝超过这个字节数的文件。")]
    = DEFAULT_MAX_BYTES,
) -> None:
    """从规划文件中提取公文和指标体系，以表格或 JSON 输出。"""
    paths = files or [DEMO_PLAN]
    results: list[Extraction] = []
    sources: list[SourceText] = []
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
                source = read_source(path, max_bytes, progress=pages_read)
                results.append(extract_source(source))
                sources.append(source)
            except PlanWatchError as exc:
                failed += 1
                err.print(f"[red]错误：[/red]{exc}", highlight=False, soft_wrap=True)
            else:
                if source.unread_pages:
                    err.print(f"[yellow]注意：[/yellow]{unread_pages_note(source)}", highlight=False, soft_wrap=True)
            progress.remove_task(pages_task)
            progress.advance(files_task)
    if as_json:
        payload = {
            "documents": [d.to_json() for r in results for d in r.documents],
            "indicators": [i.to_json() for r in results for i in r.indicators],
            "diagnostics": [d.to_json() for r in results for d in r.diagnostics],
            "tasks": [t.to_json() | {"file": r.file} for r in results for t in r.tasks],
            "projects": [p.to_json() | {"file": r.file} for r in results for p in r.projects],
            "sources": [_source_json(s) for s in sources],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_tables(results, sources)
    if failed:
        raise typer.Exit(2)


def _source_json(source: SourceText) -> dict[str, object]:
    """How each file was read: its pages, and those read by OCR or left unread (scans without an engine)."""
    return {"file": source.name, "format": source.format, "pages": source.pages, "ocr_pages": list(source.ocr_pages),
            "ocr_engine": source.ocr_engine, "unread_pages": list(source.unread_pages)}


def unread_pages_note(source: SourceText) -> str:
    """One line: the scanned pages not read for want of an OCR engine; the rest of the file was read."""
    pages = "、".join(str(n) for n in source.unread_pages)
    return (f"{source.name}：第 {pages} 页是扫描件（没有文字层），未安装 OCR 引擎，这些页未读取，其余各页已读取"
            f"（安装 OCR 引擎：{OCR_INSTALL}）")


def _pages_line(source: SourceText) -> str:
    line = f"{source.name}：共 {source.pages} 页"
    if source.ocr_pages:
        line += f"，其中 {len(source.ocr_pages)} 页为扫描件，由 OCR 识别（{source.ocr_engine}），请核对"
    if source.unread_pages:
        line += f"，{len(source.unread_pages)} 页扫描件未读取（未安装 OCR 引擎）"
    return line


_KIND = {"table": "表格", "prose": "正文", "manual": "人工"}


def _print_tables(results: list[Extraction], sources: list[SourceText]) -> None:
    """Readable tables that fit an 80-column terminal: long names and titles wrap, never cut."""
    console = Console()
    for result, source in zip(results, sources, strict=True):
        if source.pages:
            console.print(_pages_line(source), highlight=False)
        # the 文号 of a web-scraped text's front matter, shown where the printed text has none
        # (display only: extraction reads the printed text, which is what the JSON reports)
        fallback = front_matter([block.text for block in source.blocks[:80]]).get("doc_number")
        docs = Table(title=f"{result.file}：{len(result.documents)} 篇公文", show_lines=False)
        docs.add_column("行", no_wrap=True)
        docs.add_column("发文字号", overflow="fold", max_width=20)
        docs.add_column("成文日期", no_wrap=True)
        docs.add_column("标题", overflow="fold", ratio=1)
        for d in result.documents:
            number = d.doc_number or ""
            if not number and fallback and len(result.documents) == 1:
                number = f"{fallback}*"
            docs.add_row(f"{d.start_line}-{d.end_line}", number, d.date or "", d.title)
        console.print(docs)
        if any((row.doc_number or "") == "" for row in result.documents) and fallback and len(result.documents) == 1:
            console.print("* 正文未印发文字号，取自文件开头的来源信息（仅供查看，JSON 输出以正文为准）", style="dim",
                          highlight=False)
        table = Table(title=f"{result.file}：{len(result.indicators)} 个指标")
        table.add_column("行", no_wrap=True)
        table.add_column("指标", overflow="fold", ratio=3)
        table.add_column("单位", overflow="fold", max_width=8)
        table.add_column("属性", no_wrap=True)
        table.add_column("基期", overflow="fold", max_width=10)
        table.add_column("目标", overflow="fold", ratio=2)
        table.add_column("来源", no_wrap=True)
        for ind in result.indicators:
            targets = "；".join(f"{t.year}：{t.text}" for t in ind.targets)
            base = f"{ind.baseline_year or ''} {ind.baseline or ''}".strip()
            table.add_row(str(ind.line), ind.name, ind.unit or "", ind.attribute or "", base, targets,
                          _KIND.get(ind.kind, ind.kind))
        console.print(table)
        if result.diagnostics:
            unread = Table(title=f"{result.file}：{len(result.diagnostics)} 处看似目标但未提取出指标的内容"
                           "（请核对；可在网站的原文页面中手工新增指标）")
            for col in ("行", "看到的内容", "原因"):
                unread.add_column(col, overflow="fold")
            for passage in result.diagnostics:
                unread.add_row(str(passage.line), passage.seen, passage.reason)
            console.print(unread)
