"""The clinic network's version only goes up: kept in the database, so Redis restarting empty
cannot rewind it and make the collections of an older network current again."""

import pytest
from django.core.cache import cache

from clinics import geojson
from portal.core import versioned_cache
from portal.core.models import VersionCounter
from tests.factories import ClinicFactory, ProgramClinicFactory

pytestmark = pytest.mark.django_db


def test_a_coverage_change_survives_the_cache_restarting_empty(insured):
    clinic = ClinicFactory()
    before = geojson.network_version()

    # a change that touches no clinic row: only the counter tells it
    ProgramClinicFactory(program=insured.program, clinic=clinic)
    after = geojson.network_version()
    cache.clear()  # Redis restarted empty
    versioned_cache.forget_all()

    assert after != before
    assert geojson.network_version() == after
    assert VersionCounter.objects.get(name=geojson.VERSION_KEY).value >= 1


def test_the_map_serves_the_current_network_after_a_restart_of_the_cache(insured):
    builds = []

    def build():
        builds.append(1)
        return f"network {len(builds)}"

    old = geojson.cached_collection(("all",), build)
    geojson.network_changed()
    new = geojson.cached_collection(("all",), build)
    cache.clear()

    # the old network's key is never asked for again: the version did not go back
    assert geojson.cached_collection(("all",), build) not in (old,)
    assert old != new


def test_the_version_is_read_with_the_network_in_one_query(django_assert_num_queries):
    geojson.network_changed()
    with django_assert_num_queries(1):
        geojson.network_version()


def test_the_bump_is_the_writes_own(django_capture_on_commit_callbacks):
    from django.db import transaction

    geojson.network_changed()
    before = geojson.network_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        geojson.network_changed()
        raise RuntimeError("the write failed")

    assert geojson.network_version() == before
