"""Provenance: the readable name of the hardware a run used."""

import torch

from gnet_lib.provenance import device_name


def test_a_cpu_is_named_with_its_thread_count(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert device_name(torch.device("cpu")).endswith("(1 thread)")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert device_name(torch.device("cpu")).endswith("(2 threads)")
