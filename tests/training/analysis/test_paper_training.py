"""The paper's training and testing protocol as data: crops, test crops, results tables."""

import pytest
import torch

from gnet_lib.training.analysis.paper_training import (
    ILSVRC_CLASSIFICATION,
    TESTING_BREAKDOWN,
    breakdown_table,
    channel_stats,
    classification_table,
    crop_defaults_table,
    ensemble_macs,
    evaluation_crops,
    input_stats_table,
    normalised_stats,
    protocol_table,
    reductions_table,
    resized_size,
    squares,
    torchvision_crop_defaults,
    views,
)
from gnet_lib.training.settings.recipes import RECIPES, get_recipe


def test_torchvision_crop_defaults_are_the_papers_ranges():
    defaults = torchvision_crop_defaults()
    assert defaults["scale"] == pytest.approx((0.08, 1.0))
    assert defaults["ratio"] == pytest.approx((0.75, 4 / 3))
    assert crop_defaults_table().column("same") == [True, True]


def test_resizing_puts_the_shorter_side_at_the_scale():
    assert resized_size(500, 375, 256) == (341, 256)
    assert resized_size(375, 500, 352) == (352, 469)


def test_three_squares_across_the_longer_side():
    assert squares(341, 256) == [("left", 0, 0), ("centre", 42, 0), ("right", 85, 0)]
    assert [s[0] for s in squares(256, 341)] == ["top", "centre", "bottom"]


def test_six_views_of_a_square():
    names = [v[0] for v in views(256)]
    assert names == ["top-left", "top-right", "bottom-left", "bottom-right", "centre", "whole square"]
    assert views(256)[3] == ("bottom-right", 32, 32, 224)
    assert views(256)[4] == ("centre", 16, 16, 224)
    assert views(256)[5] == ("whole square", 0, 0, 256)


@pytest.mark.parametrize("size", [(500, 375), (375, 500), (300, 300)])
def test_144_crops_per_image_all_inside_the_resized_image(size):
    crops = evaluation_crops(*size)
    assert len(crops) == 4 * 3 * 6 * 2
    assert len({(c.scale, c.square, c.view, c.mirrored) for c in crops}) == 144
    assert sum(c.mirrored for c in crops) == 72
    for c in crops:
        w, h = resized_size(*size, c.scale)
        left, top, side = c.box
        assert 0 <= left and 0 <= top and left + side <= w and top + side <= h
        assert side == (c.scale if c.view == "whole square" else 224)


def test_ensemble_cost():
    assert ensemble_macs(1000, 144) == 1_008_000
    assert ensemble_macs(5, 10, models=1) == 50


def test_classification_table_as_printed_googlenet_first():
    assert len(ILSVRC_CLASSIFICATION) == 7 == len(classification_table())
    best = min(ILSVRC_CLASSIFICATION, key=lambda e: e.top5_error)
    assert (best.team, best.top5_error) == ("GoogLeNet", 6.67)
    places = {e.place: e.top5_error for e in ILSVRC_CLASSIFICATION if e.year == 2014}
    assert places["1st"] < places["2nd"] < places["3rd"]  # the 2014 ranking follows the errors


def test_claimed_reductions_beside_exact_ones():
    rows = {r["against"].split()[0]: r for r in reductions_table()}
    assert rows["SuperVision"]["computed reduction %"] == pytest.approx(100 * (15.3 - 6.67) / 15.3, abs=0.005)
    assert rows["Clarifai"]["computed reduction %"] == pytest.approx(100 * (11.2 - 6.67) / 11.2, abs=0.005)
    assert rows["SuperVision"]["claimed reduction %"] == 56.5


def test_breakdown_is_consistent_except_the_printed_last_difference():
    assert all(b.cost == b.models * b.crops for b in TESTING_BREAKDOWN)
    table = breakdown_table()
    assert table.column("consistent") == [True, True, True, True, True, False]
    last = table[-1]
    assert (last["printed vs base"], last["computed vs base"]) == (-3.45, pytest.approx(-3.40))
    assert table[1]["computed vs base"] == pytest.approx(-0.92)


def test_protocol_table_sets_the_paper_beside_each_recipe():
    table = protocol_table(RECIPES)
    assert table.columns == ("", "paper", "seed", "fast")
    rows = {r[""]: r for r in table}
    assert rows["momentum"]["paper"] == "0.9" and rows["momentum"]["fast"] == "0.9"
    assert rows["learning-rate schedule"]["paper"] == "x0.96 every 8 epochs"
    assert rows["learning-rate schedule"]["seed"] == "x0.7 after every epoch"
    assert rows["testing"]["paper"] == "7 models x 144 crops"


def test_channel_stats_on_known_images():
    images = torch.zeros(4, 3, 2, 2, dtype=torch.uint8)
    images[:, 0] = 255  # red always 1
    images[:2, 1] = 255  # green 1 in half the images, 0 in the others
    mean, std = channel_stats(images, chunk=3)
    assert mean == pytest.approx((1.0, 0.5, 0.0))
    assert std == pytest.approx((0.0, 0.5, 0.0), abs=1e-6)


def test_normalisation_of_channel_stats():
    mean, std = normalised_stats((0.5, 0.25, 1.0), (0.25, 0.5, 0.5), get_recipe("seed"))  # (x - 0.5) / 0.5
    assert mean == pytest.approx((0.0, -0.5, 1.0))
    assert std == pytest.approx((0.5, 1.0, 1.0))


def test_input_stats_table_per_channel_before_and_after():
    table = input_stats_table((0.5, 0.25, 1.0), (0.25, 0.5, 0.5), {"seed": get_recipe("seed")})
    assert table.columns == ("channel", "mean", "std", "seed: mean", "seed: std")
    assert table.column("channel") == ["red", "green", "blue"]
    assert table.column("seed: mean") == [0.0, -0.5, 1.0]
    assert table.column("seed: std") == [0.5, 1.0, 1.0]


def test_crop_gains_diminish_per_pass_but_not_in_points():
    from gnet_lib.training.analysis.paper_training import crop_gains

    rows = {(r["models"], r["crops"]): r for r in crop_gains().rows}
    one_to_ten, ten_to_all = rows[(1, "1 -> 10")], rows[(1, "10 -> 144")]
    assert one_to_ten["points gained"] == pytest.approx(0.92) and ten_to_all["points gained"] == pytest.approx(1.26)
    assert ten_to_all["points gained"] > one_to_ten["points gained"]
    assert ten_to_all["points per added pass"] < one_to_ten["points per added pass"] / 10
    assert rows[(7, "10 -> 144")]["added passes"] == 7 * 134


def test_the_quoted_torchvision_figures_are_the_installed_weights_metadata():
    """The installed torchvision carries the published figures in its weights' metadata (reading it
    downloads nothing): the quote in gnet_lib.core.published must be exactly those."""
    from torchvision.models import GoogLeNet_Weights

    from gnet_lib.core.published import TORCHVISION_GOOGLENET

    weights = GoogLeNet_Weights.IMAGENET1K_V1
    metrics = weights.meta["_metrics"]["ImageNet-1K"]
    assert (TORCHVISION_GOOGLENET.top1_accuracy, TORCHVISION_GOOGLENET.top5_accuracy) == (metrics["acc@1"], metrics["acc@5"])
    preset = weights.transforms()
    assert (list(preset.resize_size), list(preset.crop_size)) == ([256], [224])
    assert "256" in TORCHVISION_GOOGLENET.evaluation and "224" in TORCHVISION_GOOGLENET.evaluation


def test_single_crop_table_sets_the_papers_error_beside_torchvisions():
    from gnet_lib.core.published import TORCHVISION_GOOGLENET
    from gnet_lib.training.analysis.paper_training import single_crop_table

    paper, tv = single_crop_table().rows
    assert (paper["top-5 error %"], paper["top-5 accuracy %"], paper["top-1 error %"]) == ("10.07", "89.93", None)
    assert (tv["top-1 accuracy %"], tv["top-1 error %"]) == ("69.778", "30.222")
    assert (tv["top-5 accuracy %"], tv["top-5 error %"]) == ("89.53", "10.47")
    # the two rows differ in the network and the crop, not the images: one note says so, no column sets them apart
    table = single_crop_table()
    assert "images" not in table.columns
    assert table.column("crop") == ["1 crop (which one, not said)", TORCHVISION_GOOGLENET.evaluation]
    assert "both on the same 50,000 validation images" in table.notes[-1]


def test_network_differences_match_torchvisions_own_model():
    import torchvision

    from gnet_lib.training.analysis.paper_training import network_differences

    model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    rows = {r[""]: (r["paper"], r["torchvision"]) for r in network_differences().rows}
    assert len(norms) == len(convs) and rows["batch norm after every convolution"] == ("no", "yes")
    assert all(c.bias is None for c in convs) and rows["convolution biases"] == ("yes", "no")
    assert model.inception3a.branch3[1].conv.kernel_size == (3, 3) and rows['kernel of the "5x5" branch'] == ("5x5", "3x3")
    assert rows["dropout before the classifier"] == (0.4, model.dropout.p)
    assert rows["parameters"][1] == sum(p.numel() for p in model.parameters())
    assert rows["local response normalisation layers"] == (2, 0)
