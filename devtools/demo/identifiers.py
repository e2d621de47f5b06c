"""Check digits of Russian identifiers, so that demo INNs and bank accounts pass real validators.

The validators are the production ones (portal.core.banking); the seed imports them from here."""

from portal.core.banking import (
    ACCOUNT_WEIGHTS,
    INN10_WEIGHTS,
    bank_account_is_valid,
    bank_account_with_check_digit,
    inn10_is_valid,
    inn10_with_check_digit,
)

ACCOUNT_CHECK_POSITION = 8

__all__ = [
    "ACCOUNT_CHECK_POSITION",
    "ACCOUNT_WEIGHTS",
    "INN10_WEIGHTS",
    "bank_account_is_valid",
    "bank_account_with_check_digit",
    "inn10_is_valid",
    "inn10_with_check_digit",
]
