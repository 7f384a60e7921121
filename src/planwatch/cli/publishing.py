"""The public site from the command line: ``planwatch publish`` writes it as static files;
``planwatch publication …`` takes the publishing decisions; ``planwatch opinions …`` keeps the
promise made to the public about contacts (expiry, declared retention)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import (
    DbOption,
    PlanOption,
    acting_user,
    fail,
    open_database,
    out,
    plan_of,
    reported,
)

publication_app = typer.Typer(help="Publishing decisions: propose, approve (a second person), reject, withdraw.",
                              no_args_is_help=True)
app.add_typer(publication_app, name="publication")
opinions_app = typer.Typer(help="Public opinions: erase expired contacts, declare how long contacts are kept.",
                           no_args_is_help=True)
app.add_typer(opinions_app, name="opinions")

Person = Annotated[str, typer.Option("--as", help="The person deciding (login): publishing needs two people.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (a withdrawal's reason is shown on the public site).")]


@app.command()
def publish(
    plan: Annotated[str | None, typer.Argument(help="Plan id, title or a unique part of it; all published plans "
                                                    "when left out.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the site to (created; a folder "
                                                                "written before is updated in place).")] = Path("public"),
    live_url: Annotated[str | None, typer.Option(
        "--live-url", help="Address of the running app (https://…): pages link to its opinion form. Without it "
                           "the static site has no form.")] = None,
    db: DbOption = None,
) -> None:
    """Write the public site of the published plans as static files (HTML, CSV, JSON, PDF).

    The same pages as /public/ of the app, for any web server; publishing again without a
    new decision changes no byte.
    """
    from planwatch.services import opinions, publishing
    from planwatch.web.public.site import PublicSite
    from planwatch.web.public.static import write_site

    if live_url is not None and not live_url.startswith(("https://", "http://")):
        raise fail(f"--live-url：应为 https:// 或 http:// 开头的网址，实际为「{live_url}」")
    with open_database(db) as database, reported(), database.session(readonly=True) as session:
        snapshots = publishing.current_snapshots(session)
        if plan is not None:
            key = plan_of(session, plan).plan_key
            snapshots = [s for s in snapshots if s["plan"]["key"] == key]
            if not snapshots:
                raise fail(f"规划「{plan}」没有公开的内容：请先在网页「信息公开」中提出并批准公开申请")
        if not snapshots:
            raise fail("没有公开的规划：请先在网页「信息公开」中提出并批准公开申请")
        site = PublicSite(snapshots, opinions.shown_opinions(session),
                          lambda sha: publishing.file_content(session, sha), feedback=live_url)
        result = write_site(site, output)
    out.print(f"{output}: {result.files} 个文件（写入 {result.written}，未变 {result.unchanged}，删除 {result.removed}）；"
              f"首页 {output / 'index.html'}", highlight=False)


@publication_app.command("list")
def list_decisions(plan: PlanOption = None, db: DbOption = None) -> None:
    """Every publishing decision of the plan, newest first."""
    from planwatch.services import publishing, users

    with open_database(db) as database, reported(), database.session() as session:
        the_plan = plan_of(session, plan)
        rows = publishing.decisions(session, users.operator(session), the_plan.plan_key)
    table = Table("id", "no.", "kind", "state", "proposed", "decided", "indicators", "reason")
    for d in rows:
        table.add_row(str(d.id), str(d.number or ""), d.kind, d.state, f"{d.proposed_by} {d.proposed_at:%Y-%m-%d}",
                      f"{d.decided_by} {d.decided_at:%Y-%m-%d}" if d.decided_by and d.decided_at else "",
                      str(d.indicators), d.reason)
    out.print(table)


@publication_app.command()
def propose(
    as_user: Person,
    plan: PlanOption = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="A locked year to publish (repeat); "
                                                                  "default: every locked year.")] = None,
    indicator: Annotated[list[str] | None, typer.Option("--indicator", help="Indicator code to publish (repeat); "
                                                        "default: every indicator with approved figures.")] = None,
    tasks: Annotated[bool, typer.Option("--tasks", help="Publish the key tasks' approved progress.")] = False,
    projects: Annotated[bool, typer.Option("--projects", help="Publish the major projects' approved progress.")] = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="Publish the list of indicators behind schedule.")] = False,
    report: Annotated[list[str] | None, typer.Option("--report", help="A report as PDF, KIND:YEAR (annual:2024, "
                                                                      "midterm:2024, final:2025); repeat.")] = None,
    office: Annotated[str | None, typer.Option("--office", help="Publishing office printed on every page; "
                                                                "default: the last publication's, else the issuer.")] = None,
    note: Annotated[str, typer.Option("--note", help="A public note on this publication.")] = "",
    db: DbOption = None,
) -> None:
    """Propose a publication; a second person approves it (planwatch publication approve)."""
    from planwatch.services import publishing
    from planwatch.services.public_snapshot import PublicationScope

    reports = []
    for value in report or []:
        kind, _, number = value.partition(":")
        if not number.isdigit():
            raise fail(f"--report：应为 KIND:YEAR（如 annual:2024），实际为「{value}」")
        reports.append((kind, int(number)))
    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        the_plan = plan_of(session, plan)
        eligible = publishing.eligibility(session, actor, the_plan)
        codes = {c.code: c for c in eligible.candidates}
        unknown = [c for c in indicator or [] if c not in codes]
        if unknown:
            raise fail(f"--indicator：规划中没有指标 {'、'.join(unknown)}")
        keys = [codes[c].key for c in indicator] if indicator else [c.key for c in eligible.candidates if c.years]
        scope = PublicationScope(tuple(keys), tuple(year or eligible.locked_years), tasks, projects, warnings,
                                 tuple(reports))
        decision = publishing.propose(session, actor, the_plan, scope, office=office or eligible.office, note=note)
        out.print(f"公开申请 #{decision.id}：{len(decision.snapshot['indicators'])} 个指标，年份 "
                  f"{'、'.join(map(str, scope.years))}；请另一人批准：planwatch publication approve {decision.id} --as …",
                  highlight=False)


@publication_app.command()
def approve(decision_id: Annotated[int, typer.Argument(help="The proposal's id.")], as_user: Person,
            db: DbOption = None) -> None:
    """Approve a proposal made by someone else: it goes on the public site."""
    from planwatch.services import publishing

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        decision = publishing.approve(session, actor, decision_id)
        out.print(f"已公开：第 {decision.number} 次发布（{decision.snapshot['decision']['date']}）", highlight=False)


@publication_app.command()
def reject(decision_id: Annotated[int, typer.Argument(help="The proposal's id.")], as_user: Person,
           reason: Reason, db: DbOption = None) -> None:
    """Send a proposal back (or withdraw one's own); nothing goes public."""
    from planwatch.services import publishing

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        publishing.reject(session, actor, decision_id, reason)
        out.print(f"公开申请 #{decision_id} 已退回", highlight=False)


@publication_app.command()
def retract(
    as_user: Person,
    reason: Reason,
    plan: PlanOption = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="Withdraw this indicator (code).")] = None,
    report: Annotated[str | None, typer.Option("--report", help="Withdraw this report (file, e.g. annual-2024.pdf).")] = None,
    part: Annotated[str | None, typer.Option("--part", help="Withdraw tasks, projects or warnings.")] = None,
    whole_plan: Annotated[bool, typer.Option("--whole-plan", help="Withdraw everything of the plan.")] = False,
    db: DbOption = None,
) -> None:
    """Withdraw an item from the public site at once; the site says what and when."""
    from planwatch.services import publishing

    chosen = [("indicator", indicator)] if indicator else [("report", report)] if report else \
        [(part, "")] if part else [("plan", "")] if whole_plan else []
    if not chosen:
        raise fail("请指定撤回对象：--indicator、--report、--part 或 --whole-plan")
    what, item = chosen[0]
    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        the_plan = plan_of(session, plan)
        decision = publishing.retract(session, actor, the_plan.plan_key, what, item or "", reason=reason)
        out.print(f"已撤回：第 {decision.number} 次发布（{decision.snapshot['decision']['date']}）", highlight=False)


@opinions_app.command()
def expire(db: DbOption = None) -> None:
    """Erase the contacts whose declared retention period has ended (run daily, e.g. from cron)."""
    from planwatch.services import opinions

    with open_database(db) as database, reported(), database.session() as session:
        count = opinions.expire_contacts(session)
    out.print(f"已删除到期的联系方式 {count} 条", highlight=False)


@opinions_app.command()
def retention(days: Annotated[int, typer.Argument(help="Days a consenting writer's contact is kept.")],
              as_user: Annotated[str | None, typer.Option("--as", help="An administrator (login).")] = None,
              db: DbOption = None) -> None:
    """Declare how long contacts are kept; the opinion form tells the public this period."""
    from planwatch.services import opinions

    with open_database(db) as database, reported(), database.session() as session:
        opinions.set_contact_retention(session, acting_user(session, as_user), days)
    out.print(f"联系方式保存期限：{days} 天", highlight=False)
