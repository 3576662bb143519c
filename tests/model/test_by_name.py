"""Models by name, with their options."""

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.model.builder import AuxClassifier
from gnet_lib.model.by_name import build_model


def _count(model, kind):
    return sum(isinstance(m, kind) for m in model.modules())


def test_options_change_the_named_architecture():
    assert _count(build_model("inception-v1"), AuxClassifier) == 2
    assert _count(build_model("inception-v1", aux_logits=False), AuxClassifier) == 0
    assert build_model("googlenet", num_classes=100).classifier.fc.out_features == 100
    assert build_model("googlenet").classifier.fc.out_features == 10


def test_an_unknown_initialisation_or_model_is_refused_naming_the_valid_ones():
    with pytest.raises(UsageError, match="valid schemes are"):
        build_model("googlenet", init="zeros")
    with pytest.raises(UsageError, match="googlenet"):
        build_model("googlenett")
