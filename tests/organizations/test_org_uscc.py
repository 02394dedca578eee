"""统一社会信用代码: valid codes pass; each kind of mistake gets its own message."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from marketplace.errors import Invalid
from marketplace.organizations.uscc import check


@pytest.mark.parametrize("raw", ["91110000600037341L", "9111 0000 6000 3734 1L", "91110000-600037341l",
                                 "９１１１００００６０００３７３４１Ｌ"])
def test_valid_codes_are_normalised(raw):
    assert check(raw) == "91110000600037341L"


def test_wrong_length_says_how_many_characters():
    with pytest.raises(Invalid) as error:
        check("9111000060003734")
    assert "应为18位" in error.value.message and "有16位" in error.value.message
    assert error.value.field == "uscc"


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V"])
def test_letters_not_used_are_named_with_their_position(char):
    with pytest.raises(Invalid) as error:
        check("9111000060003734" + char + "L")
    assert f"第17位「{char}」" in error.value.message and "I、O、Z、S、V" in error.value.message


def test_other_characters_are_named():
    with pytest.raises(Invalid) as error:
        check("91110000600037#41L")
    assert "第15位「#」" in error.value.message


def test_letters_in_the_first_eight_positions_are_refused():
    with pytest.raises(Invalid) as error:
        check("A1110000600037341L")
    assert "第1位「A」" in error.value.message


def test_wrong_check_character_says_which_is_expected():
    assert stdnum_uscc.calc_check_digit("91110000600037341") == "L"
    with pytest.raises(Invalid) as error:
        check("91110000600037341A")
    assert "校验码应为 L，实为 A" in error.value.message


def test_empty_code_is_refused():
    with pytest.raises(Invalid, match="请填写"):
        check("  ")
