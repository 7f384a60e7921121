from __future__ import annotations

from planwatch.web.views.highlight import Mark, highlight_text

LINES = [
    "二、发展目标",
    "到2025年，地区生产总值达到600亿元左右，森林覆盖率达到50%以上。",
    "经济发展\t1\t地区生产总值\t亿元\t412\t600左右",
]


def test_names_are_marked_inside_their_line() -> None:
    gdp = Mark(2, "地区生产总值", "ind-1")
    forest = Mark(2, "森林覆盖率", "ind-2")
    out = [highlight_text(LINES[0], []), highlight_text(LINES[1], [forest, gdp])]
    assert out[0][0].text == "二、发展目标" and out[0][0].mark is None
    assert [(s.text, s.mark.anchor if s.mark else None) for s in out[1]] == [
        ("到2025年，", None), ("地区生产总值", "ind-1"), ("达到600亿元左右，", None),
        ("森林覆盖率", "ind-2"), ("达到50%以上。", None),
    ]
    assert "".join(s.text for s in out[1]) == LINES[1]


def test_unfound_name_marks_the_whole_line_without_hiding_found_names() -> None:
    wrapped = Mark(3, "地区生产总值（亿元）", "ind-3")
    found = Mark(3, "地区生产总值", "ind-1")
    segments = highlight_text(LINES[2], [wrapped, found])
    assert [s.mark.anchor for s in segments if s.mark] == ["ind-1"]
    only_whole = highlight_text(LINES[2], [wrapped])
    assert len(only_whole) == 1 and only_whole[0].mark == wrapped and only_whole[0].text == LINES[2]


def test_a_text_without_marks_is_one_plain_segment() -> None:
    out = highlight_text(LINES[1], [])
    assert len(out) == 1 and out[0].mark is None and out[0].text == LINES[1]
