"""portal.core.versions: a version's stamp tells a counter made anew (a new database) from an
older one at the same number, so that nothing an older database cached is read again."""

import pytest

from portal.core.models import VersionCounter
from portal.core.versions import version_bump, version_stamp_get

pytestmark = pytest.mark.django_db


def test_the_stamp_is_none_before_the_first_bump_and_moves_with_every_bump():
    assert version_stamp_get("test-version") is None

    version_bump("test-version")
    first = version_stamp_get("test-version")
    version_bump("test-version")

    assert first is not None and first.startswith("1:")
    assert " " not in first  # a cache key may be made of it as it is
    assert version_stamp_get("test-version") not in (None, first)


def test_a_counter_made_anew_at_the_same_number_has_another_stamp():
    version_bump("test-version")
    before = version_stamp_get("test-version")
    VersionCounter.objects.filter(name="test-version").delete()

    version_bump("test-version")  # value 1 again, as in a database made anew

    assert version_stamp_get("test-version") != before
