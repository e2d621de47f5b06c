"""«Скачать мои данные»: everything stored about the person, as a zip with one JSON file and the
files the person (or the insurer, for their claims) uploaded: appeal attachments, referrals of
guarantee-letter requests, claim documents.

Each section is one entry of EXPORT_SECTIONS: a later issue that stores more about a person
adds its section here and nowhere else. Rows are written field by field from the model, so a new
field shows up by itself; what only the system needs (hashes, blind indexes, tokens) is left out.
"""

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, SuspiciousFileOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.health import HEALTH_FIELDS, health_data_visible
from claims.models import Claim, ClaimDocument, ClaimEvent, ServiceLine
from clinics.models import Appointment
from feedback.models import Appeal, AppealAttachment, AppealMessage, GuaranteeLetter
from policies.models import PolicyLink
from policies.selectors import insured_persons_for_user, linked_insured_ids, policies_for_user
from portal.accounts.models import AccountEvent, Consent, RememberedDevice, User

FORMAT_VERSION = 1
# The archive is kept in memory up to this size, then in a temporary file (uploads reach 10 MB).
SPOOL_BYTES = 8 * 1024 * 1024
# Internal values that mean nothing to the person and must not leave the system.
_SECRET_SUFFIXES = ("_hash", "_index", "password", "session_token", "verify_token")


@dataclass(frozen=True)
class ExportSection:
    name: str
    title: str
    rows: Callable[[User], Iterable[models.Model]]
    related: tuple[str, ...] = ()  # foreign keys written as their text, not their id
    exclude: tuple[str, ...] = ()


def _is_secret(name: str) -> bool:
    return name.endswith(_SECRET_SUFFIXES)


def _row(obj: models.Model, section: ExportSection) -> dict:
    data: dict = {}
    for field in obj._meta.concrete_fields:
        if field.name in section.exclude or _is_secret(field.name):
            continue
        if field.is_relation:
            if field.name in section.related:
                related = getattr(obj, field.name)
                data[field.name] = str(related) if related is not None else None
            else:
                data[field.attname] = getattr(obj, field.attname)
            continue
        value = getattr(obj, field.attname)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or None
        data[field.name] = value
        if field.choices and value not in (None, ""):
            data[f"{field.name}_display"] = str(getattr(obj, f"get_{field.name}_display")())
    return data


def _profile(user: User) -> list[dict]:
    passport = user.passport
    return [
        {
            "email": user.email,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
            "no_middle_name": user.no_middle_name,
            "birth_date": user.birth_date,
            "phone": user.phone,
            "phone_confirmed_at": user.phone_confirmed_at,
            "passport": f"{passport[:4]} {passport[4:]}" if passport else "",
            "pin_set": user.has_pin,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    ]


def _optional_user_rows(app_label: str, model_name: str) -> Callable[[User], Iterable]:
    """Rows of a model of another issue that may not exist yet (payments, saved places)."""

    def rows(user: User) -> Iterable[models.Model]:
        try:
            model = apps.get_model(app_label, model_name)
            model._meta.get_field("user")
        except (LookupError, FieldDoesNotExist):
            return []
        return model.objects.filter(user=user).order_by("pk")

    return rows


def _service_lines(user: User):
    return ServiceLine.objects.filter(
        insured_person_id__in=linked_insured_ids(user)
    ).select_related("clinic", "insured_person", "care_kind")


def _claims(user: User):
    return Claim.objects.filter(policy__in=policies_for_user(user).values("pk")).select_related(
        "policy"
    )


def _appeal_attachments(user: User):
    return AppealAttachment.objects.filter(appeal__user=user).select_related("appeal")


def _claim_documents(user: User):
    return ClaimDocument.objects.filter(claim__in=_claims(user).values("pk")).select_related(
        "claim"
    )


def _safe(text: str, fallback: str) -> str:
    """`text` made a safe name of one path part inside the archive (Django refuses "" and "..")."""
    try:
        return get_valid_filename(text.replace("/", "_").replace("\\", "_"))
    except SuspiciousFileOperation:
        return fallback


def _file_name(pk: int, original: str) -> str:
    """`<id>-<the uploaded name>`: two uploads of one name stay two files."""
    return f"{pk}-{_safe(original, 'file')}"


def _person_files(user: User) -> Iterator[tuple[str, FieldFile]]:
    """Each stored file of the person with its path in the archive."""
    for attachment in _appeal_attachments(user):
        folder = _safe(attachment.appeal.number, str(attachment.appeal_id))
        name = _file_name(attachment.pk, attachment.original_name)
        yield f"files/appeals/{folder}/{name}", attachment.file
    letters = GuaranteeLetter.objects.filter(user=user).exclude(referral="")
    for letter in letters:
        name = _file_name(letter.pk, letter.referral_name)
        yield f"files/guarantee_letters/{name}", letter.referral
    for document in _claim_documents(user):
        folder = _safe(document.claim.number, str(document.claim_id))
        name = _file_name(document.pk, document.original_name)
        yield f"files/claims/{folder}/{name}", document.file


EXPORT_SECTIONS: tuple[ExportSection, ...] = (
    ExportSection("profile", gettext_lazy("Личные данные"), lambda user: []),  # written by _profile
    ExportSection(
        "consents", gettext_lazy("Согласия"), lambda user: Consent.objects.filter(user=user)
    ),
    ExportSection(
        "email_addresses",
        gettext_lazy("Адреса электронной почты"),
        lambda user: EmailAddress.objects.filter(user=user),
        exclude=("user",),
    ),
    ExportSection(
        "linked_accounts",
        gettext_lazy("Связанные учётные записи (Госуслуги)"),
        lambda user: SocialAccount.objects.filter(user=user),
        exclude=("user",),
    ),
    ExportSection(
        "account_history",
        gettext_lazy("История учётной записи"),
        lambda user: AccountEvent.objects.filter(user=user),
        exclude=("user",),
    ),
    ExportSection(
        "remembered_devices",
        gettext_lazy("Устройства для входа по PIN-коду"),
        lambda user: RememberedDevice.objects.filter(user=user),
        exclude=("user",),
    ),
    ExportSection(
        "policy_links",
        gettext_lazy("Привязанные полисы"),
        lambda user: PolicyLink.objects.filter(user=user).select_related("insured_person"),
        related=("insured_person",),
        exclude=("user",),
    ),
    ExportSection(
        "insured_persons",
        gettext_lazy("Застрахованные лица (вы и ваши дети)"),
        insured_persons_for_user,
        related=("contract", "program", "parent"),
    ),
    ExportSection(
        "policies",
        gettext_lazy("Полисы"),
        policies_for_user,
        related=("insured_person", "holder"),
    ),
    ExportSection(
        "appointments",
        gettext_lazy("Записи к врачу"),
        lambda user: Appointment.objects.filter(user=user).select_related(
            "slot__doctor__clinic", "insured_person"
        ),
        related=("slot", "insured_person"),
        exclude=("user",),
    ),
    ExportSection(
        "service_lines",
        gettext_lazy("Услуги ДМС (из реестров клиник), с диагнозами"),
        _service_lines,
        related=("clinic", "insured_person", "care_kind"),
    ),
    ExportSection(
        "appeals",
        gettext_lazy("Обращения"),
        lambda user: Appeal.objects.filter(user=user).select_related("service_line", "clinic"),
        related=("service_line", "clinic"),
        exclude=("user",),
    ),
    ExportSection(
        "appeal_messages",
        gettext_lazy("Сообщения по обращениям"),
        lambda user: AppealMessage.objects.filter(appeal__user=user).select_related("appeal"),
        related=("appeal",),
        exclude=("author",),
    ),
    ExportSection(
        "appeal_attachments",
        gettext_lazy("Вложения к обращениям (файлы — в папке files/appeals)"),
        _appeal_attachments,
        related=("appeal",),
        exclude=("file",),
    ),
    ExportSection(
        "guarantee_letters",
        gettext_lazy("Гарантийные письма"),
        lambda user: GuaranteeLetter.objects.filter(user=user).select_related(
            "insured_person", "clinic", "care_kind"
        ),
        related=("insured_person", "clinic", "care_kind"),
        exclude=("user", "referral"),
    ),
    ExportSection("claims", gettext_lazy("Убытки"), _claims, related=("policy",)),
    ExportSection(
        "claim_events",
        gettext_lazy("История убытков"),
        lambda user: ClaimEvent.objects.filter(claim__in=_claims(user).values("pk")),
        exclude=("by",),
    ),
    ExportSection(
        "claim_documents",
        gettext_lazy("Документы по убыткам (файлы — в папке files/claims)"),
        _claim_documents,
        related=("claim",),
        exclude=("file",),
    ),
    ExportSection(
        "saved_places",
        gettext_lazy("Сохранённые места"),
        _optional_user_rows("clinics", "SavedPlace"),
    ),
    ExportSection(
        "copay_enrollments",
        gettext_lazy("Со-оплатная программа"),
        _optional_user_rows("payments", "CopayEnrollment"),
    ),
    ExportSection(
        "cards", gettext_lazy("Привязанные карты"), _optional_user_rows("payments", "PaymentCard")
    ),
    ExportSection("charges", gettext_lazy("Списания"), _optional_user_rows("payments", "Charge")),
    ExportSection(
        "purchases", gettext_lazy("Покупки полисов"), _optional_user_rows("payments", "Purchase")
    ),
)


# Health data (152-FZ art. 9, claims.health): left out of the export while the person's separate
# consent to process it is not in force, as /cases/ leaves it out.
HEALTH_SECTIONS: dict[str, tuple[str, ...]] = {"service_lines": HEALTH_FIELDS}


def personal_data_export(user: User) -> dict:
    data: dict = {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "sections": {section.name: section.title for section in EXPORT_SECTIONS},
    }
    health = health_data_visible(user)
    for section in EXPORT_SECTIONS:
        if section.name == "profile":
            data["profile"] = _profile(user)
            continue
        if not health and section.name in HEALTH_SECTIONS:
            section = replace(section, exclude=section.exclude + HEALTH_SECTIONS[section.name])
        data[section.name] = [_row(obj, section) for obj in section.rows(user)]
    return data


def personal_data_archive(user: User) -> IO[bytes]:
    """The zip the person downloads, read from its start: data.json, the person's files and a
    short Russian README (which also names a file the storage no longer has)."""
    data = personal_data_export(user)
    archive_file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    missing = []
    with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for path, stored in _person_files(user):
            try:
                with stored.open("rb") as source, archive.open(path, "w") as target:
                    for chunk in source.chunks():
                        target.write(chunk)
            except FileNotFoundError:
                missing.append(path)
        lines = [
            _("Ваши данные в личном кабинете застрахованного"),
            _("Выгрузка от %(date)s. Файл data.json, разделы:")
            % {"date": timezone.localtime(data["generated_at"]).strftime("%d.%m.%Y %H:%M")},
            *(f"- {name}: {title}" for name, title in data["sections"].items()),
            _("Папка files: файлы обращений, направлений и убытков, ваши и страховщика."),
        ]
        if missing:
            lines.append(_("Не найдены в хранилище, обратитесь в поддержку:"))
            lines.extend(f"- {path}" for path in missing)
        archive.writestr("README.txt", "\n".join([*lines, ""]))
    archive_file.seek(0)
    return archive_file
