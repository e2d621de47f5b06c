"""What a Russian reader stumbles on in a page's visible text: a noun that does not agree with the
number before it, a «---------» in a select, an amount not written as «1 234,56 руб.», an English
UI word. Used by the cabinet crawl (tests/cabinet/test_words_crawl.py) and the page tests.

Written out here rather than imported from the code under test: the forms below are what a
Russian reader expects, not what the portal's helper computes.
"""

import re
from html.parser import HTMLParser

NBSP = "\u00a0"

# Counted nouns of the portal: nominative one, few (2–4), many (5–20); genitive singular for
# «из 21 …», «от 1 …». The genitive plural is the «many» form.
NOUNS: tuple[tuple[str, str, str, str], ...] = (
    ("услуга", "услуги", "услуг", "услуги"),
    ("полис", "полиса", "полисов", "полиса"),
    ("застрахованный", "застрахованных", "застрахованных", "застрахованного"),
    ("страховой случай", "страховых случая", "страховых случаев", "страхового случая"),
    ("случай", "случая", "случаев", "случая"),
    ("обращение", "обращения", "обращений", "обращения"),
    ("клиника", "клиники", "клиник", "клиники"),
    ("врач", "врача", "врачей", "врача"),
    ("запись", "записи", "записей", "записи"),
    ("документ", "документа", "документов", "документа"),
    ("письмо", "письма", "писем", "письма"),
    ("гарантийное письмо", "гарантийных письма", "гарантийных писем", "гарантийного письма"),
    ("строка", "строки", "строк", "строки"),
    ("убыток", "убытка", "убытков", "убытка"),
    ("платёж", "платежа", "платежей", "платежа"),
    ("списание", "списания", "списаний", "списания"),
    ("сотрудник", "сотрудника", "сотрудников", "сотрудника"),
    ("ребёнок", "ребёнка", "детей", "ребёнка"),
    ("человек", "человека", "человек", "человека"),
    ("день", "дня", "дней", "дня"),
    ("рабочий день", "рабочих дня", "рабочих дней", "рабочего дня"),
    ("неделя", "недели", "недель", "недели"),
    ("месяц", "месяца", "месяцев", "месяца"),
    ("минута", "минуты", "минут", "минуты"),
    ("час", "часа", "часов", "часа"),
    ("визит", "визита", "визитов", "визита"),
    ("приём", "приёма", "приёмов", "приёма"),
    ("предложение", "предложения", "предложений", "предложения"),
    ("вложение", "вложения", "вложений", "вложения"),
    ("файл", "файла", "файлов", "файла"),
    ("фото", "фото", "фото", "фото"),
    ("водитель", "водителя", "водителей", "водителя"),
    ("путешественник", "путешественника", "путешественников", "путешественника"),
    ("совпадение", "совпадения", "совпадений", "совпадения"),
    ("ошибка", "ошибки", "ошибок", "ошибки"),
    ("попытка", "попытки", "попыток", "попытки"),
    ("символ", "символа", "символов", "символа"),
    ("цифра", "цифры", "цифр", "цифры"),
    ("лицо", "лица", "лиц", "лица"),
)
# Prepositions after which the number takes the genitive («из 31 застрахованного»).
GENITIVE_BEFORE = {
    "из",
    "от",
    "до",
    "более",
    "менее",
    "около",
    "свыше",
    "без",
    "для",
    "после",
    "течение",
}
# …and after which nothing is checked (dative, instrumental, prepositional).
OTHER_CASES_BEFORE = {"по", "к", "с", "со", "о", "об", "при", "в", "во", "на", "за", "над", "под"}

# The nominative plural of an adjective never follows a number in Russian («2 страховые
# случаи» is wrong): it leads to its noun's entry so that the pair is checked.
_ADJECTIVE_PLURALS = {
    "страховые": "страховой случай",
    "гарантийные": "гарантийное письмо",
    "рабочие": "рабочий день",
}
_FORMS: dict[str, list[tuple[int, tuple[str, str, str, str]]]] = {}
for _entry in NOUNS:
    for _i, _form in enumerate(_entry):
        _FORMS.setdefault(_form.split()[0].lower(), []).append((_i, _entry))
for _adjective, _one in _ADJECTIVE_PLURALS.items():
    _FORMS[_adjective] = [(-1, e) for e in NOUNS if e[0] == _one]

_NUMBER_WORD = re.compile(
    r"(?<![\d.,:/№#-])(?P<n>\d{1,3}(?:[ \u00a0]\d{3})*|\d+)"
    r"(?![\d.,:/-]\d)[ \t\u00a0]+(?P<w1>[а-яё]+)(?:[ \t\u00a0]+(?P<w2>[а-яё]+))?",
    re.I,
)


def plural_index(n: int) -> int:
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def wrong_plurals(text: str) -> list[str]:
    found = []
    for match in _NUMBER_WORD.finditer(text):
        before = re.search(r"([а-яё]+)[\s\u00a0]*$", text[: match.start()], re.I)
        prep = before.group(1).lower() if before else ""
        if prep in OTHER_CASES_BEFORE:
            continue
        n = int(re.sub(r"\D", "", match["n"]))
        w1 = match["w1"].lower()
        two = f"{w1} {(match['w2'] or '').lower()}".strip()
        candidates = _FORMS.get(w1, [])
        if not candidates:
            continue
        entries = {entry for _, entry in candidates}
        # a two-word noun («страховых случаев») is matched on both words, else the first
        multi = [e for e in entries if " " in e[0]]
        single = [e for e in entries if " " not in e[0]]
        entry = None
        for e in multi:
            if two in e:
                entry, said = e, two
        if entry is None and w1 in _ADJECTIVE_PLURALS:
            entry, said = multi[0], two  # «2 страховые случаи»: the pair is no form of it
        if entry is None:
            if not single:
                continue
            entry, said = single[0], w1
            if " " in said:
                continue
        if prep in GENITIVE_BEFORE:
            expected = entry[3] if plural_index(n) == 0 else entry[2]
        else:
            expected = entry[plural_index(n)]
        if said != expected:
            found.append(f"«{match.group(0).strip()}» (нужно «{n} {expected}»)")
    return found


_AMOUNT = re.compile(
    r"(?P<amount>-?\d[\d \u00a0.,]*\d|-?\d)\s*(?P<unit>руб\b\.?|рубл[а-яё]*|₽|р\.(?!\w))",
    re.I,
)
_GOOD_AMOUNT = re.compile(r"^-?\d{1,3}(?:\u00a0\d{3})*(?:,\d[1-9]|,[1-9]0)?$")


def bad_amounts(text: str) -> list[str]:
    found = []
    for match in _AMOUNT.finditer(text):
        amount, unit = match["amount"], match["unit"]
        gap = text[match.end("amount") : match.start("unit")]
        if unit != "руб." or gap != NBSP or not _GOOD_AMOUNT.match(amount):
            found.append(f"«{match.group(0)}»")
    return found


ENGLISH_UI = (
    "Not Found",
    "Forbidden",
    "Server Error",
    "Bad Request",
    "Submit",
    "Save",
    "Cancel",
    "Error",
    "Next",
    "Previous",
    "Delete",
    "Edit",
    "Search",
    "Loading",
    "Sign in",
    "Sign up",
    "Log in",
    "Log out",
    "Password",
    "Continue",
    "Back",
    "Close",
    "None",
    "True",
    "False",
    "Page",
)
_ENGLISH = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, ENGLISH_UI)) + r")(?![\w-])")


def english_words(text: str) -> list[str]:
    return [f"«{m.group(0)}»" for m in _ENGLISH.finditer(text)]


def dashes(text: str) -> list[str]:
    return ["«---------»"] if "---------" in text else []


def problems(text: str) -> list[str]:
    return wrong_plurals(text) + bad_amounts(text) + english_words(text) + dashes(text)


class _VisibleText(HTMLParser):
    HIDDEN = {"script", "style", "template", "head", "noscript"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.stack: list[tuple[str, bool]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
            self.parts.append("\n")
            return
        hides = tag in self.HIDDEN or "hidden" in attrs
        self.stack.append((tag, hides))
        self.hidden += hides
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in (t for t, _ in self.stack):
            return
        while self.stack:
            top, hides = self.stack.pop()
            self.hidden -= hides
            if top == tag:
                break
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> tuple[str, list[str]]:
    """The text a reader sees (one line per block; options included) and the page's links."""
    parser = _VisibleText()
    parser.feed(html)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    return text, parser.links
