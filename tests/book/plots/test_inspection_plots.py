"""Figures of a trained model: drawn from tensors, with the counts and titles they are given."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from gnet_lib.book.plots.inspection import branch_map_grid, confusion_heatmap, image_grid
from gnet_lib.book.plots.layout import overlapping_texts, texts_over_other_axes


def test_confusion_heatmap_writes_every_count():
    fig = confusion_heatmap(torch.tensor([[5, 1], [2, 7]]), ["cat", "dog"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["5", "1", "2", "7"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["cat", "dog"]


def test_image_grid_and_branch_maps_draw_one_panel_per_item():
    images = torch.randint(0, 256, (3, 3, 8, 8), dtype=torch.uint8)
    fig = image_grid(images, ["a", "b", "c"], columns=2)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["a", "b", "c"]
    maps = {name: torch.rand(3, 4, 4) for name in ("b1x1", "b3x3")}
    fig = branch_map_grid(images, maps, "3a")
    assert len(fig.axes) == 9 and fig.axes[1].get_title() == "3a / b1x1"


@pytest.mark.parametrize("lines", [1, 2, 3])
def test_image_grid_titles_never_run_into_the_images_above(lines):
    # the chapter's surest mistakes: 12 images in two rows, a title of two lines
    # ("automobile 100%" over "(is truck)"); longer and shorter titles get rows to fit them
    images = torch.randint(0, 256, (12, 3, 32, 32), dtype=torch.uint8)
    titles = ["\n".join(["automobile 100%", "(is truck)", "third line"][:lines])] * 12
    fig = image_grid(images, titles)
    assert texts_over_other_axes(fig) == []
    assert overlapping_texts(fig) == []


def test_image_grid_wants_one_title_per_image():
    with pytest.raises(ValueError, match="one title per image"):
        image_grid(torch.zeros(2, 3, 4, 4, dtype=torch.uint8), ["a"])


def test_augmentation_grid_labels_every_row_and_nothing_collides():
    from gnet_lib.book.plots.augmentation import augmentation_grid
    from gnet_lib.training.data.recipe_views import stage_views
    from gnet_lib.training.settings.recipes import RECIPES

    # the chapter's figure: one image of each of CIFAR-10's ten classes, every stage of both recipes
    images = torch.randint(0, 256, (10, 3, 32, 32), dtype=torch.uint8)
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    views = stage_views(images, RECIPES)
    fig = augmentation_grid(images, classes, views)
    assert len(fig.axes) == 10 * (1 + len(views))
    assert [fig.axes[10 * row].get_ylabel() for row in range(1 + len(views))] == ["original", *views]
    assert [ax.get_title() for ax in fig.axes[:10]] == classes
    flipped = [ax.get_title() == "flipped" for ax in fig.axes[10:20]]
    assert flipped == next(iter(views.values())).flipped
    assert overlapping_texts(fig) == [] and texts_over_other_axes(fig) == []
    with pytest.raises(ValueError, match="one title and one view"):
        augmentation_grid(images, classes[:3], views)
