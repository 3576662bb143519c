"""Result files and what is read from them: time to a target error."""

from gnet_lib.results import cumulative_seconds, time_to_error


def _history(*errors, seconds=10.0, eval_seconds=1.0):
    return [{"epoch": i + 1, "test_top1_err": e, "epoch_time_s": seconds, "eval_time_s": eval_seconds}
            for i, e in enumerate(errors)]


def test_time_to_error_counts_training_and_evaluation():
    history = _history(0.8, 0.5, 0.4, 0.45)
    assert cumulative_seconds(history) == [11.0, 22.0, 33.0, 44.0]
    assert time_to_error(history, 0.5) == (2, 22.0)
    assert time_to_error(history, 0.41) == (3, 33.0)
    assert time_to_error(history, 0.3) is None
