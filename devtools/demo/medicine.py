"""Kinds of care, doctors' specialties, ICD-10 diagnoses and the services of the demo registers.

Service codes follow the nomenclature of medical services (order 804н); the names are the ones
clinics print in their registers. Prices are Moscow private-clinic prices in roubles.
"""

from dataclasses import dataclass
from decimal import Decimal

CARE_KINDS: tuple[tuple[str, str], ...] = (
    ("outpatient", "Амбулаторно-поликлиническое обслуживание"),
    ("home", "Помощь на дому"),
    ("dental", "Стоматологическая помощь"),
    ("emergency", "Скорая медицинская помощь"),
    ("hospital", "Стационарная помощь"),
    ("rehab", "Восстановительное лечение"),
)

# Specialty → kind of care, per profile of a clinic that takes online bookings.
SPECIALTIES_BY_PROFILE: dict[str, tuple[tuple[str, str], ...]] = {
    "multi": (
        ("терапевт", "outpatient"),
        ("педиатр", "outpatient"),
        ("офтальмолог", "outpatient"),
        ("невролог", "outpatient"),
        ("оториноларинголог", "outpatient"),
        ("кардиолог", "outpatient"),
        ("эндокринолог", "outpatient"),
        ("гастроэнтеролог", "outpatient"),
        ("травматолог-ортопед", "outpatient"),
        ("дерматовенеролог", "outpatient"),
        ("акушер-гинеколог", "outpatient"),
        ("уролог", "outpatient"),
    ),
    "polyclinic": (
        ("терапевт", "outpatient"),
        ("офтальмолог", "outpatient"),
        ("невролог", "outpatient"),
        ("оториноларинголог", "outpatient"),
        ("хирург", "outpatient"),
        ("кардиолог", "outpatient"),
    ),
    "children": (
        ("педиатр", "outpatient"),
        ("детский невролог", "outpatient"),
        ("детский офтальмолог", "outpatient"),
        ("детский оториноларинголог", "outpatient"),
        ("детский хирург", "outpatient"),
    ),
    "dental": (
        ("стоматолог-терапевт", "dental"),
        ("стоматолог-хирург", "dental"),
        ("стоматолог-ортопед", "dental"),
        ("ортодонт", "dental"),
        ("детский стоматолог", "dental"),
    ),
    "hospital": (
        ("терапевт", "outpatient"),
        ("кардиолог", "outpatient"),
        ("хирург", "outpatient"),
        ("травматолог-ортопед", "outpatient"),
        ("невролог", "outpatient"),
    ),
    "rehab": (
        ("врач по лечебной физкультуре", "rehab"),
        ("физиотерапевт", "rehab"),
        ("врач-реабилитолог", "rehab"),
        ("невролог", "outpatient"),
        ("мануальный терапевт", "rehab"),
    ),
}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    price: Decimal


def _s(code: str, name: str, price: str) -> Service:
    return Service(code, name, Decimal(price))


THERAPIST_FIRST = _s(
    "B01.047.001", "Приём (осмотр, консультация) врача-терапевта первичный", "2600"
)
THERAPIST_REPEAT = _s(
    "B01.047.002", "Повторная консультация в течение 1 месяца от даты первичного приёма", "2100"
)
PEDIATRICIAN_FIRST = _s(
    "B01.031.001", "Приём (осмотр, консультация) врача-педиатра первичный", "2400"
)
PEDIATRICIAN_REPEAT = _s(
    "B01.031.002", "Повторная консультация в течение 1 месяца от даты первичного приёма", "1900"
)
PEDIATRICIAN_HOME = _s("B01.031.001", "Вызов врача-педиатра на дом", "4800")
THERAPIST_HOME = _s("B01.047.001", "Вызов врача-терапевта на дом", "5400")
EMERGENCY_VISIT = _s(
    "B01.044.001", "Осмотр (консультация) врачом скорой медицинской помощи", "9800"
)
NEUROLOGIST_FIRST = _s(
    "B01.023.001", "Приём (осмотр, консультация) врача-невролога первичный", "3200"
)
OPHTHALMOLOGIST_FIRST = _s(
    "B01.029.001", "Приём (осмотр, консультация) врача-офтальмолога первичный", "2900"
)
ENT_FIRST = _s(
    "B01.028.001", "Приём (осмотр, консультация) врача-оториноларинголога первичный", "2900"
)
CARDIOLOGIST_FIRST = _s(
    "B01.015.001", "Приём (осмотр, консультация) врача-кардиолога первичный", "3400"
)
GASTRO_FIRST = _s(
    "B01.004.001", "Приём (осмотр, консультация) врача-гастроэнтеролога первичный", "3300"
)
TRAUMA_FIRST = _s(
    "B01.050.001", "Приём (осмотр, консультация) врача-травматолога-ортопеда первичный", "3100"
)
DENTIST_FIRST = _s(
    "B01.065.001", "Приём (осмотр, консультация) врача-стоматолога-терапевта первичный", "1500"
)
PHYSIO_FIRST = _s("B01.054.001", "Осмотр (консультация) врача-физиотерапевта", "2200")

BLOOD_COUNT = _s("B03.016.003", "Общий (клинический) анализ крови развёрнутый", "680")
URINE_TEST = _s("B03.016.006", "Общий (клинический) анализ мочи", "450")
BIOCHEMISTRY = _s("B03.016.004", "Анализ крови биохимический общетерапевтический", "2100")
GLUCOSE = _s("A09.05.023", "Исследование уровня глюкозы в крови", "340")
ECG = _s("A05.10.006", "Регистрация электрокардиограммы", "1250")
ABDOMEN_ULTRASOUND = _s(
    "A04.16.001", "Ультразвуковое исследование органов брюшной полости (комплексное)", "3400"
)
CHEST_XRAY = _s("A06.09.007", "Рентгенография лёгких", "2200")
ANKLE_XRAY = _s("A06.03.056", "Рентгенография голеностопного сустава", "2300")
RIB_XRAY = _s("A06.03.041", "Рентгенография рёбер", "2300")
VISOMETRY = _s("A02.26.004", "Визометрия", "500")
TONOMETRY = _s("A02.26.015", "Офтальмотонометрия", "600")
BIOMICROSCOPY = _s("A03.26.001", "Биомикроскопия глаза", "800")
EARWAX_REMOVAL = _s("A16.25.007", "Удаление ушной серы", "1300")
THROAT_SWAB = _s(
    "A26.08.005", "Бактериологическое исследование слизи с миндалин и задней стенки глотки", "1400"
)
MAGNETOTHERAPY = _s("A17.30.031", "Воздействие магнитными полями (магнитотерапия)", "680")
ELECTROPHORESIS = _s(
    "A17.24.005",
    "Электрофорез лекарственных препаратов при заболеваниях периферической нервной системы",
    "680",
)
NECK_MASSAGE = _s("A21.01.003", "Массаж шеи медицинский", "1700")
ANESTHESIA = _s("B01.003.004.004", "Аппликационная анестезия", "450")
INFILTRATION = _s("B01.003.004.002", "Проводниковая анестезия", "950")
FILLING = _s("A16.07.002", "Восстановление зуба пломбой", "6800")
DENTAL_XRAY = _s("A06.07.003", "Прицельная внутриротовая контактная рентгенография", "700")
HYGIENE = _s("A16.07.051", "Профессиональная гигиена полости рта и зубов", "7500")
CANAL_FILLING = _s("A16.07.008", "Пломбирование корневого канала зуба", "5200")


@dataclass(frozen=True)
class VisitKind:
    """A typical visit: its kind of care, possible diagnoses, the first service and the extras
    that may follow it the same day."""

    care_kind: str
    for_children: bool
    diagnoses: tuple[tuple[str, str], ...]
    main: Service
    extras: tuple[Service, ...] = ()
    weight: int = 1


ARVI = (
    ("J06.9", "Острая инфекция верхних дыхательных путей неуточнённая"),
    ("J02.9", "Острый фарингит неуточнённый"),
    ("B34.9", "Вирусная инфекция неуточнённая"),
)

ADULT_VISITS: tuple[VisitKind, ...] = (
    VisitKind("outpatient", False, ARVI, THERAPIST_FIRST, (BLOOD_COUNT, THERAPIST_REPEAT), 4),
    VisitKind(
        "outpatient",
        False,
        (("J20.9", "Острый бронхит неуточнённый"),),
        THERAPIST_FIRST,
        (CHEST_XRAY, BLOOD_COUNT),
        2,
    ),
    VisitKind(
        "outpatient",
        False,
        (("Z00.0", "Общий медицинский осмотр"),),
        THERAPIST_FIRST,
        (BLOOD_COUNT, URINE_TEST, BIOCHEMISTRY, ECG),
        2,
    ),
    VisitKind(
        "outpatient",
        False,
        (
            ("M54.5", "Боль внизу спины"),
            ("M54.2", "Цервикалгия"),
            ("M42.1", "Остеохондроз позвоночника у взрослых"),
            ("G44.2", "Головная боль напряжённого типа"),
        ),
        NEUROLOGIST_FIRST,
        (MAGNETOTHERAPY, NECK_MASSAGE),
        3,
    ),
    VisitKind(
        "outpatient",
        False,
        (("H52.1", "Миопия"), ("H10.9", "Конъюнктивит неуточнённый")),
        OPHTHALMOLOGIST_FIRST,
        (VISOMETRY, TONOMETRY, BIOMICROSCOPY),
        2,
    ),
    VisitKind(
        "outpatient",
        False,
        (
            ("H61.2", "Серная пробка"),
            ("J01.0", "Острый верхнечелюстной синусит"),
            ("J03.9", "Острый тонзиллит неуточнённый"),
        ),
        ENT_FIRST,
        (EARWAX_REMOVAL, THROAT_SWAB),
        2,
    ),
    VisitKind(
        "outpatient",
        False,
        (("I10", "Эссенциальная (первичная) гипертензия"),),
        CARDIOLOGIST_FIRST,
        (ECG, BIOCHEMISTRY),
        2,
    ),
    VisitKind(
        "outpatient",
        False,
        (
            ("K29.5", "Хронический гастрит неуточнённый"),
            ("K21.9", "Гастроэзофагеальный рефлюкс без эзофагита"),
        ),
        GASTRO_FIRST,
        (ABDOMEN_ULTRASOUND, BLOOD_COUNT),
        1,
    ),
    VisitKind(
        "outpatient",
        False,
        (
            ("S20.2", "Ушиб грудной клетки"),
            ("S93.4", "Растяжение и перенапряжение связочного аппарата голеностопного сустава"),
        ),
        TRAUMA_FIRST,
        (RIB_XRAY, ANKLE_XRAY),
        1,
    ),
    VisitKind(
        "dental",
        False,
        (("K02.1", "Кариес дентина"), ("K02.0", "Кариес эмали"), ("K04.0", "Пульпит")),
        DENTIST_FIRST,
        (INFILTRATION, FILLING, DENTAL_XRAY, CANAL_FILLING),
        3,
    ),
    VisitKind(
        "dental",
        False,
        (("K03.6", "Отложения [наросты] на зубах"), ("K05.1", "Хронический гингивит")),
        DENTIST_FIRST,
        (HYGIENE,),
        1,
    ),
    VisitKind("home", False, ARVI, THERAPIST_HOME, (), 1),
    VisitKind(
        "emergency",
        False,
        (
            ("S93.4", "Растяжение и перенапряжение связочного аппарата голеностопного сустава"),
            ("I10", "Эссенциальная (первичная) гипертензия"),
        ),
        EMERGENCY_VISIT,
        (),
        1,
    ),
)

CHILD_VISITS: tuple[VisitKind, ...] = (
    VisitKind("outpatient", True, ARVI, PEDIATRICIAN_FIRST, (BLOOD_COUNT, PEDIATRICIAN_REPEAT), 4),
    VisitKind(
        "outpatient",
        True,
        (("Z00.1", "Рутинное обследование состояния здоровья ребёнка"),),
        PEDIATRICIAN_FIRST,
        (BLOOD_COUNT, URINE_TEST),
        2,
    ),
    VisitKind(
        "outpatient",
        True,
        (("H66.9", "Средний отит неуточнённый"), ("J03.9", "Острый тонзиллит неуточнённый")),
        ENT_FIRST,
        (THROAT_SWAB,),
        2,
    ),
    VisitKind("outpatient", True, (("H52.1", "Миопия"),), OPHTHALMOLOGIST_FIRST, (VISOMETRY,), 1),
    VisitKind(
        "dental", True, (("K02.1", "Кариес дентина"),), DENTIST_FIRST, (ANESTHESIA, FILLING), 2
    ),
    VisitKind(
        "home",
        True,
        ARVI + (("B01.9", "Ветряная оспа без осложнений"),),
        PEDIATRICIAN_HOME,
        (),
        2,
    ),
)

# The demo person's latest visits: a course of physiotherapy for low back pain whose three
# procedures are still unpaid, 136 + 272 + 136 = 544.00 ₽ at a 20 % co-pay.
BACK_PAIN = ("M54.5", "Боль внизу спины")
UNPAID_COURSE: tuple[tuple[int, Service, int], ...] = (
    # (days before today, service, quantity)
    (10, MAGNETOTHERAPY, 1),
    (7, MAGNETOTHERAPY, 2),
    (4, ELECTROPHORESIS, 1),
)
UNPAID_COURSE_START: tuple[int, Service] = (17, NEUROLOGIST_FIRST)
