"""Names and other single lines refuse the zero-width space and its kin: "Iraq"
and "Ir<U+200B>aq" look the same and are different names (a second, look-alike
tag, office or mandate). The zero-width non-joiner and joiner stay: Persian
and other Arabic-script names are spelled with them."""

import pytest
from django.core.exceptions import ValidationError

from hrprofile.validators import validate_single_line
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    TagFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db

ZERO_WIDTH_SPACE = "\u200b"
ZERO_WIDTH_NO_BREAK_SPACE = "\ufeff"  # also the byte-order mark
WORD_JOINER = "\u2060"  # what U+FEFF once meant, as invisible
INVISIBLE = [ZERO_WIDTH_SPACE, ZERO_WIDTH_NO_BREAK_SPACE, WORD_JOINER]

ZERO_WIDTH_NON_JOINER = "\u200c"
ZERO_WIDTH_JOINER = "\u200d"


@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
def test_the_validator_names_the_invisible_character(char):
    with pytest.raises(ValidationError) as error:
        validate_single_line(f"Ir{char}aq")

    assert f"U+{ord(char):04X}" in error.value.messages[0]


@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
def test_an_office_name_refuses_it(char):
    office = OfficeFactory.build(name=f"UN Human Rights in Ir{char}aq")

    with pytest.raises(ValidationError) as error:
        office.full_clean()

    assert "name" in error.value.message_dict


@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
def test_a_field_office_name_refuses_it(char):
    field_office = FieldOfficeFactory.build(office=OfficeFactory(), name=f"{char}Erbil")

    with pytest.raises(ValidationError) as error:
        field_office.full_clean()

    assert "name" in error.value.message_dict


@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
def test_a_mandate_title_refuses_it(char):
    mandate = MandateFactory.build(
        office=OfficeFactory(), title=f"Security Council{char} resolution 2522"
    )

    with pytest.raises(ValidationError) as error:
        mandate.full_clean()

    assert "title" in error.value.message_dict


@pytest.mark.parametrize("factory", [TagFactory, ThematicPillarFactory])
@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
def test_a_term_name_refuses_it(factory, char):
    term = factory.build(name=f"Civic{char} space")

    with pytest.raises(ValidationError) as error:
        term.full_clean()

    assert "name" in error.value.message_dict


def test_a_persian_name_keeps_its_zero_width_non_joiner():
    # "Mazar-i-Sharif" in Dari: the non-joiner keeps "مزار" from joining on.
    name = f"مزار{ZERO_WIDTH_NON_JOINER}شریف"
    field_office = FieldOfficeFactory.build(office=OfficeFactory(), name=name)

    field_office.full_clean()

    validate_single_line(name)


def test_a_name_keeps_its_zero_width_joiner():
    name = f"ک{ZERO_WIDTH_JOINER} اداره"
    office = OfficeFactory.build(name=name)

    office.full_clean()
