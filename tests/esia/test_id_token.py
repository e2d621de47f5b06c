"""The id_token check: ESIA's signature (RS256 or GOST3410_2012_256, each only when allowed, with
ESIA's certificate for it), issuer, audience, expiry and the subject. Tokens are signed here with
the test ESIA keys, or other keys for the bad cases."""

import base64
import hashlib
import hmac
import json
import subprocess
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from portal.esia import jws
from portal.esia.client import EsiaError, id_token_claims

from .conftest import require_gost

CLIENT_ID = "INSURED-PORTAL-TEST"
ISSUER = "http://esia-portal1.test.gosuslugi.ru/"
OID = "1000299651"


@pytest.fixture
def esia_settings(settings, esia_keys):
    settings.ESIA_ID_TOKEN_KEYS = {"RS256": esia_keys.esia.cert}
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


# --- GOST R 34.10-2012 and the allowlist of algorithms ----------------------------------------


def _gost_token(key_path: str, **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": CLIENT_ID, "sub": OID, "iat": now, "exp": now + 3600, **claims}
    return jws.encode(payload, algorithm=jws.GOST_JWA, key_path=key_path)


def test_a_gost_token_by_esias_gost_key_gives_the_person(esia_settings, esia_keys):
    # given: ESIA registered to sign with GOST R 34.10-2012, as the test stand does
    require_gost(esia_keys.esia_gost)
    esia_settings.ESIA_ID_TOKEN_KEYS = {jws.GOST_JWA: esia_keys.esia_gost.cert}
    token = _gost_token(esia_keys.esia_gost.key)

    # then: the header names the algorithm, and the signature is a 64-byte GOST one
    assert jwt.get_unverified_header(token)["alg"] == "GOST3410_2012_256"
    signature = token.rsplit(".", 1)[1]
    assert len(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))) == 64
    assert id_token_claims(token, client_id=CLIENT_ID)["sub"] == OID


def test_a_gost_token_is_checked_against_openssl_itself(esia_settings, esia_keys, tmp_path):
    # the signature over "header.payload" verifies with openssl's own command line
    require_gost(esia_keys.esia_gost)
    token = _gost_token(esia_keys.esia_gost.key)
    signing_input, signature = token.rsplit(".", 1)
    (tmp_path / "sig").write_bytes(base64.urlsafe_b64decode(signature + "=="))
    cert = esia_keys.esia_gost.cert
    pub = _openssl("x509", "-engine", "gost", "-in", cert, "-pubkey", "-noout").stdout
    (tmp_path / "pub.pem").write_bytes(pub)
    verify = ("dgst", "-engine", "gost", "-md_gost12_256", "-verify", str(tmp_path / "pub.pem"))
    verify += ("-signature", str(tmp_path / "sig"))
    assert _openssl(*verify, stdin=signing_input.encode()).returncode == 0
    assert _openssl(*verify, stdin=signing_input.encode() + b"x").returncode != 0


def _openssl(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        ["openssl", *args],  # noqa: S607
        input=stdin,
        capture_output=True,
        check=False,
    )


def test_a_gost_token_signed_by_another_gost_key_is_refused(esia_settings, esia_keys):
    require_gost(esia_keys.esia_gost, esia_keys.other_esia_gost)
    esia_settings.ESIA_ID_TOKEN_KEYS = {jws.GOST_JWA: esia_keys.esia_gost.cert}
    with pytest.raises(EsiaError, match="InvalidSignature"):
        id_token_claims(_gost_token(esia_keys.other_esia_gost.key), client_id=CLIENT_ID)


def test_a_gost_token_with_wrong_claims_is_refused(esia_settings, esia_keys):
    require_gost(esia_keys.esia_gost)
    esia_settings.ESIA_ID_TOKEN_KEYS = {jws.GOST_JWA: esia_keys.esia_gost.cert}
    expired = _gost_token(esia_keys.esia_gost.key, exp=int(time.time()) - 3600)
    foreign = _gost_token(esia_keys.esia_gost.key, aud="SOMEONE-ELSE")
    with pytest.raises(EsiaError, match="ExpiredSignature"):
        id_token_claims(expired, client_id=CLIENT_ID)
    with pytest.raises(EsiaError, match="InvalidAudience"):
        id_token_claims(foreign, client_id=CLIENT_ID)


def test_a_token_whose_algorithm_is_not_allowed_is_refused(esia_settings, esia_keys):
    # given: only GOST is accepted; a genuine RS256 token of the ESIA RSA key comes
    require_gost(esia_keys.esia_gost)
    esia_settings.ESIA_ID_TOKEN_KEYS = {jws.GOST_JWA: esia_keys.esia_gost.cert}
    with pytest.raises(EsiaError, match="InvalidAlgorithm"):
        id_token_claims(_token(esia_keys), client_id=CLIENT_ID)

    # and the other way round: only RS256 is accepted, a genuine GOST token comes
    esia_settings.ESIA_ID_TOKEN_KEYS = {jws.RS256: esia_keys.esia.cert}
    with pytest.raises(EsiaError, match="InvalidAlgorithm"):
        id_token_claims(_gost_token(esia_keys.esia_gost.key), client_id=CLIENT_ID)


def test_a_token_naming_the_gost_algorithm_over_an_rsa_signature_is_refused(
    esia_settings, esia_keys
):
    # the header says GOST, the signature is RS256 by ESIA's RSA key: the GOST key checks it
    require_gost(esia_keys.esia_gost)
    esia_settings.ESIA_ID_TOKEN_KEYS = {
        jws.GOST_JWA: esia_keys.esia_gost.cert,
        jws.RS256: esia_keys.esia.cert,
    }
    header, payload, signature = _token(esia_keys).split(".")
    forged_header = _b64({"alg": "GOST3410_2012_256", "typ": "JWT"})
    with pytest.raises(EsiaError, match="InvalidSignature"):
        id_token_claims(f"{forged_header}.{payload}.{signature}", client_id=CLIENT_ID)
    # while both genuine tokens pass
    assert id_token_claims(_token(esia_keys), client_id=CLIENT_ID)["sub"] == OID
    assert id_token_claims(_gost_token(esia_keys.esia_gost.key), client_id=CLIENT_ID)["sub"] == OID


def test_the_gost_algorithm_takes_only_a_key_file_never_a_pem_string(esia_keys):
    require_gost(esia_keys.esia_gost)
    token = _gost_token(esia_keys.esia_gost.key)
    pem = Path(esia_keys.esia_gost.cert).read_text()
    with pytest.raises(jwt.InvalidKeyError):
        jwt.decode(token, key=pem, algorithms=[jws.GOST_JWA], options={"verify_aud": False})
