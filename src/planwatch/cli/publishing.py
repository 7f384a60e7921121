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
from planwatch.errors import FieldRefused
from planwatch.fields import read_year

publication_app = typer.Typer(help="公开发布的决定：提议、审批（须另一人）、退回、撤回。",
                              no_args_is_help=True)
app.add_typer(publication_app, name="publication")
opinions_app = typer.Typer(help="公众意见：删除到期的联系方式，声明联系方式的保存期限。",
                           no_args_is_help=True)
app.add_typer(opinions_app, name="opinions")

Person = Annotated[str, typer.Option("--as", help="作出决定的人（登录名）：发布须经两人。")]
Reason = Annotated[str, typer.Option("--reason", help="原因（撤回的原因在公开网站上显示）。")]


@app.command()
def publish(
    plan: Annotated[str | None, typer.Argument(help="规划编号、标题或标题中唯一的一段；不写时为全部已发布的规划。")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="写入网站的文件夹（不存在时新建；已写过的就地更新）。")] = Path("public"),
    live_url: Annotated[str | None, typer.Option(
        "--live-url", help="运行中网站的地址（https://…）：页面链接到其意见表单；不写时静态网站不含意见表单。")] = None,
    db: DbOption = None,
) -> None:
    """把已发布规划的公开网站写成静态文件（HTML、CSV、JSON、PDF）。

    与网站 /public/ 下的页面相同，可放在任何网页服务器上；没有新的发布决定时重新发布，文件一字节也不变。
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
    """列出规划的全部发布决定，最新的在前。"""
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
    year: Annotated[list[int] | None, typer.Option("--year", help="要公开的已锁定年份（可重复）；默认为全部已锁定年份。")] = None,
    indicator: Annotated[list[str] | None, typer.Option("--indicator", help="要公开的指标代码（可重复）；默认为全部有审定数据的指标。")] = None,
    tasks: Annotated[bool, typer.Option("--tasks", help="公开重点任务经审核的进展。")] = False,
    projects: Annotated[bool, typer.Option("--projects", help="公开重大项目经审核的进展。")] = False,
    warnings: Annotated[bool, typer.Option("--warnings", help="公开进度滞后的指标清单。")] = False,
    report: Annotated[list[str] | None, typer.Option("--report", help="以 PDF 公开的报告，写作“类型:年份”，如 annual:2024（年度）、midterm:2024（中期）、final:2025（总结），可重复。")] = None,
    office: Annotated[str | None, typer.Option("--office", help="每页印出的发布机关；默认沿用上次发布的，没有时为发文机关。")] = None,
    note: Annotated[str, typer.Option("--note", help="本次发布的公开说明。")] = "",
    db: DbOption = None,
) -> None:
    """提议一次发布；由另一人审批（planwatch publication approve）。"""
    from planwatch.services import publishing
    from planwatch.services.public_snapshot import PublicationScope

    reports = []
    for value in report or []:
        kind, _, number = value.replace("：", ":").partition(":")
        try:
            reported_year = read_year(number, "--report")
        except FieldRefused:
            reported_year = None
        if reported_year is None:
            raise fail(f"--report：应为“类型:年份”（如 annual:2024），实际为「{value}」")
        reports.append((kind, reported_year))
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
def approve(decision_id: Annotated[int, typer.Argument(help="提议的编号。")], as_user: Person,
            db: DbOption = None) -> None:
    """审批他人提出的发布提议：审批后内容出现在公开网站上。"""
    from planwatch.services import publishing

    with open_database(db) as database, reported(), database.session() as session:
        actor = acting_user(session, as_user)
        assert actor is not None
        decision = publishing.approve(session, actor, decision_id)
        out.print(f"已公开：第 {decision.number} 次发布（{decision.snapshot['decision']['date']}）", highlight=False)


@publication_app.command()
def reject(decision_id: Annotated[int, typer.Argument(help="提议的编号。")], as_user: Person,
           reason: Reason, db: DbOption = None) -> None:
    """退回发布提议（或撤回自己的提议）；不公开任何内容。"""
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
    indicator: Annotated[str | None, typer.Option("--indicator", help="撤回这个指标（代码）。")] = None,
    report: Annotated[str | None, typer.Option("--report", help="撤回这份报告（文件名，如 annual-2024.pdf）。")] = None,
    part: Annotated[str | None, typer.Option("--part", help="撤回 tasks（重点任务）、projects（重大项目）或 warnings（预警）。")] = None,
    whole_plan: Annotated[bool, typer.Option("--whole-plan", help="撤回该规划公开的全部内容。")] = False,
    db: DbOption = None,
) -> None:
    """立即从公开网站撤回一项内容；网站注明撤回了什么、何时撤回。"""
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
    """删除超过声明保存期限的联系方式（每天运行一次，如由 cron 调用）。"""
    from planwatch.services import opinions

    with open_database(db) as database, reported(), database.session() as session:
        count = opinions.expire_contacts(session)
    out.print(f"已删除到期的联系方式 {count} 条", highlight=False)


@opinions_app.command()
def retention(days: Annotated[int, typer.Argument(help="同意留下联系方式的意见人的联系方式保存天数。")],
              as_user: Annotated[str | None, typer.Option("--as", help="管理员（登录名）。")] = None,
              db: DbOption = None) -> None:
    """声明联系方式的保存期限；意见表单向公众说明这一期限。"""
    from planwatch.services import opinions

    with open_database(db) as database, reported(), database.session() as session:
        opinions.set_contact_retention(session, acting_user(session, as_user), days)
    out.print(f"联系方式保存期限：{days} 天", highlight=False)
