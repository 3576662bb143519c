"""Source listings: the library's own code, shown as a Python block, never a copy."""

import inspect

import pytest

from gnet_lib.book.listing import source_listing
from gnet_lib.core.errors import UsageError
from gnet_lib.model.plain_googlenet import Inception, PaperGoogLeNet


def test_a_class_is_shown_as_written_in_its_file():
    listing = source_listing(Inception)
    assert repr(listing) == inspect.getsource(Inception).rstrip("\n")
    markdown = listing._repr_markdown_()
    assert markdown.startswith("```python\nclass Inception(nn.Module):") and markdown.endswith("\n```")


def test_a_method_is_dedented():
    code = repr(source_listing(PaperGoogLeNet.forward))
    assert code.startswith("def forward(self, x: Tensor)") and "\n        x = self.lrn1" not in code


def test_backticks_in_the_code_get_a_longer_fence():
    def quoted():
        return "```"

    assert source_listing(quoted)._repr_markdown_().startswith("````python\n")


def test_something_without_source_is_refused_with_a_reason():
    with pytest.raises(UsageError, match="class, function or method"):
        source_listing(len)
