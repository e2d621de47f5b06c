"""Declaring a claim, and the person's documents afterwards: all-or-nothing with their files."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.models import Policy
from portal.accounts.models import User
from portal.core.banking import bank_account_is_valid, bik_is_valid
from portal.core.formatting import LATIN_TO_CYRILLIC
from portal.core.uploads import CheckedFile, UploadRules, rules_from_settings, uploads_check

from ..models import Claim, ClaimDocument, ClaimEvent
from ..presentation import open_request
from ..rules import OTHER, Payout, checklist, rules_for
from ..selectors import claimable_policies_for_user
from .files import documents_store, files_removed_on_failure
from .numbers import claim_number_next
from .status import _queue_notification, claim_set_status

# The accounts a payout to a person goes to: a current account of a resident (40817) or of a
# non-resident (40820) individual, or a deposit (423…), in roubles (810 in digits 6–8).
PERSONAL_ACCOUNT_PREFIXES = ("40817", "40820", "423")
ROUBLE_CODE = "810"
# ОСАГО policy numbers: a series of three Cyrillic letters (those that look Latin) and ten digits.
OSAGO_NUMBER = re.compile(r"^([АВЕКМНОРСТУХ]{3}) ?(\d{10})$")
MAX_OTHER_PARTIES = 3
MIN_DESCRIPTION = 20


def claim_upload_rules() -> UploadRules:
    return rules_from_settings("CLAIMS")


@dataclass(frozen=True)
class PayoutChoice:
    method: str
    bik: str = ""
    account: str = ""
    station: str = ""


@dataclass(frozen=True)
class OtherParty:
    name: str = ""
    plate: str = ""
    policy_number: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.plate.strip() or self.policy_number.strip())


def digits_only(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def osago_number_normalize(value: str) -> str | None:
    """«xxx0123456789», «ХХХ 0123456789» → «ХХХ 0123456789»; None when it is not one."""
    text = re.sub(r"\s+", " ", (value or "").strip().upper().translate(LATIN_TO_CYRILLIC))
    match = OSAGO_NUMBER.match(text) or OSAGO_NUMBER.match(text.replace(" ", ""))
    return f"{match.group(1)} {match.group(2)}" if match else None


def payout_clean(choice: PayoutChoice, *, allowed: Sequence[str], recipient: str) -> dict:
    """The payout details to store; a ValidationError keyed by field otherwise."""
    if choice.method not in allowed:
        raise ValidationError({"payout_method": _("Выберите способ выплаты")})
    if choice.method == Payout.REPAIR:
        return {"method": Payout.REPAIR.value, "station": choice.station.strip()[:255]}
    bik, account = digits_only(choice.bik), digits_only(choice.account)
    errors: dict[str, str] = {}
    if not bik_is_valid(bik):
        errors["bik"] = _("БИК — 9 цифр, начинается с 04")
    if not (len(account) == 20 and account.isdigit()):
        errors["account"] = _("Номер счёта — 20 цифр")
    elif not account.startswith(PERSONAL_ACCOUNT_PREFIXES) or account[5:8] != ROUBLE_CODE:
        errors["account"] = _(
            "Нужен рублёвый счёт физического лица: он начинается с 40817810, 40820810 или 423…810"
        )
    elif "bik" not in errors and not bank_account_is_valid(bik=bik, account=account):
        errors["account"] = _(
            "Номер счёта не сходится с БИК по контрольному ключу: проверьте цифры счёта и БИК банка"
        )
    if errors:
        raise ValidationError(errors)
    return {"method": Payout.BANK.value, "bik": bik, "account": account, "recipient": recipient}


def other_parties_clean(parties: Sequence[OtherParty], *, required: bool) -> list[dict]:
    given = [p for p in parties if not p.is_empty][:MAX_OTHER_PARTIES]
    cleaned, errors = [], []
    for n, party in enumerate(given, start=1):
        number = osago_number_normalize(party.policy_number)
        if party.policy_number.strip() and number is None:
            errors.append(
                _(
                    "Участник %(n)s: номер полиса ОСАГО — три буквы и 10 цифр, "
                    "например ХХХ 0123456789"
                )
                % {"n": n}
            )
        cleaned.append(
            {
                "name": party.name.strip()[:255],
                "plate": party.plate.strip().upper()[:16],
                "policy_number": number or "",
            }
        )
    if required and not any(p["policy_number"] for p in cleaned):
        errors.append(_("Укажите номер полиса ОСАГО другого участника ДТП"))
    if errors:
        raise ValidationError({"other_parties": errors})
    return cleaned


def _event_at_clean(event_at: datetime.datetime, *, policy: Policy, now: datetime.datetime):
    if timezone.is_naive(event_at):
        raise ValueError("event_at must be timezone-aware")
    if event_at > now:
        raise ValidationError({"event_at": _("Дата и время события не могут быть в будущем")})
    day = timezone.localdate(event_at)
    if not policy.starts_on <= day <= policy.ends_on:
        raise ValidationError(
            {
                "event_at": _(
                    "Событие должно произойти в срок действия полиса: с %(start)s по %(end)s"
                )
                % {
                    "start": policy.starts_on.strftime("%d.%m.%Y"),
                    "end": policy.ends_on.strftime("%d.%m.%Y"),
                }
            }
        )


def _collect(errors: dict[str, list[str]], error: ValidationError) -> None:
    for key, messages in error.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def claim_submit(
    *,
    user: User,
    policy: Policy,
    event_type: str,
    event_at: datetime.datetime,
    place: str,
    description: str,
    payout: PayoutChoice,
    other_parties: Sequence[OtherParty] = (),
    documents: Sequence[tuple[str, UploadedFile]] = (),
    now: datetime.datetime | None = None,
) -> Claim:
    """Declare a claim under one of the user's non-DMS policies with its documents.

    Everything is checked before anything is written, and every problem is reported at once, as
    a ValidationError keyed by field (event_at, place, description, payout_method, bik, account,
    other_parties, documents). Then the claim, its files and its first event are written
    together: a failure half-way leaves no claim and no file. The person is e-mailed after the
    commit."""
    now = now or timezone.now()
    rules = rules_for(policy.product)
    if rules is None:
        raise ValidationError(
            _("По полису ДМС страховой случай не заявляется: услуги оплачиваются клинике напрямую")
        )
    if not claimable_policies_for_user(user).filter(pk=policy.pk).exists():
        raise ValidationError(_("Полис не найден среди ваших действующих полисов"))
    event = rules.event_type(event_type)
    if event is None:
        raise ValidationError({"event_type": _("Выберите, что произошло")})

    errors: dict[str, list[str]] = {}
    try:
        _event_at_clean(event_at, policy=policy, now=now)
    except ValidationError as error:
        _collect(errors, error)
    parties: list[dict] = []
    if event.other_parties:
        try:
            parties = other_parties_clean(other_parties, required=event.other_parties_required)
        except ValidationError as error:
            _collect(errors, error)
    place, description = place.strip(), description.strip()
    if not place:
        errors.setdefault("place", []).append(_("Укажите, где это произошло"))
    if len(description) < MIN_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("Опишите, что произошло, хотя бы парой предложений")
        )
    payout_details: dict = {}
    try:
        payout_details = payout_clean(
            payout, allowed=rules.payouts, recipient=user.get_full_name() or user.email
        )
    except ValidationError as error:
        _collect(errors, error)
    allowed_kinds = {d.code for d in checklist(policy.product, event_type)}
    checked: list[tuple[str, CheckedFile]] = []
    try:
        checked = _documents_check(documents, allowed_kinds=allowed_kinds, already=0)
    except ValidationError as error:
        errors.setdefault("documents", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)

    with files_removed_on_failure() as written, transaction.atomic():
        claim = Claim(
            number=claim_number_next(year=timezone.localdate(now).year),
            policy=policy,
            user=user,
            event_type=event.code,
            event_at=event_at,
            place=place[:255],
            description=description,
            other_parties=parties,
            payout_details=payout_details,
            status=Claim.Status.SUBMITTED,
            decision_days=rules.decision_days,
            decision_day_count=rules.day_count.value,
            decision_rule=str(rules.rule),
        )
        claim.full_clean()
        claim.save()
        stored = documents_store(claim=claim, files=checked, user=user, written=written)
        submitted = ClaimEvent.objects.create(
            claim=claim,
            from_status="",
            to_status=Claim.Status.SUBMITTED,
            at=now,
            by=user,
            details={"documents": sorted({d.kind for d in stored})},
        )
        _queue_notification(submitted)
    return claim


def _documents_check(
    documents: Sequence[tuple[str, UploadedFile]], *, allowed_kinds: set[str], already: int
) -> list[tuple[str, CheckedFile]]:
    unknown = sorted({kind for kind, _file in documents if kind not in allowed_kinds})
    if unknown:
        raise ValidationError(
            _("Этот вид документа здесь не нужен: %(kinds)s") % {"kinds": ", ".join(unknown)}
        )
    checked_files = uploads_check(
        [file for _kind, file in documents], rules=claim_upload_rules(), already=already
    )
    return [
        (kind, checked) for (kind, _file), checked in zip(documents, checked_files, strict=True)
    ]


OPEN_STATUSES = (
    Claim.Status.SUBMITTED,
    Claim.Status.DOCUMENTS_REQUESTED,
    Claim.Status.UNDER_REVIEW,
)


def claim_documents_add(
    *, claim: Claim, user: User, kind: str, files: Sequence[UploadedFile]
) -> list[ClaimDocument]:
    """Add files of one kind to an open claim of the user (the checklist's kinds, and the ones an
    operator asked for); the count limit is per claim. All the files or none."""
    if not files:
        raise ValidationError({"files": _("Выберите файлы")})
    with files_removed_on_failure() as written, transaction.atomic():
        locked = (
            Claim.objects.select_for_update(of=("self",)).select_related("policy").get(pk=claim.pk)
        )
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(
                _("Дело закрыто: документы к нему больше не принимаются. Если нужно, напишите нам")
            )
        events = list(locked.events.order_by("at", "pk"))
        requested = set()
        for event in events:
            requested.update(event.details.get("requested", []))
        allowed = {d.code for d in checklist(locked.policy.product, locked.event_type)} | requested
        allowed.add(OTHER)
        try:
            checked = _documents_check(
                [(kind, file) for file in files],
                allowed_kinds=allowed,
                already=locked.documents.count(),
            )
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
        return documents_store(claim=locked, files=checked, user=user, written=written)


def claim_documents_send(*, claim: Claim, user: User) -> ClaimEvent:
    """The person has uploaded what was asked for: the case goes back under review (and the
    deadline runs again). Refused while a requested item has no file since the request."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        request = open_request(
            locked,
            list(locked.events.order_by("at", "pk")),
            list(locked.documents.all()),
        )
        if request is None:
            raise ValidationError(_("Страховщик сейчас не ждёт от вас документов"))
        if not request.complete:
            missing = ", ".join(item.label for item in request.missing)
            raise ValidationError(
                _("Загрузите запрошенные документы: %(missing)s") % {"missing": missing}
                if missing
                else _("Загрузите запрошенные документы")
            )
        return claim_set_status(
            claim=claim,
            status=Claim.Status.UNDER_REVIEW,
            by=user,
            comment=_("Документы загружены в личном кабинете"),
        )


def upload_limits_text() -> str:
    rules = claim_upload_rules()
    return _("JPEG, PNG, HEIC или PDF; до %(mb)s МБ каждый, до %(n)s файлов на заявление") % {
        "mb": rules.max_bytes // (1024 * 1024),
        "n": rules.max_files,
    }
