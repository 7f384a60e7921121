"""The web app's words in Chinese (default) and English.

Users read Chinese; English is there for visitors and the technical team. The catalogue is a
plain dict per language, so a missing translation is a test failure rather than a runtime
surprise, and templates call ``t("key")`` without knowing which language is active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_COOKIE", "MESSAGES", "Translator", "negotiate_language"]

DEFAULT_LANGUAGE: Final = "zh"
LANGUAGES: Final = ("zh", "en")
LANGUAGE_COOKIE: Final = "planwatch_lang"

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "app.title": "规划实施监测评估平台",
        "app.short": "规划监测",
        "nav.dashboard": "总览",
        "nav.plans": "规划",
        "nav.entry": "数据填报",
        "nav.review": "审核",
        "nav.documents": "文件",
        "nav.api": "接口文档",
        "nav.login": "登录",
        "nav.logout": "退出",
        "nav.language": "English",
        "nav.menu": "菜单",
        "login.title": "用户登录",
        "login.login": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码错误",
        "login.throttled": "登录失败次数过多，请 {seconds} 秒后再试",
        "logout.done": "已退出登录",
        "error.title": "出错了",
        "error.back": "返回首页",
        "error.csrf": "表单已过期或来源不明，请刷新页面后重试",
        "error.forbidden": "无权执行此操作",
        "error.not_found": "页面不存在",
        "error.login_required": "请先登录",
        "user.role": "角色",
        "user.unit": "单位",
        "common.none": "无",
        "common.save": "保存",
        "common.submit": "报送",
        "common.filter": "筛选",
        "common.all": "全部",
        "common.select_all": "全选",
        "common.comment": "意见",
        "common.status": "状态",
        "common.year": "年份",
        "common.value": "数值",
        "common.unit": "计量单位",
        "common.name": "名称",
        "common.domain": "领域",
        "common.org_unit": "责任单位",
        "common.chart_missing": "图表组件未安装，以表格显示。",
        "common.count": "数量",
        "common.actions": "操作",
        "common.note": "备注",
        "common.source": "数据来源",
        "common.empty": "暂无数据",
        "dashboard.title": "监测总览",
        "dashboard.year": "评估年份",
        "dashboard.indicators": "指标总数",
        "dashboard.binding": "约束性",
        "dashboard.binding_short": "约束性",
        "dashboard.binding_done": "约束性指标完成",
        "dashboard.warnings": "预警指标",
        "dashboard.status": "指标状态分布",
        "dashboard.reason": "预警原因",
        "dashboard.completeness": "各单位填报完整度",
        "dashboard.reported": "已报送",
        "dashboard.share": "完整度",
        "dashboard.no_plan": "尚未导入规划",
        "plan.outline": "规划纲要",
        "plan.indicators": "指标",
        "plan.current": "最新值",
        "indicator.facts": "指标信息",
        "indicator.attribute": "属性",
        "indicator.completion": "完成进度",
        "indicator.schedule": "时间进度",
        "indicator.chart": "指标走势",
        "indicator.source": "原文出处",
        "indicator.open_document": "在原文中查看",
        "indicator.history": "数据记录与审计",
        "indicator.when": "时间",
        "indicator.who": "操作人",
        "indicator.old": "原值",
        "indicator.new": "新值",
        "entry.period": "报告期",
        "entry.no_open_period": "当前没有开放填报的报告期",
        "entry.nothing_assigned": "本单位在此报告期没有需要填报的指标",
        "entry.returned_because": "退回意见",
        "entry.saved": "已保存",
        "entry.submitted": "已报送，等待审核",
        "review.previous": "上期值",
        "review.submitted_by": "报送人",
        "review.comment_hint": "退回时必须填写意见",
        "review.approve": "审核通过",
        "review.return": "退回",
        "review.empty": "没有待审核的数据",
        "review.approved": "已审核通过 {count} 条",
        "review.returned": "已退回 {count} 条",
        "review.nothing_selected": "请先勾选要处理的数据",
        "document.marked": "已标出 {count} 处提取的指标",
        "dashboard.reports": "报告下载",
        "report.annual": "年度监测报告",
        "report.midterm": "中期评估报告",
        "report.final": "总结评估报告",
        "chart.actual": "实际值",
        "chart.baseline": "基期值",
        "chart.target": "目标值",
        "chart.required": "要求进度",
        "chart.projection": "趋势预测",
    },
    "en": {
        "app.title": "Plan Implementation Monitoring and Evaluation",
        "app.short": "PlanWatch",
        "nav.dashboard": "Dashboard",
        "nav.plans": "Plans",
        "nav.entry": "Data entry",
        "nav.review": "Review",
        "nav.documents": "Documents",
        "nav.api": "API docs",
        "nav.login": "Log in",
        "nav.logout": "Log out",
        "nav.language": "中文",
        "nav.menu": "Menu",
        "login.title": "Log in",
        "login.login": "User name",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong user name or password",
        "login.throttled": "Too many failed log-ins; try again in {seconds} seconds",
        "logout.done": "You are logged out",
        "error.title": "Something went wrong",
        "error.back": "Back to the dashboard",
        "error.csrf": "The form has expired or did not come from this site; reload the page and try again",
        "error.forbidden": "You may not do this",
        "error.not_found": "Page not found",
        "error.login_required": "Please log in first",
        "user.role": "Role",
        "user.unit": "Unit",
        "common.none": "none",
        "common.save": "Save",
        "common.submit": "Submit",
        "common.filter": "Filter",
        "common.all": "All",
        "common.select_all": "Select all",
        "common.comment": "Comment",
        "common.status": "Status",
        "common.year": "Year",
        "common.value": "Value",
        "common.unit": "Unit of measure",
        "common.name": "Name",
        "common.domain": "Domain",
        "common.org_unit": "Responsible unit",
        "common.chart_missing": "The chart library is not installed; showing a table.",
        "common.count": "Count",
        "common.actions": "Actions",
        "common.note": "Note",
        "common.source": "Source",
        "common.empty": "No data yet",
        "dashboard.title": "Monitoring dashboard",
        "dashboard.year": "Evaluation year",
        "dashboard.indicators": "Indicators",
        "dashboard.binding": "Binding",
        "dashboard.binding_short": "binding",
        "dashboard.binding_done": "Binding indicators completed",
        "dashboard.warnings": "Warnings",
        "dashboard.status": "Status distribution",
        "dashboard.reason": "Reason",
        "dashboard.completeness": "Reporting completeness by unit",
        "dashboard.reported": "Reported",
        "dashboard.share": "Completeness",
        "dashboard.no_plan": "No plan has been imported yet",
        "plan.outline": "Outline",
        "plan.indicators": "Indicators",
        "plan.current": "Latest value",
        "indicator.facts": "Indicator",
        "indicator.attribute": "Attribute",
        "indicator.completion": "Completion",
        "indicator.schedule": "Time elapsed",
        "indicator.chart": "Trend",
        "indicator.source": "Source text",
        "indicator.open_document": "Show in the document",
        "indicator.history": "Data history and audit trail",
        "indicator.when": "When",
        "indicator.who": "Who",
        "indicator.old": "Old value",
        "indicator.new": "New value",
        "entry.period": "Reporting period",
        "entry.no_open_period": "No reporting period is open",
        "entry.nothing_assigned": "Your unit has nothing to report for this period",
        "entry.returned_because": "Returned because",
        "entry.saved": "Saved",
        "entry.submitted": "Submitted for review",
        "review.previous": "Previous",
        "review.submitted_by": "Submitted by",
        "review.comment_hint": "A comment is required to return values",
        "review.approve": "Approve",
        "review.return": "Return",
        "review.empty": "Nothing is waiting for review",
        "review.approved": "{count} value(s) approved",
        "review.returned": "{count} value(s) returned",
        "review.nothing_selected": "Tick the values to act on first",
        "document.marked": "{count} extracted indicators are marked",
        "dashboard.reports": "Reports",
        "report.annual": "Annual monitoring report",
        "report.midterm": "Mid-term evaluation report",
        "report.final": "Final evaluation report",
        "chart.actual": "Actual",
        "chart.baseline": "Baseline",
        "chart.target": "Target",
        "chart.required": "Required path",
        "chart.projection": "Projection",
    },
}


@dataclass(frozen=True, slots=True)
class Translator:
    """Looks words up in one language; templates get it as ``t``."""

    language: str

    def __call__(self, key: str, **values: object) -> str:
        text = MESSAGES[self.language].get(key) or MESSAGES[DEFAULT_LANGUAGE][key]
        return text.format(**values) if values else text

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.language == "zh" else "en"


def negotiate_language(cookie: str | None, accept_language: str | None) -> str:
    """The user's explicit choice (cookie) wins; then the browser's ordered preferences."""
    if cookie in LANGUAGES:
        return cookie
    for tag, _quality in _ranked(accept_language or ""):
        primary = tag.split("-", 1)[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _ranked(header: str) -> list[tuple[str, float]]:
    ranked: list[tuple[str, float]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((tag.lower(), quality))
    return sorted((item for item in ranked if item[1] > 0), key=lambda item: -item[1])
