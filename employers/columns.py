"""The layout of an employee list: its columns, their Russian headers and accepted spellings."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    hint: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "policy_number",
        "Номер полиса",
        True,
        "Номер полиса ДМС застрахованного, например ДМС-0147-000123; уникален",
        ("полис", "№ полиса", "номер полиса дмс"),
    ),
    Column("last_name", "Фамилия", True, "Обязательно"),
    Column("first_name", "Имя", True, "Обязательно"),
    Column("middle_name", "Отчество", False, "Если есть"),
    Column("birth_date", "Дата рождения", True, "ДД.ММ.ГГГГ, например 12.04.1988", ("дата рожд.",)),
    Column(
        "email",
        "Электронная почта",
        False,
        "На новый адрес придёт приглашение в личный кабинет",
        ("e-mail", "email", "эл. почта", "электронный адрес"),
    ),
    Column(
        "phone",
        "Телефон",
        False,
        "Мобильный, например +7 916 123-45-67",
        ("мобильный телефон", "телефон мобильный"),
    ),
    Column(
        "program_code",
        "Код программы",
        True,
        "Код программы страхования договора",
        ("программа", "код программы страхования"),
    ),
    Column(
        "starts_on",
        "Дата начала",
        False,
        "ДД.ММ.ГГГГ; пусто — с начала договора",
        ("начало", "дата начала страхования", "начало действия"),
    ),
    Column(
        "ends_on",
        "Дата окончания",
        False,
        "ДД.ММ.ГГГГ; пусто — до окончания договора",
        ("окончание", "дата окончания страхования", "окончание действия"),
    ),
    Column(
        "relation",
        "Кем приходится",
        False,
        "«сотрудник» или «ребёнок»; пусто — сотрудник",
        ("отношение", "статус", "сотрудник/ребёнок"),
    ),
    Column(
        "parent_number",
        "Номер полиса родителя",
        False,
        "Только для ребёнка: номер полиса родителя-сотрудника",
        ("полис родителя",),
    ),
)

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HEADERS = [column.header for column in COLUMNS]


def header_key(text: str) -> str:
    """A header as compared: lower case, ё as е, single spaces, no trailing colon or asterisk."""
    cleaned = " ".join(str(text).replace("\ufeff", "").split()).lower().replace("ё", "е")
    return cleaned.rstrip(":*").strip()


_KEYS_BY_HEADER = {
    header_key(spelling): column.key
    for column in COLUMNS
    for spelling in (column.header, *column.aliases)
}


def column_for_header(text: str) -> str | None:
    return _KEYS_BY_HEADER.get(header_key(text))
