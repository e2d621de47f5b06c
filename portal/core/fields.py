"""Encrypted model fields for personal data (passport numbers) at rest."""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str, secret: str) -> Fernet:
    if key:
        try:
            return Fernet(key.encode())
        except ValueError as exc:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be a Fernet key") from exc
    derived = hashlib.sha256(("field-encryption:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def blind_index(value: str) -> str:
    """A keyed hash of a value, so that uniqueness can be checked without storing it in clear."""
    key = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A string stored Fernet-encrypted; reads give the clear text back. Not searchable."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "Cannot decrypt a field: wrong FIELD_ENCRYPTION_KEY"
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return fernet().encrypt(str(value).encode()).decode()
