"""An organisation's short name: the rules its addresses need."""

import pytest

from facilitation.domain.accounts import clean_slug
from facilitation.domain.errors import InvalidValue


def test_a_short_name_of_letters_digits_and_hyphens_is_kept():
    assert clean_slug(" hillside-primary-2 ") == "hillside-primary-2"


@pytest.mark.parametrize("value", ["", "Hillside", "hill side", "-hill", "hill--side", "a" * 61, "callback"])
def test_a_short_name_that_would_break_or_shadow_an_address_is_refused(value):
    with pytest.raises(InvalidValue) as refused:
        clean_slug(value)
    assert refused.value.field == "slug"
