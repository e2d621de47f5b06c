"""Issue 22: every policy is the insurer's document. One layout for all products with the
insurer's requisites from the admin (one place, portal.core.insurer), the rules of insurance, the
premium's calculation named as the Bank of Russia names it (no internal slugs) and the QR link;
ОСАГО as the Bank of Russia's e-policy; boxed policies made on activation; the DMS program and
its clinic lists as PDFs; the public verification page in Russian and English."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinics.models import ProgramClinic
from policies.models import AssistanceCompany, Policy, PolicyDocument, ProgramDocument
from policies.services import (
    boxed_cards_seed,
    boxed_policy_activate,
    policy_verify_token_ensure,
    policy_verify_token_revoke,
)
from portal.core.insurer import insurer_details
from portal.core.models import InsurerDetails
from tests.factories import ClinicFactory, PolicyFactory, UserFactory

from .family import family_for

pytestmark = pytest.mark.django_db

OSAGO_DATA = {
    "category": "B",
    "purpose": "personal",
    "purpose_name": "личная",
    "region": "77",
    "power_hp": 106,
    "months": 12,
    "unlimited": False,
    "vin": "XTA219170K0123456",
    "plate": "А123ВС777",
    "make": "Lada",
    "model": "Vesta",
    "year": 2021,
    "registration_document": "99 12 345678",
    "drivers": [
        {
            "last_name": "Иванов",
            "first_name": "Алексей",
            "middle_name": "Петрович",
            "birth_date": "1988-04-12",
            "licence_series": "77 16",
            "licence_number": "123456",
            "licence_since": "2008-05-20",
        }
    ],
    "breakdown": {
        "version": "osago-7204U-2025-12-09",
        "formula": "ТБ × КТ × КБМ × КВС × КО × КМ × КС × КН × КПр",
        "coefficients": [
            {"code": "ТБ", "value": "7535", "source": "osago-7204U-2025-12-09"},
            {"code": "КТ", "value": "1.8", "source": ""},
            {"code": "КБМ", "value": "0.91", "source": ""},
        ],
        "premium": "8450.00",
    },
}


def pdf_text(client, url, on_commit) -> str:
    with on_commit():
        response = client.get(url)
    if response["Content-Type"].startswith("text/html"):
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def osago_policy(user, **overrides) -> Policy:
    data = {**OSAGO_DATA, **overrides}
    return PolicyFactory(
        osago=True,
        holder=user,
        status=Policy.Status.ACTIVE,
        number="ХХХ 0123456789",
        product_data=data,
        tariff_version="osago-7204U-2025-12-09",
    )


def test_the_osago_pdf_is_the_bank_of_russia_form_with_the_insurers_details(
    person_client, user, on_commit
):
    policy = osago_policy(user)

    text = pdf_text(person_client, reverse("policies:pdf", args=[policy.pk]), on_commit)

    insurer = insurer_details()
    for part in (
        insurer.full_name,
        f"ИНН {insurer.inn}",
        f"КПП {insurer.kpp}",
        f"ОГРН {insurer.ogrn}",
        "Лицензия Банка России СИ № 4321 от 15.03.2021",
        insurer.address,
        "Серия ХХХ № 0123456789",
        "XTA219170K0123456",
        "А123ВС777",
        "Цель использования ТС личная",
        "Иванов Алексей Петрович",
        "77 16 123456",
        "500 000 руб.",
        "400 000 руб.",
        "8 450 руб.",
        "Положение Банка России от 01.04.2024 № 837-П",
        "/shop/osago/rules/",
        "Расчёт страховой премии",
        "Коэффициент страховых тарифов в зависимости от территории",
        "6007-У",
        "/verify/",
    ):
        assert part in text, part
    assert "osago-7204U" not in text  # no internal tariff slug
    assert "Версия тарифа" not in text


def test_unlimited_drivers_print_without_restriction(person_client, user, on_commit):
    policy = osago_policy(user, unlimited=True, drivers=[])

    text = pdf_text(person_client, reverse("policies:pdf", args=[policy.pk]), on_commit)

    assert "Без ограничений" in text


def test_insurer_details_come_from_the_admin_and_remake_the_pdf(person_client, user, on_commit):
    policy = osago_policy(user)
    url = reverse("policies:pdf", args=[policy.pk])
    assert "Надёжный полис" in pdf_text(person_client, url, on_commit)
    first_hash = PolicyDocument.objects.get(policy=policy).data_hash

    InsurerDetails.objects.create(
        full_name="АО «Страховая компания „Новое имя“»",
        inn="7701234567",
        kpp="770101001",
        ogrn="1027700000001",
        licence_number="СИ № 9999",
        licence_date=datetime.date(2024, 1, 10),
        address="101000, г. Москва, ул. Мясницкая, д. 1",
        phones="+74950000000, +78000000000",
    )
    text = pdf_text(person_client, url, on_commit)

    assert "Новое имя" in text and "ИНН 7701234567" in text and "КПП 770101001" in text
    assert "СИ № 9999 от 10.01.2024" in text and "Мясницкая" in text
    assert "+7 (495) 000-00-00" in text
    assert PolicyDocument.objects.get(policy=policy).data_hash != first_hash


def test_each_bought_product_prints_its_object_sums_and_premium(person_client, user, on_commit):
    kasko = PolicyFactory(
        osago=True,
        holder=user,
        product=Policy.Product.KASKO,
        number="КС 0000000001",
        status=Policy.Status.ACTIVE,
        premium=Decimal("54321.00"),
        product_data={"make": "Kia", "model": "Rio", "year": 2022, "vin": "Z94C241BBNR123456",
                      "price": 1500000, "deductible": 30000, "drivers": []},
    )  # fmt: skip
    flat = PolicyFactory(
        osago=True,
        holder=user,
        product=Policy.Product.PROPERTY,
        number="ИМ 0000000002",
        status=Policy.Status.ACTIVE,
        premium=Decimal("2490.00"),
        product_data={"kind": "apartment", "address": "г. Москва, ул. Лесная, д. 5, кв. 7",
                      "area": "54.5", "sum_finish": 800000, "sum_belongings": 300000},
    )  # fmt: skip
    cases = {
        kasko: ("Z94C241BBNR123456", "1 500 000 руб.", "30 000 руб.", "54 321 руб."),
        flat: ("ул. Лесная, д. 5, кв. 7", "800 000 руб.", "300 000 руб.", "2 490 руб."),
    }
    for policy, parts in cases.items():
        text = pdf_text(person_client, reverse("policies:pdf", args=[policy.pk]), on_commit)
        for part in (*parts, policy.number, "ОГРН", "Правила", "/verify/"):
            assert part in text, (policy.product, part)


def test_an_activated_boxed_policy_gets_its_pdf_on_activation(person_client, user, on_commit):
    boxed_cards_seed()

    with on_commit():
        policy = boxed_policy_activate(user=user, number="НС-2026-000101", code="4827-1593")

    document = PolicyDocument.objects.get(policy=policy)
    assert document.status == PolicyDocument.Status.READY  # made by the task on commit
    text = pdf_text(person_client, reverse("policies:pdf", args=[policy.pk]), on_commit)
    assert "«Защита 24»" in text and "500 000 руб." in text and "Период ожидания" in text
    page = person_client.get("/documents/").content.decode()
    assert f"/policies/{policy.pk}/pdf/" in page


def test_an_unpaid_bought_policy_has_no_pdf(person_client, user):
    policy = osago_policy(user)
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.AWAITING_PAYMENT)

    assert person_client.get(reverse("policies:pdf", args=[policy.pk])).status_code == 404


def test_someone_elses_policy_and_program_pdfs_are_not_found(person_client, user):
    stranger = family_for(UserFactory(), serial=2)
    for url in (
        reverse("policies:pdf", args=[stranger.osago.pk]),
        reverse("policies:program_pdf", args=[stranger.dms.pk]),
        f"/clinics/pdf/{stranger.dms.pk}/outpatient.pdf",
    ):
        assert person_client.get(url).status_code == 404, url


# --- The DMS program and its clinic lists ------------------------------------------------------


def test_the_program_pdf_downloads_from_the_policy_card(person_client, user, on_commit):
    family = family_for(user)
    program = family.own.program
    program.limits = "Стоматология — 50 000 руб. в год"
    program.exclusions = "Косметология"
    program.save()
    url = reverse("policies:program_pdf", args=[family.dms.pk])
    assert url in person_client.get(reverse("policies:list")).content.decode()

    text = pdf_text(person_client, url, on_commit)

    for part in (
        program.name,
        "Амбулаторно-поликлиническое обслуживание",
        "Стоматология — 50 000 руб. в год",
        "Косметология",
        "20 %",
        "Как получить помощь",
        "гарантийное письмо",
        "+7 (800) 302-44-19",
        "ИНН 7709988778",
    ):
        assert part in text, part
    assert ProgramDocument.objects.get(program=program, key="program").status == "ready"
    # cached: a second download makes nothing new; a change of the program remakes it
    first = ProgramDocument.objects.get(program=program).data_hash
    pdf_text(person_client, url, on_commit)
    assert ProgramDocument.objects.get(program=program).data_hash == first
    program.exclusions = "Косметология\nПластическая хирургия"
    program.save()
    assert "Пластическая хирургия" in pdf_text(person_client, url, on_commit)


def test_the_clinic_list_pdf_is_the_live_network_of_one_kind_of_care(
    person_client, user, on_commit
):
    family = family_for(user)
    program = family.own.program
    outpatient = program.care_kinds.get(code="outpatient")
    dental = program.care_kinds.get(code="dental")
    booking = ClinicFactory(name="Клиника Здоровье", address="г. Москва, ул. Тверская, д. 1",
                            phones=["+74951112233"], online_booking=True)  # fmt: skip
    phone_only = ClinicFactory(name="Медцентр Берёзка", online_booking=False)
    teeth = ClinicFactory(name="Дента Плюс")
    ProgramClinic.objects.create(program=program, clinic=booking, care_kind=outpatient)
    ProgramClinic.objects.create(program=program, clinic=phone_only, care_kind=outpatient)
    ProgramClinic.objects.create(program=program, clinic=teeth, care_kind=dental)
    url = f"/clinics/pdf/{family.dms.pk}/outpatient.pdf"
    assert url in person_client.get(reverse("policies:list")).content.decode()

    text = pdf_text(person_client, url, on_commit)

    assert "Клиника Здоровье" in text and "ул. Тверская, д. 1" in text
    assert "+7 (495) 111-22-33" in text and "Медцентр Берёзка" in text
    assert "да" in text and "нет" in text
    assert "Дента Плюс" not in text  # another kind of care
    # the network changes: the list is made again
    ProgramClinic.objects.filter(clinic=phone_only).delete()
    assert "Берёзка" not in pdf_text(person_client, url, on_commit)
    assert person_client.get(f"/clinics/pdf/{family.dms.pk}/nosuchkind.pdf").status_code == 404


# --- The public verification page --------------------------------------------------------------


def test_a_travel_policy_verifies_in_russian_and_english_with_latin_names(client, db):
    holder = UserFactory()
    today = timezone.localdate()
    policy = PolicyFactory(
        osago=True,
        holder=holder,
        product=Policy.Product.VZR,
        number="ВЗР 0000000007",
        status=Policy.Status.ACTIVE,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=9),
        product_data={
            "territory": "Италия, Франция",
            "territory_en": "France, Italy",
            "travellers": [
                {"last_name_latin": "IVANOVA", "first_name_latin": "ANNA",
                 "birth_date": "1990-01-01", "passport_number": "75 1234567"},
            ],
        },
    )  # fmt: skip
    token = policy_verify_token_ensure(policy=policy)

    page = client.get(f"/verify/{token}/").content.decode()

    for part in ("Полис действителен", "The policy is valid", "IVANOVA ANNA", "France, Italy",
                 "Period of insurance", f"{today:%d.%m.%Y}"):  # fmt: skip
        assert part in page, part
    assert "75 1234567" not in page and "1990" not in page  # only what a consulate needs
    assert holder.email not in page


def test_a_wrong_or_revoked_token_finds_nothing(client, db):
    policy = PolicyFactory()
    token = policy_verify_token_ensure(policy=policy)
    policy_verify_token_revoke(policy=policy)

    for url in (f"/verify/{token}/", "/verify/not-a-token/", "/verify/" + "x" * 70 + "/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "Полис не найден или недействителен" in page
        assert policy.number not in page


def test_the_assistance_company_is_admin_data_on_the_travel_pdf(person_client, user, on_commit):
    family = family_for(user)
    AssistanceCompany.objects.create(
        name="Ассистанс Глобал", name_en="Global Assistance", phone="+74951230000"
    )

    text = pdf_text(person_client, reverse("policies:pdf", args=[family.vzr.pk]), on_commit)

    assert "Global Assistance" in text and "+74951230000" in text
    assert "24/7" in text and "International medical insurance policy" in text
    assert "Schengen" in text  # 50 000 EUR worldwide: meets the visa's minimum
