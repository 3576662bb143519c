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
