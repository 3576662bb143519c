from gnet_lib.core.tables import Table, format_cell


def test_format_cell():
    assert format_cell(1234567) == "1,234,567"
    assert format_cell((64, 56, 56)) == "64x56x56"
    assert format_cell(None) == "" and format_cell(True) == "yes"
    assert format_cell(0.12345) == "0.1235"


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
