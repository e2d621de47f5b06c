"""What the Russian catalogue needs written by hand (scripts/po_identity.py writes it in).

PLURALS: the three forms of each counted sentence (`ngettext`, `{% blocktranslate count %}`) —
1 услуга, 2 услуги, 5 услуг. The source gives two (one and many); the «few» form is here.
tests/core/test_messages.py fails on a plural entry missing from this table or one whose
forms do not agree with their numbers.

ADMIN_WORDS: the Django admin's sentences that put a model's name into a Russian phrase.

Django's Russian catalogue writes «Выберите %s для изменения», «Добавить еще один %(verbose_name)s»:
with a noun in the nominative they read «Выберите загрузка списка», «Добавить еще один Событие по
убытку». Russian would need the noun's case and gender, which a verbose_name does not carry; the
phrases below put the name after a colon, where the nominative is right. The project's catalogue
(LOCALE_PATHS) comes before Django's: scripts/po_identity.py writes these translations into it,
and makemessages keeps the entries because of the gettext_noop marks below.
"""


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages (the same name as Django's; this module needs no settings:
    scripts/po_identity.py reads it)."""
    return message


PLURALS: dict[str, tuple[str, str, str]] = {
    "Справочник МКБ-10 загружен: %(total)s запись; добавлено %(new)s, изменено %(changed)s, "
    "удалено %(deleted)s.": (
        "Справочник МКБ-10 загружен: %(total)s запись; добавлено %(new)s, изменено %(changed)s, "
        "удалено %(deleted)s.",
        "Справочник МКБ-10 загружен: %(total)s записи; добавлено %(new)s, изменено %(changed)s, "
        "удалено %(deleted)s.",
        "Справочник МКБ-10 загружен: %(total)s записей; добавлено %(new)s, изменено %(changed)s, "
        "удалено %(deleted)s.",
    ),
    "Отмечена %(count)d клиника.": (
        "Отмечена %(count)d клиника.",
        "Отмечены %(count)d клиники.",
        "Отмечено %(count)d клиник.",
    ),
    "Сброшена %(count)d запись о неудачных попытках входа.": (
        "Сброшена %(count)d запись о неудачных попытках входа.",
        "Сброшены %(count)d записи о неудачных попытках входа.",
        "Сброшено %(count)d записей о неудачных попытках входа.",
    ),
    "Отменён %(count)d запрос.": (
        "Отменён %(count)d запрос.",
        "Отменены %(count)d запроса.",
        "Отменено %(count)d запросов.",
    ),
    "Сеанс завершён после %(minutes)s минуты бездействия. Войдите снова": (
        "Сеанс завершён после %(minutes)s минуты бездействия. Войдите снова",
        "Сеанс завершён после %(minutes)s минут бездействия. Войдите снова",
        "Сеанс завершён после %(minutes)s минут бездействия. Войдите снова",
    ),
    "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минуту после входа": (
        "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минуту после входа",
        "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минуты после входа",
        "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минут после входа",
    ),
    "PIN-код введён неверно %(count)s раз подряд: устройство забыто. Войдите с паролем": (
        "PIN-код введён неверно %(count)s раз подряд: устройство забыто. Войдите с паролем",
        "PIN-код введён неверно %(count)s раза подряд: устройство забыто. Войдите с паролем",
        "PIN-код введён неверно %(count)s раз подряд: устройство забыто. Войдите с паролем",
    ),
    "Пароль к этой учётной записи введён неверно %(limit)s раз подряд, поэтому вход с этого "
    "устройства заблокирован.": (
        "Пароль к этой учётной записи введён неверно %(limit)s раз подряд, поэтому вход с этого "
        "устройства заблокирован.",
        "Пароль к этой учётной записи введён неверно %(limit)s раза подряд, поэтому вход с этого "
        "устройства заблокирован.",
        "Пароль к этой учётной записи введён неверно %(limit)s раз подряд, поэтому вход с этого "
        "устройства заблокирован.",
    ),
    **{
        f"{before}Код действует %(minutes)s минуту; на ввод — три попытки.": (
            f"{before}Код действует %(minutes)s минуту; на ввод — три попытки.",
            f"{before}Код действует %(minutes)s минуты; на ввод — три попытки.",
            f"{before}Код действует %(minutes)s минут; на ввод — три попытки.",
        )
        for before in (
            'Мы отправили SMS с шестизначным кодом на номер <strong class="nowrap">%(phone)s'
            "</strong>. ",
            'Мы отправили SMS с кодом на ваш номер <strong class="nowrap">%(phone)s</strong>. ',
            'Мы отправили SMS с кодом на номер <strong class="nowrap">%(phone)s</strong>. ',
        )
    },
    "Войдите через Госуслуги под своей учётной записью, привязанной к кабинету, и подтвердите "
    "смену в течение %(minutes)s минуты.": (
        "Войдите через Госуслуги под своей учётной записью, привязанной к кабинету, и подтвердите "
        "смену в течение %(minutes)s минуты.",
        "Войдите через Госуслуги под своей учётной записью, привязанной к кабинету, и подтвердите "
        "смену в течение %(minutes)s минут.",
        "Войдите через Госуслуги под своей учётной записью, привязанной к кабинету, и подтвердите "
        "смену в течение %(minutes)s минут.",
    ),
    "Сеанс завершается сам после %(minutes)s минуты бездействия.": (
        "Сеанс завершается сам после %(minutes)s минуты бездействия.",
        "Сеанс завершается сам после %(minutes)s минут бездействия.",
        "Сеанс завершается сам после %(minutes)s минут бездействия.",
    ),
    "В списке %(counter)s строка с ошибкой. Исправьте файл и загрузите его снова — или примените "
    "остальное, пропустив её.": (
        "В списке %(counter)s строка с ошибкой. Исправьте файл и загрузите его снова — или "
        "примените остальное, пропустив её.",
        "В списке %(counter)s строки с ошибками. Исправьте файл и загрузите его снова — или "
        "примените остальное, пропустив их.",
        "В списке %(counter)s строк с ошибками. Исправьте файл и загрузите его снова — или "
        "примените остальное, пропустив их.",
    ),
    "Показана первая %(shown)s строка из %(total)s.": (
        "Показана первая %(shown)s строка из %(total)s.",
        "Показаны первые %(shown)s строки из %(total)s.",
        "Показаны первые %(shown)s строк из %(total)s.",
    ),
    "из %(total)s застрахованного": (
        "из %(total)s застрахованного",
        "из %(total)s застрахованных",
        "из %(total)s застрахованных",
    ),
    "Итого за период: %(counter)s услуга": (
        "Итого за период: %(counter)s услуга",
        "Итого за период: %(counter)s услуги",
        "Итого за период: %(counter)s услуг",
    ),
    "Срок продлён на %(days)s день, пока мы ждали документы.": (
        "Срок продлён на %(days)s день, пока мы ждали документы.",
        "Срок продлён на %(days)s дня, пока мы ждали документы.",
        "Срок продлён на %(days)s дней, пока мы ждали документы.",
    ),
    "%(counter)s свободное время": (
        "%(counter)s свободное время",
        "свободно: %(counter)s",
        "свободно: %(counter)s",
    ),
    "Найдена %(counter)s клиника": (
        "Найдена %(counter)s клиника",
        "Найдены %(counter)s клиники",
        "Найдено %(counter)s клиник",
    ),
    "Оплачено: %(n)s услуга": (
        "Оплачено: %(n)s услуга",
        "Оплачено: %(n)s услуги",
        "Оплачено: %(n)s услуг",
    ),
    "Расчёт сделан по курсу евро на %(day)s: ему уже %(days)s день — свежего курса Банка "
    "России у нас нет. Стоимость в рублях может измениться, когда курс обновится.": (
        "Расчёт сделан по курсу евро на %(day)s: ему уже %(days)s день — свежего курса Банка "
        "России у нас нет. Стоимость в рублях может измениться, когда курс обновится.",
        "Расчёт сделан по курсу евро на %(day)s: ему уже %(days)s дня — свежего курса Банка "
        "России у нас нет. Стоимость в рублях может измениться, когда курс обновится.",
        "Расчёт сделан по курсу евро на %(day)s: ему уже %(days)s дней — свежего курса Банка "
        "России у нас нет. Стоимость в рублях может измениться, когда курс обновится.",
    ),
}

ADMIN_WORDS: dict[str, str] = {
    gettext_noop("Select %s"): "Выберите: %s",
    gettext_noop("Select %s to change"): "Выберите для изменения: %s",
    gettext_noop("Select %s to view"): "Выберите для просмотра: %s",
    gettext_noop("Add %s"): "Добавить: %s",
    gettext_noop("Add %(name)s"): "Добавить: %(name)s",
    gettext_noop("Change %s"): "Изменение: %s",
    gettext_noop("View %s"): "Просмотр: %s",
    gettext_noop("Add another %(verbose_name)s"): "Добавить ещё: %(verbose_name)s",
    gettext_noop("Add another %(model)s"): "Добавить ещё: %(model)s",
    gettext_noop("Cannot delete %(name)s"): "Нельзя удалить: %(name)s",
    gettext_noop("The {name} “{obj}” was added successfully."): "Добавлено: {name} «{obj}».",
    gettext_noop("The {name} “{obj}” was changed successfully."): "Сохранено: {name} «{obj}».",
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."): (
        "Удалено: %(name)s «%(obj)s»."
    ),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."): (
        "Добавлено: {name} «{obj}». Ниже можно добавить ещё."
    ),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."): (
        "Сохранено: {name} «{obj}». Ниже можно продолжить правку."
    ),
    gettext_noop(
        "The {name} “{obj}” was changed successfully. You may add another {name} below."
    ): ("Сохранено: {name} «{obj}». Ниже можно добавить ещё."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"): (
        "Не найдено: %(name)s с номером «%(key)s». Возможно, запись удалена."
    ),
}
