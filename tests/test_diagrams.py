"""Diagrams: drawn from specs."""

import warnings

import matplotlib

matplotlib.use("Agg")

from gnet_lib import get_spec  # noqa: E402
from gnet_lib.plots import diagrams  # noqa: E402


def test_diagrams_draw_without_warnings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [
            diagrams.draw_inception_module(get_spec("inception-v1").inceptions[0]),
            diagrams.draw_network(get_spec("googlenet", aux_logits=True)),
        ]
    for i, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 1000
