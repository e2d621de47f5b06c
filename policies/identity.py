"""Who a register row is: the rules that compare a person's data with the insurer's register.

The register and the cabinet are typed by different people (HR, the person themselves), so the
comparison forgives what does not tell two people apart: case, «ё» for «е», spaces around and
inside a name. Hyphens are kept: «Петрова-Водкина» is not «Петрова Водкина».
"""

import datetime
import re
from dataclasses import dataclass

from portal.accounts.models import User
from portal.core.formatting import LATIN_TO_CYRILLIC

from .models import InsuredPerson

CHILD_AGE_LIMIT = 15  # a child's policy is linked to a parent's cabinet until the 15th birthday

_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
_SPACES = re.compile(r"\s+")
_AROUND_HYPHEN = re.compile(r"\s*-\s*")


def normalize_name(value: str) -> str:
    """One part of a full name, as compared: «  Семёнова -Тян » → «семенова-тян»."""
    value = _DASHES.sub("-", value or "")
    value = _SPACES.sub(" ", value).strip()
    value = _AROUND_HYPHEN.sub("-", value)
    return value.casefold().replace("ё", "е")


def normalize_policy_number(value: str) -> str:
    """A policy number as the register keeps it: upper case, one kind of hyphen, single spaces."""
    value = _DASHES.sub("-", value or "")
    return _SPACES.sub(" ", value).strip().upper()


_NUMBER_SEPARATORS = re.compile(r"[\s\-]")


def policy_number_key(value: str) -> str:
    """What tells policy numbers apart, however typed: «дмс 0147 000001», «DMC-0147-000001»
    (Latin look-alikes) and «ДМС-0147-000001» → «ДМС0147000001»."""
    value = normalize_policy_number(value).translate(LATIN_TO_CYRILLIC)
    return _NUMBER_SEPARATORS.sub("", value)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years on the day (someone born on 29 February turns a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def born_on_or_before_for_age(age: int, day: datetime.date) -> datetime.date:
    """The latest birth date of someone who is at least `age` on the day (for a database filter
    that agrees with age_on)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February of a leap year, `age` years back is not a leap year
        return day.replace(year=day.year - age, day=28)


@dataclass(frozen=True)
class Identity:
    """The data a register row is matched on."""

    last_name: str
    first_name: str
    middle_name: str
    birth_date: datetime.date | None
    passport_index: str = ""

    @classmethod
    def of_user(cls, user: User) -> "Identity":
        return cls(
            last_name=user.last_name,
            first_name=user.first_name,
            middle_name="" if user.no_middle_name else user.middle_name,
            birth_date=user.birth_date,
            passport_index=user.passport_index,
        )

    @property
    def is_complete(self) -> bool:
        return bool(self.last_name.strip() and self.first_name.strip() and self.birth_date)

    def names(self) -> tuple[str, str, str]:
        return tuple(normalize_name(p) for p in (self.last_name, self.first_name, self.middle_name))

    def matches(self, person: InsuredPerson, *, check_passport: bool = True) -> bool:
        """Same normalised full name and birth date; and the same passport when the register
        has one (`check_passport`: a parent adding a child's policy is asked for none)."""
        if not self.is_complete or person.birth_date != self.birth_date:
            return False
        theirs = tuple(
            normalize_name(p) for p in (person.last_name, person.first_name, person.middle_name)
        )
        if theirs != self.names():
            return False
        if check_passport and person.passport_index:
            return person.passport_index == self.passport_index
        return True
