"""The id_token check: ESIA's signature (RS256, ESIA's certificate), issuer, audience, expiry and
the subject. Tokens are signed here with the test ESIA key, or another key for the bad cases."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from portal.esia.client import EsiaError, id_token_claims

CLIENT_ID = "INSURED-PORTAL-TEST"
ISSUER = "http://esia-portal1.test.gosuslugi.ru/"
OID = "1000299651"


@pytest.fixture
def esia_settings(settings, esia_keys):
    settings.ESIA_VERIFICATION_CERT = esia_keys.esia.cert
    settings.ESIA_ISSUER = ISSUER
    return settings


def _key(path: str):
    return load_pem_private_key(Path(path).read_bytes(), password=None)


def _token(esia_keys, key_path: str | None = None, algorithm: str = "RS256", **claims) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": OID,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "urn:esia:sbj": {"urn:esia:sbj:typ": "P", "urn:esia:sbj:oid": OID},
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, _key(key_path or esia_keys.esia.key), algorithm=algorithm)


def test_a_good_token_gives_the_person(esia_settings, esia_keys):
    assert id_token_claims(_token(esia_keys), client_id=CLIENT_ID)["sub"] == OID


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "SOMEONE-ELSE"}, "InvalidAudience"),
        ({"iss": "http://esia.evil.example/"}, "InvalidIssuer"),
        ({"exp": int(time.time()) - 3600}, "ExpiredSignature"),
        ({"nbf": int(time.time()) + 3600}, "ImmatureSignature"),
        ({"sub": None}, "MissingRequiredClaim"),
        ({"exp": None}, "MissingRequiredClaim"),
    ],
    ids=["audience", "issuer", "expired", "not-yet-valid", "no-subject", "no-expiry"],
)
def test_a_token_with_wrong_claims_is_refused(esia_settings, esia_keys, claims, reason):
    with pytest.raises(EsiaError, match=reason):
        id_token_claims(_token(esia_keys, **claims), client_id=CLIENT_ID)


def test_a_token_signed_by_another_key_is_refused(esia_settings, esia_keys):
    token = _token(esia_keys, key_path=esia_keys.other_esia.key)
    with pytest.raises(EsiaError, match="InvalidSignature"):
        id_token_claims(token, client_id=CLIENT_ID)


def test_a_token_with_another_algorithm_is_refused(esia_settings, esia_keys):
    # HS256 keyed with ESIA's public certificate: the classic algorithm confusion
    public = Path(esia_keys.esia.cert).read_bytes()
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": OID, "iat": 1, "exp": 2**31}
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    for token in (forged, unsigned):
        with pytest.raises(EsiaError):
            id_token_claims(token, client_id=CLIENT_ID)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_naming_two_subjects_is_refused(esia_settings, esia_keys):
    token = _token(esia_keys, **{"urn:esia:sbj": {"urn:esia:sbj:oid": "1000000001"}})
    with pytest.raises(EsiaError, match="разных субъектов"):
        id_token_claims(token, client_id=CLIENT_ID)


def test_a_non_numeric_subject_is_refused(esia_settings, esia_keys):
    token = _token(esia_keys, sub="../1000299651", **{"urn:esia:sbj": None})
    with pytest.raises(EsiaError):
        id_token_claims(token, client_id=CLIENT_ID)
