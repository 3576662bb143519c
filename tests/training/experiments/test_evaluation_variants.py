"""Ways of testing a trained model: plain, source 000's random flip, mirrored, flip averaging,
batch norm recalibrated from the training images, and plain in bf16; and variants added to a
stored evaluation."""

import pytest
import torch
from torch import nn

from gnet_lib import build_model
from gnet_lib.core.errors import UsageError
from gnet_lib.training.engine.evaluation import eval_logits
from gnet_lib.training.engine.inspection import normalise
from gnet_lib.training.experiments.evaluation_variants import (
    VARIANTS,
    add_variants,
    evaluate_stored_weights,
    evaluate_variants,
    random_flip_mask,
    recalibrate_batch_norm,
)
from gnet_lib.training.settings.recipes import RECIPES

SEED = RECIPES["seed"]


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 8 * 8, 10))


def _images(n: int, seed: int) -> torch.Tensor:
    return torch.randint(0, 256, (n, 3, 8, 8), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


def _answers(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(normalise(images, SEED)).softmax(dim=1)


def test_each_variant_tests_the_images_as_it_says():
    model, x, y = _model(), _images(50, 1), torch.arange(50) % 10
    fp32_ways = [name for name in VARIANTS if name != "plain in bf16"]
    results = evaluate_variants(model, x, y, _images(40, 2), SEED, seed=3, batch_size=16, names=fp32_ways)
    assert list(results) == fp32_ways
    plain, mirrored = _answers(model, x), _answers(model, x.flip(-1))
    mask = random_flip_mask(50, 3)
    randomly = _answers(model, torch.where(mask.view(-1, 1, 1, 1), x.flip(-1), x))
    expected = {"plain": plain, "all flipped": mirrored, "random flip": randomly, "flip average": plain + mirrored}
    for name, probs in expected.items():
        assert results[name].predictions == probs.argmax(dim=1).tolist(), name
        assert results[name].top1_err == round((probs.argmax(dim=1) != y).float().mean().item(), 6)
    assert results["plain"].predictions != results["all flipped"].predictions  # the model is not mirror-symmetric


def test_the_random_flip_is_seeded_and_flips_about_half():
    assert torch.equal(random_flip_mask(1000, 5), random_flip_mask(1000, 5))
    assert not torch.equal(random_flip_mask(1000, 5), random_flip_mask(1000, 6))
    assert 430 < int(random_flip_mask(1000, 5).sum()) < 570


def test_recalibration_averages_the_batch_statistics_of_the_final_weights():
    model = _model()
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(normalise(_images(16, 9), SEED) * 3 + 1)  # running stats from other data
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train = _images(48, 4)
    fresh = recalibrate_batch_norm(model, train, SEED, batch_size=16)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())  # the original is untouched
    conv_out = fresh[0](normalise(train, SEED)).detach()
    batches = conv_out.split(16)
    mean = torch.stack([b.mean(dim=(0, 2, 3)) for b in batches]).mean(dim=0)
    var = torch.stack([b.var(dim=(0, 2, 3), unbiased=True) for b in batches]).mean(dim=0)
    torch.testing.assert_close(fresh[1].running_mean, mean)
    torch.testing.assert_close(fresh[1].running_var, var)
    assert torch.equal(fresh[0].weight, model[0].weight) and not fresh.training
    assert not torch.allclose(fresh[1].running_mean, model[1].running_mean)


def test_the_training_images_are_drawn_again_as_the_run_drew_them(tiny_data):
    """Subset seed 0 (which is not 'unset') and a held-out validation split: the images rebuilt from
    a stored identity are exactly those the run trained on."""
    from gnet_lib.training.engine.train import config_identity, run_data
    from gnet_lib.training.experiments.evaluation_variants import trained_images
    from gnet_lib.training.settings.config import TrainConfig

    for subset_seed, validation in ((0, 40), (3, None)):
        config = TrainConfig(model="short4", seed=5, subset_seed=subset_seed, train_subset=200, validation=validation,
                             final_test=True)
        trained = run_data(config, tiny_data)
        identity = config_identity(config, trained, "fp32")
        rebuilt = trained_images(identity, tiny_data)
        assert torch.equal(rebuilt.train_y, trained.train_y) and torch.equal(rebuilt.train_x, trained.train_x)
        assert len(rebuilt.train_y) == 200 - (validation or 0)


def test_bf16_testing_runs_the_engine_evaluation_and_mostly_agrees():
    """The network up to its feature map in bf16, the head in fp32, as the engine's -evalbf16 runs;
    its rounding moves the answers a little, not the argmax of most images."""
    torch.manual_seed(0)
    model, x, y = build_model("short4").eval(), _images(64, 5), torch.arange(64) % 10
    x = torch.nn.functional.interpolate(x.float(), size=32).to(torch.uint8)
    results = evaluate_variants(model, x, y, x, SEED, batch_size=32, names=["plain", "plain in bf16"])
    with torch.no_grad():
        expected = eval_logits(model, model, normalise(x, SEED), "bf16").argmax(dim=1)
        fp32 = model(normalise(x, SEED))
        bf16 = eval_logits(model, model, normalise(x, SEED), "bf16")
    assert results["plain in bf16"].predictions == expected.tolist()
    assert not torch.equal(bf16, fp32) and torch.allclose(bf16, fp32, atol=0.1 * fp32.abs().max().item())
    agree = sum(a == b for a, b in zip(results["plain"].predictions, results["plain in bf16"].predictions))
    assert agree >= 0.8 * len(y)
    with pytest.raises(UsageError, match="needs a GoogLeNet"):
        evaluate_variants(_model(), _images(8, 1), torch.zeros(8, dtype=torch.long), _images(8, 2), SEED,
                          names=["plain in bf16"])
    with pytest.raises(UsageError, match="unknown test variant 'plain in fp8'"):
        evaluate_variants(model, x, y, x, SEED, names=["plain in fp8"])


@pytest.fixture(scope="module")
def stored_weights(tmp_path_factory, tiny_data):
    from gnet_lib.training.engine.train import train
    from gnet_lib.training.engine.weights import export_weights
    from gnet_lib.training.settings.config import TrainConfig

    folder = tmp_path_factory.mktemp("weights")
    config = TrainConfig(model="short4", dataset="synthetic", epochs=1, batch_size=64, device="cpu", progress=False,
                         run_dir=str(folder / "run"))
    result = train(config, data=tiny_data).as_dict()
    return export_weights(folder / "run" / "checkpoint.pt", result, folder / "w.pt")


@pytest.mark.slow
def test_a_variant_added_later_equals_one_measured_at_once(stored_weights, tiny_data):
    whole = evaluate_stored_weights(stored_weights, tiny_data, seed=4,
                                    names=["plain", "random flip", "plain in bf16", "recalibrated BN"])
    first = evaluate_stored_weights(stored_weights, tiny_data, seed=4, names=["plain", "random flip"])
    added = add_variants(first, stored_weights, tiny_data, ["plain in bf16", "recalibrated BN"])
    assert set(added["variants"]) == {"plain", "random flip", "plain in bf16", "recalibrated BN"}
    for name, variant in added["variants"].items():
        assert variant == whole["variants"][name], name
    assert added["additions"][0]["variants"] == ["plain in bf16", "recalibrated BN"]
    assert "additions" not in first and first["variants"].keys() == {"plain", "random flip"}  # the input is kept


@pytest.mark.slow
def test_adding_refuses_other_weights_other_data_and_a_stored_variant(stored_weights, tiny_data, tmp_path):
    from gnet_lib.training.data.data import make_synthetic

    first = evaluate_stored_weights(stored_weights, tiny_data, names=["plain"])
    with pytest.raises(UsageError, match="plain already stored"):
        add_variants(first, stored_weights, tiny_data, ["plain"])
    renamed = tmp_path / "other.pt"
    renamed.write_bytes(stored_weights.read_bytes())
    with pytest.raises(UsageError, match="not other.pt; give the same weights"):
        add_variants(first, renamed, tiny_data, ["all flipped"])
    other = make_synthetic(train_size=320, test_size=100, seed=1)
    with pytest.raises(UsageError, match="point --data-dir at the same copy"):
        add_variants(first, stored_weights, other, ["all flipped"])


@pytest.mark.parametrize(("extra", "message"), [(["--seed", "3"], "--add reuses the flip seed"),
                                                ([], "is not one; leave --add out")])
def test_the_tool_refuses_an_addition_it_cannot_make(tmp_path, extra, message):
    """Exit 2 with the reason, before any data is read: a flip seed other than the stored one, or
    no stored evaluation to add to."""
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[3] / "tools" / "evaluation_variants.py"
    done = subprocess.run([sys.executable, str(tool), "--weights", "w.pt", "--data-dir", str(tmp_path), "--output",
                           str(tmp_path / "none.json"), "--add", "plain in bf16", *extra], capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr
