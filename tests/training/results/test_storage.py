"""Checkpoints: each way of failing to load one gets the message that says what to do."""

import pytest
import torch

from gnet_lib.training.results.storage import CHECKPOINT_FORMAT, CheckpointError, load_checkpoint, save_checkpoint


def test_a_saved_checkpoint_loads_back(tmp_path):
    state = {"format": CHECKPOINT_FORMAT, "epoch": 3, "weights": torch.arange(4.0)}
    save_checkpoint(tmp_path / "ckpt.pt", state)
    loaded = load_checkpoint(tmp_path / "ckpt.pt")
    assert loaded["epoch"] == 3 and torch.equal(loaded["weights"], state["weights"])


def test_a_missing_checkpoint_says_to_start_without_resume(tmp_path):
    with pytest.raises(CheckpointError, match="without --resume"):
        load_checkpoint(tmp_path / "none.pt")


def test_a_damaged_checkpoint_says_to_delete_it(tmp_path):
    (tmp_path / "ckpt.pt").write_bytes(b"not a torch archive")
    with pytest.raises(CheckpointError, match="(?s)corrupt.*delete it"):
        load_checkpoint(tmp_path / "ckpt.pt")


def test_an_unreadable_checkpoint_is_not_called_corrupt(tmp_path):
    """An operating-system error (here: the path is a folder) says nothing about the file's
    contents, so the message must not tell the user to delete a good checkpoint."""
    (tmp_path / "ckpt.pt").mkdir()
    with pytest.raises(CheckpointError, match="cannot be read") as error:
        load_checkpoint(tmp_path / "ckpt.pt")
    assert "delete it" not in str(error.value).replace("do not delete it", "")


def test_another_kind_of_file_is_refused(tmp_path):
    torch.save({"something": 1}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a gnet_lib training checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


def test_the_message_of_a_damaged_checkpoint_keeps_to_what_applies(tmp_path):
    (tmp_path / "ckpt.pt").write_bytes(b"not a torch archive")
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(tmp_path / "ckpt.pt")
    assert "weights_only" not in str(error.value) and "\n" not in str(error.value)


def test_a_write_interrupted_halfway_leaves_the_old_checkpoint_and_no_scraps(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, {"format": CHECKPOINT_FORMAT, "epoch": 1})

    def half_then_killed(obj, f, *args, **kwargs):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing

    monkeypatch.setattr(torch, "save", half_then_killed)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"format": CHECKPOINT_FORMAT, "epoch": 2})
    monkeypatch.undo()
    assert load_checkpoint(path)["epoch"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]
