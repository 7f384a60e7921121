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
