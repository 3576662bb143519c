"""The benchmark's mechanics (its speed figures come from `gnet bench`, not from tests)."""

import torch

from gnet_lib.bench import benchmark, inference_seconds


def test_benchmark_measures_both_loops_and_their_ratio():
    result = benchmark("short4", batch_size=8, steps=2, warmup=1, rounds=1, device="cpu")
    data = result.as_dict()
    assert data["engine_best"] > 0 and data["plain_best"] > 0
    assert data["ratio"] == round(data["engine_best"] / data["plain_best"], 3)
    assert "images/s" in result.summary() and data["environment"]["device"] == "cpu"
    assert data["engine_fp32_nchw_images_per_s"][0] > 0 and data["engine_first_epoch_s"][0] > 0
    assert data["precision"] in ("bf16", "fp32") and data["steps"] == 2


def test_inference_timer_runs_in_eval_mode_without_gradients():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Dropout(0.5))
    seconds = inference_seconds(model, (3, 16, 16), batch_size=2, repeats=3, device="cpu")
    assert seconds > 0 and not model.training


def test_the_plain_loop_keeps_pytorch_defaults_after_the_engine_changed_them(monkeypatch):
    """A Trainer turns on cuDNN autotuning for the process; the baseline must not inherit it."""
    from gnet_lib import bench
    from gnet_lib.data import make_synthetic

    seen = []

    def recording_build_model(*args, **kw):
        model = build_model(*args, **kw)
        model.register_forward_hook(lambda *_: seen.append(torch.backends.cudnn.benchmark))
        return model

    build_model = bench.build_model
    monkeypatch.setattr(bench, "build_model", recording_build_model)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", True)
    data = make_synthetic(train_size=16, test_size=10)
    assert bench.plain_loop_throughput("torchvision-googlenet", data, batch_size=4, steps=1, warmup=1, device=torch.device("cpu")) > 0
    assert seen == [False, False]  # inside: PyTorch's default
    assert torch.backends.cudnn.benchmark  # outside: as it was
