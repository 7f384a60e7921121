"""Units named after tasks become responsibilities by role."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.extract.tasks import units_by_role
from tests.unit.extract_helpers import extract_text, plan_text


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("责任单位：区发展改革委、区统计局", {"责任": ["区发展改革委", "区统计局"]}),
        ("牵头单位：区教委；配合单位：区财政局、区人力社保局",
         {"牵头": ["区教委"], "配合": ["区财政局", "区人力社保局"]}),
        ("区卫生健康委牵头，区医保局、各镇街配合", {"牵头": ["区卫生健康委"], "配合": ["区医保局"]}),
        ("区民政局负责", {"责任": ["区民政局"]}),
        ("2021—2025年", {}),
        ("含中药饮片", {}),
    ],
)
def test_units_by_role(note: str, expected: dict[str, list[str]]) -> None:
    assert units_by_role(note) == expected


def test_tasks_of_a_plan(tmp_path: Path) -> None:
    body = """三、主要任务

（一）提升基层医疗服务能力。（牵头单位：区卫生健康委；配合单位：区财政局）

1．建设县域医共体。推进紧密型医共体建设，实现镇街全覆盖。（区卫生健康委负责）
"""
    result = extract_text(tmp_path, plan_text("卫生健康发展规划（2021—2025年）", body))
    got = [(t.title, t.lead, t.responsible, t.support) for t in result.tasks]
    assert got == [("提升基层医疗服务能力", ("区卫生健康委",), (), ("区财政局",)),
                   ("建设县域医共体", (), ("区卫生健康委",), ())]
    lines = plan_text("卫生健康发展规划（2021—2025年）", body).splitlines()
    assert "县域医共体" in lines[result.tasks[1].line - 1]
