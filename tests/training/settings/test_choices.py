"""The named choices the command line and the engine share: the parser offers exactly these, and
reading them loads no PyTorch."""

import subprocess
import sys

import pytest

from gnet_lib.cli import build_parser
from gnet_lib.core.errors import UsageError
from gnet_lib.training.settings.choices import DATASETS, EVAL_PRECISIONS, PRECISIONS, SYNTHETIC_SIZES
from gnet_lib.training.settings.config import TrainConfig


def _offered(flag: str) -> tuple[str, ...]:
    train = build_parser()._subparsers._group_actions[0].choices["train"]  # the train command's parser
    (action,) = [a for a in train._actions if flag in a.option_strings]
    return tuple(action.choices)


@pytest.mark.parametrize(("flag", "named"), [("--dataset", DATASETS), ("--precision", PRECISIONS),
                                             ("--eval-precision", EVAL_PRECISIONS)])
def test_the_command_line_offers_the_named_choices(flag, named):
    assert _offered(flag) == named


def test_the_engine_refuses_what_is_not_a_named_choice():
    with pytest.raises(UsageError, match="unknown precision 'fp8'; choose one of: auto, bf16, fp16, fp32"):
        TrainConfig(model="short3", dataset="synthetic", precision="fp8").validate()


def test_the_synthetic_default_is_set_here_once():
    assert TrainConfig(model="short3", dataset="synthetic").synthetic_sizes == SYNTHETIC_SIZES


def test_reading_the_choices_loads_no_torch():
    code = "import sys, gnet_lib.training.settings.choices; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
