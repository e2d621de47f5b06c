"""ESIA's signed tokens (JWS): RS256 and GOST R 34.10-2012 (`GOST3410_2012_256`).

ESIA signs the id_token with the algorithm the system is registered with; a token from the test
stand names `"alg": "GOST3410_2012_256"`. PyJWT checks the claims (expiry, issuer, audience) for
both; the GOST signature itself goes through openssl's `gost` engine (portal.esia.crypto), as
the public ESIA clients do (ekapusta/oauth2-esia verifies ESIA's tokens with
`openssl dgst -engine gost -md_gost12_256 -verify`, on the signature bytes as they come).

Which algorithms are accepted, and with which of ESIA's certificates, is configuration
(ESIA_ID_TOKEN_KEYS: {alg: certificate}); the token's own `alg` only picks an entry of that
list, so a token cannot choose its algorithm or its key (no "none", no HS256 keyed with ESIA's
public certificate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from jwt.algorithms import Algorithm

from . import crypto

GOST_JWA = "GOST3410_2012_256"
RS256 = "RS256"
SUPPORTED = (GOST_JWA, RS256)


class TokenError(Exception):
    """The token is refused; the message names the reason (no token content)."""


@dataclass(frozen=True)
class GostKey:
    """A GOST key for PyJWT: a private key file to sign with, or a certificate (or public key)
    file to verify with."""

    path: str
    openssl: str = "openssl"


class GostAlgorithm(Algorithm):
    """GOST R 34.10-2012 with the GOST R 34.11-2012 (256) digest, through openssl."""

    def prepare_key(self, key: Any) -> GostKey:
        if not isinstance(key, GostKey):
            # never a PEM string or bytes: the key is always one of ESIA_ID_TOKEN_KEYS' files
            raise jwt.InvalidKeyError("ГОСТ-ключ задаётся только как GostKey")
        return key

    def sign(self, msg: bytes, key: GostKey) -> bytes:
        return crypto.raw_sign(
            msg, key_path=key.path, algorithm_name=crypto.GOST, openssl=key.openssl
        )

    def verify(self, msg: bytes, key: GostKey, sig: bytes) -> bool:
        try:
            return crypto.raw_verify(
                sig, msg, cert_path=key.path, algorithm_name=crypto.GOST, openssl=key.openssl
            )
        except crypto.CryptoError:
            return False

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False):  # pragma: no cover - not used
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Any):  # pragma: no cover - not used
        raise NotImplementedError


try:
    jwt.get_algorithm_by_name(GOST_JWA)
except NotImplementedError:
    # PyJWT's documented way to add an algorithm; decode() still accepts only the `algorithms`
    # it is given, so registering GOST widens nothing by itself.
    jwt.register_algorithm(GOST_JWA, GostAlgorithm())


def _check_algorithm(name: str) -> None:
    if name not in SUPPORTED:
        raise TokenError(f"Алгоритм {name!r} не поддерживается (нужен {' или '.join(SUPPORTED)})")


def verifying_key(algorithm: str, path: str, openssl: str = "openssl"):
    """The key that checks `algorithm` signatures: ESIA's certificate or public key file."""
    _check_algorithm(algorithm)
    if algorithm == GOST_JWA:
        if not Path(path).is_file():
            raise TokenError(f"Нет сертификата ЕСИА для {algorithm}: {path}")
        return GostKey(str(path), openssl)
    try:
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        raise TokenError(f"Нет сертификата ЕСИА для {algorithm}: {path}") from exc
    return _rsa_public_key(str(path), mtime)


def signing_key(algorithm: str, path: str, openssl: str = "openssl"):
    """The key that makes `algorithm` signatures (the emulator's, in development and tests)."""
    _check_algorithm(algorithm)
    if algorithm == GOST_JWA:
        return GostKey(str(path), openssl)
    return _rsa_private_key(str(path), Path(path).stat().st_mtime)


@lru_cache(maxsize=8)
def _rsa_public_key(path: str, mtime: float):
    pem = Path(path).read_bytes()
    if b"BEGIN CERTIFICATE" in pem:
        return x509.load_pem_x509_certificate(pem).public_key()
    return load_pem_public_key(pem)


@lru_cache(maxsize=8)
def _rsa_private_key(path: str, mtime: float):
    return load_pem_private_key(Path(path).read_bytes(), password=None)


def encode(claims: dict[str, Any], *, algorithm: str, key_path: str, openssl: str = "openssl",
           headers: dict[str, Any] | None = None) -> str:  # fmt: skip
    return jwt.encode(
        claims, signing_key(algorithm, key_path, openssl), algorithm=algorithm, headers=headers
    )


def decode(
    token: str,
    *,
    keys: Mapping[str, str],
    openssl: str = "openssl",
    **options: Any,
) -> dict[str, Any]:
    """The verified claims of `token`, whose `alg` must be one of `keys` ({alg: certificate});
    `options` go to jwt.decode (audience, issuer, leeway, options). Raises jwt.PyJWTError or
    TokenError."""
    algorithm = jwt.get_unverified_header(token).get("alg")
    if not isinstance(algorithm, str) or algorithm not in keys:
        raise jwt.InvalidAlgorithmError(f"алгоритм {algorithm!r} не разрешён")
    key = verifying_key(algorithm, keys[algorithm], openssl)
    return jwt.decode(token, key=key, algorithms=[algorithm], **options)
