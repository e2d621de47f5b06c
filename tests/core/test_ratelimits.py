"""The portal's own limits on allauth's rate limiter (portal.core.ratelimits): what we rely on of
allauth's internal module is pinned here, so that an upgrade that changes it fails loudly."""

import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory

from portal.core.ratelimits import (
    rate_limit_clear,
    rate_limit_exhausted,
    rate_limit_hit,
    rate_limit_minutes,
    rate_limit_remaining,
)

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in django_settings.CACHES.items()
    }
    settings.PORTAL_RATE_LIMITS = {"probe": "3/15m", "twice": "3/h,5/d", "by_ip": "2/h"}
    settings.TRUSTED_PROXIES = PROXY


def post_from(remote: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/", **extra)


def test_hits_up_to_the_limit_then_none():
    assert [rate_limit_hit("probe", key="anna") for _n in range(4)] == [True] * 3 + [False]
    assert rate_limit_exhausted("probe", key="anna")
    # another subject has its own count
    assert rate_limit_hit("probe", key="boris")


def test_remaining_counts_down_and_refused_hits_are_not_counted():
    assert rate_limit_remaining("probe", key="anna") == 3
    rate_limit_hit("probe", key="anna")
    assert rate_limit_remaining("probe", key="anna") == 2
    for _n in range(5):
        rate_limit_hit("probe", key="anna")
    assert rate_limit_remaining("probe", key="anna") == 0
    assert not rate_limit_exhausted("probe", key="boris")


def test_the_least_of_several_rates_is_what_remains():
    for _n in range(2):
        rate_limit_hit("twice", key="anna")

    assert rate_limit_remaining("twice", key="anna") == 1


def test_clear_forgets_the_count():
    for _n in range(3):
        rate_limit_hit("probe", key="anna")

    rate_limit_clear("probe", key="anna")

    assert rate_limit_remaining("probe", key="anna") == 3


def test_the_window_slides_with_the_clock(time_machine):
    time_machine.move_to("2026-03-01 10:00 +03:00", tick=False)
    for _n in range(3):
        rate_limit_hit("probe", key="anna")

    time_machine.move_to("2026-03-01 10:14 +03:00", tick=False)
    assert not rate_limit_hit("probe", key="anna")
    time_machine.move_to("2026-03-01 10:16 +03:00", tick=False)
    assert rate_limit_hit("probe", key="anna")


def test_minutes_of_the_longest_window():
    assert rate_limit_minutes("probe") == 15
    assert rate_limit_minutes("twice") == 24 * 60


def cache_keys() -> list[str]:
    if isinstance(cache._cache, dict):  # LocMemCache
        return list(cache._cache)
    return [key.decode() for key in cache._cache.get_client().keys("*")]  # RedisCache


def test_no_subject_reaches_the_cache_in_clear():
    rate_limit_hit("probe", key="+79165551234")

    keys = [key for key in cache_keys() if ":probe:" in key]
    assert keys
    assert not any("79165551234" in key for key in keys)


def test_two_clients_behind_one_proxy_are_counted_apart():
    anna, boris = "203.0.113.7", "198.51.100.20"
    for _n in range(2):
        assert rate_limit_hit("by_ip", request=post_from(PROXY, anna))

    assert not rate_limit_hit("by_ip", request=post_from(PROXY, anna))
    assert rate_limit_hit("by_ip", request=post_from(PROXY, boris))


def test_a_forged_header_from_a_direct_client_changes_nothing():
    direct = "192.0.2.50"
    assert rate_limit_hit("by_ip", request=post_from(direct, "203.0.113.1"))
    assert rate_limit_hit("by_ip", request=post_from(direct, "203.0.113.2"))

    assert not rate_limit_hit("by_ip", request=post_from(direct, "203.0.113.3"))


def test_either_a_key_or_a_request():
    with pytest.raises(TypeError):
        rate_limit_hit("probe")
