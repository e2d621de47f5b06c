"""Joining the co-pay program: the consent, the card bound at the provider (and replaced or
removed), the activation and the attachment lists sent to the program's clinics."""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.models import ProgramClinic
from gateways.payments_base import GatewayError, PaymentResult, PaymentStatus, gateway
from policies.models import InsuredPerson
from portal.accounts.models import AccountEvent, Consent
from portal.accounts.services.events import account_event_record
from portal.core import outbox
from portal.core.formatting import money

from ..models import ClinicAttachmentList, CopayEnrollment, PaymentCard
from ..selectors import card_active, debt_total
from ..selectors import clinic_processing_until as _processing_until
from .charges import charges_awaiting_release
from .fiscal import card_check_receipt

logger = logging.getLogger(__name__)

CLINIC_ACCESS_DELAY = datetime.timedelta(minutes=30)
ACTIVATION_DELAY = datetime.timedelta(hours=24)
CLINIC_PROCESSING_WORKING_DAYS = 5
CARD_CHECK = "card_check"  # the metadata purpose of a redirect gateway's card check


@transaction.atomic
def copay_consent(*, user, insured_person: InsuredPerson) -> CopayEnrollment:
    """The ticked and PIN-confirmed consent to the program's terms (the PIN is checked by the
    form): the enrollment row and a Consent row with the terms version."""
    if not insured_person.program.has_copay:
        raise ValidationError(_("Программа застрахованного не предусматривает со-оплату"))
    now = timezone.now()
    version = settings.COPAY_TERMS_VERSION
    enrollment, created = CopayEnrollment.objects.get_or_create(
        insured_person=insured_person,
        defaults={
            "user": user,
            "program": insured_person.program,
            "consent_at": now,
            "terms_version": version,
        },
    )
    if not created and enrollment.withdrawn_at is not None:
        # Joining again after leaving: a new consent, a new card, new clocks.
        enrollment.user = user
        enrollment.consent_at, enrollment.terms_version = now, version
        enrollment.withdrawn_at = None
        enrollment.card_bound_at = enrollment.clinic_access_from = enrollment.active_from = None
        enrollment.charge_failures, enrollment.next_charge_on = 0, None
        enrollment.save()
    elif not created and enrollment.user_id != user.pk:
        raise ValidationError(_("Со-оплатная программа уже подключена другим пользователем"))
    elif not created and enrollment.terms_version != version:
        enrollment.consent_at, enrollment.terms_version = now, version
        enrollment.save(update_fields=["consent_at", "terms_version", "updated_at"])
    Consent.objects.get_or_create(
        user=user,
        document=Consent.Document.COPAY_TERMS,
        version=version,
        withdrawn_at=None,
        defaults={"given_at": now},
    )
    return enrollment


def card_setup_start(*, enrollment: CopayEnrollment) -> str:
    """A SetupIntent for the provider's card form; returns its client secret."""
    _customer_ensure(enrollment)
    _, client_secret = gateway().setup_intent_create(customer_id=enrollment.provider_customer_id)
    return client_secret


def _customer_ensure(enrollment: CopayEnrollment) -> str:
    if not enrollment.provider_customer_id:
        customer_id = gateway().customer_create(
            email=enrollment.user.email, reference=f"enrollment-{enrollment.pk}"
        )
        CopayEnrollment.objects.filter(pk=enrollment.pk, provider_customer_id="").update(
            provider_customer_id=customer_id
        )
        enrollment.refresh_from_db(fields=["provider_customer_id"])
    return enrollment.provider_customer_id


def card_setup_redirect(*, enrollment: CopayEnrollment, return_url: str) -> tuple[str, str]:
    """A gateway whose page the person confirms on (ЮKassa): the card check — a payment of
    settings.YOOKASSA_CARD_CHECK_AMOUNT that saves the card and is then cancelled, with its
    receipt. Returns (its payment id, the page's URL)."""
    customer_id = _customer_ensure(enrollment)
    user = enrollment.user
    result = gateway().checkout_create(
        amount=Decimal(settings.YOOKASSA_CARD_CHECK_AMOUNT),
        customer_id=customer_id,
        idempotency_key=f"card-check-{enrollment.pk}-{uuid.uuid4().hex}",
        metadata={"purpose": CARD_CHECK},
        return_url=return_url,
        save_method=True,
        capture=False,
        receipt=card_check_receipt(email=user.email, phone=user.phone),
        description=_("Привязка карты для со-оплаты по ДМС (сумма вернётся)"),
    )
    if not result.confirmation_url:
        raise ValidationError(_("Платёжная система не открыла страницу оплаты: попробуйте позже"))
    return result.payment_id, result.confirmation_url


def card_check_apply(payment: PaymentResult) -> None:
    """A notification's card check (the provider's own answer): bind the card it saved, when
    the person did not come back to the page."""
    reference = payment.customer_id
    if payment.metadata.get("purpose") != CARD_CHECK or not reference.startswith("enrollment-"):
        return
    if payment.status not in (PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED):
        return
    enrollment = CopayEnrollment.objects.filter(
        pk=reference.removeprefix("enrollment-"), provider_customer_id=reference
    ).first()
    if enrollment is None or not payment.payment_method_id:
        return
    try:
        card_attach(enrollment=enrollment, setup_intent_id=payment.payment_id)
    except (ValidationError, GatewayError):
        logger.warning("card check %s not bound from its notification", payment.payment_id)


def card_attach(*, enrollment: CopayEnrollment, setup_intent_id: str) -> PaymentCard:
    """Bind the card saved by the provider's form: we receive only the SetupIntent id, ask the
    provider for its payment method, attach it to the customer and keep ids, brand, last 4 and
    expiry. A card already bound is replaced (and detached at the provider)."""
    if not enrollment.provider_customer_id:
        raise ValidationError(_("Сначала откройте форму привязки карты"))
    gw = gateway()
    try:
        method_id = gw.setup_intent_payment_method(
            setup_intent_id=setup_intent_id, customer_id=enrollment.provider_customer_id
        )
    except ValueError as error:
        raise ValidationError(_("Карта не подтверждена платёжной системой")) from error
    saved = gw.payment_method_attach(
        payment_method_id=method_id, customer_id=enrollment.provider_customer_id
    )
    with transaction.atomic():
        enrollment = CopayEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        existing = card_active(enrollment=enrollment)
        if existing and existing.provider_payment_method_id == saved.payment_method_id:
            return existing
        now = timezone.now()
        old_method = None
        if existing:
            existing.removed_at = now
            existing.save(update_fields=["removed_at", "updated_at"])
            old_method = existing.provider_payment_method_id
        card = PaymentCard(
            user=enrollment.user,
            enrollment=enrollment,
            gateway=gw.name,
            provider_customer_id=saved.customer_id,
            provider_payment_method_id=saved.payment_method_id,
            brand=saved.brand,
            last4=saved.last4,
            exp_month=saved.exp_month,
            exp_year=saved.exp_year,
        )
        card.full_clean()
        card.save()
        account_event_record(
            user=enrollment.user, kind=AccountEvent.Kind.CARD_BOUND, card=str(card)
        )
        if existing:
            account_event_record(
                user=enrollment.user, kind=AccountEvent.Kind.CARD_REMOVED, card=str(existing)
            )
        if enrollment.card_bound_at is None:
            enrollment.card_bound_at = now
            enrollment.clinic_access_from = now + CLINIC_ACCESS_DELAY
        # A new card gets a fresh retry schedule.
        enrollment.charge_failures = 0
        enrollment.next_charge_on = None
        enrollment.save()
        from ..tasks import enrollment_activate

        outbox.send(enrollment_activate, enrollment.pk)
    if old_method:
        charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
        try:
            gw.payment_method_detach(payment_method_id=old_method)
        except GatewayError:
            logger.warning(
                "could not detach replaced payment method of enrollment %s", enrollment.pk
            )
    return card


def card_remove(*, enrollment: CopayEnrollment) -> PaymentCard | None:
    """Unbind the card. The debt stays: automatic charges stop, the person pays on the page with
    a new card; without a card the program's clinic access is suspended (from `removed_at`)."""
    card = card_active(enrollment=enrollment)
    if card is None:
        return None
    with transaction.atomic():
        card.removed_at = timezone.now()
        card.save(update_fields=["removed_at", "updated_at"])
        account_event_record(
            user=enrollment.user, kind=AccountEvent.Kind.CARD_REMOVED, card=str(card)
        )
    charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
    try:
        gateway().payment_method_detach(payment_method_id=card.provider_payment_method_id)
    except GatewayError:
        logger.warning("could not detach payment method of card %s", card.pk)
    return card


def copay_withdraw_blocker(*, enrollment: CopayEnrollment) -> str:
    """Why the person cannot leave the program now ("" when they can): a debt is paid first,
    since without a card it could be collected no other way."""
    debt = debt_total(insured_person_id=enrollment.insured_person_id)
    if debt:
        return _(
            "Сначала оплатите задолженность %(amount)s: после выхода её нечем будет списать."
        ) % {"amount": money(debt)}
    return ""


def copay_withdraw(*, enrollment: CopayEnrollment) -> None:
    """Leave the co-pay program: the consent is withdrawn, the card unbound, clinic visits under
    the program end. Refused while there is a debt."""
    blocker = copay_withdraw_blocker(enrollment=enrollment)
    if blocker:
        raise ValidationError(blocker, code="debt")
    card_remove(enrollment=enrollment)
    with transaction.atomic():
        now = timezone.now()
        CopayEnrollment.objects.filter(pk=enrollment.pk).update(
            withdrawn_at=now, clinic_access_from=None, updated_at=now
        )
        withdrawn = Consent.objects.filter(
            user=enrollment.user,
            document=Consent.Document.COPAY_TERMS,
            withdrawn_at__isnull=True,
        ).update(withdrawn_at=now)
        if withdrawn:
            account_event_record(
                user=enrollment.user,
                kind=AccountEvent.Kind.CONSENT_WITHDRAWN,
                document=Consent.Document.COPAY_TERMS,
            )


@transaction.atomic
def enrollment_activate(*, enrollment_id: int, now: datetime.datetime | None = None) -> None:
    """Activate the program (within 24 hours of binding) and record the attachment lists sent to
    the program's clinics. Safe to run twice."""
    now = now or timezone.now()
    enrollment = CopayEnrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None or enrollment.card_bound_at is None:
        return
    if enrollment.active_from is None:
        enrollment.active_from = min(now, enrollment.card_bound_at + ACTIVATION_DELAY)
        enrollment.save(update_fields=["active_from", "updated_at"])
    # counted from the binding day, as the person is told (not from the day this task ran)
    processed_by = _processing_until(enrollment.card_bound_at)
    clinic_ids = (
        ProgramClinic.objects.filter(program_id=enrollment.program_id)
        .values_list("clinic_id", flat=True)
        .distinct()
    )
    done = set(enrollment.attachment_lists.values_list("clinic_id", flat=True))
    ClinicAttachmentList.objects.bulk_create(
        [
            ClinicAttachmentList(
                enrollment=enrollment, clinic_id=clinic_id, sent_at=now, processed_by=processed_by
            )
            for clinic_id in set(clinic_ids) - done
        ],
        ignore_conflicts=True,
    )


def clinic_processing_until(enrollment: CopayEnrollment) -> datetime.date | None:
    return _processing_until(enrollment.card_bound_at)
