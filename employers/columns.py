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
        False,
        "Номер полиса ДМС застрахованного, например ДМС-0147-000123; пусто у новых сотрудников — "
        "номер присвоит страховщик",
        ("полис", "№ полиса", "номер полиса дмс"),
    ),
    Column(
        "full_name",
        "ФИО",
        False,
        "Фамилия, имя и отчество в одной ячейке (вместо трёх столбцов), как в 1С",
        ("сотрудник", "ф.и.о.", "ф.и.о", "фамилия имя отчество", "физическое лицо", "работник"),
    ),
    Column("last_name", "Фамилия", True, "Обязательно (или столбец «ФИО»)"),
    Column("first_name", "Имя", True, "Обязательно (или столбец «ФИО»)"),
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
        "Код программы страхования договора; пусто — единственная программа договора",
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
    Column(
        "personnel_number",
        "Табельный номер",
        False,
        "Табельный номер сотрудника в учётной системе работодателя; уникален в списке",
        ("таб. номер", "таб. №", "табельный №", "таб номер", "табельный"),
    ),
    Column(
        "department",
        "Подразделение",
        False,
        "Если нужно",
        ("отдел", "структурное подразделение"),
    ),
)

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# The portal's own template: one column a field, the name in three.
PORTAL_KEYS = tuple(column.key for column in COLUMNS if column.key != "full_name")
HEADERS = [COLUMN_BY_KEY[key].header for key in PORTAL_KEYS]
# The «как в 1С» template: the layout of a payroll export (a title above the table, the name in
# one column, the personnel number first), with the insurer's columns after.
ONE_C_TITLE = "Список сотрудников для страхования ДМС"
ONE_C_KEYS = (
    "personnel_number",
    "full_name",
    "birth_date",
    "department",
    "email",
    "phone",
    "program_code",
    "policy_number",
)
ONE_C_HEADERS = [COLUMN_BY_KEY[key].header for key in ONE_C_KEYS]


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
