"""The replica router: the cabinet reads the replica, a person's own writes read the primary.

The test settings add a `replica` alias mirroring the test database (as a replica URL pointing at
the same database would). A lagging replica is simulated by holding the replica connection in a
REPEATABLE READ transaction opened before the write: it keeps seeing the old rows, as a replica
that has not yet replayed the write would.
"""

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinics.models import Appointment
from portal.core import db_router

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.skipif(
        "replica" not in connections.settings, reason="the replica alias exists on PostgreSQL"
    ),
]


@pytest.fixture
def replica_routing(settings):
    settings.DATABASE_ROUTERS = ["portal.core.db_router.ReplicaRouter"]
    yield
    replica = connections["replica"]
    if not replica.get_autocommit():
        replica.rollback()
        replica.set_autocommit(True)
    replica.close()
    replica.close_pool()


def replica_tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


def test_the_cabinets_reads_go_to_the_replica(replica_routing, person_client, slot, insured):
    # when
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = person_client.get("/appointments/")

    # then: appointments came from the replica, the session and the account from the primary
    assert response.status_code == 200
    assert '"clinics_appointment"' in replica_tables(on_replica.captured_queries)
    assert '"clinics_appointment"' not in replica_tables(on_primary.captured_queries)
    assert '"django_session"' in replica_tables(on_primary.captured_queries)


def test_a_person_who_just_booked_sees_the_visit_although_the_replica_lags(
    replica_routing, person_client, user, insured, slot
):
    # given: the replica's snapshot taken before the booking (it lags behind the primary)
    replica = connections["replica"]
    replica.set_autocommit(False)
    with replica.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT count(*) FROM clinics_appointment")

    # when: the person books (a POST) and opens their visits
    booked = person_client.post(
        f"/clinics/{slot.doctor.clinic_id}/book/{slot.pk}/", {"patient": insured.pk}
    )
    after_own_write = person_client.get("/appointments/")

    # and the same person on another device, without the primary pin
    other_device = Client()
    other_device.force_login(user)
    elsewhere = other_device.get("/appointments/")

    # then: the booking is saved, shown at once to the one who made it; the lagging replica
    # (read by the other device) does not have it yet
    assert booked.status_code == 302
    assert Appointment.objects.filter(user=user, slot=slot).exists()
    assert db_router.PIN_COOKIE in booked.cookies
    assert slot.doctor.full_name in after_own_write.content.decode()
    assert slot.doctor.full_name not in elsewhere.content.decode()


def test_a_forged_or_expired_pin_cookie_does_not_pin(replica_routing, person_client, insured, slot):
    # given
    person_client.cookies[db_router.PIN_COOKIE] = "1999999999.0:forged"

    # when
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        person_client.get("/appointments/")

    # then
    assert '"clinics_appointment"' in replica_tables(on_replica.captured_queries)


def test_writes_transactions_admin_and_hr_imports_stay_on_the_primary(
    replica_routing, admin_client
):
    router = db_router.ReplicaRouter()
    from employers.models import ImportRow

    token = db_router._replica_allowed.set(True)
    try:
        assert router.db_for_read(Appointment) == "replica"
        assert router.db_for_write(Appointment) == "default"
        assert router.db_for_read(ImportRow) == "default"
        from django.db import transaction

        with transaction.atomic():
            assert router.db_for_read(Appointment) == "default"
    finally:
        db_router._replica_allowed.reset(token)
    # outside a request (tasks, commands) nothing opens the window
    assert router.db_for_read(Appointment) == "default"
    assert router.allow_migrate("replica", "clinics") is False

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        admin_client.get("/admin/clinics/appointment/")
    assert on_replica.captured_queries == []
