"""Check digits of Russian identifiers, so that demo INNs and bank accounts pass real validators."""

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
# The Bank of Russia's key for a 20-digit account: the last three BIK digits, then the account.
ACCOUNT_WEIGHTS = (7, 1, 3) * 7 + (7, 1)
ACCOUNT_CHECK_POSITION = 8


def inn10_with_check_digit(first_nine: str) -> str:
    """A legal entity's 10-digit INN: nine given digits and the check digit computed from them."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, INN10_WEIGHTS, strict=True))
    return first_nine + str(total % 11 % 10)


def inn10_is_valid(inn: str) -> bool:
    return len(inn) == 10 and inn.isdigit() and inn10_with_check_digit(inn[:9]) == inn


def bank_account_is_valid(*, bik: str, account: str) -> bool:
    """The key check of an account held at a credit institution (not a cash settlement centre)."""
    if len(bik) != 9 or len(account) != 20 or not (bik + account).isdigit():
        return False
    digits = bik[-3:] + account
    return sum(int(d) * w % 10 for d, w in zip(digits, ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def bank_account_with_check_digit(*, bik: str, account: str) -> str:
    """The account with its ninth digit (the key) set so that it passes the check with `bik`."""
    for key in "0123456789":
        candidate = account[:ACCOUNT_CHECK_POSITION] + key + account[ACCOUNT_CHECK_POSITION + 1 :]
        if bank_account_is_valid(bik=bik, account=candidate):
            return candidate
    raise ValueError("no key digit makes this account valid")
