"""The public site of the published plans, as files: the same bytes served live and written
by ``planwatch publish``.

:class:`PublicSite` turns the current snapshots (:mod:`planwatch.services.public_snapshot`)
and the opinions the office let through into a tree of files — HTML pages in Chinese (the
root) and English (``en/``), CSV and JSON downloads, the reports' PDFs and one stylesheet —
rendered on demand. Every link is relative, so the tree works under ``/public/`` of the app,
on any web server and from the disk; nothing in it depends on the moment it was written, so
an unchanged database gives byte-identical files. Charts are inline SVG with their figures
in a table under them: no script runs anywhere on the site.

Only the snapshot reaches the pages: what was approved for publication, never a login,
a clerk's name or an evidence file.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import jinja2

from planwatch.evaluate import Status
from planwatch.palette import stylesheet
from planwatch.services.ledger_progress import STATUSES as LEDGER_STATUSES
from planwatch.services.opinions import ShownOpinion
from planwatch.web.charts import ChartLine, IndicatorChart
from planwatch.web.i18n import LANGUAGES, Translator
from planwatch.web.public.chart_svg import ChartSeries, indicator_svg
from planwatch.web.templating import STATIC_DIR, TEMPLATE_DIR, format_number

__all__ = ["CSS_PATH", "PublicSite", "SiteFile", "SitePlan", "media_type", "page_language"]

CSS_PATH: Final = "assets/public.css"
_CSS_SOURCES: Final = (STATIC_DIR / "shell.css", STATIC_DIR / "public.css")
_MEDIA: Final = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".csv": "text/csv; charset=utf-8", ".json": "application/json", ".pdf": "application/pdf"}
_GOOD: Final = (Status.COMPLETED, Status.AHEAD, Status.ON_TRACK)
_BEHIND: Final = (Status.BEHIND, Status.SERIOUSLY_BEHIND)
_CSV_HEADER: Final = ("指标代码", "指标名称", "领域", "属性", "单位", "年份", "数值", "基期年份", "基期值", "目标年份", "目标值")
FileSource = Callable[[str], bytes | None]


@dataclass(frozen=True, slots=True)
class SiteFile:
    body: bytes
    media_type: str
    gone: bool = False  # a withdrawal notice standing where a page was (live: 410 Gone)


def page_language(path: str) -> str:
    return "en" if path == "en" or path.startswith("en/") else "zh"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR / "public"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = format_number
    env.filters["percent"] = _percent
    return env


_ENV: Final = _environment()


@dataclass(frozen=True, slots=True)
class SitePlan:
    """One plan's snapshot and the addresses of its pages."""

    snapshot: Mapping[str, Any]
    opinions: Sequence[ShownOpinion]

    @property
    def slug(self) -> str:
        return str(self.snapshot["plan"]["slug"])

    @property
    def folder(self) -> str:
        return f"plans/{self.slug}"

    @property
    def retracted(self) -> bool:
        return bool(self.snapshot.get("retracted"))

    @property
    def indicators(self) -> list[Mapping[str, Any]]:
        return list(self.snapshot.get("indicators", []))

    def withdrawn_indicators(self) -> list[Mapping[str, Any]]:
        shown = {i["code"] for i in self.indicators}
        return [n for n in self.snapshot.get("withdrawn", []) if n["what"] == "indicator" and n["code"] not in shown]

    @property
    def has_progress(self) -> bool:
        return self.snapshot.get("tasks") is not None or self.snapshot.get("projects") is not None


class PublicSite:
    """The site of ``snapshots`` (one per published plan). ``files`` gives a published file's
    bytes by content hash; ``feedback`` is where the opinion form lives: "" for the live app
    (a link relative to the site), an address such as ``https://jc.example.gov.cn`` for a
    static site whose app is reachable there, None to leave the form out."""

    def __init__(self, snapshots: Sequence[Mapping[str, Any]], opinions: Mapping[str, Sequence[ShownOpinion]],
                 files: FileSource, feedback: str | None) -> None:
        self.plans = [SitePlan(s, opinions.get(s["plan"]["key"], ())) for s in snapshots]
        self._files = files
        self.feedback = None if feedback is None else feedback.rstrip("/")

    def plan(self, slug: str) -> SitePlan | None:
        return next((p for p in self.plans if p.slug == slug), None)

    @cached_property
    def _routes(self) -> dict[str, Callable[[], SiteFile]]:
        """Every file of the site by path, each with the function that renders it."""
        routes: dict[str, Callable[[], SiteFile]] = {CSS_PATH: _stylesheet}
        for language in LANGUAGES:
            prefix = "" if language == "zh" else "en/"
            routes[f"{prefix}index.html"] = self._page(f"{prefix}index.html", "home.html", {})
            for plan in self.plans:
                base = f"{prefix}{plan.folder}"
                routes[f"{base}/index.html"] = self._page(f"{base}/index.html", "plan.html", self._plan_context(plan))
                if plan.retracted:
                    continue
                if plan.has_progress:
                    routes[f"{base}/progress.html"] = self._page(f"{base}/progress.html", "progress.html",
                                                                 {"plan": plan})
                for indicator in plan.indicators:
                    path = f"{base}/indicators/{indicator['slug']}.html"
                    routes[path] = self._page(path, "indicator.html", self._indicator_context(plan, indicator))
                for notice in plan.withdrawn_indicators():
                    path = f"{base}/indicators/{notice['slug']}.html"
                    routes[path] = self._page(path, "withdrawn.html", {"plan": plan, "notice": notice}, gone=True)
        for plan in self.plans:
            if plan.retracted:
                continue
            data = f"{plan.folder}/data"
            routes[f"{data}/indicators.csv"] = partial(_csv, plan.indicators)
            routes[f"{data}/indicators.json"] = partial(_json, plan.snapshot, plan.indicators)
            for indicator in plan.indicators:
                routes[f"{data}/{indicator['slug']}.csv"] = partial(_csv, [indicator])
                routes[f"{data}/{indicator['slug']}.json"] = partial(_json, plan.snapshot, [indicator])
            for report in plan.snapshot.get("reports", []):
                routes[f"{plan.folder}/reports/{report['file']}"] = partial(self._report, report)
        return routes

    def paths(self) -> list[str]:
        """Every file of the site, sorted."""
        return sorted(self._routes)

    def file(self, path: str) -> SiteFile | None:
        """The file at ``path`` (relative to the site root), or None when the site has none."""
        render = self._routes.get(path)
        return render() if render is not None else None

    def _report(self, report: Mapping[str, Any]) -> SiteFile:
        data = self._files(report["sha256"])
        if data is None:
            raise LookupError(f"published file {report['sha256']} is missing from the database")
        return SiteFile(data, _MEDIA[".pdf"])

    # ---- pages ------------------------------------------------------------------------------

    def _page(self, path: str, template: str, context: Mapping[str, Any],
              gone: bool = False) -> Callable[[], SiteFile]:
        def render() -> SiteFile:
            return SiteFile(self.render_page(path, template, context).encode(), _MEDIA[".html"], gone)
        return render

    def render_page(self, path: str, template: str, context: Mapping[str, Any], language: str | None = None) -> str:
        """A page at ``path``: relative links are made from its depth; its language is its
        place's (``en/`` or not) unless given."""
        language = language or page_language(path)
        depth = path.count("/")
        root = "../" * depth
        zh_path = path[3:] if language == "en" else path
        t = Translator(language)
        values = {
            "t": t, "lang": language, "root": root, "here": path, "css": root + CSS_PATH,
            "home": f"{root}{'en/' if language == 'en' else ''}index.html",
            "other_language": root + (zh_path if language == "en" else f"en/{zh_path}"),
            "plans": self.plans, "status_label": lambda code: _status_label(code, language),
            "ledger_status": lambda code: _ledger_status(code, language),
            "feedback_url": lambda plan, indicator=None: self.feedback_url(root, language, plan, indicator),
            "domain_rows": _domain_rows, "summary": _summary, "chart": _chart, "Status": Status,
        }
        values.update(context)
        return _ENV.get_template(template).render(values)

    def feedback_url(self, root: str, language: str, plan: SitePlan, indicator: Mapping[str, Any] | None) -> str | None:
        """Where a visitor leaves an opinion on ``plan`` (or one indicator), or None."""
        if self.feedback is None:
            return None
        query = {"plan": plan.slug, **({"indicator": indicator["code"]} if indicator else {}), "lang": language}
        base = root if self.feedback == "" else f"{self.feedback}/public/"
        return f"{base}opinions/new?{urlencode(query)}"

    def _plan_context(self, plan: SitePlan) -> dict[str, Any]:
        return {"plan": plan, "opinions": [o for o in plan.opinions if o.indicator_code is None]}

    def _indicator_context(self, plan: SitePlan, indicator: Mapping[str, Any]) -> dict[str, Any]:
        return {"plan": plan, "indicator": indicator,
                "opinions": [o for o in plan.opinions if o.indicator_code == indicator["code"]]}


def _status_label(code: str, language: str) -> str:
    status = Status(code)
    return status.label_en if language == "en" else status.label_zh


_LEDGER_EN: Final = {"not_started": "not started", "in_progress": "in progress", "completed": "completed",
                     "behind": "behind schedule", "suspended": "suspended"}


def _ledger_status(code: str, language: str) -> str:
    return _LEDGER_EN.get(code, code) if language == "en" else LEDGER_STATUSES.get(code, code)


@dataclass(frozen=True, slots=True)
class _DomainRow:
    domain: str
    total: int
    counts: dict[str, int]


def _domain_rows(indicators: Sequence[Mapping[str, Any]]) -> list[_DomainRow]:
    """Status counts per domain, in the order the plan lists its domains."""
    groups: dict[str, Counter[str]] = {}
    for indicator in indicators:
        groups.setdefault(indicator["domain"] or "", Counter())[indicator["status"]] += 1
    return [_DomainRow(domain, sum(c.values()), dict(c)) for domain, c in groups.items()]


@dataclass(frozen=True, slots=True)
class _Summary:
    total: int
    binding: int
    binding_good: int
    good: int
    behind: int
    other: int
    counts: dict[str, int]
    schedule: float | None


def _summary(snapshot: Mapping[str, Any]) -> _Summary:
    indicators = snapshot.get("indicators", [])
    counts = Counter(i["status"] for i in indicators)
    good = sum(counts[s.value] for s in _GOOD)
    behind = sum(counts[s.value] for s in _BEHIND)
    binding = [i for i in indicators if i["attribute"] == "约束性"]
    plan, year = snapshot["plan"], snapshot.get("evaluation_year")
    schedule = None
    if plan["start_year"] and plan["end_year"] and year and plan["end_year"] >= plan["start_year"]:
        length = plan["end_year"] - plan["start_year"] + 1
        schedule = min(max(year - plan["start_year"] + 1, 0), length) / length
    return _Summary(len(indicators), len(binding), sum(1 for i in binding if Status(i["status"]) in _GOOD), good,
                    behind, len(indicators) - good - behind, dict(counts), schedule)


def _chart(indicator: Mapping[str, Any], t: Translator) -> tuple[Any, IndicatorChart]:
    """The indicator's SVG and the chart data its table prints (the same lines)."""
    lines = [(line["key"], t(f"chart.{line['key']}"), tuple((int(y), float(v)) for y, v in line["points"]))
             for line in indicator["chart"]]
    svg = indicator_svg([ChartSeries(*line) for line in lines], unit=indicator["unit"],
                        title=t("public.chart_title", name=indicator["name"]), chart_id=f"chart-{indicator['slug']}")
    return svg, IndicatorChart(tuple(ChartLine(*line) for line in lines), indicator["unit"])


def _stylesheet() -> SiteFile:
    """The palette's colours, the app's shell (type, focus ring, skip link) and the site's own
    rules, as one file: a static site has no /theme.css or /static/ to link to."""
    parts = [stylesheet(), *(source.read_text(encoding="utf-8") for source in _CSS_SOURCES)]
    return SiteFile("\n".join(parts).encode(), _MEDIA[".css"])


def _target_text(indicator: Mapping[str, Any]) -> tuple[str, str]:
    last = max(indicator["targets"], key=lambda t: t["year"], default=None)
    return (str(last["year"]), last["text"]) if last else ("", "")


def _rows(indicators: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, ...]]:
    for i in indicators:
        target_year, target = _target_text(i)
        for year, value in i["values"] or [[None, None]]:
            yield (i["code"], i["name"], i["domain"] or "", i["attribute"] or "", i["unit"] or "",
                   "" if year is None else str(year), "" if value is None else format_number(value, 6).replace(",", ""),
                   "" if i["baseline_year"] is None else str(i["baseline_year"]),
                   "" if i["baseline"] is None else format_number(i["baseline"], 6).replace(",", ""),
                   target_year, target)


def _csv(indicators: Sequence[Mapping[str, Any]]) -> SiteFile:
    """Long-format figures (one row per indicator and year), UTF-8 with a BOM so that Excel
    and WPS open the Chinese text as written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_CSV_HEADER)
    writer.writerows(_rows(indicators))
    return SiteFile(("\ufeff" + out.getvalue()).encode(), _MEDIA[".csv"])


def _json(snapshot: Mapping[str, Any], indicators: Sequence[Mapping[str, Any]]) -> SiteFile:
    """The figures with their definitions, for programs; keys in English, text as published."""
    plan = snapshot["plan"]
    document = {
        "plan": {"title": plan["title"], "start_year": plan["start_year"], "end_year": plan["end_year"],
                 "doc_number": plan["doc_number"]},
        "office": snapshot["office"], "decision": snapshot.get("decision"), "years": snapshot["years"],
        "evaluation_year": snapshot["evaluation_year"],
        "indicators": [{
            "code": i["code"], "name": i["name"], "unit": i["unit"], "domain": i["domain"], "attribute": i["attribute"],
            "baseline": {"year": i["baseline_year"], "value": i["baseline"]}, "targets": i["targets"],
            "values": [{"year": y, "value": v} for y, v in i["values"]], "status": i["status"],
            "completion": i["completion"], "schedule": i["schedule"], "responsible": i["responsible"],
            "source": i["source"], "method": i["method"]} for i in indicators],
    }
    return SiteFile((json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode(),
                    _MEDIA[".json"])


def media_type(path: str) -> str:
    return _MEDIA.get(Path(path).suffix, "application/octet-stream")
