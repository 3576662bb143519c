from gnet_lib.core.tables import Table, format_cell, half_up


def test_format_cell():
    assert format_cell(1234567) == "1,234,567"
    assert format_cell((64, 56, 56)) == "64x56x56"
    assert format_cell(None) == "" and format_cell(True) == "yes"
    assert format_cell(0.12345) == "0.1235"
    assert format_cell(1.0, ".3f") == "1.000" and format_cell(1.1, ".3f") == "1.100"
    assert format_cell(6_998_552, ".2f") == "6,998,552"  # a format is for the column's floats


def test_half_up_rounds_a_half_up_not_to_even():
    assert f"{0.5625:.3f}" == "0.562" and round(0.5625, 3) == 0.562  # what Python does (a half to even)
    assert half_up(0.5625) == "0.563" and half_up(9 / 16) == "0.563"
    assert half_up((0.625 + 0.6) / 2) == "0.613" and half_up(0.6) == "0.600" and half_up(0.0625, 2) == "0.06"
    assert half_up(0.0655, 3) == "0.066" and half_up(1 / 3) == "0.333"


def test_a_column_format_applies_to_every_row():
    t = Table(("x", "ratio"), [{"x": "a", "ratio": 1.0}, {"x": "b", "ratio": 1.1}, {"x": "c", "ratio": 0.9995}],
              formats={"ratio": ".3f"})
    assert [line.split()[-1] for line in t.to_text().splitlines()[2:]] == ["1.000", "1.100", "1.000"]
    assert '<td class="num">1.100</td>' in t._repr_html_()


def test_text_alignment_and_where():
    t = Table(("a", "b"), [{"a": "x", "b": 10}, {"a": "yy", "b": 2000}], title="T", notes=["n"])
    lines = t.to_text().splitlines()
    assert lines[0] == "T" and lines[-1] == "n"
    assert lines[3].endswith("   10") and lines[4].endswith("2,000")
    assert t.where(a="yy") == [{"a": "yy", "b": 2000}]
    assert t.column("b") == [10, 2000]


def test_html_marks_numbers_for_right_alignment_and_keeps_cells_apart():
    t = Table(("block", "params", "share"), [{"block": "4a", "params": 5179402, "share": "12%"},
                                             {"block": "4b", "params": None, "share": "-0.25"}])
    html = t._repr_html_()
    assert html.startswith('<table class="gnet-table">')
    assert '<th class="num">params</th>' in html and "<th>block</th>" in html and "<th>share</th>" in html
    assert '<td class="num">5,179,402</td>' in html and '<td class="num">-0.25</td>' in html
    assert "<td>4a</td>" in html and "<td>12%</td>" in html
