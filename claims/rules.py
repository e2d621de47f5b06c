"""What each non-DMS product covers, as data: event types, the documents asked for, the ways of
payout, the decision deadline with the rule that sets it, and the usual grounds for a refusal.

The insurer's own rules (Правила страхования) are the demo insurer's; their clause numbers follow
the usual structure of such rules in Russia and are quoted to the person as they are here. The
ОСАГО terms are the law's (Федеральный закон от 25.04.2002 № 40-ФЗ «Об ОСАГО»).
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from policies.models import Policy
from portal.core.dates import working_days_after, working_days_between

P = Policy.Product


class DayCount(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"  # the Russian production calendar (portal.core.dates)
    # 40-ФЗ art. 12 p. 21: calendar days «за исключением нерабочих праздничных дней»
    CALENDAR_EXCEPT_HOLIDAYS = "calendar_except_holidays"


DAY_COUNT_LABELS = {
    DayCount.CALENDAR: _("календарных дней"),
    DayCount.WORKING: _("рабочих дней"),
    DayCount.CALENDAR_EXCEPT_HOLIDAYS: _("календарных дней, не считая нерабочих праздничных"),
}

# The non-working public holidays of the Labour Code, art. 112 part 1: 1–6 and 8 January (New Year
# holidays), 7 January, 23 February, 8 March, 1 and 9 May, 12 June, 4 November.
PUBLIC_HOLIDAYS = frozenset(
    [(1, d) for d in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]
)


def is_public_holiday(day: datetime.date) -> bool:
    return (day.month, day.day) in PUBLIC_HOLIDAYS


def days_after(start: datetime.date, days: int, count: DayCount) -> datetime.date:
    """The date `days` counted days after `start` (which itself is not counted)."""
    if count == DayCount.WORKING:
        return working_days_after(start, days)
    if count == DayCount.CALENDAR:
        return start + datetime.timedelta(days=days)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if not is_public_holiday(day):
            counted += 1
    return day


def days_between(start: datetime.date, end: datetime.date, count: DayCount) -> int:
    """How many counted days lie after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    if count == DayCount.WORKING:
        return working_days_between(start, end)
    total = (end - start).days
    if count == DayCount.CALENDAR:
        return total
    return sum(
        1 for n in range(1, total + 1) if not is_public_holiday(start + datetime.timedelta(days=n))
    )


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    help: str = ""


DOCUMENTS: dict[str, Document] = {
    d.code: d
    for d in (
        Document(
            "photos",
            _("Фотографии повреждений"),
            _("Общий вид, номер автомобиля или адрес, каждое повреждение крупно"),
        ),
        Document(
            "europrotocol",
            _("Извещение о ДТП (европротокол) или документы ГИБДД"),
            _("Обе стороны бланка; если приезжала ГИБДД — протокол или постановление"),
        ),
        Document(
            "police",
            _("Документы полиции"),
            _("Талон-уведомление о заявлении, постановление о возбуждении или отказе"),
        ),
        Document("vehicle_docs", _("СТС или ПТС автомобиля"), _("Обе стороны")),
        Document("driver_licence", _("Водительское удостоверение"), _("Обе стороны")),
        Document("fire_report", _("Справка МЧС о пожаре")),
        Document(
            "flood_act",
            _("Акт управляющей компании о заливе"),
            _("С причиной залива и перечнем повреждений"),
        ),
        Document(
            "ownership",
            _("Документ о праве на имущество"),
            _("Выписка из ЕГРН, договор аренды или чеки на вещи"),
        ),
        Document("estimate", _("Смета или отчёт об оценке ущерба")),
        Document(
            "medical",
            _("Медицинские документы"),
            _("Справка из травмпункта, выписка из истории болезни, заключение врача"),
        ),
        Document(
            "diagnosis",
            _("Гистологическое заключение и выписка с диагнозом"),
            _("Диагноз онкологического заболевания, подтверждённый гистологически"),
        ),
        Document("disability", _("Справка МСЭ об установлении инвалидности")),
        Document("receipts", _("Счета и чеки об оплате"), _("Подробные счета клиники и чеки")),
        Document(
            "travel_docs",
            _("Загранпаспорт и билеты"),
            _("Страница с фото и отметки о пересечении границы, посадочные талоны"),
        ),
        Document("other", _("Другие документы"), _("Всё, что поможет рассмотреть заявление")),
    )
}
OTHER = "other"


class Payout(StrEnum):
    BANK = "bank"
    REPAIR = "repair"


PAYOUT_LABELS = {
    Payout.BANK: _("Перечислить на банковский счёт"),
    Payout.REPAIR: _("Ремонт на станции техобслуживания — партнёре страховщика"),
}


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    documents: tuple[str, ...]  # the checklist, besides «Другие документы»
    other_parties: bool = False  # ask for the other participants (a road accident)
    other_parties_required: bool = False


@dataclass(frozen=True)
class Refusal:
    code: str
    label: str
    rule: str  # quoted to the person with the refusal


@dataclass(frozen=True)
class ProductRules:
    product: str
    event_types: tuple[EventType, ...]
    payouts: tuple[Payout, ...]
    decision_days: int
    day_count: DayCount
    rule: str  # the clause that sets the decision deadline, as shown to the person
    refusals: tuple[Refusal, ...]

    def event_type(self, code: str) -> EventType | None:
        return next((e for e in self.event_types if e.code == code), None)

    def refusal(self, code: str) -> Refusal | None:
        return next((r for r in self.refusals if r.code == code), None)


DTP_DOCUMENTS = ("photos", "europrotocol", "vehicle_docs", "driver_licence")

COMMON_REFUSALS = (
    Refusal(
        "not_insured_event",
        _("Событие не является страховым случаем"),
        _("Событие не относится к страховым рискам, перечисленным в договоре страхования"),
    ),
    Refusal(
        "outside_term",
        _("Событие произошло вне срока действия договора"),
        _(
            "Страховым случаем признаётся событие, произошедшее в период действия договора "
            "страхования (ст. 929 ГК РФ)"
        ),
    ),
    Refusal(
        "documents_not_provided",
        _("Не представлены документы, необходимые для решения"),
        _(
            "Страховщик вправе отказать в выплате, если не представлены документы, "
            "подтверждающие факт, причины и размер ущерба (Правила страхования, п. 9.4)"
        ),
    ),
)

RULES: dict[str, ProductRules] = {
    r.product: r
    for r in (
        ProductRules(
            product=P.OSAGO,
            event_types=(
                EventType(
                    "dtp",
                    _("ДТП: повреждён мой автомобиль"),
                    DTP_DOCUMENTS,
                    other_parties=True,
                    other_parties_required=True,
                ),
                EventType(
                    "dtp_injury",
                    _("ДТП: причинён вред здоровью"),
                    ("europrotocol", "medical", "receipts"),
                    other_parties=True,
                    other_parties_required=True,
                ),
            ),
            payouts=(Payout.REPAIR, Payout.BANK),
            # 40-ФЗ art. 12 p. 21: 20 calendar days, except non-working public holidays, from
            # the day the application with the documents is received.
            decision_days=20,
            day_count=DayCount.CALENDAR_EXCEPT_HOLIDAYS,
            rule=_("п. 21 ст. 12 Федерального закона от 25.04.2002 № 40-ФЗ «Об ОСАГО»"),
            refusals=(
                Refusal(
                    "osago_no_other_policy",
                    _("Гражданская ответственность виновника не застрахована"),
                    _(
                        "Прямое возмещение убытков возможно, если ответственность обоих "
                        "участников ДТП застрахована по ОСАГО (п. 1 ст. 14.1 Закона № 40-ФЗ)"
                    ),
                ),
                Refusal(
                    "osago_vehicle_not_shown",
                    _("Повреждённый автомобиль не представлен на осмотр"),
                    _(
                        "Потерпевший обязан представить повреждённое транспортное средство "
                        "для осмотра (п. 10 и п. 20 ст. 12 Закона № 40-ФЗ)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
        ProductRules(
            product=P.KASKO,
            event_types=(
                EventType("dtp", _("ДТП"), DTP_DOCUMENTS, other_parties=True),
                EventType("theft", _("Угон или хищение автомобиля"), ("police", "vehicle_docs")),
                EventType("glass", _("Повреждение стёкол"), ("photos",)),
                EventType(
                    "vandalism",
                    _("Противоправные действия третьих лиц"),
                    ("photos", "police", "vehicle_docs"),
                ),
                EventType(
                    "natural",
                    _("Стихийное бедствие, падение деревьев и предметов"),
                    ("photos", "vehicle_docs"),
                ),
            ),
            payouts=(Payout.REPAIR, Payout.BANK),
            # The insurer's rules of motor insurance, p. 11.3: 30 working days.
            decision_days=30,
            day_count=DayCount.WORKING,
            rule=_("п. 11.3 Правил добровольного страхования транспортных средств"),
            refusals=(
                Refusal(
                    "kasko_drunk_driver",
                    _("Водитель управлял автомобилем в состоянии опьянения"),
                    _(
                        "Не является страховым случаем ущерб, причинённый при управлении "
                        "транспортным средством в состоянии опьянения (Правила, п. 4.3.2)"
                    ),
                ),
                Refusal(
                    "kasko_keys_left",
                    _("Угон с оставленными в автомобиле ключами или документами"),
                    _(
                        "Не является страховым случаем хищение транспортного средства вместе с "
                        "оставленными в нём ключами или регистрационными документами "
                        "(Правила, п. 4.3.7)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
        ProductRules(
            product=P.PROPERTY,
            event_types=(
                EventType("fire", _("Пожар"), ("photos", "fire_report", "ownership", "estimate")),
                EventType("flood", _("Залив"), ("photos", "flood_act", "ownership", "estimate")),
                EventType(
                    "burglary", _("Кража или грабёж"), ("photos", "police", "ownership", "estimate")
                ),
                EventType(
                    "natural",
                    _("Стихийное бедствие"),
                    ("photos", "ownership", "estimate"),
                ),
            ),
            payouts=(Payout.BANK,),
            # The insurer's rules of property insurance, p. 10.5: 30 working days.
            decision_days=30,
            day_count=DayCount.WORKING,
            rule=_("п. 10.5 Правил страхования имущества физических лиц"),
            refusals=(
                Refusal(
                    "property_own_fault",
                    _("Ущерб причинён умышленно или по грубой неосторожности страхователя"),
                    _(
                        "Страховщик освобождается от выплаты, если случай наступил вследствие "
                        "умысла страхователя (п. 1 ст. 963 ГК РФ; Правила, п. 4.4)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
        ProductRules(
            product=P.ACCIDENT,
            event_types=(
                EventType("injury", _("Травма"), ("medical",)),
                EventType("hospital", _("Госпитализация после несчастного случая"), ("medical",)),
                EventType("disability", _("Инвалидность"), ("medical", "disability")),
            ),
            payouts=(Payout.BANK,),
            # The insurer's rules of accident insurance, p. 9.2: 15 working days.
            decision_days=15,
            day_count=DayCount.WORKING,
            rule=_("п. 9.2 Правил страхования от несчастных случаев"),
            refusals=(
                Refusal(
                    "accident_alcohol",
                    _("Травма получена в состоянии опьянения"),
                    _(
                        "Не являются страховыми случаями события, произошедшие в состоянии "
                        "алкогольного, наркотического или токсического опьянения (Правила, п. 3.5)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
        ProductRules(
            product=P.ONCOLOGY,
            event_types=(
                EventType(
                    "diagnosis",
                    _("Впервые диагностировано онкологическое заболевание"),
                    ("diagnosis", "medical"),
                ),
                EventType("treatment", _("Лечение за свой счёт"), ("medical", "receipts")),
            ),
            payouts=(Payout.BANK,),
            # The insurer's rules of oncology insurance, p. 8.6: 30 calendar days.
            decision_days=30,
            day_count=DayCount.CALENDAR,
            rule=_("п. 8.6 Правил страхования на случай онкологических заболеваний"),
            refusals=(
                Refusal(
                    "oncology_waiting_period",
                    _("Диагноз установлен в период ожидания"),
                    _(
                        "Не является страховым случаем заболевание, впервые диагностированное в "
                        "течение 90 дней после вступления договора в силу (Правила, п. 3.4)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
        ProductRules(
            product=P.VZR,
            event_types=(
                EventType(
                    "medical_costs",
                    _("Медицинские расходы за рубежом, оплаченные самостоятельно"),
                    ("medical", "receipts", "travel_docs"),
                ),
                EventType(
                    "dental",
                    _("Экстренная стоматологическая помощь за рубежом"),
                    ("medical", "receipts", "travel_docs"),
                ),
            ),
            payouts=(Payout.BANK,),
            # The insurer's rules of travel medical insurance, p. 10.4: 30 working days.
            decision_days=30,
            day_count=DayCount.WORKING,
            rule=_("п. 10.4 Правил страхования медицинских расходов выезжающих за рубеж"),
            refusals=(
                Refusal(
                    "vzr_not_urgent",
                    _("Помощь не была экстренной"),
                    _(
                        "Возмещаются расходы на экстренную медицинскую помощь при внезапном "
                        "заболевании или несчастном случае (Правила, п. 3.2)"
                    ),
                ),
                Refusal(
                    "vzr_no_call",
                    _("Не было обращения в сервисную компанию"),
                    _(
                        "Расходы без согласования с сервисной (ассистанс) компанией возмещаются, "
                        "если связаться с ней было невозможно (Правила, п. 8.2)"
                    ),
                ),
                *COMMON_REFUSALS,
            ),
        ),
    )
}

# What a claim is declared under: every product but DMS (its services come from clinic
# registers, not from claims).
CLAIMABLE_PRODUCTS = tuple(RULES)


def rules_for(product: str) -> ProductRules | None:
    return RULES.get(product)


def event_type_label(product: str, code: str) -> str:
    rules = rules_for(product)
    event = rules.event_type(code) if rules else None
    return str(event.label) if event else code


def document_label(code: str) -> str:
    document = DOCUMENTS.get(code)
    return str(document.label) if document else code


def checklist(product: str, event_code: str) -> list[Document]:
    """The documents asked for with this event, then «Другие документы»."""
    rules = rules_for(product)
    event = rules.event_type(event_code) if rules else None
    codes = [*(event.documents if event else ()), OTHER]
    return [DOCUMENTS[c] for c in codes]


def decision_term_text(days: int, count: DayCount | str) -> str:
    return f"{days} {DAY_COUNT_LABELS[DayCount(count)]}"
