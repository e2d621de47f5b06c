"""Factories of the rows the clinics issue adds (the shared ones live in tests/factories.py)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clinics.models import SavedPlace
from payments.models import CopayEnrollment, PaymentCard
from tests.factories import InsuredPersonFactory, UserFactory


class SavedPlaceFactory(DjangoModelFactory):
    class Meta:
        model = SavedPlace

    user = factory.SubFactory(UserFactory)
    kind = SavedPlace.Kind.HOME
    label = "Дом"
    latitude = Decimal("55.751244")
    longitude = Decimal("37.618423")


class CopayEnrollmentFactory(DjangoModelFactory):
    """A person on a co-pay program who bound a card an hour ago: clinics are open to them."""

    class Meta:
        model = CopayEnrollment
        skip_postgeneration_save = True

    class Params:
        no_card = factory.Trait(card_bound_at=None, clinic_access_from=None, active_from=None)

    user = factory.SubFactory(UserFactory)
    insured_person = factory.SubFactory(InsuredPersonFactory)
    program = factory.SelfAttribute("insured_person.program")
    consent_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    terms_version = "2026-01"
    card_bound_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    clinic_access_from = factory.LazyAttribute(
        lambda o: o.card_bound_at + datetime.timedelta(minutes=30) if o.card_bound_at else None
    )
    active_from = None

    @factory.post_generation
    def card(self, create, extracted, **kwargs):
        """The card bound at `card_bound_at` (clinic access needs one bound now)."""
        if not create or self.card_bound_at is None or extracted is False:
            return
        PaymentCard.objects.create(
            user=self.user,
            enrollment=self,
            provider_customer_id="cus_test",
            provider_payment_method_id=f"pm_test_{self.pk}",
            brand="visa",
            last4="4242",
            exp_month=12,
            exp_year=2030,
        )
