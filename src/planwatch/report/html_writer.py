"""A self-contained HTML report (charts inline), for the web app and for e-mail."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from planwatch.report.elements import Annex, Element, Figure, Heading, Paragraph, Signature, Table, Title

__all__ = ["render_html", "write_html"]

_KINDS: dict[type, str] = {Title: "title", Heading: "heading", Paragraph: "paragraph", Table: "table",
                           Figure: "figure", Annex: "annex", Signature: "signature"}
_environment = Environment(loader=PackageLoader("planwatch.report", "templates"),
                           autoescape=select_autoescape(["html"]))


def _context(element: Element) -> dict[str, Any]:
    fields = {f.name: getattr(element, f.name) for f in dataclasses.fields(element)}
    if isinstance(element, Figure):
        fields["png"] = base64.b64encode(element.png).decode("ascii")
    return {"kind": _KINDS[type(element)], **fields}


def render_html(elements: Iterable[Element]) -> str:
    items = [_context(e) for e in elements]
    title = next((item["text"] for item in items if item["kind"] == "title"), "")
    return _environment.get_template("report.html").render(title=title, elements=items)


def write_html(elements: Iterable[Element], path: Path) -> None:
    path.write_text(render_html(elements), encoding="utf-8")
