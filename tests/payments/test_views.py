"""/copay/: the consent with the PIN, the card form, the ledger, "pay now", receipts."""

import logging
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import ServiceLine
from clinics.models import Clinic
from payments.models import Charge, CopayEnrollment, PaymentCard
from portal.accounts.models import Consent
from portal.accounts.services import health_consent_give

from .conftest import CARD_3DS, CARD_OK, PIN, make_lines

pytestmark = pytest.mark.django_db(transaction=True)
CARD_PATTERN = re.compile(r"\b(?:\d[ -]?){13,19}\b")


@pytest.fixture
def page(client, copay_user):
    client.force_login(copay_user)
    return client


def consent(page, person, pin=PIN, agree=True):
    data = {f"c{person.pk}-pin": pin}
    if agree:
        data[f"c{person.pk}-agree"] = "on"
    return page.post(reverse("payments:consent", args=[person.pk]), data)


def test_consent_needs_the_tick_and_the_pin(page, copay_person, settings, provider):
    assert consent(page, copay_person, agree=False).status_code == 200
    response = consent(page, copay_person, pin="0000")
    assert response.status_code == 200 and "Неверный PIN-код" in response.content.decode()
    assert not CopayEnrollment.objects.exists()
    response = consent(page, copay_person)
    # the one PIN confirmed the consent and opens the card form at once
    assert response.status_code == 200
    assert 'data-client-secret="seti_' in response.content.decode()
    enrollment = CopayEnrollment.objects.get()
    assert enrollment.terms_version == settings.COPAY_TERMS_VERSION
    consent_row = Consent.objects.get(document=Consent.Document.COPAY_TERMS)
    assert consent_row.version == settings.COPAY_TERMS_VERSION


def test_another_persons_ledger_is_404(page, copay_person):
    from tests.factories import InsuredPersonFactory

    stranger = InsuredPersonFactory(program=copay_person.program)
    assert consent(page, stranger).status_code == 404
    assert page.post(reverse("payments:pay_now", args=[stranger.pk])).status_code == 404


def test_bind_card_through_the_page_then_pay_now(page, copay_person, provider, settings, caplog):
    caplog.set_level(logging.DEBUG)
    consent(page, copay_person)
    lines = make_lines(copay_person, ["120.00", "424.00"])
    frozen = make_lines(copay_person, ["77.00"], state=ServiceLine.CopayState.FROZEN)
    # the PIN opens the provider's card form with a SetupIntent
    response = page.post(
        reverse("payments:card_bind", args=[copay_person.pk]), {f"b{copay_person.pk}-pin": PIN}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert settings.STRIPE_JS_URL in html and "payments/card.js" in html
    client_secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    assert client_secret.startswith("seti_")
    # the browser sends the card to the provider, then posts the SetupIntent id only
    setup_intent = provider.confirm_setup(client_secret, CARD_OK)
    response = page.post(
        reverse("payments:card_attach", args=[copay_person.pk]), {"setup_intent": setup_intent}
    )
    assert response.status_code == 302
    html = page.get("/copay/").content.decode()
    assert "•••• 4242" in html
    assert "в течение 24 часов" in html
    assert settings.HOTLINE_PHONE_DISPLAY in html
    assert "544\xa0руб." in html  # «Сумма задолженности»
    assert "Заморожено" in html
    # pay now: first the amount to confirm, nothing charged yet
    response = page.post(reverse("payments:pay_now", args=[copay_person.pk]))
    assert "Списать 544\u00a0руб." in response.content.decode() and not Charge.objects.exists()
    response = page.post(
        reverse("payments:pay_now", args=[copay_person.pk]), {"confirmed": "True"}, follow=True
    )
    assert "Задолженность оплачена" in response.content.decode()
    charge = Charge.objects.get()
    assert charge.kind == Charge.Kind.ON_SESSION and charge.status == Charge.Status.SUCCEEDED
    assert set(
        ServiceLine.objects.filter(pk__in=[x.pk for x in lines]).values_list(
            "copay_state", flat=True
        )
    ) == {"paid"}
    frozen[0].refresh_from_db()
    assert frozen[0].copay_state == ServiceLine.CopayState.FROZEN
    # the receipt, in «Мои документы» too
    receipt = page.get(reverse("payments:receipt", args=[charge.pk]))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    documents = page.get("/documents/").content.decode()
    assert reverse("payments:receipt", args=[charge.pk]) in documents
    # and beside each paid line of the ledger, with the day it was charged
    ledger = page.get("/copay/").content.decode()
    assert reverse("payments:receipt", args=[charge.pk]) in ledger
    assert f"списано {charge.day:%d.%m.%Y}" in ledger
    # nothing that looks like a card number anywhere in our database or our logs
    assert_no_card_numbers()
    assert CARD_OK not in caplog.text and "4242 4242" not in caplog.text


def test_pay_now_with_authentication_renders_the_confirmation(page, bind_card, copay_person):
    bind_card(CARD_3DS)
    make_lines(copay_person, ["544.00"])
    response = page.post(reverse("payments:pay_now", args=[copay_person.pk]), {"confirmed": "True"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="payment-confirm"' in html and "_secret_" in html
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.REQUIRES_ACTION
    # posting "confirmed" without confirming at the provider does not mark anything paid
    response = page.post(reverse("payments:charge_confirmed", args=[charge.pk]), follow=True)
    charge.refresh_from_db()
    assert charge.status == Charge.Status.REQUIRES_ACTION


def test_remove_card_with_debt_says_what_happens(page, bind_card, copay_person):
    bind_card()
    make_lines(copay_person, ["10.00"])
    response = page.post(
        reverse("payments:card_remove", args=[copay_person.pk]),
        {f"r{copay_person.pk}-pin": PIN},
        follow=True,
    )
    assert "Задолженность не списывается автоматически" in response.content.decode()
    assert not PaymentCard.objects.filter(removed_at__isnull=True).exists()


def test_policy_card_and_copay_page_show_the_same_debt(page, bind_card, copay_person):
    from payments.selectors import copay_debt
    from tests.factories import PolicyFactory

    PolicyFactory(insured_person=copay_person)
    make_lines(copay_person, ["120.00", "424.00"])
    make_lines(copay_person, ["5.00"], state=ServiceLine.CopayState.FROZEN)
    with CaptureQueriesContext(connection) as debt_query:
        assert copay_debt(insured_person_ids=[copay_person.pk])[copay_person.pk] == 544
    with CaptureQueriesContext(connection) as policies_page:
        assert "544" in page.get("/policies/").content.decode()
    # both sums read the service lines alone (the lines' default order joined the clinics)
    sums = [q["sql"] for q in [*debt_query, *policies_page] if "SUM(" in q["sql"]]
    assert len(sums) == 2 and all("clinics_clinic" not in sql for sql in sums)


def assert_no_card_numbers():
    """Every text column of every table: no 13–19 digit run that passes the Luhn check."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            text_fields = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField")
            ]
            if not text_fields:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in text_fields)
            cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    for match in CARD_PATTERN.findall(str(value or "")):
                        digits = re.sub(r"\D", "", match)
                        if luhn(digits):
                            found.append((model._meta.label, digits))
    assert found == []


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def test_terms_page(page, settings):
    assert settings.COPAY_TERMS_VERSION in page.get(reverse("payments:terms")).content.decode()


def test_page_without_copay_programs(client, user):
    client.force_login(user)
    assert client.get("/copay/").status_code == 200


def test_ledger_rows_escape_the_register_text(page, copay_user, copay_person):
    # the clinic register's text is outside data: markup in it must show as text in every table
    # (the service names show only under the health-data consent, issue 24)
    health_consent_give(user=copay_user)
    for state in (ServiceLine.CopayState.UNPAID, ServiceLine.CopayState.FROZEN):
        make_lines(copay_person, ["10.00"], state=state)
    make_lines(copay_person, ["10.00"], state=ServiceLine.CopayState.PAID)
    lines = ServiceLine.objects.filter(insured_person=copay_person)
    lines.update(service_name="<script>alert(1)</script>")
    Clinic.objects.filter(service_lines__in=lines).update(name='Клиника "А" & <b>Б</b>')

    text = page.get("/copay/").content.decode()

    assert "<script>alert(1)</script>" not in text and "<b>Б</b>" not in text
    # unpaid, frozen and paid rows each show the service, escaped; the first two their clinic,
    # twice each: its column and, for a phone, under the service's name (issue 24)
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    assert text.count("Клиника &quot;А&quot; &amp; &lt;b&gt;Б&lt;/b&gt;") == 4


def test_ledger_page_queries_do_not_grow_with_lines(
    page, bind_card, copay_person, django_assert_max_num_queries
):
    bind_card()
    make_lines(copay_person, ["10.00"] * 3)
    page.get("/copay/")
    with django_assert_max_num_queries(30) as few:
        page.get("/copay/")
    make_lines(copay_person, ["10.00"] * 20)
    make_lines(copay_person, ["5.00"] * 5, state=ServiceLine.CopayState.FROZEN)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page.get("/copay/")
