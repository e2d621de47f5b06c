"""The client's address behind the proxies TRUSTED_PROXIES names (portal.core.client_ip): read
from X-Forwarded-For only as far as trusted proxies wrote it, REMOTE_ADDR otherwise."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from portal.core.client_ip import client_ip, trusted_proxies_parse

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"


def request_from(remote: str = PROXY, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("setting", ["", "0", 0])
def test_without_proxies_the_header_is_ignored(settings, setting):
    settings.TRUSTED_PROXIES = setting

    assert client_ip(request_from("198.51.100.4", forwarded_for=CLIENT)) == "198.51.100.4"


def test_one_proxy_by_count_gives_the_address_it_appended(settings):
    settings.TRUSTED_PROXIES = "1"

    assert client_ip(request_from(forwarded_for=CLIENT)) == CLIENT
    # what the client wrote itself stays on the left, where nobody reads it
    assert client_ip(request_from(forwarded_for=f"1.2.3.4, {CLIENT}")) == CLIENT


def test_two_proxies_by_count(settings):
    settings.TRUSTED_PROXIES = 2

    assert client_ip(request_from(forwarded_for=f"1.2.3.4, {CLIENT}, 10.0.0.9")) == CLIENT


def test_a_chain_shorter_than_the_count_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXIES = "2"

    assert client_ip(request_from(remote="198.51.100.4", forwarded_for="1.2.3.4")) == (
        "198.51.100.4"
    )
    assert client_ip(request_from(remote="198.51.100.4")) == "198.51.100.4"


def test_a_named_proxy_is_believed(settings):
    settings.TRUSTED_PROXIES = f"{PROXY}, 172.18.0.0/16"

    assert client_ip(request_from(forwarded_for=f"1.2.3.4, {CLIENT}")) == CLIENT
    # through two trusted hops: the rightmost untrusted address is the client
    chain = f"1.2.3.4, {CLIENT}, 172.18.0.5"
    assert client_ip(request_from(forwarded_for=chain)) == CLIENT


def test_a_forged_header_from_a_direct_client_changes_nothing(settings):
    settings.TRUSTED_PROXIES = PROXY

    assert client_ip(request_from(remote="198.51.100.4", forwarded_for=CLIENT)) == "198.51.100.4"


def test_a_request_of_the_proxy_itself_is_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert client_ip(request_from()) == PROXY


def test_garbage_in_the_header_stops_the_walk_at_the_last_trusted_address(settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8"

    assert client_ip(request_from(forwarded_for="<script>, 10.0.0.7")) == "10.0.0.7"
    settings.TRUSTED_PROXIES = "1"
    assert client_ip(request_from(forwarded_for="unknown")) == PROXY


def test_ports_brackets_and_mapped_addresses_are_read(settings):
    settings.TRUSTED_PROXIES = PROXY

    assert client_ip(request_from(forwarded_for="203.0.113.7:5120")) == CLIENT
    assert client_ip(request_from(forwarded_for="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(request_from(remote=f"::ffff:{PROXY}", forwarded_for=CLIENT)) == CLIENT


def test_no_address_at_all_is_none(settings):
    settings.TRUSTED_PROXIES = ""

    assert client_ip(request_from(remote="")) is None


@pytest.mark.parametrize("value", ["proxy.local", "10.0.0.2, two", "1, 2"])
def test_a_malformed_setting_is_refused(value):
    with pytest.raises(ImproperlyConfigured):
        trusted_proxies_parse(value)
