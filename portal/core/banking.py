"""Russian bank details: the BIK and the 20-digit account with its key (check digit).

The key is the Bank of Russia's algorithm (Правила бухгалтерского учёта в кредитных организациях,
приложение «Порядок расчёта контрольного ключа в номере лицевого счёта»): three digits naming the
bank, then the 20 digits of the account, are multiplied by the weights 7, 1, 3, 7, 1, 3…; the
last digits of the products add up to a number ending in 0.

The three digits naming the bank are the last three digits of the BIK for an account held at a
credit institution, and «0» followed by the 5th and 6th digits of the BIK (the number of the cash
settlement centre) for an account held at a settlement centre (РКЦ) of the Bank of Russia itself,
whose BIKs end in 000, 001 or 002; a bank's correspondent account (30101…) is such an account.
"""

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
ACCOUNT_WEIGHTS = (7, 1, 3) * 7 + (7, 1)
ACCOUNT_KEY_POSITION = 8  # the 9th digit of the account is its key
# The last three BIK digits of the Bank of Russia's own subdivisions (РКЦ, ГРКЦ, отделения).
RKC_BIK_ENDINGS = frozenset({"000", "001", "002"})


def inn10_with_check_digit(first_nine: str) -> str:
    """A legal entity's 10-digit INN: nine given digits and the check digit computed from them."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, INN10_WEIGHTS, strict=True))
    return first_nine + str(total % 11 % 10)


def inn10_is_valid(inn: str) -> bool:
    return len(inn) == 10 and inn.isdigit() and inn10_with_check_digit(inn[:9]) == inn


def bik_is_valid(bik: str) -> bool:
    """Nine digits, the first two «04» (the Russian Federation)."""
    return len(bik) == 9 and bik.isdigit() and bik.startswith("04")


def bik_is_rkc(bik: str) -> bool:
    """The BIK of a settlement centre of the Bank of Russia rather than of a credit institution."""
    return bik[-3:] in RKC_BIK_ENDINGS


def _key_is_valid(prefix: str, account: str) -> bool:
    digits = prefix + account
    return sum(int(d) * w % 10 for d, w in zip(digits, ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def bank_account_is_valid(*, bik: str, account: str, rkc: bool | None = None) -> bool:
    """The key check of a 20-digit account opened with the bank of `bik`.

    `rkc` says whether the account is held at a settlement centre of the Bank of Russia; by
    default, when the BIK is one of a settlement centre."""
    if not bik_is_valid(bik) or len(account) != 20 or not account.isdigit():
        return False
    if rkc is None:
        rkc = bik_is_rkc(bik)
    prefix = "0" + bik[4:6] if rkc else bik[-3:]
    return _key_is_valid(prefix, account)


def correspondent_account_is_valid(*, bik: str, account: str) -> bool:
    """A bank's correspondent account (30101…) is held at the Bank of Russia's settlement centre."""
    return account.startswith("30101") and bank_account_is_valid(bik=bik, account=account, rkc=True)


def bank_account_with_check_digit(*, bik: str, account: str, rkc: bool | None = None) -> str:
    """The account with its ninth digit (the key) set so that it passes the check with `bik`."""
    for key in "0123456789":
        candidate = account[:ACCOUNT_KEY_POSITION] + key + account[ACCOUNT_KEY_POSITION + 1 :]
        if bank_account_is_valid(bik=bik, account=candidate, rkc=rkc):
            return candidate
    raise ValueError("no key digit makes this account valid")
