"""ESIA tests talk to the emulator on pytest-django's live server over real HTTP, with keys that
openssl makes here for the session (never committed): GOST ones when the engine is installed,
RSA ones always. The emulator signs its id_tokens RS256 unless a test switches it to GOST
(`use_jws_algorithm`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal.esia import crypto, jws

GOST_REASON = "нет движка OpenSSL gost: apt-get install libengine-gost-openssl"
CALLBACK_PATH = "/accounts/esia/login/callback/"
SOKOLOVA = "1000299651"  # a full, verified ESIA account (devtools/esia_emulator/persons.py)
KIM = "1000299652"  # no patronymic, no e-mail
DEMO_TWIN = "1000299653"  # the demo person's ESIA account: demo@example.com, passport 4510 123456
ORLOVA = "1000299654"  # no passport, unverified e-mail
PIN = "4826"


@dataclass(frozen=True)
class KeyPair:
    key: str
    cert: str


@dataclass(frozen=True)
class Keys:
    rsa: KeyPair  # the portal's registered RSA key
    gost: KeyPair | None  # the portal's registered GOST key
    other_rsa: KeyPair  # someone else's
    other_gost: KeyPair | None
    esia: KeyPair  # the emulator's (ESIA's) id_token key
    other_esia: KeyPair
    esia_gost: KeyPair | None  # ESIA's GOST id_token key
    other_esia_gost: KeyPair | None


@pytest.fixture(scope="session")
def esia_keys(tmp_path_factory) -> Keys:
    root = tmp_path_factory.mktemp("esia-keys")

    def make(name: str, algorithm: str) -> KeyPair:
        pair = KeyPair(str(root / f"{name}-key.pem"), str(root / f"{name}-cert.pem"))
        crypto.generate_key_pair(
            pair.key, pair.cert, algorithm_name=algorithm, subject=f"/CN=test {name}"
        )
        return pair

    gost = crypto.gost_engine_available()
    return Keys(
        rsa=make("rsa", crypto.RSA),
        gost=make("gost", crypto.GOST) if gost else None,
        other_rsa=make("other-rsa", crypto.RSA),
        other_gost=make("other-gost", crypto.GOST) if gost else None,
        esia=make("esia", crypto.RSA),
        other_esia=make("other-esia", crypto.RSA),
        esia_gost=make("esia-gost", crypto.GOST) if gost else None,
        other_esia_gost=make("other-esia-gost", crypto.GOST) if gost else None,
    )


def require_gost(*pairs: KeyPair | None) -> None:
    """Skips (or, in CI with ESIA_GOST_REQUIRED, fails) a GOST test without the engine."""
    if any(pair is None for pair in pairs):
        if os.environ.get("ESIA_GOST_REQUIRED"):  # CI: GOST must be tested, not skipped
            pytest.fail(GOST_REASON)
        pytest.skip(GOST_REASON)


def keys_for(esia_keys: Keys, algorithm: str) -> tuple[KeyPair, KeyPair]:
    """The registered pair and someone else's pair of an algorithm (skips GOST without engine)."""
    if algorithm == crypto.GOST:
        require_gost(esia_keys.gost, esia_keys.other_gost)
        return esia_keys.gost, esia_keys.other_gost
    return esia_keys.rsa, esia_keys.other_rsa


@pytest.fixture
def esia(settings, live_server, esia_keys):
    """The portal and the emulator configured as in development, on the live server; RSA keys
    unless a test switches with `use_algorithm`."""
    settings.ESIA_BASE_URL = f"{live_server.url}/esia-emulator"
    settings.ESIA_SIGNATURE_ALGORITHM = crypto.RSA
    settings.ESIA_SIGNATURE_FORMAT = "raw"
    settings.ESIA_CERT_HASH_CASE = "upper"
    settings.ESIA_SIGNER = "portal.esia.signer.OpenSSLSigner"
    settings.ESIA_KEY_PATH = esia_keys.rsa.key
    settings.ESIA_CERT_PATH = esia_keys.rsa.cert
    settings.ESIA_CERT_HASH = ""
    settings.ESIA_ID_TOKEN_KEYS = {jws.RS256: esia_keys.esia.cert}
    settings.ESIA_EMULATOR_JWS_ALGORITHM = jws.RS256
    settings.ESIA_EMULATOR_KEY_PATH = esia_keys.esia.key
    settings.ESIA_EMULATOR_CERT_PATH = esia_keys.esia.cert
    settings.ESIA_EMULATOR_CLIENT_ID = ""
    settings.ESIA_EMULATOR_SIGNATURE_FORMAT = ""
    settings.ESIA_EMULATOR_CERT_HASH_CASE = "upper"
    # the certificate registered with the emulator stays put when a test changes the portal's
    settings.ESIA_EMULATOR_CLIENT_CERT = esia_keys.rsa.cert
    settings.ESIA_DEV_KEYS_AUTOCREATE = False
    return settings


def use_algorithm(settings, esia_keys: Keys, algorithm: str, signature_format: str = "raw"):
    registered, _other = keys_for(esia_keys, algorithm)
    settings.ESIA_SIGNATURE_ALGORITHM = algorithm
    settings.ESIA_SIGNATURE_FORMAT = signature_format
    settings.ESIA_KEY_PATH = registered.key
    settings.ESIA_CERT_PATH = registered.cert
    settings.ESIA_EMULATOR_CLIENT_CERT = registered.cert
    return registered


def use_jws_algorithm(settings, esia_keys: Keys, algorithm: str) -> KeyPair:
    """The emulator signs its tokens with `algorithm`, and the portal accepts only that one, with
    the emulator's certificate for it."""
    if algorithm == jws.GOST_JWA:
        require_gost(esia_keys.esia_gost)
        pair = esia_keys.esia_gost
    else:
        pair = esia_keys.esia
    settings.ESIA_EMULATOR_JWS_ALGORITHM = algorithm
    settings.ESIA_EMULATOR_KEY_PATH, settings.ESIA_EMULATOR_CERT_PATH = pair.key, pair.cert
    settings.ESIA_ID_TOKEN_KEYS = {algorithm: pair.cert}
    return pair


class Visitor:
    """A browser without JavaScript: cookies, forms with their CSRF token, no auto-redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"

    def get(self, path_or_url: str, **kwargs) -> requests.Response:
        return self.session.get(self.url(path_or_url), allow_redirects=False, timeout=30, **kwargs)

    def post(self, path_or_url: str, data: dict, **kwargs) -> requests.Response:
        token = self.session.cookies.get("csrftoken")
        payload = {"csrfmiddlewaretoken": token, **data} if token else data
        return self.session.post(
            self.url(path_or_url), data=payload, allow_redirects=False, timeout=30, **kwargs
        )

    def follow(self, response: requests.Response, limit: int = 10) -> requests.Response:
        while response.is_redirect and limit:
            response = self.get(response.headers["Location"])
            limit -= 1
        return response

    def start_esia_login(self, process: str = "login") -> requests.Response:
        """Press «Продолжить на Госуслугах»: the portal answers with a redirect to ESIA."""
        page = self.get(f"/accounts/esia/login/?process={process}")
        assert page.status_code == 200, page.text[:500]
        answer = self.post(f"/accounts/esia/login/?process={process}", {})
        assert answer.status_code == 302, answer.text[:500]
        return answer

    def consent_page(self, authorize_url: str) -> requests.Response:
        return self.get(authorize_url)

    def pick_person(self, consent_page: requests.Response, oid: str, decision="allow"):
        assert consent_page.status_code == 200, consent_page.text[:500]
        request_id = form_value(consent_page.text, "request")
        action = urlsplit(consent_page.url).path
        return self.post(action, {"request": request_id, "oid": oid, "decision": decision})

    def esia_login(self, oid: str, process: str = "login") -> requests.Response:
        """The whole round: portal → emulator's consent page → back with a code → the portal's
        answer to the callback (not followed)."""
        to_esia = self.start_esia_login(process)
        back = self.pick_person(self.consent_page(to_esia.headers["Location"]), oid)
        assert back.status_code == 302 and CALLBACK_PATH in back.headers["Location"], back.text
        return self.get(back.headers["Location"])


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no field {name}"
    return unescape(match.group(1))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def visitor(esia, live_server) -> Visitor:
    return Visitor(live_server.url)


def files_exist(*paths: str) -> bool:
    return all(Path(p).is_file() for p in paths)
