"""BIK and account check digits (portal.core.banking): the Bank of Russia's key algorithm."""

import pytest

from portal.core.banking import (
    bank_account_is_valid,
    bank_account_with_check_digit,
    bik_is_rkc,
    bik_is_valid,
    correspondent_account_is_valid,
)

# Real correspondent accounts of Russian banks, as printed in their details: held at the Bank of
# Russia's settlement centre, so checked with «0» and BIK digits 5–6.
REAL_CORRESPONDENT = [
    ("044525225", "30101810400000000225"),  # Сбербанк
    ("044525187", "30101810700000000187"),  # ВТБ
    ("044525593", "30101810200000000593"),  # Альфа-Банк
    ("044525974", "30101810145250000974"),  # Т-Банк
]


@pytest.mark.parametrize(("bik", "account"), REAL_CORRESPONDENT)
def test_real_correspondent_accounts_pass_the_settlement_centre_key(bik, account):
    assert correspondent_account_is_valid(bik=bik, account=account)
    # …and not the credit institution's variant, which is for the clients' accounts
    assert not bank_account_is_valid(bik=bik, account=account)


@pytest.mark.parametrize(
    ("bik", "account"),
    [
        # computed by hand: 225 + 40817810938160925982, weights 7 1 3…, sum of last digits = 90
        ("044525225", "40817810938160925982"),
        ("044525974", "40817810500012345678"),
        ("044525593", "40817810700000000009"),
    ],
)
def test_valid_client_accounts(bik, account):
    assert bank_account_is_valid(bik=bik, account=account)
    assert bank_account_with_check_digit(bik=bik, account=account) == account


def test_a_wrong_key_digit_or_another_bank_fails():
    account = "40817810938160925982"
    assert bank_account_is_valid(bik="044525225", account=account)
    assert not bank_account_is_valid(bik="044525225", account="40817810038160925982")
    assert not bank_account_is_valid(bik="044525187", account=account)  # another bank
    # two swapped digits are caught too
    assert not bank_account_is_valid(bik="044525225", account="40817810938160925928")


def test_an_account_at_a_settlement_centre_uses_bik_digits_5_and_6():
    # BIKs of the Bank of Russia's own subdivisions end in 000, 001, 002; the key is computed
    # over «0» + BIK digits 5–6 («025», «003»), not over the last three digits
    assert bik_is_rkc("044525000") and bik_is_rkc("044030001")
    assert not bik_is_rkc("044525225")
    assert bank_account_is_valid(bik="044525000", account="40817810500000000001")
    assert not bank_account_is_valid(bik="044525000", account="40817810400000000001")
    assert bank_account_is_valid(bik="044525000", account="40817810400000000001", rkc=False)
    assert bank_account_is_valid(bik="044030001", account="40817810300000000001")


@pytest.mark.parametrize(
    "bik", ["", "04452522", "0445252255", "14452522X", "144525225", "04452522a"]
)
def test_malformed_biks(bik):
    assert not bik_is_valid(bik)
    assert not bank_account_is_valid(bik=bik, account="40817810938160925982")


@pytest.mark.parametrize(
    "account", ["", "4081781093816092598", "408178109381609259821", "4081781093816092598X"]
)
def test_malformed_accounts(account):
    assert not bank_account_is_valid(bik="044525225", account=account)


def test_the_seed_uses_the_production_validator():
    from devtools.demo import identifiers

    assert identifiers.bank_account_is_valid is bank_account_is_valid
