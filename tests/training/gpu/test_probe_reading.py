"""The probe's report read as the campaign's choices: a switch measured slower or found wrong is
turned off, a group that gains too little is not used, a failed section counts as not measured."""

import pytest

from gnet_lib.training.gpu.probe_reading import campaign_choices, rates_from_probe
from gnet_lib.training.gpu.window_plan import EAGER_SLOWDOWN, Rates


def test_the_probe_switches_off_what_it_measured_slower_or_found_wrong(probe_report):
    assert campaign_choices(None).engine == {"epoch_data": True, "flat_optimizer": True, "cap_autotune": True,
                                             "cuda_graph": True}
    good = campaign_choices(probe_report())
    assert good.together and good.protocol == {"conv_bias_grad": False, "eval_precision": "auto", "eval_batch_size": 2000}
    slow = probe_report(switches={"before": {"images_per_s": 5000.0}, "epoch_data": {"images_per_s": 4800.0},
                                  "flat_optimizer": {"images_per_s": 4950.0}, "no_conv_bias_grad": {"images_per_s": 4000.0},
                                  "all": {"images_per_s": 5000.0, "first_epoch_extra_s": 0.0}},
                        evaluation={"fp32-b1000": {"images_per_s": 30000.0}, "bf16-b2000": {"images_per_s": 20000.0}})
    choices = campaign_choices(slow)
    assert not choices.engine["epoch_data"] and choices.engine["flat_optimizer"]  # 4% slower; 1% is noise
    assert choices.protocol == {"conv_bias_grad": True, "eval_precision": "fp32", "eval_batch_size": 1000}
    wrong = campaign_choices(probe_report(checks={"batches_bitwise": False, "graph": {"ok": False},
                                                  "flat_adadelta": {"bitwise_equal": False, "max_abs_difference": 0.01}}))
    assert wrong.engine == {"epoch_data": False, "flat_optimizer": False, "cap_autotune": True, "cuda_graph": False}
    assert len(wrong.notes) == 4
    eager = rates_from_probe(probe_report(), None, wrong)
    assert eager.rate("googlenet") == pytest.approx(7000 / EAGER_SLOWDOWN) and eager.group_each is None


def test_a_group_that_gains_too_little_is_not_used(probe_report):
    report = probe_report()
    report["variants"]["group"]["images_per_s_each"] = 7000 / 6 * 1.04  # 1.04x one at a time
    choices = campaign_choices(report)
    assert not choices.together and "1.04x" in choices.notes[-1]
    assert rates_from_probe(report, None, choices).group_each is None


def test_a_failed_section_counts_as_not_measured(probe_report):
    report = probe_report(variants={"error": "RuntimeError: out of memory"}, checks={"error": "RuntimeError: capture"})
    choices = campaign_choices(report)
    assert choices.together and choices.engine["cuda_graph"]  # nothing measured: the defaults
    assert choices.notes == ("the checks section failed (RuntimeError: capture): not used",
                             "the variants section failed (RuntimeError: out of memory): not used")
    fallback = Rates({"googlenet": 4000.0}, 3.0, {"googlenet": 20.0}, "bench")
    rates = rates_from_probe(report, fallback, choices)
    assert rates.rate("googlenet") == 7000.0 and rates.rate("short3") == 7000.0  # the A/B's googlenet; not faster
    assert rates.group_each is None and rates.rate("naive") == 1400.0
