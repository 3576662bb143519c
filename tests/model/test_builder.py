"""The builder: a spec in, modules out, named and sized from the spec alone."""

import pytest
import torch

from gnet_lib.core.architectures import get_spec
from gnet_lib.core.errors import UsageError
from gnet_lib.core.layers import layer_table
from gnet_lib.core.specs import Conv, Network, Pool
from gnet_lib.model.builder import AuxClassifier, ConvUnit, ModelOutput, build_network, conv_biases_before_batch_norm


def test_a_model_with_heads_returns_them_in_training_and_the_logits_alone_in_evaluation():
    model = build_network(get_spec("googlenet", aux_logits=True))
    x = torch.randn(2, 3, 32, 32)
    out = model.train()(x)
    assert isinstance(out, ModelOutput) and out.logits.shape == (2, 10)
    assert len(out.aux) == sum(isinstance(m, AuxClassifier) for m in model.modules()) == 2
    with torch.no_grad():
        assert model.eval()(x).shape == (2, 10)


def test_every_row_of_the_walk_names_a_module_of_the_built_model():
    for name in ("inception-v1", "googlenet", "naive"):
        model = build_network(get_spec(name))
        for row in layer_table(name).layer_rows:
            model.get_submodule(row.module)  # raises if the walk and the builder disagree on a name


def test_a_layer_name_used_twice_is_refused_with_what_to_do():
    spec = Network(name="twice", title="", input_size=(3, 8, 8), num_classes=2,
                   layers=(Conv("conv", 4, 3, padding="same"), Pool("conv", "max", 2, 2)))
    with pytest.raises(UsageError, match="unique"):
        build_network(spec)


def test_the_biases_before_batch_norm_are_those_of_every_conv_unit_with_batch_norm():
    model = build_network(get_spec("googlenet"))
    units = [m for m in model.modules() if isinstance(m, ConvUnit)]
    with_bn = [u for u in units if hasattr(u, "bn")]
    biases = conv_biases_before_batch_norm(model)
    assert len(biases) == len(with_bn) > 0
    assert all(any(b is u.conv.bias for u in with_bn) for b in biases)
    assert conv_biases_before_batch_norm(build_network(get_spec("inception-v1"))) == []  # no batch norm there
