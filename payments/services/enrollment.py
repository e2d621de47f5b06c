"""Joining the co-pay program: the consent, the card bound at the provider (and replaced or
removed), the activation and the attachment lists sent to the program's clinics."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.models import ProgramClinic
from gateways.payments_base import GatewayError, gateway
from policies.models import InsuredPerson
from portal.accounts.models import Consent
from portal.core.dates import working_days_after

from ..models import ClinicAttachmentList, CopayEnrollment, PaymentCard
from ..selectors import card_active
from .charges import charges_awaiting_release

logger = logging.getLogger(__name__)

CLINIC_ACCESS_DELAY = datetime.timedelta(minutes=30)
ACTIVATION_DELAY = datetime.timedelta(hours=24)
CLINIC_PROCESSING_WORKING_DAYS = 5


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
    if not created and enrollment.user_id != user.pk:
        raise ValidationError(_("Со-оплатная программа уже подключена другим пользователем"))
    if not created and enrollment.terms_version != version:
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
    if not enrollment.provider_customer_id:
        customer_id = gateway().customer_create(
            email=enrollment.user.email, reference=f"enrollment-{enrollment.pk}"
        )
        CopayEnrollment.objects.filter(pk=enrollment.pk, provider_customer_id="").update(
            provider_customer_id=customer_id
        )
        enrollment.refresh_from_db(fields=["provider_customer_id"])
    _, client_secret = gateway().setup_intent_create(customer_id=enrollment.provider_customer_id)
    return client_secret


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
        if enrollment.card_bound_at is None:
            enrollment.card_bound_at = now
            enrollment.clinic_access_from = now + CLINIC_ACCESS_DELAY
        # A new card gets a fresh retry schedule.
        enrollment.charge_failures = 0
        enrollment.next_charge_on = None
        enrollment.save()
        from ..tasks import enrollment_activate

        transaction.on_commit(lambda: enrollment_activate.delay(enrollment.pk))
    if old_method:
        charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
        try:
            gw.payment_method_detach(payment_method_id=old_method)
        except GatewayError:
            logger.warning(
                "could not detach replaced payment method of enrollment %s", enrollment.pk
            )
    return card


def card_remove(*, enrollment: CopayEnrollment) -> None:
    """Unbind the card. The debt stays: automatic charges stop, the person pays on the page with
    a new card; without a card the program's clinic access is suspended."""
    card = card_active(enrollment=enrollment)
    if card is None:
        return
    with transaction.atomic():
        card.removed_at = timezone.now()
        card.save(update_fields=["removed_at", "updated_at"])
    charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
    try:
        gateway().payment_method_detach(payment_method_id=card.provider_payment_method_id)
    except GatewayError:
        logger.warning("could not detach payment method of card %s", card.pk)


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
    processed_by = working_days_after(timezone.localdate(now), CLINIC_PROCESSING_WORKING_DAYS)
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
    if enrollment.card_bound_at is None:
        return None
    return working_days_after(
        timezone.localdate(enrollment.card_bound_at), CLINIC_PROCESSING_WORKING_DAYS
    )
