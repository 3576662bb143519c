"""Looking inside a model: predictions, the confusion matrix, mistakes, branch responses."""

import pytest
import torch

from gnet_lib import build_model
from gnet_lib.core.errors import UsageError
from gnet_lib.training.engine.inspection import (
    Predictions,
    branch_maps,
    confident_mistakes,
    confusion_matrix,
    normalise,
    predict,
)
from gnet_lib.training.settings.recipes import get_recipe

SEED = get_recipe("seed")


def test_normalise_matches_the_recipe():
    images = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1).expand(2, 3, 1, 1)
    out = normalise(images, SEED)  # mean 0.5, std 0.5: 0 -> -1, 255 -> 1
    assert torch.allclose(out[:, 0, 0, 0], torch.tensor([-1.0, 1.0]))


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    p = Predictions(labels=torch.tensor([0, 0, 1, 2, 2, 2]), predicted=torch.tensor([0, 1, 1, 2, 0, 2]),
                    confidence=torch.ones(6))
    assert confusion_matrix(p, 3).tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert p.error == pytest.approx(2 / 6)


def test_confident_mistakes_are_wrong_and_surest_first():
    p = Predictions(labels=torch.tensor([0, 1, 2, 3]), predicted=torch.tensor([1, 1, 0, 0]),
                    confidence=torch.tensor([0.5, 0.99, 0.9, 0.7]))
    assert confident_mistakes(p, 2).tolist() == [2, 3]
    assert confident_mistakes(p, 10).tolist() == [2, 3, 0]


def test_predict_agrees_with_a_plain_forward_pass():
    torch.manual_seed(0)
    model = build_model("short4")
    images = torch.randint(0, 256, (7, 3, 32, 32), dtype=torch.uint8)
    labels = torch.arange(7) % 10
    p = predict(model, images, labels, SEED, batch_size=3)
    with torch.no_grad():
        probs = model.eval()((images.float() / 255 - 0.5) / 0.5).softmax(1)
    assert torch.equal(p.predicted, probs.argmax(1))
    assert torch.allclose(p.confidence, probs.max(1).values, atol=1e-6)
    # No autograd graph is kept: on 10,000 images it would hold every batch's activations.
    assert not p.confidence.requires_grad


def test_branch_maps_are_each_branch_output_averaged_over_channels():
    torch.manual_seed(0)
    model = build_model("short4").eval()
    images = torch.randint(0, 256, (2, 3, 32, 32), dtype=torch.uint8)
    maps = branch_maps(model, "4a", images, SEED)
    assert list(maps) == ["b1x1", "b3x3", "b5x5", "bpool"]
    block = model.blocks["inception_4a"]
    captured = {}

    def keep_input(module, inputs, output):
        captured["x"] = inputs[0]

    block.register_forward_hook(keep_input)
    with torch.no_grad():
        model(normalise(images, SEED))
        expected = block.b5x5(captured["x"]).mean(dim=1)
    assert maps["b5x5"].shape == (2, 32, 32)  # short4 keeps 32x32 until its pool
    assert torch.allclose(maps["b5x5"], expected, atol=1e-6)
    with pytest.raises(UsageError, match="not an Inception module of this model; it has 4a, 5b"):
        branch_maps(model, "prelayer", images, SEED)
