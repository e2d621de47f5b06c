"""The demo person's non-DMS side: an ОСАГО policy, a claim under it and an answered appeal."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from claims.models import Claim
from claims.services import (
    OtherParty,
    PayoutChoice,
    claim_numbers_start_after,
    claim_set_status,
    claim_submit,
)
from clinics.models import Clinic
from feedback.models import Appeal, AppealMessage
from policies.models import Policy
from portal.accounts.models import User

from .identifiers import bank_account_with_check_digit
from .register import DEMO_PERSON, add_months, one_year_from, policy_status

# ОСАГО series are Cyrillic letters that look Latin: «ХХХ» here is Cyrillic Х three times.
OSAGO_NUMBER = "ХХХ 0123456789"
OSAGO_PREMIUM = Decimal("8734.56")
OSAGO_TARIFF_VERSION = "6007-У ред. 7204-У"
OSAGO_PRODUCT_DATA = {
    "vehicle": {
        "make": "LADA",
        "model": "Vesta",
        "year": 2021,
        "power_hp": 106,
        "vin": "XTAGFK330MY123456",
        "plate": "А123ВС777",
        "category": "B",
        "registration_document": {
            "type": "sts",
            "name": "Свидетельство о регистрации ТС",
            "series": "99 45",
            "number": "123456",
            "issued_on": "2021-06-18",
        },
    },
    "owner": str(DEMO_PERSON.name),
    "drivers": [
        {
            "full_name": str(DEMO_PERSON.name),
            "birth_date": DEMO_PERSON.birth_date.isoformat(),
            "licence": "77 15 123456",
            "licence_issued_on": "2015-07-10",
            "experience_since": 2008,
        },
        {
            "full_name": "Смирнова Екатерина Владимировна",
            "birth_date": "1990-11-02",
            "licence": "77 21 654321",
            "licence_issued_on": "2021-03-14",
            "experience_since": 2011,
        },
    ],
    "unlimited_drivers": False,
    "usage_region": "г. Москва",
}

CLAIM_SERIAL = "000123"
PAYOUT_BIK = "044525225"
PAYOUT_ACCOUNT = bank_account_with_check_digit(bik=PAYOUT_BIK, account="40817810938160925982")
CLAIM_PLACE = "г. Москва, Ленинградский просп., д. 37"
CLAIM_DESCRIPTION = (
    "При перестроении в соседний ряд автомобиль Kia Rio (г/н К456МР799) задел правое переднее "
    "крыло и переднюю правую дверь моего автомобиля. ДТП оформлено без сотрудников ГИБДД "
    "(европротокол), второй участник признал вину. Прошу возместить ущерб по ОСАГО (прямое "
    "возмещение убытков)."
)
OTHER_DRIVER = "Кузьмин Олег Викторович"
OTHER_PLATE = "К456МР799"
OTHER_POLICY = "ААС 5012345678"
UNDER_REVIEW_COMMENT = "Документы получены в полном объёме, назначен осмотр автомобиля."

APPEAL_SERIAL = "000045"
APPEAL_DAYS_TO_ANSWER = 14  # ten working days, give or take a holiday
APPEAL_SUBJECT = "Благодарность врачу-неврологу"
APPEAL_TEXT = (
    "Хочу поблагодарить врача-невролога клиники за внимательный приём и подробные объяснения. "
    "После курса физиотерапии боль в спине почти прошла. Спасибо!"
)
APPEAL_ANSWER = (
    "Алексей Петрович, спасибо за добрые слова! Мы передали вашу благодарность руководству "
    "клиники и лечащему врачу. Будьте здоровы!"
)


def osago_policy_ensure(*, user: User, today: datetime.date) -> Policy:
    starts_on = add_months(today, -3)
    ends_on = one_year_from(starts_on)
    policy, _created = Policy.objects.get_or_create(
        product=Policy.Product.OSAGO,
        number=OSAGO_NUMBER,
        defaults={
            "holder": user,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "status": policy_status(starts_on=starts_on, ends_on=ends_on, today=today),
            "premium": OSAGO_PREMIUM,
            "product_data": OSAGO_PRODUCT_DATA,
            "tariff_version": OSAGO_TARIFF_VERSION,
        },
    )
    return policy


def _local(moment: datetime.datetime, hour: int, minute: int) -> datetime.datetime:
    return timezone.localtime(moment).replace(hour=hour, minute=minute, second=0, microsecond=0)


def claim_ensure(
    *, policy: Policy, user: User, operator: User, now: datetime.datetime
) -> Claim | None:
    """A road accident three weeks ago, declared the next day and now under review."""
    number = f"У-{timezone.localdate(now).year}-{CLAIM_SERIAL}"
    if Claim.objects.filter(Q(policy=policy) | Q(number=number)).exists():
        return None
    event_at = _local(now - datetime.timedelta(days=21), 8, 40)
    submitted_at = _local(event_at + datetime.timedelta(days=1), 19, 5)
    # The demo insurer has had 122 claims this year: the demo one gets «…-000123».
    claim_numbers_start_after(
        year=timezone.localdate(submitted_at).year, serial=int(CLAIM_SERIAL) - 1
    )
    claim = claim_submit(
        user=user,
        policy=policy,
        event_type="dtp",
        event_at=event_at,
        place=CLAIM_PLACE,
        description=CLAIM_DESCRIPTION,
        payout=PayoutChoice(method="bank", bik=PAYOUT_BIK, account=PAYOUT_ACCOUNT),
        other_parties=[
            OtherParty(name=OTHER_DRIVER, plate=OTHER_PLATE, policy_number=OTHER_POLICY)
        ],
        now=submitted_at,
    )
    Claim.objects.filter(pk=claim.pk).update(created_at=submitted_at)
    claim.refresh_from_db()
    claim_set_status(
        claim=claim, status=Claim.Status.UNDER_REVIEW, by=operator, comment=UNDER_REVIEW_COMMENT
    )
    # The history is backdated: the demo person is not e-mailed about it.
    claim.events.update(notified_at=now)
    return claim


def appeal_ensure(
    *, user: User, operator: User, clinic: Clinic, now: datetime.datetime
) -> Appeal | None:
    """Thanks for the neurologist of the demo person's latest visits, answered the next day."""
    asked_at = _local(now - datetime.timedelta(days=3), 10, 15)
    number = f"О-{asked_at.year}-{APPEAL_SERIAL}"
    if Appeal.objects.filter(Q(user=user) | Q(number=number)).exists():
        return None
    appeal = Appeal.objects.create(
        number=number,
        user=user,
        kind=Appeal.Kind.THANKS,
        status=Appeal.Status.ANSWERED,
        subject=APPEAL_SUBJECT,
        due_on=asked_at.date() + datetime.timedelta(days=APPEAL_DAYS_TO_ANSWER),
        clinic=clinic,
    )
    Appeal.objects.filter(pk=appeal.pk).update(created_at=asked_at)
    AppealMessage.objects.bulk_create(
        [
            AppealMessage(
                appeal=appeal, author=user, from_staff=False, body=APPEAL_TEXT, sent_at=asked_at
            ),
            AppealMessage(
                appeal=appeal,
                author=operator,
                from_staff=True,
                body=APPEAL_ANSWER,
                sent_at=asked_at + datetime.timedelta(days=1, hours=4),
            ),
        ]
    )
    return appeal
