from __future__ import annotations

from planwatch.web.highlight import Mark, highlight_lines

LINES = [
    "二、发展目标",
    "到2025年，地区生产总值达到600亿元左右，森林覆盖率达到50%以上。",
    "经济发展\t1\t地区生产总值\t亿元\t412\t600左右",
]


def test_names_are_marked_inside_their_line() -> None:
    gdp = Mark(2, "地区生产总值", "ind-1")
    forest = Mark(2, "森林覆盖率", "ind-2")
    out = highlight_lines(LINES, [forest, gdp])
    assert out[0][0].text == "二、发展目标" and out[0][0].mark is None
    assert [(s.text, s.mark.anchor if s.mark else None) for s in out[1]] == [
        ("到2025年，", None), ("地区生产总值", "ind-1"), ("达到600亿元左右，", None),
        ("森林覆盖率", "ind-2"), ("达到50%以上。", None),
    ]
    assert "".join(s.text for s in out[1]) == LINES[1]


def test_unfound_name_marks_the_whole_line_without_hiding_found_names() -> None:
    wrapped = Mark(3, "地区生产总值（亿元）", "ind-3")
    found = Mark(3, "地区生产总值", "ind-1")
    segments = highlight_lines(LINES, [wrapped, found])[2]
    assert [s.mark.anchor for s in segments if s.mark] == ["ind-1"]
    only_whole = highlight_lines(LINES, [wrapped])[2]
    assert len(only_whole) == 1 and only_whole[0].mark == wrapped and only_whole[0].text == LINES[2]


def test_marks_outside_the_text_are_ignored() -> None:
    out = highlight_lines(LINES, [Mark(0, "x", "a"), Mark(9, "y", "b")])
    assert all(len(line) == 1 and line[0].mark is None for line in out)
