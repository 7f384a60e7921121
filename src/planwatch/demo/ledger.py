"""The demo plan's task ledger in use: annual investment plans and milestones for its major
projects, and each responsible unit's yearly progress reports on its tasks and projects.

The story the reports tell is chosen so that every part of the ledger page and of the
assessment has something to show: one task reported 滞后 two years running, one task that
misses its deadline, projects finished on plan, and one hospital project whose investment
falls well behind its annual plan (投资落后) while its milestones slip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import ledger_edits, ledger_progress
from planwatch.services.ledger_progress import LedgerInput
from planwatch.store.models import Assignment, Milestone, OrgUnit, Project, ProjectUnit, Task, User

__all__ = ["ProjectPlan", "TaskStory", "plan_projects", "report_year"]


@dataclass(frozen=True, slots=True)
class TaskStory:
    """What a task's units report each year: (status, percent complete, what was done)."""

    years: dict[int, tuple[str, float, str]]
    target_values: dict[str, dict[int, float]] | None = None  # TaskTarget name → year → value reached
    milestones: tuple[tuple[str, str, int], ...] = ()  # (title, due YYYY-MM, year reached or 0)


@dataclass(frozen=True, slots=True)
class ProjectPlan:
    """A project's annual investment plan, milestones and what was actually invested each year (万元)."""

    annual_plan: dict[int, float]
    invested: dict[int, float]
    milestones: tuple[tuple[str, str, int], ...]  # (title, due YYYY-MM, year reached or 0 = not yet)


TASKS: dict[str, TaskStory] = {
    "推动产业转型升级": TaskStory({
        2021: ("in_progress", 20, "印发产业转型升级三年行动计划，建立重点产业链链长制"),
        2022: ("in_progress", 40, "完成12家传统企业智能化改造"),
        2023: ("in_progress", 60, "新认定市级智能工厂3家、数字化车间8个"),
        2024: ("in_progress", 80, "战略性新兴产业产值占规上工业比重提高到31%"),
        2025: ("in_progress", 90, "推进产业链招商，签约项目16个")}),
    "壮大先进制造业": TaskStory(
        {2021: ("in_progress", 20, "编制先进制造业集群培育方案，引进装备制造项目5个"),
         2022: ("in_progress", 35, "规上工业产值610亿元，汽车零部件集群产值突破百亿"),
         2023: ("behind", 45, "受龙头企业减产影响，规上工业产值增速回落，第二个百亿级集群未如期形成"),
         2024: ("behind", 55, "规上工业产值680亿元，距800亿元目标仍有较大差距"),
         2025: ("behind", 65, "新能源材料集群产值约85亿元，仍未达到百亿级")},
        target_values={"规模以上工业产值": {2021: 575, 2022: 610, 2023: 640, 2024: 680, 2025: 720},
                       "百亿级产业集群": {2021: 0, 2022: 1, 2023: 1, 2024: 1, 2025: 1}},
        milestones=(("印发先进制造业集群培育方案", "2021-06", 2021), ("首个百亿级产业集群形成", "2022-12", 2022),
                    ("第二个百亿级产业集群形成", "2024-06", 0), ("建成3个百亿级产业集群", "2025-12", 0))),
    "发展现代服务业": TaskStory({
        2021: ("in_progress", 25, "出台商贸物流业发展扶持办法"),
        2022: ("in_progress", 45, "城南物流园一期投入运营"),
        2023: ("in_progress", 70, "创建国家4A级旅游景区1个"),
        2024: ("completed", 100, "服务业增加值占比达到52.6%，年度目标全部完成"),
        2025: ("completed", 100, "巩固提升，转入常态化推进")}),
    "提升城乡融合水平": TaskStory(
        {2021: ("in_progress", 20, "完成“四好农村路”45公里"),
         2022: ("in_progress", 40, "累计完成“四好农村路”90公里、危桥改造5座"),
         2023: ("behind", 50, "受汛期影响，危桥改造进度滞后"),
         2024: ("in_progress", 75, "累计完成“四好农村路”160公里、危桥改造11座"),
         2025: ("in_progress", 85, "剩余路段正在施工，危桥改造尚余2座")},
        target_values={"“四好农村路”里程": {2021: 45, 2022: 90, 2023: 118, 2024: 160, 2025: 182},
                       "改造提升农村公路危桥": {2021: 2, 2022: 5, 2023: 7, 2024: 11, 2025: 13}}),
}

PROJECTS: dict[str, ProjectPlan] = {
    "青川智能制造产业园基础设施工程": ProjectPlan(
        {2021: 20000, 2022: 24000, 2023: 26000, 2024: 28000, 2025: 22000},
        {2021: 19500, 2022: 23800, 2023: 25600, 2024: 26500, 2025: 12000},
        (("开工建设", "2021-03", 2021), ("一期标准厂房竣工", "2022-12", 2022), ("园区道路管网完工", "2024-06", 2024),
         ("竣工验收", "2025-12", 0))),
    "城南污水处理厂扩建工程": ProjectPlan(
        {2022: 11000, 2023: 15000, 2024: 10000},
        {2022: 10500, 2023: 14800, 2024: 10700},
        (("开工建设", "2022-04", 2022), ("主体工程完工", "2023-12", 2023), ("通水试运行", "2024-09", 2024),
         ("竣工验收", "2024-12", 2024))),
    "区人民医院新院区建设工程": ProjectPlan(
        {2023: 15000, 2024: 25000, 2025: 20000},
        {2023: 6000, 2024: 9000, 2025: 7000},
        (("开工建设", "2023-05", 2023), ("主体结构封顶", "2024-10", 0), ("竣工投用", "2025-12", 0))),
    "青峰镇农村公路提升工程": ProjectPlan(
        {2021: 8000, 2022: 9000, 2023: 7000},
        {2021: 7600, 2022: 9000, 2023: 7400},
        (("开工建设", "2021-04", 2021), ("主线路面贯通", "2022-10", 2022), ("竣工验收", "2023-11", 2023))),
}


def plan_projects(session: Session, actor: User, plan_id: int) -> None:
    """The evaluation group's ledger edits at the start of the plan period: annual investment
    plans and milestones for the projects, milestones for the tasks that have them."""
    for project in session.scalars(select(Project).where(Project.plan_id == plan_id).order_by(Project.line)):
        if (story := PROJECTS.get(project.name)) is not None:
            ledger_edits.edit_project(session, actor, project.id,
                                      ledger_edits.ProjectFields(annual_investment=story.annual_plan))
            ledger_edits.set_milestones(session, actor, "project", project.id, [(t, d) for t, d, _ in story.milestones])
    for task in session.scalars(select(Task).where(Task.plan_id == plan_id).order_by(Task.line)):
        if (told := TASKS.get(task.title)) is not None and told.milestones:
            ledger_edits.set_milestones(session, actor, "task", task.id, [(t, d) for t, d, _ in told.milestones])


def report_year(session: Session, actor: User, plan_id: int, period_id: int, year: int, unit: OrgUnit) -> list[int]:
    """Submit the unit's progress on each task and project it is responsible for; the report ids.
    ``actor`` is the unit's clerk, or the monitoring group entering for a unit without one."""
    ids: list[int] = []
    for task in session.scalars(select(Task).join(Assignment, Assignment.task_id == Task.id).where(
            Task.plan_id == plan_id, Assignment.org_unit_id == unit.id).order_by(Task.line)):
        story = TASKS.get(task.title)
        if story is None or year not in story.years:
            continue
        status, percent, progress = story.years[year]
        values = {t.id: v[year] for t in task.targets
                  if (v := (story.target_values or {}).get(t.name)) is not None and year in v}
        ids.append(ledger_progress.report_progress(session, actor, period_id=period_id, task_id=task.id,
                                                   org_unit_id=unit.id, submit=True, values=LedgerInput(
            status, progress, percent, target_values=tuple(values.items()),
            milestones_reached=_reached(task.milestones, story.milestones, year))).id)
    for project in session.scalars(select(Project).join(ProjectUnit, ProjectUnit.project_id == Project.id).where(
            Project.plan_id == plan_id, ProjectUnit.org_unit_id == unit.id).order_by(Project.line)):
        if (plan := PROJECTS.get(project.name)) is not None:
            ids.append(ledger_progress.report_progress(session, actor, period_id=period_id, project_id=project.id,
                                                       org_unit_id=unit.id, submit=True,
                                                       values=_project_input(project, plan, year)).id)
    return ids


def _project_input(project: Project, plan: ProjectPlan, year: int) -> LedgerInput:
    cumulative = sum(amount for y, amount in plan.invested.items() if y <= year)
    reached = _reached(project.milestones, plan.milestones, year)
    if not cumulative:
        return LedgerInput("not_started", "项目前期工作", 0, investment_period=0, investment_cumulative=0)
    finished = len(reached) == len(plan.milestones)
    planned = sum(amount for y, amount in plan.annual_plan.items() if y <= year)
    status = "completed" if finished else "behind" if cumulative < 0.8 * planned else "in_progress"
    progress = (f"本年完成投资 {plan.invested.get(year, 0):,.0f} 万元（年度计划 {plan.annual_plan.get(year, 0):,.0f} 万元），"
                f"累计 {cumulative:,.0f} 万元")
    return LedgerInput(status, progress, 100 if finished else round(100 * cumulative / sum(plan.annual_plan.values())),
                       investment_period=plan.invested.get(year, 0), investment_cumulative=cumulative,
                       milestones_reached=reached)


def _reached(stored: Sequence[Milestone], told: tuple[tuple[str, str, int], ...], year: int) -> tuple[int, ...]:
    """Ids of the stored milestones the story says were reached by the end of ``year``."""
    by_title = {title: reached for title, _, reached in told}
    return tuple(m.id for m in stored if 0 < by_title.get(m.title, 0) <= year)
