"""The first-contact probe logs read back: made-up logs with known numbers, and the committed logs
against the figures their README reports."""

from pathlib import Path

import pytest

from gnet_lib.training.gpu.probe_logs import probe_steps, probe_table, profiled_step

FIRST_CONTACT = Path(__file__).resolve().parents[3] / "results" / "bench" / "h100-first-contact"

PROFILE = """\
eager fp32 nchw b64 {'img_s': 100.5, 'ms_step': 40.0, 'enqueue_ms': 40.0, 'first_s': 2.0}
eager bf16 cl b512 sgd {'img_s': 300.0, 'ms_step': 20.0, 'enqueue_ms': 19.0, 'first_s': 1.0}
  _warn_once(
-------  ------------  ------------
   Name    Self CPU %      Self CPU   CPU total %     CPU total  CPU time avg     Self CUDA   # of Calls
-------  ------------  ------------
Optimizer.step#Adadelta.step         5.47%      20.006ms        14.90%      54.449ms      10.890ms       0.000us  4
cudaLaunchKernel        14.33%      52.386ms        14.33%      52.386ms       8.652us       0.000us          400
Self CPU time total: 80.000ms
Self CUDA time total: 2.000ms

cudaLaunchKernel        14.33%      52.386ms        14.33%      52.386ms       8.652us       0.000us          999
"""


def test_made_up_logs_give_their_numbers(tmp_path):
    (tmp_path / "profile_step.log").write_text(PROFILE)
    (tmp_path / "graph_compiled.log").write_text(
        "graph bs=64 cl=False tensor_lr=True: 6970 img/s, 9.18 ms/step, enqueue 7.44 ms, capture 0.1s, loss 0.001\ntotal 31.7\n")
    steps = probe_steps(tmp_path)
    assert [(s.step, s.precision, s.layout, s.batch, s.optimizer, s.images_per_s) for s in steps] == [
        ("eager", "fp32", "NCHW", 64, "Adadelta", 100.5), ("eager", "bf16", "channels-last", 512, "SGD", 300.0),
        ("one CUDA graph, compiled kernels", "bf16", "NCHW", 64, "Adadelta", 6970.0)]
    profile = profiled_step(tmp_path)  # the first table's counts: 400 launches over 4 optimizer steps
    assert (profile.steps, profile.launches, profile.cpu_ms, profile.gpu_ms) == (4, 100.0, 20.0, 0.5)
    assert probe_table(steps).column("batch") == [64, 64, 512]


def test_missing_or_unreadable_logs_say_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match="no probe log"):
        probe_steps(tmp_path)
    with pytest.raises(ValueError, match="no profile"):
        profiled_step(tmp_path)
    (tmp_path / "profile_step.log").write_text("eager b64 {'img_s': 1.0, 'ms_step': 1.0}\n")
    with pytest.raises(ValueError, match="cannot read the probe line 'eager b64'"):
        probe_steps(tmp_path)
    with pytest.raises(ValueError, match="no complete profiler table"):
        profiled_step(tmp_path)


def test_the_committed_logs_agree_with_their_readme():
    # the README's table: graph step 4567 / 6809 / 7180 images/s at batch 64 / 512 / 1024, compiled kernels in
    # the graph 6970, torch.compile default 1316; and its text: about 1,200 launches, 73 ms of CPU against
    # 13.6 ms of GPU time per step
    steps = probe_steps(FIRST_CONTACT)
    graph = {(s.batch, s.layout): round(s.images_per_s) for s in steps if s.step == "one CUDA graph, eager kernels"}
    assert (graph[64, "channels-last"], graph[512, "channels-last"], graph[1024, "channels-last"]) == (4567, 6809, 7180)
    assert [round(s.images_per_s) for s in steps if s.step == "one CUDA graph, compiled kernels"] == [6970]
    assert [round(s.images_per_s) for s in steps if s.step == "torch.compile (default)"] == [1316]
    profile = profiled_step(FIRST_CONTACT)
    assert 1150 < profile.launches < 1250 and round(profile.cpu_ms) == 73 and round(profile.gpu_ms, 1) == 13.6
