"""The signers and the certificate hash, checked against openssl's own command line."""

import base64
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.esia import crypto
from portal.esia.signer import CommandSigner, OpenSSLSigner, SignerError, get_signer

from .conftest import use_algorithm

MESSAGE = (
    "INSURED-PORTAL-TESTopenid fullname birthdate id_doc mobile email2026.11.24 09:05:39 +0000"
    "0b6c2c5e-6b1c-4c39-9d0c-3b8f3d0e2a41http://localhost:8000/accounts/esia/login/callback/"
)


def _openssl(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    # openssl's own command line, independent of portal.esia.crypto
    return subprocess.run(  # noqa: S603
        ["openssl", *args],  # noqa: S607
        input=stdin,
        capture_output=True,
        check=False,
    )


@pytest.fixture
def signer_settings(settings, esia_keys):
    settings.ESIA_SIGNER = "portal.esia.signer.OpenSSLSigner"
    settings.ESIA_CERT_HASH = ""
    settings.ESIA_CERT_HASH_CASE = "upper"
    settings.ESIA_SIGNER_COMMAND = ""
    use_algorithm(settings, esia_keys, crypto.RSA)
    return settings


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
def test_cms_signature_verifies_with_openssl(signer_settings, esia_keys, tmp_path, algorithm):
    # given
    pair = use_algorithm(signer_settings, esia_keys, algorithm, "cms")

    # when
    secret = get_signer().client_secret(MESSAGE)

    # then: base64url of a detached CMS over exactly the message, that openssl itself verifies
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    (tmp_path / "sig.der").write_bytes(base64.urlsafe_b64decode(secret))
    (tmp_path / "msg").write_text(MESSAGE)
    engine = ["-engine", "gost"] if algorithm == crypto.GOST else []
    verify = [
        "cms", "-verify", *engine, "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.der"),
        "-content", str(tmp_path / "msg"), "-CAfile", pair.cert, "-purpose", "any",
        "-out", "/dev/null",
    ]  # fmt: skip
    result = _openssl(*verify)
    assert result.returncode == 0, result.stderr
    assert b"Verification successful" in result.stderr
    (tmp_path / "msg").write_text(MESSAGE + "x")
    assert _openssl(*verify).returncode != 0


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
def test_raw_signature_verifies_and_is_bare(signer_settings, esia_keys, algorithm):
    pair = use_algorithm(signer_settings, esia_keys, algorithm, "raw")
    signature = get_signer().sign(MESSAGE.encode())
    assert len(signature) == (64 if algorithm == crypto.GOST else 256)
    assert crypto.raw_verify(
        signature, MESSAGE.encode(), cert_path=pair.cert, algorithm_name=algorithm
    )
    assert not crypto.raw_verify(
        signature, MESSAGE.encode() + b"x", cert_path=pair.cert, algorithm_name=algorithm
    )


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
def test_certificate_hash_is_over_the_der_form(signer_settings, esia_keys, algorithm):
    # given
    pair = use_algorithm(signer_settings, esia_keys, algorithm)
    der = _openssl("x509", "-in", pair.cert, "-outform", "DER").stdout
    engine = ["-engine", "gost"] if algorithm == crypto.GOST else []
    digest = "-md_gost12_256" if algorithm == crypto.GOST else "-sha256"

    # when
    ours = get_signer().certificate_hash()

    # then: openssl's hash of the DER, not of the PEM text
    assert ours == _openssl("dgst", *engine, digest, "-binary", stdin=der).stdout.hex().upper()
    assert (
        ours
        != _openssl("dgst", *engine, digest, "-binary", stdin=Path(pair.cert).read_bytes())
        .stdout.hex()
        .upper()
    )
    assert len(ours) == 64


def test_configured_certificate_hash_wins(signer_settings):
    signer_settings.ESIA_CERT_HASH = "Ab" * 32
    assert get_signer().certificate_hash() == "AB" * 32
    signer_settings.ESIA_CERT_HASH_CASE = "lower"
    assert get_signer().certificate_hash() == "ab" * 32


@pytest.mark.parametrize("placeholders", [False, True], ids=["stdin-stdout", "files"])
def test_command_signer_runs_the_configured_command(signer_settings, esia_keys, placeholders):
    # given: a signing command of the operator's choice (here openssl; CryptoPro's cryptcp alike)
    pair = esia_keys.rsa
    command = (
        f"openssl cms -sign -binary -md sha256 -signer {pair.cert} -inkey {pair.key} -outform DER"
    )
    if placeholders:
        command += " -in {input} -out {output}"
    signer_settings.ESIA_SIGNER = "portal.esia.signer.CommandSigner"
    signer_settings.ESIA_SIGNER_COMMAND = command

    # when
    signer = get_signer()
    signature = signer.sign(MESSAGE.encode())

    # then
    assert isinstance(signer, CommandSigner)
    assert crypto.cms_verify(
        signature, MESSAGE.encode(), cert_path=pair.cert, algorithm_name=crypto.RSA
    )
    assert signer.certificate_hash() == crypto.certificate_hash(pair.cert, crypto.RSA).upper()


def test_command_signer_failure_is_an_error(signer_settings):
    signer_settings.ESIA_SIGNER = "portal.esia.signer.CommandSigner"
    signer_settings.ESIA_SIGNER_COMMAND = "openssl cms -sign -inkey /nonexistent"
    with pytest.raises(SignerError):
        get_signer().sign(b"x")
    signer_settings.ESIA_SIGNER_COMMAND = ""
    with pytest.raises(ImproperlyConfigured):
        get_signer()


def test_openssl_signer_without_its_key_refuses(signer_settings, tmp_path):
    signer_settings.ESIA_KEY_PATH = str(tmp_path / "none.pem")
    with pytest.raises(SignerError):
        OpenSSLSigner().sign(b"x")


def test_unknown_algorithm_or_format_is_a_configuration_error(signer_settings):
    signer_settings.ESIA_SIGNATURE_FORMAT = "none"
    with pytest.raises(ImproperlyConfigured):
        get_signer()
    signer_settings.ESIA_SIGNATURE_FORMAT = "cms"
    signer_settings.ESIA_SIGNATURE_ALGORITHM = "plain"
    with pytest.raises(crypto.CryptoError):
        get_signer()


def test_cms_verify_refuses_a_valid_signature_by_another_certificate(esia_keys):
    signature = crypto.cms_sign(
        b"m", key_path=esia_keys.other_rsa.key, cert_path=esia_keys.other_rsa.cert,
        algorithm_name=crypto.RSA,
    )  # fmt: skip
    assert crypto.cms_verify(
        signature, b"m", cert_path=esia_keys.other_rsa.cert, algorithm_name=crypto.RSA
    )
    assert not crypto.cms_verify(
        signature, b"m", cert_path=esia_keys.rsa.cert, algorithm_name=crypto.RSA
    )
