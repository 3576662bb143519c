"""The engine's fast path changes no number: with every switch off, a CPU run is the same run."""

import pytest
import torch

from gnet_lib.core.architectures import CIFAR_MODEL_NAMES
from gnet_lib.model.by_name import build_model
from gnet_lib.training.engine.train import Trainer
from gnet_lib.training.results.results import without_machine_fields
from gnet_lib.training.settings.config import TrainConfig

OFF = dict(epoch_data=False, flat_optimizer=False, cap_autotune=False, eval_precision="fp32")


def _same_run(a, b):
    assert without_machine_fields(a.history) == without_machine_fields(b.history)
    assert without_machine_fields([a.final_test]) == without_machine_fields([b.final_test])


@pytest.mark.slow
@pytest.mark.parametrize(("precision", "recipe"), [("fp32", "seed"), ("bf16", "seed"), ("bf16", "fast")])
def test_every_switch_off_gives_the_same_run_bit_for_bit(tiny_data, precision, recipe):
    """Chapter 5 trains on the CPU through this engine: the epoch made at once (in bf16 where
    training is bf16), the sums inside the step, and the rest must leave its numbers unchanged.
    ``fast`` adds resizing (16 and 24 pixels) and drop_last."""
    data = tiny_data.subset(train=150, test=60)
    settings = dict(model="short4", dataset="synthetic", recipe=recipe, epochs=3, batch_size=32, device="cpu",
                    precision=precision, progress=False, final_test=True, test_subset=40)
    on, off = Trainer(TrainConfig(**settings), data), Trainer(TrainConfig(**settings, **OFF), data)
    assert [on.recipe.image_side(e) for e in range(3)] == ([16, 24, None] if recipe == "fast" else [None] * 3)
    fast, plain = on.run(), off.run()
    _same_run(fast, plain)
    for (name, a), b in zip(on.model.state_dict().items(), off.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert fast.environment["epoch_data"] and not plain.environment["epoch_data"]
    assert fast.identity == plain.identity


@pytest.mark.parametrize("model", CIFAR_MODEL_NAMES)
def test_every_variant_reads_bf16_images_as_autocast_would_make_them(model):
    """The epoch is stored in bf16 for bf16 training because each variant's first operation is a
    convolution, which autocast feeds bf16 anyway: the outputs are bit for bit the same."""
    torch.manual_seed(0)
    net = build_model(model, num_classes=10).eval().to(memory_format=torch.channels_last)
    x = torch.randn(2, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(net(x), net(x.to(torch.bfloat16)))
