"""Development keys for `make run`: made on first use in var/esia/ (git-ignored), never committed.

Only when ESIA_DEV_KEYS_AUTOCREATE is on (dev settings): the portal's own key and certificate
(GOST, or RSA if so configured), and the emulator's key for its id_tokens
(ESIA_EMULATOR_JWS_ALGORITHM: RSA or GOST), whose certificate ESIA_EMULATOR_CERT_PATH the
portal trusts as ESIA's (ESIA_ID_TOKEN_KEYS). Tests make their own keys in a temporary directory.
The portal signs with `DevKeysSigner` (ESIA_SIGNER of dev settings): portal.esia needs none of it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from portal.esia import crypto, jws
from portal.esia.signer import OpenSSLSigner

_lock = threading.Lock()


class DevKeysError(crypto.CryptoError):
    pass


def ensure_dev_keys(*, explicit: bool = False, force: bool = False) -> list[Path]:
    """Make the missing development keys (all of them with `force`); return the files written.
    Does nothing unless ESIA_DEV_KEYS_AUTOCREATE is on or the call is `explicit` (the command)."""
    if not (settings.ESIA_DEV_KEYS_AUTOCREATE or explicit):
        return []
    written: list[Path] = []
    with _lock:
        client_key, client_cert = Path(settings.ESIA_KEY_PATH), Path(settings.ESIA_CERT_PATH)
        if force or not (client_key.is_file() and client_cert.is_file()):
            algorithm = settings.ESIA_SIGNATURE_ALGORITHM
            if crypto.algorithm(algorithm).engine and not crypto.gost_engine_available(
                settings.ESIA_OPENSSL
            ):
                raise DevKeysError(
                    "Для ключа ГОСТ нужен движок OpenSSL gost: apt-get install "
                    "libengine-gost-openssl (или ESIA_SIGNATURE_ALGORITHM=rsa_sha256)"
                )
            crypto.generate_key_pair(
                client_key,
                client_cert,
                algorithm_name=algorithm,
                subject="/CN=Insured Portal (development)/O=Insured Portal",
                openssl=settings.ESIA_OPENSSL,
            )
            written += [client_key, client_cert]
        esia_key, esia_cert = (
            Path(settings.ESIA_EMULATOR_KEY_PATH),
            Path(settings.ESIA_EMULATOR_CERT_PATH),
        )
        if force or not (esia_key.is_file() and esia_cert.is_file()):
            gost = settings.ESIA_EMULATOR_JWS_ALGORITHM == jws.GOST_JWA
            crypto.generate_key_pair(
                esia_key,
                esia_cert,
                algorithm_name=crypto.GOST if gost else crypto.RSA,
                subject="/CN=ESIA emulator (development)",
                openssl=settings.ESIA_OPENSSL,
            )
            written += [esia_key, esia_cert]
    return written


class DevKeysSigner(OpenSSLSigner):
    """The OpenSSL signer of development: makes the missing keys (ensure_dev_keys) before it
    reads them. A failure is a CryptoError, which the login turns into its error page."""

    def __init__(self) -> None:
        ensure_dev_keys()
        super().__init__()
