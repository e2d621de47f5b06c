"""Clinic journeys in Chromium: the map with clustered markers and a clinic's card, and a booking
made and cancelled, on a phone and on a desktop.

Map tiles come from the internet (MAP_TILES_URL), which the tests do not have: tile images fail
to load, and the map must work without them (markers and popups are ours). Those failed tile
loads are the only console errors let through, and only when their URL is a tile URL.
"""

import datetime

import pytest
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinics.models import Appointment, Doctor, ProgramClinic, Slot
from payments.models import CopayEnrollment, PaymentCard
from policies.models import InsuredPerson

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot

TILE_ORIGIN = settings.MAP_TILES_URL.split("{", 1)[0]
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def track_tile_failures(page) -> list[str]:
    """The console errors of failed tile loads (their URL starts with the tile server's)."""
    failures: list[str] = []

    def on_console(message):
        if message.type == "error" and message.location.get("url", "").startswith(TILE_ORIGIN):
            failures.append(message.text)

    page.on("console", on_console)
    return failures


# What the map shows: every cluster and single pin, with its class and count.
MARKERS_SHOWN = """() => [...document.querySelectorAll('.marker-cluster, .clinic-pin')]
    .map((el) => el.className + ':' + el.textContent).join('|')"""
# The map has settled: no zoom, pan or cluster animation running; `before` (if given) is what it
# showed before the click, so that a zoom that has not started yet is not taken for one that ended.
MAP_SETTLED = """(before) => {
    const pane = document.querySelector('.leaflet-map-pane');
    const moving = ['leaflet-zoom-anim', 'leaflet-pan-anim', 'leaflet-cluster-anim']
        .some((name) => pane.classList.contains(name));
    const shown = [...document.querySelectorAll('.marker-cluster, .clinic-pin')]
        .map((el) => el.className + ':' + el.textContent).join('|');
    return !moving && (before === null || shown !== before);
}"""


def zoom_into_a_cluster(page) -> None:
    before = page.evaluate(MARKERS_SHOWN)
    page.locator(".marker-cluster").first.click()
    page.wait_for_function(MAP_SETTLED, arg=before)


def errors_but_tiles(page, tile_failures: list[str]) -> list[str]:
    remaining = list(page.errors)
    for text in tile_failures:
        remaining.remove(text)
    return remaining


@VIEWPORTS
def test_the_map_shows_clustered_clinics_and_a_marker_opens_the_clinics_card(
    demo_data, page_factory, viewport
):
    # given
    page = page_factory(viewport)
    tile_failures = track_tile_failures(page)
    log_in(page, *DEMO_LOGIN)

    # when: the map opens (the «Карта» tab of the list keeps the filters)
    page.goto("/clinics/?online=on")
    page.get_by_role("link", name="Карта").click()
    page.wait_for_url("**/clinics/map/?online=on")
    map_region = page.get_by_role("region", name="Карта клиник", exact=False)
    assert map_region.is_visible()
    page.wait_for_selector(".marker-cluster, .clinic-pin")

    # then: a click on a cluster zooms in until single yellow markers show
    pins = page.locator(".clinic-pin--booking")
    for _ in range(8):
        if pins.count() and pins.first.is_visible():
            break
        zoom_into_a_cluster(page)
    assert pins.first.is_visible()
    assert page.locator(".clinic-pin:not(.clinic-pin--booking)").count() == 0  # online only

    # when: a marker is clicked
    pins.first.click()

    # then: the clinic's card with its address, phones, kinds of care and «Записаться»
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(".clinic-popup__name a").inner_text()
    assert popup.locator("a[href^='tel:+7']").count() >= 1
    assert "+7\u00a0(" in popup.inner_text()
    book = popup.get_by_role("link", name="Записаться")
    assert book.get_attribute("href").endswith("/#booking")
    # the popup's fade-in and the map's pan to show it
    page.wait_for_function(MAP_SETTLED, arg=None)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    screenshot(page, "clinics-map")

    # when: «Записаться» on the card
    book.click()

    # then: the clinic's page at its booking section, with the doctors' free times
    page.wait_for_url("**/clinics/*/#booking")
    assert page.get_by_role("heading", name="Запись к врачу").is_visible()
    assert page.locator("a.slot").count() > 0
    screenshot(page, "clinics-map-booking")
    assert errors_but_tiles(page, tile_failures) == []


@VIEWPORTS
def test_the_list_shows_clinics_with_phones_and_the_list_map_switch(
    demo_data, page_factory, viewport
):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)

    page.goto("/clinics/")

    assert page.get_by_role("heading", name="Перечень ЛПУ").is_visible()
    assert page.get_by_role("link", name="Список").get_attribute("aria-current") == "page"
    assert page.locator(".clinic-card").count() == 20
    assert page.locator(".clinic-card a[href^='tel:+7']").first.is_visible()
    screenshot(page, "clinics-list")
    assert page.errors == []


@pytest.fixture
def bookable(demo_data):
    """A free time, more than 2 hours ahead, of a doctor whose kind of care the demo person's
    program covers in that clinic."""
    person = InsuredPerson.objects.get(email=DEMO_LOGIN[0])
    covering = ProgramClinic.objects.filter(
        program=person.program, clinic=OuterRef("clinic"), care_kind=OuterRef("care_kind")
    )
    doctor = (
        Doctor.objects.filter(clinic__online_booking=True)
        .filter(Exists(covering))
        .order_by("clinic__name", "pk")
        .first()
    )
    slot = (
        Slot.objects.filter(
            doctor=doctor, starts_at__gt=timezone.now() + datetime.timedelta(hours=3)
        )
        .exclude(appointments__status=Appointment.Status.BOOKED)
        .order_by("starts_at")
        .first()
    )
    return person, doctor, slot


def copay_card_bound(person) -> CopayEnrollment:
    """What the co-pay issue will do when the person binds a card: clinics are open 30 minutes
    later. The demo person's program ОПТ-20 has a 20 % co-pay, so booking needs this."""
    bound = timezone.now() - datetime.timedelta(hours=1)
    user = person.links.get().user
    enrollment = CopayEnrollment.objects.create(
        user=user,
        insured_person=person,
        program=person.program,
        consent_at=bound - datetime.timedelta(minutes=5),
        terms_version="2026-01",
        card_bound_at=bound,
        clinic_access_from=bound + datetime.timedelta(minutes=30),
    )
    PaymentCard.objects.create(
        user=user,
        enrollment=enrollment,
        provider_customer_id="cus_e2e",
        provider_payment_method_id="pm_e2e",
        brand="mir",
        last4="2987",
        exp_month=12,
        exp_year=2031,
    )
    return enrollment


@VIEWPORTS
def test_the_person_books_a_time_and_cancels_it(bookable, page_factory, viewport):
    # The patient is the demo person himself, on the co-pay program ОПТ-20: first refused for
    # want of a bound card, then booked once the card is bound (a CopayEnrollment made here).
    person, doctor, slot = bookable
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)

    # given: the clinic's page with the doctor's free times
    page.goto(f"/clinics/{doctor.clinic_id}/?doctor={doctor.pk}#booking")
    assert page.get_by_role("heading", name="Запись к врачу").is_visible()
    time_text = timezone.localtime(slot.starts_at).strftime("%H:%M")
    page.locator(f"a.slot[href$='/book/{slot.pk}/']").click()

    # then: the confirmation step names doctor, time and patient, and asks for the card
    page.wait_for_url(f"**/book/{slot.pk}/")
    assert page.get_by_role("heading", name="Подтверждение записи").is_visible()
    body = page.locator("main").inner_text()
    assert doctor.full_name in body and time_text in body and person.full_name in body
    assert "только с привязанной банковской картой" in body
    assert page.locator(".patient-option__reason a[href='/copay/']").first.is_visible()

    # when: the card is bound, the page reloaded and the booking confirmed
    copay_card_bound(person)
    page.reload()
    assert "со-оплата 20\u00a0% стоимости услуги" in page.locator("main").inner_text()
    page.get_by_label(person.full_name, exact=False).first.check()
    screenshot(page, "booking-confirm")
    page.get_by_role("button", name="Подтвердить запись").click()

    # then: the booking is listed with cancel and move buttons
    page.wait_for_url("**/appointments/")
    assert page.get_by_text("Вы записаны").is_visible()
    appointment = Appointment.objects.get(slot=slot, status=Appointment.Status.BOOKED)
    assert appointment.insured_person == person
    assert page.get_by_role("link", name="Перенести").is_visible()
    screenshot(page, "appointments")

    # when: the booking is cancelled (the browser asks to confirm)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отменить запись").click()

    # then
    page.wait_for_url("**/appointments/")
    assert page.get_by_text("Запись отменена").is_visible()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert page.errors == []
