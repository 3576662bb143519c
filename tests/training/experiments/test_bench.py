"""The benchmark's mechanics (its speed figures come from `gnet bench`, not from tests)."""

import pytest
import torch

from gnet_lib.core.published import SOURCE_000
from gnet_lib.training.experiments.bench import benchmark, inference_seconds


@pytest.mark.slow
def test_benchmark_measures_both_loops():
    result = benchmark("short4", batch_size=8, steps=2, warmup=1, rounds=1, device="cpu")
    data = result.as_dict()
    assert data["engine_best"] > 0 and data["plain_best"] > 0
    assert "images/s" in result.summary() and data["environment"]["device"] == "cpu"
    assert data["engine_fp32_nchw_images_per_s"][0] > 0 and data["engine_first_epoch_s"][0] > 0
    assert data["precision"] in ("bf16", "fp32") and data["steps"] == 2


def test_the_ratio_is_the_best_engine_round_over_the_best_plain_round(monkeypatch):
    """Known rates in, so the ratio is checked against numbers, not against its own formula."""
    from gnet_lib.training.experiments import bench

    plain_rates = iter([100.0, 120.0])
    engine_rates = iter([(300.0, 1.0), (50.0, 1.0), (330.0, 1.0), (60.0, 1.0)])  # engine, fp32 NCHW per round
    monkeypatch.setattr(bench, "plain_loop_throughput", lambda *a, **k: next(plain_rates))
    monkeypatch.setattr(bench, "engine_throughput", lambda *a, **k: next(engine_rates))
    data = benchmark("short4", batch_size=8, steps=2, warmup=1, rounds=2, device="cpu").as_dict()
    assert data["plain_best"] == 120.0 and data["engine_best"] == 330.0
    assert data["ratio"] == 2.75
    assert data["engine_fp32_nchw_images_per_s"] == [50.0, 60.0]


class Recorder(torch.nn.Module):
    """Records the mode and grad mode of every forward pass."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, torch.is_grad_enabled()))
        return self.conv(x)


def test_inference_timer_runs_a_copy_in_eval_mode_without_gradients(monkeypatch):
    from gnet_lib.training.experiments import bench

    copies, real_deepcopy = [], bench.deepcopy
    monkeypatch.setattr(bench, "deepcopy", lambda obj: copies.append(real_deepcopy(obj)) or copies[-1])
    model = Recorder().train()
    assert inference_seconds(model, (3, 16, 16), batch_size=2, min_run_time=0.05, device="cpu") > 0
    assert model.training and model.seen == []  # the caller's model is untouched
    assert copies[0].seen and set(copies[0].seen) == {(False, False)}  # every pass: eval mode, no gradients


def test_the_plain_loop_keeps_pytorch_defaults_after_the_engine_changed_them(monkeypatch):
    """A Trainer turns on cuDNN autotuning for the process; the baseline must not inherit it."""
    from gnet_lib.training.data.data import make_synthetic
    from gnet_lib.training.experiments import bench

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


def test_variant_speeds_time_each_model_and_compare_with_macs_and_published_times(monkeypatch):
    from gnet_lib.training.experiments import bench

    rates = iter([(100.0, 1.0), (300.0, 1.0), (110.0, 1.0), (290.0, 1.0)])  # googlenet, short3, twice
    monkeypatch.setattr(bench, "engine_throughput", lambda *a, **k: next(rates))
    speeds = bench.variant_speeds(["googlenet", "short3"], batch_size=8, steps=2, rounds=2, device="cpu")
    assert speeds["models"]["short3"]["images_per_s"] == [300.0, 290.0]
    load = speeds["machine_load"]
    assert set(load) == {"before", "after"} and all(v is None or v >= 0 for v in load.values())
    row = bench.speed_table(speeds).where(model="short3")[0]
    assert row["train img/s"] == 300.0 and row["time vs ref (ours)"] == round(110 / 300, 2)
    assert row["MACs vs ref"] == round(speeds["models"]["short3"]["macs_per_image"]
                                       / speeds["models"]["googlenet"]["macs_per_image"], 2) < 1
    published = {m: SOURCE_000["cifar100"][m].seconds for m in ("short3", "googlenet")}
    assert row["time vs ref (cifar100, published)"] == round(published["short3"] / published["googlenet"], 2)
    assert row["rounds: best / slowest"] == round(300 / 290, 2)


def test_the_speed_table_reports_the_machine_load_when_recorded(monkeypatch):
    from gnet_lib.training.experiments import bench

    monkeypatch.setattr(bench, "engine_throughput", lambda *a, **k: (100.0, 1.0))
    speeds = bench.variant_speeds(["googlenet"], batch_size=8, steps=2, rounds=1, device="cpu")
    speeds["machine_load"] = {"before": 0.1, "after": 2.04}
    assert "load average, this benchmark included: 0.10 before, 2.04 after" in bench.speed_table(speeds).notes[-1]
    speeds["machine_load"] = {"before": None, "after": None}  # a system that does not report it
    assert not any("load average" in note for note in bench.speed_table(speeds).notes)
    del speeds["machine_load"]  # files written before it was recorded
    assert not any("load average" in note for note in bench.speed_table(speeds).notes)
