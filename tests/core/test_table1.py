"""The paper's Table 1 as printed: its own structure, and its link to the layer walk."""

from gnet_lib.core.layers import layer_table
from gnet_lib.core.table1 import TABLE_1


def test_the_depth_column_adds_up_to_the_papers_22_layers():
    # "The network is 22 layers deep when counting only layers with parameters" (section 5)
    assert sum(row.depth for row in TABLE_1) == 22


def test_nine_inception_rows_each_two_layers_deep_with_six_widths():
    inceptions = [row for row in TABLE_1 if row.type.startswith("inception")]
    assert [row.type[11:13] for row in inceptions] == ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]
    for row in inceptions:
        widths = (row.n1x1, row.n3x3_reduce, row.n3x3, row.n5x5_reduce, row.n5x5, row.pool_proj)
        assert row.depth == 2 and all(w.isdigit() for w in widths)


def test_an_inception_rows_output_depth_is_its_four_branch_widths():
    for row in TABLE_1:
        if row.type.startswith("inception"):
            channels = int(row.output.split("x")[2])
            assert channels == int(row.n1x1) + int(row.n3x3) + int(row.n5x5) + int(row.pool_proj), row.type


def test_every_row_names_layers_the_walk_has():
    names = {r.name for r in layer_table("inception-v1").layer_rows}
    linked = [name for row in TABLE_1 for name in row.ours]
    assert linked and all(name in names for name in linked)
    assert len(linked) == len(set(linked))  # no layer stands in two rows
