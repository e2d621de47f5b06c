"""Russian names for demo people: first names with the patronymics they give, and surnames.

Surnames are in the masculine form; `surname_for` gives the feminine one. Кузнецов and Смирнов
are left out on purpose: the demo person and the unlinked register row use them, and a random
namesake would blur «Добавить полис».
"""

import random
from dataclasses import dataclass

# (name, patronymic of a son, patronymic of a daughter)
MALE_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"),
    ("Василий", "Васильевич", "Васильевна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Вячеслав", "Вячеславович", "Вячеславовна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Георгий", "Георгиевич", "Георгиевна"),
    ("Глеб", "Глебович", "Глебовна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Егор", "Егорович", "Егоровна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"),
    ("Константин", "Константинович", "Константиновна"),
    ("Леонид", "Леонидович", "Леонидовна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Никита", "Никитич", "Никитична"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"),
    ("Руслан", "Русланович", "Руслановна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Станислав", "Станиславович", "Станиславовна"),
    ("Степан", "Степанович", "Степановна"),
    ("Тимофей", "Тимофеевич", "Тимофеевна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Ярослав", "Ярославович", "Ярославовна"),
)

FEMALE_NAMES: tuple[str, ...] = (
    "Алина",
    "Алла",
    "Анастасия",
    "Анна",
    "Валентина",
    "Валерия",
    "Вера",
    "Вероника",
    "Виктория",
    "Галина",
    "Дарья",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зоя",
    "Инна",
    "Ирина",
    "Карина",
    "Кристина",
    "Ксения",
    "Лариса",
    "Любовь",
    "Людмила",
    "Маргарита",
    "Марина",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Полина",
    "Светлана",
    "Софья",
    "Таисия",
    "Тамара",
    "Татьяна",
    "Ульяна",
    "Юлия",
    "Яна",
)

SURNAMES: tuple[str, ...] = (
    "Абрамов",
    "Александров",
    "Алексеев",
    "Андреев",
    "Антонов",
    "Афанасьев",
    "Баранов",
    "Белов",
    "Беляев",
    "Богданов",
    "Борисов",
    "Быков",
    "Васильев",
    "Виноградов",
    "Волков",
    "Воробьёв",
    "Гаврилов",
    "Герасимов",
    "Голубев",
    "Гончаров",
    "Григорьев",
    "Гусев",
    "Давыдов",
    "Денисов",
    "Дмитриев",
    "Егоров",
    "Ершов",
    "Жуков",
    "Зайцев",
    "Захаров",
    "Зуев",
    "Иванов",
    "Ильин",
    "Казаков",
    "Калинин",
    "Карпов",
    "Киселёв",
    "Ковалёв",
    "Козлов",
    "Колесников",
    "Комаров",
    "Корнилов",
    "Крылов",
    "Кудрявцев",
    "Лебедев",
    "Макаров",
    "Максимов",
    "Медведев",
    "Мельников",
    "Миронов",
    "Морозов",
    "Назаров",
    "Никитин",
    "Никольский",
    "Новиков",
    "Орлов",
    "Осипов",
    "Павлов",
    "Поляков",
    "Попов",
    "Родионов",
    "Романов",
    "Рыбаков",
    "Савельев",
    "Сафонов",
    "Семёнов",
    "Сергеев",
    "Соболев",
    "Соколов",
    "Соловьёв",
    "Сорокин",
    "Степанов",
    "Субботин",
    "Тарасов",
    "Тихомиров",
    "Третьяков",
    "Успенский",
    "Фёдоров",
    "Филиппов",
    "Фомин",
    "Фролов",
    "Чернов",
    "Шевченко",
    "Широков",
    "Щербаков",
    "Яковлев",
)

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


@dataclass(frozen=True)
class FullName:
    last_name: str
    first_name: str
    middle_name: str
    male: bool

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} {self.middle_name}"


def surname_for(surname: str, *, male: bool) -> str:
    if male:
        return surname
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname  # Шевченко and the like do not change


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def random_full_name(rng: random.Random, *, male: bool, surname: str | None = None) -> FullName:
    """A name whose gender agrees in all three parts; `surname` is the family's masculine form."""
    family = surname or rng.choice(SURNAMES)
    _father, son_patronymic, daughter_patronymic = rng.choice(MALE_NAMES)
    if male:
        first = rng.choice(MALE_NAMES)[0]
        return FullName(family, first, son_patronymic, True)
    first = rng.choice(FEMALE_NAMES)
    return FullName(surname_for(family, male=False), first, daughter_patronymic, False)


def child_full_name(rng: random.Random, *, parent: FullName, family: str, male: bool) -> FullName:
    """A child takes the family surname; the patronymic comes from the father when he is the
    insured parent, and is invented otherwise."""
    if parent.male:
        son, daughter = next((s, d) for n, s, d in MALE_NAMES if n == parent.first_name)
    else:
        _father, son, daughter = rng.choice(MALE_NAMES)
    if male:
        return FullName(family, rng.choice(MALE_NAMES)[0], son, True)
    return FullName(surname_for(family, male=False), rng.choice(FEMALE_NAMES), daughter, False)
