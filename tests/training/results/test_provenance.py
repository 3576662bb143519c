"""Provenance: the readable name of the hardware a run used."""

from pathlib import Path

import torch

from gnet_lib.training.results.provenance import cpu_has_native_bf16, cpu_info_field, device_name


def test_a_cpu_is_named_with_its_thread_count(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert device_name(torch.device("cpu")).endswith("(1 thread)")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert device_name(torch.device("cpu")).endswith("(2 threads)")


def test_native_bf16_is_read_from_the_cpu_flags(monkeypatch):
    real_read = Path.read_text
    for flags, expected in (("fpu avx512f avx512_bf16 sse", True), ("fpu amx_bf16 amx_tile", True), ("fpu avx2 avx512f", False)):
        monkeypatch.setattr(Path, "read_text", lambda self, *a, flags=flags, **k:
                            f"processor : 0\nflags\t\t: {flags}\n" if str(self) == "/proc/cpuinfo" else real_read(self, *a, **k))
        assert cpu_has_native_bf16() is expected


def test_a_cpu_is_named_from_its_model_name(monkeypatch):
    real_read = Path.read_text
    text = "processor\t: 0\nmodel name\t: AMD EPYC 9R14 96-Core Processor\nflags\t\t: fpu\n"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: text if str(self) == "/proc/cpuinfo" else real_read(self, *a, **k))
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert cpu_info_field("model name") == "AMD EPYC 9R14 96-Core Processor"
    assert device_name(torch.device("cpu")) == "AMD EPYC 9R14 96-Core Processor (1 thread)"


def test_a_missing_cpuinfo_gives_no_field_and_no_bf16(monkeypatch):
    def missing(self, *args, **kwargs):
        raise FileNotFoundError(str(self))

    monkeypatch.setattr(Path, "read_text", missing)
    assert cpu_info_field("model name") is None and cpu_has_native_bf16() is False


def test_machine_load_is_the_one_minute_average_or_none_where_the_system_does_not_report_it(monkeypatch):
    from gnet_lib.training.results import provenance

    monkeypatch.setattr(provenance.os, "getloadavg", lambda: (1.234, 0.5, 0.25))
    assert provenance.machine_load() == 1.23

    def unavailable():
        raise OSError("no load average here")

    monkeypatch.setattr(provenance.os, "getloadavg", unavailable)
    assert provenance.machine_load() is None


def test_the_environment_records_the_cpu_count_that_scales_the_load_average(monkeypatch):
    from gnet_lib.training.results import provenance

    monkeypatch.setattr(provenance.os, "cpu_count", lambda: 7)
    env = provenance.environment(torch.device("cpu"))
    assert env["cpu_count"] == 7 and env["device"] == "cpu"
