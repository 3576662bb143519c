"""The first-contact probe runs on the CPU at tiny sizes, writes its report after every section,
and its report feeds the campaign's choices and plan."""

import runpy
import sys
from pathlib import Path

import pytest

from gnet_lib.training.gpu import probe
from gnet_lib.training.gpu.probe_reading import campaign_choices, rates_from_probe
from gnet_lib.training.gpu.window_plan import load_probe

pytestmark = pytest.mark.slow
TOOL = Path(__file__).resolve().parents[3] / "tools" / "gpu_probe.py"
TINY = ["--device", "cpu", "--batch-size", "8", "--steps", "2", "--epoch-steps", "2", "--eval-images", "20",
        "--models", "short4", "short3", "--naive", "short4", "--reference", "short4"]


def _tool(monkeypatch, *args):
    monkeypatch.setattr(sys, "argv", [str(TOOL), *args])
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(TOOL), run_name="__main__")
    return stop.value.code


def test_the_probe_measures_every_section_on_the_cpu(tmp_path, monkeypatch, capsys):
    out = tmp_path / "probe.json"
    assert _tool(monkeypatch, "--output", str(out), *TINY) == 0
    report = load_probe(out)
    assert report["skipped"] == [] and set(probe.SECTIONS) <= set(report)
    assert set(report["switches"]) - {"section_s"} == set(probe.SWITCHES)
    assert all(r["images_per_s"] > 0 for name, r in report["switches"].items() if name != "section_s")
    assert report["checks"]["batches_bitwise"] is True and report["checks"]["flat_adadelta"]["bitwise_equal"] is True
    assert report["checks"]["graph"]["ok"] is None  # no CUDA graph on a CPU
    group = report["variants"]["group"]
    assert group["models"] == ["short4", "short3"]
    assert group["images_per_s_combined"] == pytest.approx(2 * group["images_per_s_each"], abs=0.2)  # both rounded to 0.1
    choices = campaign_choices(report)
    rates = rates_from_probe(report, None, choices)
    assert rates is None  # googlenet was not measured and there is no fallback: no estimate
    assert "report in" in capsys.readouterr().out


def test_the_report_is_written_after_each_section_and_a_failed_section_does_not_stop_the_rest(tmp_path, monkeypatch):
    out = tmp_path / "probe.json"
    written = []
    monkeypatch.setattr(probe, "write_json", lambda path, report: written.append(sorted(k for k in probe.SECTIONS if k in report)))

    def broken(*args):
        raise RuntimeError("the machine went away")

    for name in probe.SECTIONS:
        monkeypatch.setitem(probe.SECTIONS, name, lambda s, data, log, name=name: {"measured": name})
    monkeypatch.setitem(probe.SECTIONS, "naive", broken)
    lines = []
    report = probe.run_probe(probe.ProbeSettings(out, "cpu", 8, 2, 2, 20, ("short4",), "short4", 5.0, "short4"), lines.append)
    assert written[:5] == [sorted(list(probe.SECTIONS)[: i + 1]) for i in range(5)]  # after each section
    assert report["naive"]["error"] == "RuntimeError: the machine went away" and "probe: naive failed" in lines[0]
    assert report["evaluation"]["measured"] == "evaluation" and report["switches"]["measured"] == "switches"
    spent = probe.run_probe(probe.ProbeSettings(out, "cpu", 8, 2, 2, 20, ("short4",), "short4", 1e-9, "short4"),
                            log=lambda line: None)
    assert spent["skipped"] == list(probe.SECTIONS)


def test_bad_settings_are_refused(tmp_path, monkeypatch, capsys):
    assert _tool(monkeypatch, "--output", str(tmp_path / "p.json"), "--steps", "0") == 2
    assert "--steps must be positive" in capsys.readouterr().err
    assert _tool(monkeypatch, "--output", str(tmp_path / "p.json"), "--batch-size", "2", "--epoch-steps", "2") == 2
    assert "at least 10 images" in capsys.readouterr().err
