"""Checking one row of an employee list on its own: formats, dates, program, relation.

Checks that need other rows (duplicates, parents) or the register (another company's policy
number, who is left out) are made by `checking` afterwards, in the database.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

import phonenumbers
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from policies.models import Contract, InsuredPerson, Program

from ..columns import COLUMN_BY_KEY
from .reading import Cell

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset("".join(FORMULA_STARTS))
POLICY_NUMBER_RE = re.compile(r"^[0-9A-Za-zА-ЯЁа-яё][0-9A-Za-zА-ЯЁа-яё/.\-]{2,31}$")
NAME_RE = re.compile(r"^[A-Za-zА-ЯЁа-яё]+(?:[ '’\-.][A-Za-zА-ЯЁа-яё]+)*\.?$")
PHONE_LIKE_RE = re.compile(r"^\+?[\d\s()\-]{6,25}$")
NON_DIGITS = re.compile(r"\D")
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")
DAY_RE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}\Z")
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
RELATIONS = {
    "сотрудник": InsuredPerson.Relation.EMPLOYEE,
    "сотрудница": InsuredPerson.Relation.EMPLOYEE,
    "работник": InsuredPerson.Relation.EMPLOYEE,
    "employee": InsuredPerson.Relation.EMPLOYEE,
    "ребенок": InsuredPerson.Relation.CHILD,
    "ребёнок": InsuredPerson.Relation.CHILD,
    "дети": InsuredPerson.Relation.CHILD,
    "сын": InsuredPerson.Relation.CHILD,
    "дочь": InsuredPerson.Relation.CHILD,
    "child": InsuredPerson.Relation.CHILD,
}
VALUE_PREVIEW = 60
PERSONNEL_NUMBER_RE = re.compile(r"^[0-9A-Za-zА-ЯЁа-яё][0-9A-Za-zА-ЯЁа-яё/.\-]{0,31}$")
# The last word of a Turkic patronymic («Мамедов Эльчин Рашид оглы»): part of the patronymic.
PATRONYMIC_TAILS = frozenset({"оглы", "огли", "кызы", "кизи", "улы", "уулу", "угли"})
# A date typed as a number in a CSV (a spreadsheet's serial day, 1900-01-01 … 2099-12-31).
SERIAL_RE = re.compile(r"[0-9]{1,5}(?:\.0+)?\Z")


@dataclass
class RowContext:
    contract: Contract
    programs: dict[str, Program]  # by code, and by upper-case code
    today: datetime.date

    @property
    def only_program(self) -> Program | None:
        """The contract's program when it has one only (a list may then leave the code out)."""
        distinct = {program.pk: program for program in self.programs.values()}
        return next(iter(distinct.values())) if len(distinct) == 1 else None

    @classmethod
    def for_contract(cls, contract: Contract, *, today: datetime.date) -> "RowContext":
        programs: dict[str, Program] = {}
        for program in Program.objects.filter(contract=contract):
            programs[program.code] = program
            programs.setdefault(program.code.upper(), program)
        return cls(contract=contract, programs=programs, today=today)


@dataclass
class CheckedRow:
    row_number: int
    values: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def error(self, key: str, raw: Cell, message: str) -> None:
        self.errors.append(error_entry(key, raw, message))


def error_entry(key: str, raw: Cell, message: str) -> dict:
    """An error of a row as stored and shown: the column's header, the value, the reason."""
    return {
        "column": COLUMN_BY_KEY[key].header,
        "value": cell_text(raw)[:VALUE_PREVIEW],
        "message": message,
    }


def ru_date(day: datetime.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def cell_text(value: Cell) -> str:
    """A cell as text: integral numbers without «.0», dates as ДД.ММ.ГГГГ, spaces trimmed, and the
    apostrophe that our own exports put before a formula-like value taken off again."""
    if type(value) is str:
        # The usual cell (every cell of a CSV): nothing to do but the spaces and the apostrophe.
        text = " ".join(value.split())
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
            return text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return ru_date(value.date())
    if isinstance(value, datetime.date):
        return ru_date(value)
    text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


def _formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _formula_message(text: str) -> str:
    return _("значение начинается с «%(char)s»: формулы и команды в ячейках не принимаются") % {
        "char": text[0]
    }


def parse_date(value: Cell) -> datetime.date | None:
    """A date cell of any of the accepted forms; None when it is not a date."""
    if isinstance(value, str) and DAY_RE.match(value):
        # ДД.ММ.ГГГГ, the usual form, without strptime (10 times slower); anything else, or an
        # impossible day, goes the long way below.
        try:
            return datetime.date(int(value[6:]), int(value[3:5]), int(value[:2]))
        except ValueError:
            pass
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed into an XLSX cell formatted as a number: Excel's serial day.
        if 1 <= value < 2958466:
            converted = from_excel(value)
            return converted.date() if isinstance(converted, datetime.datetime) else None
        return None
    text = cell_text(value)
    if SERIAL_RE.match(text):
        return parse_date(float(text)) if 1 <= float(text) < 73051 else None
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def split_full_name(text: str) -> tuple[str, str, str] | None:
    """(surname, name, patronymic) of a «ФИО» cell, or None when it cannot be told apart.

    Two words are a surname and a name; three a surname, name and patronymic; a Turkic
    patronymic keeps its «оглы»/«кызы» («Мамедов Эльчин Рашид оглы»). A double surname is written
    with a hyphen («Петрова-Водкина»): four words otherwise are ambiguous and refused."""
    words = text.replace(",", " ").split()
    if len(words) >= 4 and words[-1].lower() in PATRONYMIC_TAILS:
        words = [*words[:-2], f"{words[-2]} {words[-1]}"]
    if len(words) == 2:
        return words[0], words[1], ""
    if len(words) == 3:
        return words[0], words[1], words[2]
    return None


def normalise_phone(text: str) -> str | None:
    """+7XXXXXXXXXX (E.164) for a valid phone number, or None."""
    if not PHONE_LIKE_RE.match(text):
        return None
    digits = NON_DIGITS.sub("", text)
    if not text.startswith("+"):
        if len(digits) == 11 and digits[0] in "78":
            digits = "7" + digits[1:]
        elif len(digits) == 10:
            digits = "7" + digits
    if len(digits) == 11 and digits[:2] == "79" and _russian_mobile(digits[1:]):
        return "+" + digits
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted if len(formatted) <= 16 else None


_EMAIL = EmailValidator()
# The validator's own pattern, compiled here: its lazy regex costs an indirection on every use.
_EMAIL_USER = re.compile(_EMAIL.user_regex.pattern, _EMAIL.user_regex.flags)


@functools.lru_cache(maxsize=1024)
def _email_domain_valid(domain: str) -> bool:
    return domain in _EMAIL.domain_allowlist or _EMAIL.validate_domain_part(domain)


def email_valid(value: str) -> bool:
    """Django's validate_email, with the domain's verdict remembered: a company's list has one or
    two domains for thousands of addresses, and the domain is most of the validator's work."""
    if not value or "@" not in value or len(value) > 320:
        return False
    user, domain = value.rsplit("@", 1)
    return bool(_EMAIL_USER.match(user)) and _email_domain_valid(domain)


_RU = phonenumbers.PhoneMetadata.metadata_for_region("RU")


def _desc_pattern(desc) -> tuple[frozenset[int], re.Pattern]:
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


# The two descriptions' lengths and patterns, compiled once (phonenumbers looks each pattern up in
# its cache of compiled ones on every call: most of what the fast path below used to cost).
_RU_GENERAL, _RU_MOBILE = _desc_pattern(_RU.general_desc), _desc_pattern(_RU.mobile)


def _russian_mobile(national: str) -> bool:
    """+7 9XX…: valid when it is a Russian mobile number, decided by the same metadata as
    phonenumbers.is_valid_number but without parsing and trying every other kind of number first
    (a tenth of the time; the check of a 100,000-row list spends seconds on phones). A number
    this does not accept goes through phonenumbers in full."""
    # phonenumbers' _is_number_matching_desc: a possible length (when the description lists
    # them), then the whole national number matching the pattern.
    length = len(national)
    for lengths, pattern in (_RU_GENERAL, _RU_MOBILE):
        if (lengths and length not in lengths) or not pattern.fullmatch(national):
            return False
    return True


def check_row(row_number: int, cells: dict[str, Cell], ctx: RowContext) -> CheckedRow:
    """Every problem of the row on its own, in the order of the columns."""
    row = CheckedRow(row_number)
    values = row.values
    # Each cell's text (cell_text), and the cells that look like formulas; a string cell (every
    # cell of a CSV: 12 a row, a million and more a list) is made here without a call.
    texts: dict[str, str] = {}
    formula_keys: set[str] = set()
    for key, value in cells.items():
        if type(value) is str:
            text = " ".join(value.split()) if value else ""
            if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
                text = text[1:]
        else:
            text = cell_text(value)
        texts[key] = text
        if text and text[0] in FORMULA_CHARS and not (key == "phone" and text[0] == "+"):
            row.error(key, value, _formula_message(text))
            formula_keys.add(key)
    # What the checks below read of a cell: nothing of a formula (its error is given already).
    plain = {**texts, **dict.fromkeys(formula_keys, "")} if formula_keys else texts
    text_of = plain.get

    # No number: a newcomer (the insurer assigns one on apply) or someone found by personnel
    # number or by name and birth date (checking._register_match).
    number = text_of("policy_number", "")
    values["policy_number"] = number[:64]
    if number and not POLICY_NUMBER_RE.match(number):
        row.error(
            "policy_number",
            number,
            _("номер полиса — от 3 до 32 букв, цифр, «-», «/» или «.», без пробелов"),
        )

    names = {}
    full_name = text_of("full_name", "")
    if full_name and not text_of("last_name", ""):
        parts = split_full_name(full_name)
        if parts is None:
            row.error(
                "full_name",
                full_name,
                _(
                    "не удаётся разделить на фамилию, имя и отчество: нужно «Фамилия Имя "
                    "Отчество» (двойная фамилия — через дефис)"
                ),
            )
        else:
            names = dict(zip(("last_name", "first_name", "middle_name"), parts, strict=True))
    elif (
        "full_name" in cells
        and not full_name
        and "full_name" not in formula_keys
        and not text_of("last_name", "")
    ):
        row.error("full_name", "", _("не заполнено"))
        names = dict.fromkeys(("last_name", "first_name", "middle_name"), "")
    for key, required in (("last_name", True), ("first_name", True), ("middle_name", False)):
        if names or full_name:
            name = names.get(key, "")
            if not name:
                values[key] = ""
                continue
        else:
            name = text_of(key, "")
        values[key] = name[:150]
        if not name:
            if required and key not in formula_keys:
                row.error(key, "", _("не заполнено"))
        elif len(name) > 150:
            row.error(key, name, _("длиннее 150 знаков"))
        elif not NAME_RE.match(name):
            row.error(
                "full_name" if names else key,
                full_name if names else name,
                _("допустимы только буквы, пробел, дефис и апостроф"),
            )

    personnel = text_of("personnel_number", "")
    values["personnel_number"] = personnel[:32]
    if personnel and not PERSONNEL_NUMBER_RE.match(personnel):
        row.error(
            "personnel_number",
            personnel,
            _("табельный номер — до 32 букв, цифр, «-», «/» или «.», без пробелов"),
        )
    department = text_of("department", "")
    values["department"] = department[:150]
    if len(department) > 150:
        row.error("department", department, _("длиннее 150 знаков"))

    birth = _date_cell(row, "birth_date", cells, texts, formula_keys, required=True)
    values["birth_date"] = birth
    if birth and birth > ctx.today:
        row.error("birth_date", cells["birth_date"], _("дата рождения в будущем"))
    elif birth and birth < EARLIEST_BIRTH:
        row.error("birth_date", cells["birth_date"], _("дата рождения раньше 1900 года"))

    email = text_of("email", "").lower()
    values["email"] = email[:254]
    if email and not email_valid(email):
        row.error("email", email, _("неверный адрес электронной почты"))

    phone_text = text_of("phone", "")
    values["phone"] = ""
    if phone_text:
        phone = normalise_phone(phone_text)
        if phone is None:
            row.error(
                "phone", phone_text, _("неверный номер телефона: нужен номер вида +7 916 123-45-67")
            )
        else:
            values["phone"] = phone

    code = text_of("program_code", "")
    values["program_code"] = code[:32]
    values["program"] = None
    if not code and ctx.only_program is not None and "program_code" not in formula_keys:
        values["program"] = ctx.only_program
    elif not code:
        if "program_code" not in formula_keys:
            row.error("program_code", "", _("не указан код программы"))
    else:
        program = ctx.programs.get(code) or ctx.programs.get(code.upper())
        if program is None:
            known = sorted({p.code for p in ctx.programs.values()})
            row.error(
                "program_code",
                code,
                _("программа «%(code)s» не найдена в договоре; есть: %(known)s")
                % {"code": code, "known": ", ".join(known) or "—"},
            )
        values["program"] = program

    contract = ctx.contract
    # An empty date of the term is the contract's (most lists leave the term to the contract).
    starts, ends = contract.starts_on, contract.ends_on
    if texts.get("starts_on"):
        starts = _date_cell(row, "starts_on", cells, texts, formula_keys, required=False)
    if texts.get("ends_on"):
        ends = _date_cell(row, "ends_on", cells, texts, formula_keys, required=False)
    values["starts_on"], values["ends_on"] = starts, ends
    if starts and starts < contract.starts_on:
        row.error(
            "starts_on",
            cells.get("starts_on"),
            _("раньше начала договора (%(day)s)") % {"day": ru_date(contract.starts_on)},
        )
    if ends and ends > contract.ends_on:
        row.error(
            "ends_on",
            cells.get("ends_on"),
            _("позже окончания договора (%(day)s)") % {"day": ru_date(contract.ends_on)},
        )
    if starts and ends and ends < starts:
        row.error("ends_on", cells.get("ends_on"), _("дата окончания раньше даты начала"))
    if starts and birth and starts < birth:
        row.error("starts_on", cells.get("starts_on"), _("страхование начинается до рождения"))

    parent = text_of("parent_number", "")
    values["parent_number"] = parent[:64]
    relation_text = text_of("relation", "")
    relation = RELATIONS.get(relation_text.lower()) if relation_text else None
    if relation_text and relation is None:
        row.error("relation", relation_text, _("укажите «сотрудник» или «ребёнок»"))
    if relation is None:
        relation = InsuredPerson.Relation.CHILD if parent else InsuredPerson.Relation.EMPLOYEE
    values["relation"] = relation
    if relation == InsuredPerson.Relation.CHILD and not parent:
        if "parent_number" not in formula_keys:
            row.error("parent_number", "", _("для ребёнка укажите номер полиса родителя"))
    elif relation == InsuredPerson.Relation.EMPLOYEE and parent:
        row.error("parent_number", parent, _("у сотрудника полис родителя не указывается"))
    elif parent and parent == number:
        row.error("parent_number", parent, _("ребёнок не может быть своим родителем"))
    return row


def error_column_key(error: dict) -> str:
    for key, column in COLUMN_BY_KEY.items():
        if column.header == error["column"]:
            return key
    return ""


def _date_cell(
    row: CheckedRow,
    key: str,
    cells: dict[str, Cell],
    texts: dict[str, str],
    formula_keys: set[str],
    *,
    required: bool,
) -> datetime.date | None:
    raw = cells.get(key)
    if key in formula_keys:
        return None
    if not texts.get(key):  # the cell's text, as cell_text made it
        if required:
            row.error(key, "", _("не заполнено"))
        return None
    day = parse_date(raw)
    if day is None:
        row.error(key, raw, _("неверная дата: нужна дата вида ДД.ММ.ГГГГ"))
    return day
