"""axe-core on every page type, for every role, in Chinese and English, at desktop and phone width.

One server on one copy of the demo and one Chromium serve the whole module; each role logs
in once per language, and each page is checked at 1366×768 and again at 390×844 without
being loaded twice. Any WCAG 2.1 A/AA violation fails, listed by page, rule and element.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.services import opinions, publishing, users
from planwatch.store import Database
from planwatch.store.models import (
    Indicator,
    Observation,
    Plan,
    Project,
    ReportingPeriod,
    SourceFile,
    Task,
    User,
)
from planwatch.web import create_app
from planwatch.web.headers import CONTENT_SECURITY_POLICY
from tests.unit import plan_samples
from tests.web.axe import Finding, axe_script, findings
from tests.web.browser import CHROMIUM, live_server
from tests.web.public_support import Published, publish_demo

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium)")

VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
ROLES = {"admin": "admin", "monitoring": "tongji", "evaluation": "pinggu", "viewer": "lingdao", "clerk": "fgw"}


@dataclass(frozen=True, slots=True)
class Ids:
    """The demo rows the page addresses point at, plus an upload made for the upload page."""

    plan: int
    indicator: int
    document: int
    task: int
    project: int
    user: int
    period: int
    unit: int
    observation: int
    upload: str = ""
    public_plan: str = ""  # the demo plan's address on the public site, published by the fixture
    decision: int = 0


# Every page route by name, with the address the check opens. A new page route fails
# test_every_page_route_is_checked until it is added here.
PAGES: dict[str, Callable[[Ids], str]] = {
    "login_form": lambda i: "/login",
    "dashboard": lambda i: f"/dashboard?plan={i.plan}",
    "plans": lambda i: "/plans",
    "plan_page": lambda i: f"/plans/{i.plan}",
    "indicator_page": lambda i: f"/indicators/{i.indicator}",
    "documents_page": lambda i: "/documents",
    "document_page": lambda i: f"/documents/{i.document}",
    "upload_page": lambda i: f"/uploads/{i.upload}",
    "search_page": lambda i: "/search?q=%E6%A3%AE%E6%9E%97",  # 森林
    "compare_page": lambda i: "/compare",
    "entry_page": lambda i: "/entry",
    "review_page": lambda i: "/review",
    "plan_assessment": lambda i: f"/plans/{i.plan}/assessment",
    "plan_ledger": lambda i: f"/plans/{i.plan}/ledger",
    "ledger_progress": lambda i: f"/ledger/tasks/{i.task}/progress?period_id={i.period}",
    "ledger_new": lambda i: f"/plans/{i.plan}/ledger/projects/new",
    "ledger_edit": lambda i: f"/ledger/projects/{i.project}/edit",
    "ledger_split": lambda i: f"/ledger/tasks/{i.task}/split",
    "admin_users": lambda i: "/admin/users",
    "admin_user": lambda i: f"/admin/users/{i.user}",
    "admin_orgunits": lambda i: "/admin/orgunits",
    "plan_periods": lambda i: f"/plans/{i.plan}/periods",
    "plan_assignments": lambda i: f"/plans/{i.plan}/assignments",
    "api_docs": lambda i: "/api/v1/docs",
    "publishing_overview": lambda i: "/publishing",
    "plan_publishing": lambda i: f"/plans/{i.plan}/publishing",
    "publishing_preview": lambda i: f"/publishing/{i.decision}/preview/plans/{i.public_plan}/index.html",
    "opinions_page": lambda i: "/opinions?state=all",
    # the public site: one route serves every page type (a name#type per type)
    "public_site": lambda i: "/public/",
    "public_site#plan": lambda i: f"/public/plans/{i.public_plan}/index.html",
    "public_site#indicator": lambda i: f"/public/plans/{i.public_plan}/indicators/i001.html",
    "public_site#progress": lambda i: f"/public/plans/{i.public_plan}/progress.html",
    "public_site#withdrawn": lambda i: f"/public/plans/{i.public_plan}/indicators/i002.html",
    "public_site#english": lambda i: f"/public/en/plans/{i.public_plan}/indicators/i001.html",
    "public_opinion_form": lambda i: f"/public/opinions/new?plan={i.public_plan}&indicator=I001",
    "public_opinion_received": lambda i: f"/public/opinions/received?plan={i.public_plan}",
    "inbox_page": lambda i: "/inbox",
    "thread_page": lambda i: f"/threads/observations/{i.observation}",
    "entry_submit_confirm": lambda i: f"/entry/submit-all?period={i.period}&unit={i.unit}",
    "period_lock_confirm": lambda i: f"/periods/{i.period}/lock",
    "period_reminders": lambda i: f"/periods/{i.period}/reminders",
    "import_history": lambda i: "/records/imports",
    "audit_page": lambda i: "/records/audit",
    "exports_page": lambda i: f"/exports?plan={i.plan}",
    "admin_system": lambda i: "/admin/system",
    "error": lambda i: "/plans/2147483647",
}
# Pages for visitors who are not logged in: the log-in form and the public site.
ANONYMOUS = {"login_form"} | {name for name in PAGES if name.startswith("public_")}
STATUS = {"error": 404, "public_site#withdrawn": 410}
# Pages checked for one role: an upload is its uploader's, and the API docs are the same for all.
ONE_ROLE = {"upload_page": ("monitoring",), "api_docs": ("admin",)}
# Page routes that answer with a redirect, a file or a picker's options, not a page of their own.
NOT_PAGES = {"home", "set_language", "theme_css", "entry_template", "assessment_xlsx", "report_download", "ledger_evidence",
             "export_data_download", "suggest_units", "suggest_indicators"}


def _page_routes() -> set[str]:
    """Every GET route of the app for people, not programs: the ones the OpenAPI schema leaves
    out (by name: FastAPI keeps included routers as lazy branches of ``app.routes``)."""
    return {route.name for route in create_app(secret_key="routes").state.named_routes.values()
            if isinstance(route, APIRoute) and "GET" in route.methods and not route.include_in_schema}


def test_every_page_route_is_checked() -> None:
    assert _page_routes() - NOT_PAGES == {name.partition("#")[0] for name in PAGES} - {"error"}


@pytest.fixture(scope="module")
def site(seeded: Path, tmp_path_factory: pytest.TempPathFactory, chromium_browser: Any) -> Iterator[tuple[str, Ids]]:
    folder = tmp_path_factory.mktemp("a11y")
    shutil.copy(seeded, folder / "demo.db")
    url = f"sqlite:///{folder / 'demo.db'}"
    database = Database(url)
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan.id).order_by(Plan.id)).one()
        ids = Ids(plan=plan,
                  indicator=session.scalars(select(Indicator.id).where(Indicator.name == "森林覆盖率")).one(),
                  document=session.scalars(select(SourceFile.id).order_by(SourceFile.id)).first() or 0,
                  task=session.scalars(select(Task.id).where(Task.plan_id == plan).order_by(Task.id)).first() or 0,
                  project=session.scalars(select(Project.id).where(Project.plan_id == plan)
                                          .order_by(Project.id)).first() or 0,
                  user=session.scalars(select(User.id).where(User.login == "fgw")).one(),
                  unit=session.scalars(select(User.org_unit_id).where(User.login == "fgw")).one() or 0,
                  observation=session.scalars(select(Observation.id).join(User, User.org_unit_id == Observation.org_unit_id)
                                              .where(User.login == "fgw").order_by(Observation.id)).first() or 0,
                  period=session.scalars(select(ReportingPeriod.id).where(ReportingPeriod.plan_id == plan)
                                         .order_by(ReportingPeriod.year.desc())).first() or 0)
    database.dispose()
    published = _publish(url)
    with live_server(create_app(url, secret_key="browser-a11y")) as base:
        yield base, Ids(**{**{f: getattr(ids, f) for f in ids.__slots__}, "upload": _upload(chromium_browser, base, folder),
                           "public_plan": published.slug, "decision": published.decision_id})


def _publish(url: str) -> Published:
    """The demo plan on the public site, one indicator withdrawn, one opinion shown with its answer."""
    published = publish_demo(url)
    database = Database(url)
    try:
        with database.session() as session:
            office = users.find_user(session, "pinggu")
            publishing.retract(session, office, published.plan_key, "indicator", "I002", reason="口径核实中")
            opinion = opinions.post_opinion(session, plan_key=published.plan_key, indicator_code="I001",
                                            subject="居民人均可支配收入年均增长", text="建议按城乡分别公布。")
            opinions.moderate_opinion(session, office, opinion.id, show=True)
            opinions.answer_opinion(session, office, opinion.id, "感谢建议，将在年度报告中分城乡公布。")
    finally:
        database.dispose()
    return published


def _log_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _upload(browser: Any, base: str, folder: Path) -> str:
    """A finished plan upload by the monitoring group, for the upload page's final state."""
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        _log_in(page, base, "tongji")
        page.goto(f"{base}/documents")
        page.set_input_files("input[type=file]", str(plan_samples.write_docx(folder / "云溪区生态环境保护规划.docx")))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url(f"{base}/uploads/**")
        expect(page.locator("#upload-status [data-stage]")).to_have_attribute("data-stage", "done", timeout=60_000)
        return page.url.rsplit("/", 1)[-1]
    finally:
        page.close()


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_no_wcag_aa_violation(site: tuple[str, Ids], browser: Any, role: str, language: str,
                              tmp_path: Path) -> None:
    base, ids = site
    script = axe_script()
    context = browser.new_context(locale=LOCALES[language], viewport=VIEWPORTS["1366"])
    context.add_init_script(script=script)
    page = context.new_page()
    problems: list[Finding] = []
    opened = []
    try:
        if role != "anonymous":
            _log_in(page, base, ROLES[role])
        for name, address in PAGES.items():
            if (role == "anonymous") != (name in ANONYMOUS) or role not in ONE_ROLE.get(name, (role,)):
                continue
            page.set_viewport_size(VIEWPORTS["1366"])
            response = page.goto(base + address(ids))
            assert response is not None
            if response.status == 403:  # refused to this role: the same error page as "error"
                continue
            assert response.status == STATUS.get(name, 200), f"{role} {name}: {response.status}"
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            if name == "api_docs":  # Swagger UI draws after fetching the OpenAPI document
                page.wait_for_selector(".opblock")
            opened.append(name)
            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                problems += findings(page, f"{role}/{language}/{size} {name} {address(ids)}")
    finally:
        context.close()
    assert opened, f"{role} opened no page"
    assert not problems, f"{len(problems)} WCAG 2.1 A/AA violations:\n" + "\n".join(map(str, problems))
