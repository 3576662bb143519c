"""What a recipe does to its training images: the views its batch stream makes, epoch by epoch."""

from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from gnet_lib.training.data.recipe_views import one_per_class, stage_views, stages, training_views
from gnet_lib.training.settings.recipes import RECIPES


def _images(n=8, side=32):
    return torch.randint(0, 256, (n, 3, side, side), generator=torch.Generator().manual_seed(3), dtype=torch.uint8)


def test_one_per_class_mixes_a_split_sorted_by_class():
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])  # sorted, as the JPEG mirror's files are
    assert one_per_class(labels, 3) == [0, 3, 5]
    with pytest.raises(ValueError, match="no image of class 3"):
        one_per_class(labels, 4)


def test_stages_follow_the_recipes_resize_stages():
    assert stages(RECIPES["seed"]) == [(1, RECIPES["seed"].epochs, None)]
    fast = RECIPES["fast"]
    (n16, s16), (n24, s24) = fast.resize_stages
    assert stages(fast) == [(1, n16, s16), (n16 + 1, n16 + n24, s24), (n16 + n24 + 1, fast.epochs, None)]


def test_seed_views_are_the_originals_or_their_mirror_images_as_marked():
    images = _images(64)
    view = training_views(images, RECIPES["seed"], epoch=0)
    originals = images.float() / 255
    for got, image, flipped in zip(view.images, originals, view.flipped):
        assert torch.allclose(got, image.flip(-1) if flipped else image, atol=1e-5)
    assert 16 < sum(view.flipped) < 48  # a fair coin per image
    later = training_views(images, RECIPES["seed"], epoch=1)
    assert later.flipped != view.flipped  # every epoch draws its flips again


def test_fast_views_are_scaled_to_the_stage_size():
    images = _images()
    for epoch, side in ((0, 16), (4, 24), (8, 32)):
        view = training_views(images, RECIPES["fast"], epoch)
        assert view.side == side and view.images.shape == (8, 3, side, side)
        mirrored = torch.stack([img.flip(-1) if f else img for img, f in zip(images.float() / 255, view.flipped)])
        expected = mirrored if side == 32 else F.interpolate(mirrored, size=(side, side), mode="bilinear", antialias=True,
                                                             align_corners=False).clamp(0, 1)
        assert torch.allclose(view.images, expected, atol=1e-4)


def test_flips_are_found_under_random_shifts_too():
    images = _images(200)
    shifted = replace(RECIPES["seed"], crop_padding=4)
    view = training_views(images, shifted, epoch=0)
    assert 60 < sum(view.flipped) < 140
    no_flip = training_views(images, replace(shifted, flip=False), epoch=0)
    assert not any(no_flip.flipped)


def test_stage_views_label_every_stage_of_every_recipe():
    views = stage_views(_images(4), RECIPES)
    assert list(views) == ["seed, epoch 1\n(32x32 for epochs 1-14)", "fast, epoch 1\n(16x16 for epochs 1-4)",
                           "fast, epoch 5\n(24x24 for epochs 5-8)", "fast, epoch 9\n(32x32 for epochs 9-11)"]
    one_epoch = replace(RECIPES["fast"], epochs=5, resize_stages=((4, 16),))
    assert list(stage_views(_images(2), {"short": one_epoch})) == ["short, epoch 1\n(16x16 for epochs 1-4)",
                                                                  "short, epoch 5\n(32x32 for epoch 5)"]
    # each row is its stage's first epoch, drawn by the same seed: the flips of that epoch's stream
    first_fast = views["fast, epoch 5\n(24x24 for epochs 5-8)"]
    assert first_fast.flipped == training_views(_images(4), RECIPES["fast"], epoch=4).flipped
    with pytest.raises(ValueError, match="not 11"):
        training_views(_images(2), RECIPES["fast"], epoch=11)
