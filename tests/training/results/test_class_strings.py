"""Labels and predictions as strings of fixed-width digits."""

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.results.class_strings import decode_labels, encode_labels


def test_one_digit_per_image_for_ten_classes_two_for_a_hundred():
    assert encode_labels([3, 0, 9], 10) == "309"
    assert encode_labels([7, 42, 99], 100) == "074299"
    assert len(encode_labels(range(10), 10)) == 10 and len(encode_labels(range(100), 100)) == 200


@pytest.mark.parametrize("classes", [2, 10, 11, 100, 1000])
def test_decoding_gives_back_what_was_encoded(classes):
    labels = [(i * 7) % classes for i in range(50)]
    assert decode_labels(encode_labels(labels, classes), classes) == labels


@pytest.mark.parametrize("text", ["12a", "0742 ", "074", "٣"])
def test_a_string_that_cannot_be_class_indices_is_refused(text):
    with pytest.raises(UsageError, match="damaged"):
        decode_labels(text, 100 if len(text.strip()) != 1 else 10)


def test_an_empty_string_is_no_images():
    assert decode_labels("", 10) == []
