"""The signature of ESIA requests (`client_secret`), pluggable: settings.ESIA_SIGNER names a class.

- `OpenSSLSigner`: openssl with the key and certificate files of ESIA_KEY_PATH / ESIA_CERT_PATH;
  GOST R 34.10-2012 through the `gost` engine, or RSA/SHA-256 for tests (ESIA_SIGNATURE_ALGORITHM).
- `CommandSigner`: any command (ESIA_SIGNER_COMMAND), e.g. CryptoPro's
  `cryptcp -signf -detached -der -thumbprint <sha1> {input} -dir ...`; it reads the message on
  stdin, or from the file `{input}`, and writes the signature to stdout, or to the file `{output}`.

ESIA_SIGNATURE_FORMAT says what is sent: "raw" (the bare signature, the default: what the public
v2/v3 clients send, e.g. ofstudio/go-api-epgu) or "cms" (detached PKCS#7 SignedData, DER, as the
legacy endpoints and some examples have it). Either way the bytes go out base64url-encoded. There
is no way to skip the signature.

ESIA_CERT_HASH_CASE: `client_certificate_hash` in "upper" case hex (as CryptoPro's `cpverify -mk`
prints it, and as the Go client passes it on) or "lower".
"""

from __future__ import annotations

import base64
import shlex
import subprocess  # noqa: S404 - the configured signing command
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import crypto

CMS = "cms"
RAW = "raw"
UPPER = "upper"
LOWER = "lower"


class SignerError(crypto.CryptoError):
    pass


class Signer:
    """Signs the exact byte string ESIA expects and names the certificate by its hash."""

    def __init__(self) -> None:
        self.algorithm = settings.ESIA_SIGNATURE_ALGORITHM
        self.signature_format = settings.ESIA_SIGNATURE_FORMAT
        self.openssl = settings.ESIA_OPENSSL
        crypto.algorithm(self.algorithm)  # raises on an unknown name
        if self.signature_format not in (CMS, RAW):
            raise ImproperlyConfigured("ESIA_SIGNATURE_FORMAT: «raw» или «cms»")
        self.hash_case = settings.ESIA_CERT_HASH_CASE
        if self.hash_case not in (UPPER, LOWER):
            raise ImproperlyConfigured("ESIA_CERT_HASH_CASE: «upper» или «lower»")

    def sign(self, message: bytes) -> bytes:
        raise NotImplementedError

    def certificate_hash(self) -> str:
        """The configured hash (ESIA_CERT_HASH), or the one of ESIA_CERT_PATH's DER, in the
        case ESIA_CERT_HASH_CASE names."""
        if settings.ESIA_CERT_HASH:
            digest = settings.ESIA_CERT_HASH.strip()
        else:
            digest = _certificate_hash(settings.ESIA_CERT_PATH, self.algorithm, self.openssl)
        return digest.upper() if self.hash_case == UPPER else digest.lower()

    def client_secret(self, message: str) -> str:
        return base64.urlsafe_b64encode(self.sign(message.encode())).decode("ascii")


@lru_cache(maxsize=8)
def _certificate_hash_cached(path: str, mtime: float, algorithm: str, openssl: str) -> str:
    return crypto.certificate_hash(path, algorithm, openssl)


def _certificate_hash(path: str, algorithm: str, openssl: str) -> str:
    try:
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        raise SignerError(f"Нет сертификата ИС для ЕСИА: {path}") from exc
    return _certificate_hash_cached(str(path), mtime, algorithm, openssl)


class OpenSSLSigner(Signer):
    def __init__(self) -> None:
        super().__init__()
        self.key_path = settings.ESIA_KEY_PATH
        self.cert_path = settings.ESIA_CERT_PATH

    def sign(self, message: bytes) -> bytes:
        for path in (self.key_path, self.cert_path):
            if not Path(path).is_file():
                raise SignerError(f"Нет файла ключа или сертификата ИС для ЕСИА: {path}")
        if self.signature_format == CMS:
            return crypto.cms_sign(
                message,
                key_path=self.key_path,
                cert_path=self.cert_path,
                algorithm_name=self.algorithm,
                openssl=self.openssl,
            )
        return crypto.raw_sign(
            message, key_path=self.key_path, algorithm_name=self.algorithm, openssl=self.openssl
        )


class CommandSigner(Signer):
    def __init__(self) -> None:
        super().__init__()
        self.command = shlex.split(settings.ESIA_SIGNER_COMMAND)
        if not self.command:
            raise ImproperlyConfigured("ESIA_SIGNER_COMMAND не задана для CommandSigner")

    def sign(self, message: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="esia-sign-") as tmp:
            input_file, output_file = Path(tmp) / "message", Path(tmp) / "message.sig"
            input_file.write_bytes(message)
            args = [
                part.replace("{input}", str(input_file)).replace("{output}", str(output_file))
                for part in self.command
            ]
            try:
                result = subprocess.run(  # noqa: S603 - the operator's own command, no shell
                    args,
                    input=message,
                    capture_output=True,
                    timeout=settings.ESIA_TIMEOUT * 2,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SignerError(f"Команда подписи не запустилась: {exc}") from exc
            if result.returncode != 0:
                stderr = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
                raise SignerError(
                    f"Команда подписи завершилась с кодом {result.returncode}: {stderr}"
                )
            signature = output_file.read_bytes() if output_file.exists() else result.stdout
        if not signature:
            raise SignerError("Команда подписи не выдала подпись")
        return signature


def get_signer() -> Signer:
    return import_string(settings.ESIA_SIGNER)()
