"""Checks of personal data entered by a person; each failure is a Russian message."""

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

PIN_RE = re.compile(r"^\d{4,6}$")


def validate_pin(pin: str) -> None:
    """A PIN of 4–6 digits that is not trivially weak (one digit repeated, a run up or down)."""
    if not PIN_RE.match(pin or ""):
        raise ValidationError(_("PIN-код — от 4 до 6 цифр"), code="pin_format")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):
        raise ValidationError(
            _("Такой PIN-код слишком легко угадать (например, 0000 или 1234): придумайте другой"),
            code="pin_weak",
        )


NAME_RE = re.compile(r"^[А-Яа-яЁё]+(?:[ '’-][А-Яа-яЁё]+)*$")
PASSPORT_SERIES_RE = re.compile(r"^\d{4}$")
PASSPORT_NUMBER_RE = re.compile(r"^\d{6}$")
MIN_AGE = 14
OLDEST_BIRTH_YEAR = 1900


def normalize_person_name(value: str) -> str:
    """Spaces around and inside a name collapsed: «  Анна   Мария » → «Анна Мария»."""
    return " ".join((value or "").split())


def validate_person_name(value: str) -> None:
    """Russian letters, with a hyphen, a space or an apostrophe between parts (Анна-Мария,
    Д'Артаньян); not a leading or trailing sign."""
    if not NAME_RE.match(value or ""):
        raise ValidationError(
            _("Только русские буквы; между частями — дефис, пробел или апостроф"),
            code="name_letters",
        )


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def validate_birth_date(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("Дата рождения не может быть в будущем"), code="birth_future")
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValidationError(_("Проверьте год рождения"), code="birth_too_old")
    if age_on(value, today) < MIN_AGE:
        raise ValidationError(
            _("Зарегистрироваться можно с %(age)s лет") % {"age": MIN_AGE}, code="birth_too_young"
        )


def normalize_passport_part(value: str) -> str:
    """People type «45 10» or «45-10»: only the digits count."""
    return re.sub(r"[\s-]", "", value or "")


def validate_passport_series(value: str) -> None:
    if not PASSPORT_SERIES_RE.match(value or ""):
        raise ValidationError(_("Серия паспорта — ровно 4 цифры"), code="passport_series")


def validate_passport_number(value: str) -> None:
    if not PASSPORT_NUMBER_RE.match(value or ""):
        raise ValidationError(_("Номер паспорта — ровно 6 цифр"), code="passport_number")


def normalize_mobile_phone(value: str) -> str:
    """A Russian mobile number in E.164 (+79161234567), from «8 916 123-45-67», «+7 (916)…»."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Введите мобильный номер в формате +7 900 000-00-00"), code="phone_format"
        ) from exc
    if number.country_code != 7 or phonenumbers.region_code_for_number(number) != "RU":
        raise ValidationError(_("Нужен российский номер, начинающийся с +7"), code="phone_country")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Такого номера не существует: проверьте цифры"), code="phone_invalid"
        )
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            _("Нужен номер мобильного телефона: на него придёт SMS с кодом"), code="phone_mobile"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+79161234567 → «+7 916 123-45-67»."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "RU")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """+79161234567 → «+7 916 ***-**-67»."""
    if len(e164) < 12:
        return e164
    return f"{e164[:2]} {e164[2:5]} ***-**-{e164[-2:]}"


LATIN_NAME_RE = re.compile(r"^[A-Za-z]+(?:[ '\-][A-Za-z]+)*$")
LATIN_NAME_MAX = 40


def latin_name_clean(value: str) -> str:
    """A name as the foreign passport prints it: Latin letters, hyphen, space, apostrophe; kept
    in capitals, single spaces."""
    value = " ".join((value or "").split())
    if len(value) > LATIN_NAME_MAX:
        raise ValidationError(
            _("Не длиннее %(max)s символов, как в загранпаспорте.") % {"max": LATIN_NAME_MAX}
        )
    if re.search(r"[А-Яа-яЁё]", value):
        raise ValidationError(
            _("Латинскими буквами, как в загранпаспорте: русские буквы здесь не подходят.")
        )
    if re.search(r"\d", value):
        raise ValidationError(
            _("Цифр в имени быть не может: латинскими буквами, как в загранпаспорте.")
        )
    if value and not LATIN_NAME_RE.match(value):
        raise ValidationError(
            _("Только латинские буквы, дефис, пробел и апостроф, как в загранпаспорте.")
        )
    return value.upper()
