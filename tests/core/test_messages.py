"""The Russian catalogue: counted sentences agree with their numbers, the admin's phrases read.

A counted sentence (`ngettext`, `{% blocktranslate count %}`) has three Russian forms; the
source gives two, the third is written in portal/core/catalogue.py and scripts/po_identity.py
puts it into locale/ru/LC_MESSAGES/django.po (`make messages`).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from portal.core.catalogue import PLURALS
from tests.ruwords import wrong_plurals

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"(.*?)"(?:\n|$)', quoted, re.S)).replace('\\"', '"')


def plural_entries() -> list[tuple[str, str]]:
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid (".*?")\nmsgid_plural (".*?")\nmsgstr\[0\]', block, re.S | re.M)
        if match:
            entries.append((_text(match.group(1)), _text(match.group(2))))
    return entries


def test_catalogue_has_russian_plural_forms():
    header = PO.read_text(encoding="utf-8")[:2000]
    assert "nplurals=3;" in header


@pytest.mark.parametrize(("singular", "plural"), plural_entries())
def test_every_counted_sentence_agrees_with_its_number(singular, plural):
    if not re.search("[а-яё]", singular, re.I):
        return  # an admin template's English msgid: Django's own catalogue translates it
    assert singular in PLURALS, f"нет трёх форм в portal/core/catalogue.py: {singular!r}"
    with translation.override("ru"):
        for n in (1, 2, 3, 5, 11, 12, 21, 22, 25, 101, 104):
            text = PLACEHOLDER.sub(str(n), ngettext(singular, plural, n))
            assert not wrong_plurals(text), (n, text)


def test_plural_table_forms_agree():
    for one, few, many in PLURALS.values():
        for n, form in ((1, one), (3, few), (7, many)):
            text = PLACEHOLDER.sub(str(n), form)
            assert not wrong_plurals(text), text


@pytest.mark.parametrize(
    ("msgid", "arg", "expected"),
    [
        ("Select %s to change", "загрузка списка", "Выберите для изменения: загрузка списка"),
        ("Add %s", "событие по убытку", "Добавить: событие по убытку"),
    ],
)
def test_admin_phrases_put_the_name_after_a_colon(msgid, arg, expected):
    with translation.override("ru"):
        assert gettext(msgid) % arg == expected
        text = gettext("Add another %(verbose_name)s") % {"verbose_name": "событие по убытку"}
        assert text == "Добавить ещё: событие по убытку"
        assert gettext("Search") == "Найти"  # an English msgid falls through to Django's


def test_russian_source_strings_are_their_own_translation():
    """A Russian msgid is its own msgstr: a borrowed guess («Создать кабинет» shown as «Разделы
    кабинета» after a merge of catalogues) would put another button's words on the page."""
    wrong = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid (".*?")\nmsgstr (".*?")(?:\n#|\Z)', block + "\n#", re.S | re.M)
        if not match:
            continue
        source, translated = _text(match.group(1)), _text(match.group(2))
        if re.search("[а-яё]", source, re.I) and translated and translated != source:
            wrong.append(f"{source!r} → {translated!r}")
    assert wrong == []
