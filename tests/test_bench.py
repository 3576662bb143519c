"""The benchmark's mechanics (its speed figures come from `gnet bench`, not from tests)."""

from gnet_lib.bench import benchmark


def test_benchmark_measures_both_loops_and_their_ratio():
    result = benchmark("short4", batch_size=8, steps=2, warmup=1, rounds=1, device="cpu")
    data = result.as_dict()
    assert data["engine_best"] > 0 and data["plain_best"] > 0
    assert data["ratio"] == round(data["engine_best"] / data["plain_best"], 3)
    assert "images/s" in result.summary() and data["environment"]["device"] == "cpu"
