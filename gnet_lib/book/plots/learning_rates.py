"""Charts of learning rates: each recipe's rate on its own axis (the ``lr`` of Adadelta and that
of SGD are different quantities), and step-decay schedules relative to their initial rate."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ...training.engine.lr_schedules import LR_MEANING, LrTrace

OPTIMIZER_NAMES = {"adadelta": "Adadelta", "sgd": "SGD"}


def recipe_learning_rates(traces: Sequence[LrTrace]) -> Figure:
    """One panel per recipe, its y axis labelled with what its optimizer's ``lr`` means."""
    fig, axes = plt.subplots(1, max(1, len(traces)), figsize=(5 * max(1, len(traces)), 3.4), squeeze=False)
    for ax, trace in zip(axes[0], traces):
        ax.plot(trace.epochs, trace.lrs, color="tab:orange" if trace.optimizer == "adadelta" else "tab:blue")
        ax.set_title(f"{trace.recipe} ({OPTIMIZER_NAMES.get(trace.optimizer, trace.optimizer)})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(LR_MEANING.get(trace.optimizer, "learning rate"), fontsize=8)
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def decay_factors(curves: dict[str, tuple[Sequence[int], Sequence[float]]]) -> Figure:
    """Step-decay schedules as a fraction of their initial rate against finished epochs (log scale),
    so that schedules of different optimizers and initial rates compare."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for label, (epochs, factors) in curves.items():
        ax.step(epochs, factors, where="post", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("finished epochs")
    ax.set_ylabel("learning rate / initial rate")
    if curves:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
