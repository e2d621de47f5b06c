"""Personal data retention (152-FZ art. 5 part 7, art. 21): what the schedule in
settings.PERSONAL_DATA_RETENTION says is due is destroyed or anonymised, and each real run leaves
an act of destruction (portal.core.models.DestructionAct, Roskomnadzor's order № 179).

Where other records protect a row (service lines behind appeals and charges, charges kept for
accounting), the personal data is anonymised and the row is kept."""

import datetime
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from claims.models import ServiceLine
from feedback.models import AppealAttachment, GuaranteeLetter
from policies.models import InsuredPerson
from portal.accounts.models import AccountEvent, PhoneVerification, User
from portal.core.models import DestructionAct

ANONYMISED_PREFIX = "ОБЕЗЛ-"
ANONYMISED_NAME = "Обезличено"

INFORMATION_SYSTEM = "Личный кабинет застрахованного (ИСПДн «Insured Portal»)"
METHOD = (
    "Удаление записей из базы данных и файлов из хранилища без возможности восстановления; "
    "обезличивание — замена персональных данных в записях, которые сохраняются по закону"
)
REASON = "Истечение срока хранения персональных данных (ч. 7 ст. 5, ч. 4 ст. 21 152-ФЗ)"
KEPT = [
    {
        "data": "Списания и возвраты со-оплаты (суммы, даты, номера платежей)",
        "basis": "бухгалтерский учёт: ст. 29 Федерального закона № 402-ФЗ, 5 лет",
    },
    {
        "data": "Обезличенные строки реестров услуг (без ФИО, диагнозов и наименований услуг)",
        "basis": "на них ссылаются списания и обращения; персональных данных не содержат",
    },
    {
        "data": "Журнал доступа сотрудников к персональным данным",
        "basis": "расследование инцидентов безопасности (ст. 19 152-ФЗ); журнал не изменяется",
    },
]


@dataclass
class RetentionItem:
    category: str
    data: str
    action: str  # "уничтожено" / "обезличено"
    subjects: int = 0
    rows: int = 0
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "data": self.data,
            "action": self.action,
            "subjects": self.subjects,
            "rows": self.rows,
            "files": len(self.files),
        }


def _cutoffs(now: datetime.datetime) -> dict[str, datetime.datetime]:
    schedule = settings.PERSONAL_DATA_RETENTION
    return {
        "register": now - datetime.timedelta(days=365 * schedule["register_years"]),
        "closed": now - datetime.timedelta(days=365 * schedule["closed_account_years"]),
        "login": now - datetime.timedelta(days=schedule["sms_and_login_days"]),
    }


def _register_due(cutoff: datetime.datetime) -> QuerySet[InsuredPerson]:
    return InsuredPerson.objects.filter(ends_on__lt=cutoff.date()).exclude(
        policy_number__startswith=ANONYMISED_PREFIX
    )


def _closed_due(cutoff: datetime.datetime) -> QuerySet[User]:
    return User.objects.filter(deleted_at__lt=cutoff)


def _login_records(cutoff: datetime.datetime) -> list[QuerySet]:
    return [
        AccessLog.objects.filter(attempt_time__lt=cutoff),
        AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
    ]


def retention_plan(*, now: datetime.datetime | None = None) -> list[RetentionItem]:
    """What a run would destroy or anonymise now (the dry run's list), without writing."""
    cut = _cutoffs(now or timezone.now())
    register = _register_due(cut["register"])
    lines = ServiceLine.objects.filter(insured_person__in=register)
    closed = _closed_due(cut["closed"])
    attachments = AppealAttachment.objects.filter(appeal__user__in=closed)
    referrals = GuaranteeLetter.objects.filter(user__in=closed).exclude(referral="")
    events = AccountEvent.objects.filter(user__in=closed)
    sms = PhoneVerification.objects.filter(sent_at__lt=cut["login"])
    logins = _login_records(cut["login"])
    return [
        RetentionItem(
            "register",
            "Реестр застрахованных: ФИО, дата рождения, паспорт, e-mail, телефон, номер полиса",
            "обезличено",
            subjects=register.count(),
            rows=register.count(),
        ),
        RetentionItem(
            "service_history",
            "История услуг ДМС: наименования и коды услуг, диагнозы по МКБ-10",
            "обезличено",
            subjects=lines.values("insured_person_id").distinct().count(),
            rows=lines.count(),
        ),
        RetentionItem(
            "closed_accounts",
            "Закрытые учётные записи: история учётной записи, файлы обращений и направлений",
            "уничтожено",
            subjects=closed.filter(
                Q(account_events__isnull=False)
                | Q(appeals__attachments__isnull=False)
                | Q(guarantee_letters__referral__gt="")
            )
            .distinct()
            .count(),
            rows=events.count() + attachments.count() + referrals.count(),
            files=[a.file.name for a in attachments] + [g.referral.name for g in referrals],
        ),
        RetentionItem(
            "sms",
            "SMS-коды подтверждения (хеши кодов, номера телефонов)",
            "уничтожено",
            subjects=sms.values("user_id").distinct().count(),
            rows=sms.count(),
        ),
        RetentionItem(
            "logins",
            "Записи о входах (логин, IP-адрес, браузер)",
            "уничтожено",
            subjects=len({u for qs in logins for u in qs.values_list("username", flat=True)}),
            rows=sum(qs.count() for qs in logins),
        ),
    ]


def _anonymise_register(persons: list[InsuredPerson]) -> None:
    for person in persons:
        person.policy_number = f"{ANONYMISED_PREFIX}{person.pk}"
        person.last_name = ANONYMISED_NAME
        person.first_name = ANONYMISED_NAME
        person.middle_name = ""
        person.birth_date = datetime.date(1900, 1, 1)
        person.email = ""
        person.phone = ""
        person.passport = ""
        person.passport_index = ""
        person.activation_code_hash = ""
    InsuredPerson.objects.bulk_update(
        persons,
        [
            "policy_number",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "email",
            "phone",
            "passport",
            "passport_index",
            "activation_code_hash",
        ],
        batch_size=500,
    )


@transaction.atomic
def personal_data_retention_run(
    *, performed_by: str, now: datetime.datetime | None = None
) -> DestructionAct | None:
    """Destroy or anonymise what is due and write the act (None when nothing was due). Files
    leave the storage once the transaction has committed."""
    now = now or timezone.now()
    plan = retention_plan(now=now)
    if not any(item.rows for item in plan):
        return None
    cut = _cutoffs(now)

    register = list(_register_due(cut["register"]))
    ServiceLine.objects.filter(insured_person__in=register).update(
        service_code="", service_name=ANONYMISED_NAME, icd10_code="", icd10_name=""
    )
    _anonymise_register(register)

    closed = _closed_due(cut["closed"])
    AccountEvent.objects.filter(user__in=closed).delete()
    attachments = list(AppealAttachment.objects.filter(appeal__user__in=closed))
    referrals = list(GuaranteeLetter.objects.filter(user__in=closed).exclude(referral=""))
    files = [(a.file.storage, a.file.name) for a in attachments]
    files += [(g.referral.storage, g.referral.name) for g in referrals]
    AppealAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    GuaranteeLetter.objects.filter(pk__in=[g.pk for g in referrals]).update(referral="")

    PhoneVerification.objects.filter(sent_at__lt=cut["login"]).delete()
    for records in _login_records(cut["login"]):
        records.delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return DestructionAct.objects.create(
        operator=settings.INSURER_NAME,
        performed_by=performed_by,
        information_system=INFORMATION_SYSTEM,
        method=METHOD,
        reason=REASON,
        items=[item.as_dict() for item in plan if item.rows],
        kept=KEPT,
    )
