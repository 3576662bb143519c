"""The window plan: estimates from measured rates, worked by hand; what a budget keeps; where the
rates and the campaign's settings come from (a probe report, else the stored benchmark)."""

import json
from pathlib import Path

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.core.layers import layer_table
from gnet_lib.training.gpu.probe import GROUP_MODELS as SIX
from gnet_lib.training.gpu.probe_reading import campaign_choices, rates_from_probe
from gnet_lib.training.gpu.window_plan import (
    DATA_LOAD_MINUTES,
    Rates,
    RunWork,
    Step,
    fit,
    load_probe,
    plan_lines,
    rates_from_bench,
)

BOOK_RESULTS = Path(__file__).resolve().parents[3] / "results"
FULL = (50_000, 10_000)


def test_a_run_and_a_group_are_estimated_from_their_rates(probe_report):
    choices = campaign_choices(probe_report())
    rates = rates_from_probe(probe_report(), None, choices)
    assert rates.eval_ratio == 4.0 and rates.group_each == 3500.0 and rates.group_first_s == 0.0
    # the six together: 14 epochs of 50,000 images at 3,500/s each, and six evaluations of 10,000
    # images per epoch at 4 x 7,000/s: 200 s + 30 s
    six = Step("six", 1, [RunWork(m, *FULL) for m in SIX], together=True)
    assert six.seconds(rates) == pytest.approx(200 + 30)
    apart = Step("six", 1, [RunWork(m, *FULL) for m in SIX], together=False)
    assert apart.seconds(rates) == pytest.approx(6 * (100 + 5))
    # naive: 14 x 50,000 / 1,400 = 500 s, evaluation 14 x 10,000 / 5,600 = 25 s
    assert Step("naive", 2, [RunWork("naive", *FULL)]).seconds(rates) == pytest.approx(525)
    # fast: 11 epochs, 4 at 16x16 (a quarter of the pixels), 4 at 24x24 (9/16), 3 at full size
    fast = RunWork("googlenet", *FULL, epochs=11, recipe="fast")
    assert fast.full_epochs() == pytest.approx(4 / 4 + 4 * 9 / 16 + 3)
    assert rates.run_seconds(fast) == pytest.approx(6.25 * 50_000 / 7000 + 6.25 * 10_000 / 28_000)
    # mid-scale: 10,000 images, curves on 2,000, a final test on 10,000
    assert rates.run_seconds(RunWork("short3", 10_000, 2_000, final_images=10_000)) == pytest.approx(
        14 * 10_000 / 7000 + (14 * 2_000 + 10_000) / 28_000)
    assert Step("stored", 3, [RunWork("naive", *FULL)], stored=True).seconds(rates) == 0.0


def _steps():
    return [Step("six s1", 1, [RunWork(m, *FULL) for m in SIX], together=True), Step("naive", 2, [RunWork("naive", *FULL)]),
            Step("six s2", 3, [RunWork(m, *FULL) for m in SIX], together=True),
            Step("six s3", 4, [RunWork(m, *FULL) for m in SIX], together=True)]


def test_the_lowest_priorities_are_dropped_until_the_total_fits_the_budget(probe_report):
    rates = rates_from_probe(probe_report(), None, campaign_choices(probe_report()))
    steps = list(reversed(_steps()))  # the order given does not matter, the priorities do
    minutes = {s.label: s.seconds(rates) / 60 for s in steps}  # six: 230 s, naive: 525 s
    kept, dropped = fit(steps, DATA_LOAD_MINUTES + minutes["six s1"] + minutes["naive"] + 0.1, rates)
    assert [s.label for s in kept] == ["six s1", "naive"] and [s.label for s in dropped] == ["six s2", "six s3"]
    kept, dropped = fit(steps, 100, rates)
    assert [s.label for s in kept] == ["six s1", "naive", "six s2", "six s3"] and dropped == []
    kept, dropped = fit(steps, 1, rates)
    assert kept == [] and len(dropped) == 4
    kept, _ = fit(steps, 1, None)  # no estimates: nothing can be judged, everything is kept
    assert len(kept) == 4
    lines = plan_lines(*fit(steps, 14, rates), 14, rates)
    assert lines[0] == "window plan (estimates from the probe of 2026-12-07T10:00 on NVIDIA H100 80GB HBM3):"
    assert "   1. six s1: 3.8 min" in lines and "   2. naive: 8.8 min" in lines
    assert "  total: 13.1 min (budget 14 min)" in lines
    assert "  dropped (does not fit): 3. six s2, 3.8 min" in lines


def test_without_a_probe_the_stored_benchmark_and_run_give_the_rates():
    rates = rates_from_bench(BOOK_RESULTS)
    bench = json.loads((BOOK_RESULTS / "bench" / "cuda-googlenet-b64.json").read_text())
    run = json.loads((BOOK_RESULTS / "cifar10-jpeg" / "seed" / "50000x10000-e14-s1" / "googlenet.json").read_text())
    assert rates.rate("googlenet") == bench["engine_best"]
    assert rates.rate("short3") == bench["engine_best"]  # fewer MACs: not assumed faster
    naive_macs = layer_table("naive").main_path_macs / layer_table("googlenet").main_path_macs
    assert rates.rate("naive") == pytest.approx(bench["engine_best"] / naive_macs)
    h = run["history"]  # the stored H200 run: about 10.6 s per training pass, 0.55 s per evaluation
    assert rates.eval_ratio == pytest.approx((10_000 / h[5]["eval_time_s"]) / (50_000 / h[5]["epoch_time_s"]), rel=0.01)
    assert rates.first("googlenet") == pytest.approx(h[0]["epoch_time_s"] + h[0]["eval_time_s"]
                                                    - h[5]["epoch_time_s"] - h[5]["eval_time_s"], abs=0.1)
    assert rates.group_each is None  # no gain assumed for a group
    assert "NVIDIA H200" in rates.source


def test_a_file_that_is_not_a_probe_report_is_refused(tmp_path):
    path = tmp_path / "probe.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(UsageError, match="is not a probe report"):
        load_probe(path)


def test_rates_of_a_model_not_measured_follow_googlenet_and_macs():
    rates = Rates({"googlenet": 1000.0}, 3.0, {"googlenet": 10.0}, "test")
    assert rates.rate("long") == pytest.approx(1000 / (layer_table("long").main_path_macs / layer_table("googlenet").main_path_macs))
    assert rates.rate("short4") == 1000.0 and rates.first("naive") == 10.0
