"""The auxiliary-head diagram: its steps and shapes come from the spec."""

import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

from gnet_lib import get_spec
from gnet_lib.book.plots.heads import aux_head_steps, draw_aux_head
from gnet_lib.book.plots.layout import overlapping_texts
from gnet_lib.core.errors import UsageError


def test_paper_head_steps_and_shapes():
    steps = aux_head_steps(get_spec("inception-v1"), "aux1")
    assert [s.shape for s in steps] == [(512, 14, 14), (512, 4, 4), (128, 4, 4), (2048,), (1024,), (1024,), (1000,)]
    assert [s.params for s in steps] == [0, 0, 512 * 128 + 128, 0, 2048 * 1024 + 1024, 0, 1024 * 1000 + 1000]
    assert steps[0].label == "inception (4a) output"
    assert steps[1].label == "5x5 avg pool, stride 3" and steps[5].label == "dropout 70%"


def test_second_head_reads_4d_and_classes_and_pools_follow_the_spec():
    steps = aux_head_steps(get_spec("inception-v1"), "aux2", num_classes=20)
    assert steps[0].label == "inception (4d) output" and steps[0].shape == (528, 14, 14)
    assert steps[-1].shape == (20,) and steps[-1].params == 1024 * 20 + 20
    torchvision_steps = aux_head_steps(get_spec("torchvision-googlenet"), "aux1")
    assert torchvision_steps[1].label == "adaptive avg pool to 4x4"
    assert torchvision_steps[2].params == 512 * 128 + 2 * 128  # no conv bias, batch norm scale and shift


def test_a_larger_input_gives_a_larger_fixed_pool_output():
    steps = aux_head_steps(get_spec("inception-v1"), "aux1", input_size=(3, 320, 320))
    # 320 -> 160 -> 80 -> 40 -> 20 at inception (4a); (20 - 5) // 3 + 1 = 6
    assert steps[0].shape == (512, 20, 20) and steps[1].shape == (512, 6, 6)
    assert steps[3].shape == (128 * 36,)


def test_unknown_head_names_the_existing_ones():
    with pytest.raises(UsageError, match="aux1, aux2"):
        aux_head_steps(get_spec("inception-v1"), "aux3")
    with pytest.raises(UsageError, match="none"):
        aux_head_steps(get_spec("googlenet"), "aux1")


def test_the_figure_shows_every_step_and_shape(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw_aux_head(get_spec("inception-v1"), "aux1", loss_weight=0.3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for shape in ("512x14x14", "512x4x4", "128x4x4", "2048", "1000   1,025,000 params"):
        assert any(t.startswith(shape) for t in texts), shape
    assert any("x 0.3 in the loss" in t for t in texts)
    fig.savefig(tmp_path / "aux.png")
    assert (tmp_path / "aux.png").stat().st_size > 1000


def test_the_heads_labels_do_not_overlap():
    for spec, head in (("inception-v1", "aux1"), ("inception-v1", "aux2"), ("torchvision-googlenet", "aux1")):
        assert overlapping_texts(draw_aux_head(get_spec(spec), head, loss_weight=0.3)) == [], (spec, head)
