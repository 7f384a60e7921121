"""The recall net: what looks like a target and gave no indicator is said, on its line, never dropped.

Every case is a plan written for the test; each asserts both sides — the target the readers
miss is diagnosed, and the passages the genre excludes (reviews of past work, task chapters,
the 2035 vision) stay quiet, so that the diagnostics a clerk reads stay few.
"""

from __future__ import annotations

from pathlib import Path

from planwatch.extract.records import Extraction
from planwatch.extract.unread import target_figures
from tests.unit.extract_helpers import extract_text, plan_text

TITLE = "养老服务发展规划（2026—2030年）"


def _run(tmp_path: Path, body: str) -> Extraction:
    return extract_text(tmp_path, plan_text(TITLE, body))


def _diagnosed(result: Extraction) -> dict[int, str]:
    return {d.line: d.code for d in result.diagnostics}


def _line_of(body: str, fragment: str) -> int:
    lines = plan_text(TITLE, body).splitlines()
    return next(k for k, line in enumerate(lines, start=1) if fragment in line)


def test_target_figures_are_quantities_with_a_target_mark() -> None:
    assert target_figures("到2030年，护理型床位占比达到70%以上。") == ["70"]
    assert target_figures("建设5G基站，PM2.5浓度持续下降。") == []  # part of names
    assert target_figures("2025年末，全区常住人口为52万人。") == []  # a statistic: no target mark
    assert target_figures("2025年末，全区常住人口为52万人。", cued=False) == ["52"]
    assert target_figures("（1）新建养老院3所。") == ["3"]  # not the list number
    assert target_figures("社区养老服务站覆盖3/4以上的村。") == ["3/4"]  # a share as a fraction
    assert target_figures("三分之二的社区建成养老服务站。", cued=False) == ["三分之二"]
    assert target_figures("按1/2000比例尺测绘，约占三分之一。") == []  # a scale; a share with no target mark


def test_a_figure_left_in_a_goal_sentence_is_diagnosed(tmp_path: Path) -> None:
    """One target of the sentence read, another not (a figure no rule reads a quantity in): the sentence
    is shown."""
    body = ("一、发展目标\n"
            "到2030年，养老机构护理型床位占比达到70%以上，为老服务网络实现2级覆盖。\n"
            "二、主要任务\n"
            "（一）完善设施。到2030年新建社区食堂20家以上。\n")
    result = _run(tmp_path, body)
    assert {i.name for i in result.indicators} >= {"养老机构护理型床位占比"}
    line = _line_of(body, "到2030年，养老机构护理型床位占比")
    assert _diagnosed(result).get(line) == "goal_sentence"
    assert _line_of(body, "新建社区食堂") not in _diagnosed(result)  # a task's own quantity: the ledger's


def test_a_share_written_as_a_fraction_is_diagnosed_when_no_indicator_holds_it(tmp_path: Path) -> None:
    body = ("一、发展目标\n"
            "到2030年，社区养老服务站覆盖3/4以上的村，养老机构护理型床位占比达到70%以上。\n"
            "二、主要任务\n"
            "（一）完善设施。约三分之一的床位由社会力量举办。\n")
    result = _run(tmp_path, body)
    assert {i.name for i in result.indicators} >= {"养老机构护理型床位占比"}
    diagnosed = _diagnosed(result)
    assert diagnosed.get(_line_of(body, "覆盖3/4以上的村")) == "goal_sentence"
    assert _line_of(body, "约三分之一") not in diagnosed  # a task chapter's share with no target mark


def test_targets_stated_before_the_task_chapters_are_not_dropped(tmp_path: Path) -> None:
    """A goal outside any goals heading (总体要求) is shown; the review of past work is not."""
    body = ("一、发展基础\n"
            "“十四五”期间，全区新增养老床位1200张，护理型床位占比达到55%。\n"
            "二、总体要求\n"
            "（一）指导思想。坚持以人民为中心。\n"
            "（二）总体思路。到2030年，全区养老床位总数稳定在6000张以上，基本形成居家社区机构相协调的格局。\n"
            "三、主要任务\n"
            "（一）发展居家养老。到2030年，家庭养老床位达到1500张。\n")
    diagnosed = _diagnosed(_run(tmp_path, body))
    assert diagnosed.get(_line_of(body, "稳定在6000张以上")) == "goal_sentence"
    assert _line_of(body, "新增养老床位1200张") not in diagnosed
    assert _line_of(body, "家庭养老床位达到1500张") not in diagnosed


def test_a_table_of_targets_that_is_not_understood_is_diagnosed(tmp_path: Path) -> None:
    body = ("一、发展目标\n"
            "到2030年，养老服务体系更加健全。\n"
            "表1 养老服务发展目标\n"
            "机构养老\t护理型床位占比≥70%，医养结合机构占比≥45%\n"
            "社区养老\t助餐点≥120个，日间照料中心≥30个\n"
            "二、主要任务\n")
    result = _run(tmp_path, body)
    assert _diagnosed(result).get(_line_of(body, "机构养老\t")) == "unread_table"


def test_a_document_that_sets_goals_of_its_own_is_their_plan(tmp_path: Path) -> None:
    """An 实施意见 with a 文号 issues no plan; its own 主要目标 are still read."""
    text = ("云溪区人民政府关于加快发展银发经济的实施意见\n"
            "云溪府发〔2026〕6号\n"
            "各镇人民政府、街道办事处，区政府各部门：\n"
            "为加快发展银发经济，提出如下意见。\n"
            "一、主要目标\n"
            "到2028年，全区银发经济规模达到80亿元，培育银发经济龙头企业10家以上。\n"
            "二、重点任务\n"
            "（一）发展老年用品制造。新建产业园1个。\n"
            "云溪区人民政府\n"
            "2026年4月2日\n")
    result = extract_text(tmp_path, text)
    [plan] = result.plans
    assert (plan.title, plan.end_year) == ("云溪区人民政府关于加快发展银发经济的实施意见", 2028)
    got = {(i.name, i.targets[-1].value, i.targets[-1].year) for i in result.indicators}
    assert got == {("银发经济规模", 80.0, 2028), ("银发经济龙头企业", 10.0, 2028)}


def test_parts_are_chapters_of_the_outline(tmp_path: Path) -> None:
    """第一部分：发展基础 is a chapter: its achievements are a review, not targets."""
    body = ("第一部分：发展基础\n"
            "“十四五”期间，累计拆除违规广告1045块、招牌2598块。\n"
            "第二部分：发展目标\n"
            "到2030年，户外招牌设置审批率达到95%以上。\n")
    result = _run(tmp_path, body)
    assert [o.title for o in result.outline if o.rank == 1] == ["发展基础", "发展目标"]
    assert {i.name for i in result.indicators} == {"户外招牌设置审批率"}
    assert result.diagnostics == ()


def test_table_cells_left_on_lines_of_their_own_are_diagnosed(tmp_path: Path) -> None:
    """A table printed one cell per line whose header no reader knows leaves its cells as lines:
    the run of them is one diagnostic, on its first line."""
    body = ("一、发展目标\n"
            "方面\n现在\n以后\n"
            "机构养老\n护理型床位占比\n55%\n≥70%\n"
            "社区养老\n助餐点覆盖率\n80%\n≥95%\n"
            "二、主要任务\n")
    result = _run(tmp_path, body)
    assert _diagnosed(result).get(_line_of(body, "方面")) == "unread_table"
    assert len(result.diagnostics) == 1
