"""OpenSSL as a subprocess: GOST R 34.10/34.11-2012 (the `gost` engine) and RSA for tests.

Python's own crypto libraries have no GOST, so signing, verifying and the certificate hash go
through the `openssl` binary (Debian: `openssl` and `libengine-gost-openssl`), the way the ESIA
integrations listed in docs/reference do. Messages go through stdin and temporary files, never
the command line.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import subprocess  # noqa: S404 - openssl is the only GOST implementation available
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GOST = "gost2012_256"
RSA = "rsa_sha256"
ALGORITHMS = (GOST, RSA)
GOST_PUBLIC_KEY_OID_PREFIX = "1.2.643.7.1.1.1."  # GOST R 34.10-2012 public keys (256 and 512)


class CryptoError(Exception):
    """openssl refused or failed; the message is safe to log (no key material, no message)."""


@dataclass(frozen=True)
class Algorithm:
    name: str
    digest: str  # openssl's name of the message digest
    engine: bool  # whether `-engine gost` is needed

    def engine_args(self) -> list[str]:
        return ["-engine", "gost"] if self.engine else []


def algorithm(name: str) -> Algorithm:
    if name == GOST:
        return Algorithm(GOST, "md_gost12_256", engine=True)
    if name == RSA:
        return Algorithm(RSA, "sha256", engine=False)
    raise CryptoError(
        f"Неизвестный алгоритм подписи ЕСИА: {name!r} (нужен {' или '.join(ALGORITHMS)})"
    )


def run_openssl(
    openssl: str, args: list[str], *, stdin: bytes = b"", timeout: float = 20
) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [openssl, *args], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CryptoError(f"openssl не запустился: {exc}") from exc
    return result


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = [
        line
        for line in result.stderr.decode(errors="replace").splitlines()
        if line.strip() and not line.startswith('Engine "gost" set')
    ]
    return " / ".join(lines[-3:]) or f"код {result.returncode}"


@lru_cache(maxsize=4)
def gost_engine_available(openssl: str = "openssl") -> bool:
    try:
        return run_openssl(openssl, ["engine", "gost"], timeout=10).returncode == 0
    except CryptoError:
        return False


def certificate_der(path: str | os.PathLike) -> bytes:
    """The certificate as DER, from a PEM or a DER file: the bytes ESIA's hash is taken over."""
    raw = Path(path).read_bytes()
    if raw.lstrip().startswith(b"-----BEGIN"):
        text = raw.decode("ascii")
        begin = text.index("-----BEGIN CERTIFICATE-----")
        end = text.index("-----END CERTIFICATE-----", begin) + len("-----END CERTIFICATE-----")
        return ssl.PEM_cert_to_DER_cert(text[begin:end])
    return raw


def certificate_hash(path: str | os.PathLike, algorithm_name: str, openssl: str = "openssl") -> str:
    """`client_certificate_hash`: the hash of the certificate's DER (not of its PEM text), hex."""
    der = certificate_der(path)
    algo = algorithm(algorithm_name)
    if not algo.engine:
        return hashlib.sha256(der).hexdigest()
    result = run_openssl(
        openssl, ["dgst", *algo.engine_args(), f"-{algo.digest}", "-binary"], stdin=der
    )
    if result.returncode != 0 or not result.stdout:
        raise CryptoError(f"Не удалось вычислить хеш сертификата: {_stderr(result)}")
    return result.stdout.hex()


def is_gost_certificate(path: str | os.PathLike) -> bool:
    from cryptography import x509

    cert = x509.load_der_x509_certificate(certificate_der(path))
    return cert.public_key_algorithm_oid.dotted_string.startswith(GOST_PUBLIC_KEY_OID_PREFIX)


def cms_sign(
    message: bytes, *, key_path: str, cert_path: str, algorithm_name: str, openssl: str = "openssl"
) -> bytes:
    """A detached CMS (PKCS#7) SignedData over `message`, DER."""
    algo = algorithm(algorithm_name)
    args = ["cms", "-sign", *algo.engine_args(), "-binary", "-md", algo.digest]
    args += ["-signer", str(cert_path), "-inkey", str(key_path), "-outform", "DER"]
    result = run_openssl(openssl, args, stdin=message)
    if result.returncode != 0 or not result.stdout:
        raise CryptoError(f"openssl cms -sign: {_stderr(result)}")
    return result.stdout


def raw_sign(
    message: bytes, *, key_path: str, algorithm_name: str, openssl: str = "openssl"
) -> bytes:
    """A bare signature over `message`. For GOST, openssl writes s || r big-endian, which is what
    the Go client (ofstudio/go-api-epgu) obtains by reversing CryptoPro's little-endian output."""
    algo = algorithm(algorithm_name)
    args = ["dgst", *algo.engine_args(), f"-{algo.digest}", "-sign", str(key_path), "-binary"]
    result = run_openssl(openssl, args, stdin=message)
    if result.returncode != 0 or not result.stdout:
        raise CryptoError(f"openssl dgst -sign: {_stderr(result)}")
    return result.stdout


def cms_verify(
    signature: bytes,
    message: bytes,
    *,
    cert_path: str,
    algorithm_name: str,
    openssl: str = "openssl",
) -> bool:
    """True when `signature` is a CMS over exactly `message` made with the key of `cert_path`
    (and with no other certificate: the signer's certificate must be that one)."""
    algo = algorithm(algorithm_name)
    with tempfile.TemporaryDirectory(prefix="esia-verify-") as tmp:
        sig_file, msg_file, signer_file = (Path(tmp) / n for n in ("sig.der", "msg", "signer.pem"))
        sig_file.write_bytes(signature)
        msg_file.write_bytes(message)
        args = ["cms", "-verify", *algo.engine_args(), "-binary", "-inform", "DER"]
        args += ["-in", str(sig_file), "-content", str(msg_file), "-purpose", "any"]
        args += ["-CAfile", str(cert_path), "-certfile", str(cert_path)]
        args += ["-signer", str(signer_file), "-out", os.devnull]
        result = run_openssl(openssl, args)
        if result.returncode != 0 or not signer_file.exists():
            return False
        return certificate_der(signer_file) == certificate_der(cert_path)


def raw_verify(
    signature: bytes,
    message: bytes,
    *,
    cert_path: str,
    algorithm_name: str,
    openssl: str = "openssl",
) -> bool:
    """True when `signature` is a bare signature over exactly `message` by the key of
    `cert_path` (a certificate, or a public key in PEM)."""
    algo = algorithm(algorithm_name)
    with tempfile.TemporaryDirectory(prefix="esia-verify-") as tmp:
        pub_file, sig_file = Path(tmp) / "pub.pem", Path(tmp) / "sig.bin"
        if b"-----BEGIN PUBLIC KEY-----" in Path(cert_path).read_bytes():
            pub_file.write_bytes(Path(cert_path).read_bytes())
        else:
            pub = run_openssl(
                openssl, ["x509", *algo.engine_args(), "-in", str(cert_path), "-pubkey", "-noout"]
            )
            if pub.returncode != 0:
                raise CryptoError(f"openssl x509 -pubkey: {_stderr(pub)}")
            pub_file.write_bytes(pub.stdout)
        sig_file.write_bytes(signature)
        args = ["dgst", *algo.engine_args(), f"-{algo.digest}", "-verify", str(pub_file)]
        args += ["-signature", str(sig_file)]
        return run_openssl(openssl, args, stdin=message).returncode == 0


def generate_key_pair(
    key_path: str | os.PathLike,
    cert_path: str | os.PathLike,
    *,
    algorithm_name: str,
    subject: str,
    days: int = 365,
    openssl: str = "openssl",
) -> None:
    """A private key (mode 0600) and a self-signed certificate; files appear only when complete."""
    algo = algorithm(algorithm_name)
    key_path, cert_path = Path(key_path), Path(cert_path)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="esia-keys-", dir=key_path.parent) as tmp:
        tmp_key, tmp_cert = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        if algo.engine:
            gen = run_openssl(
                openssl,
                ["genpkey", "-engine", "gost", "-algorithm", GOST, "-pkeyopt", "paramset:A"]
                + ["-out", str(tmp_key)],
            )
            if gen.returncode != 0:
                raise CryptoError(f"openssl genpkey (ГОСТ): {_stderr(gen)}")
            req = ["req", "-engine", "gost", "-new", "-x509", "-key", str(tmp_key)]
        else:
            req = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_key)]
        req += ["-out", str(tmp_cert), "-days", str(days), "-subj", subject, f"-{algo.digest}"]
        made = run_openssl(openssl, req)
        if made.returncode != 0:
            raise CryptoError(f"openssl req: {_stderr(made)}")
        tmp_key.chmod(0o600)
        os.replace(tmp_key, key_path)
        os.replace(tmp_cert, cert_path)
