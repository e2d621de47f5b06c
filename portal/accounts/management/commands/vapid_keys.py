"""Print a new VAPID key pair for Web Push (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY): P-256, in the
raw base64url forms pywebpush and the browsers' PushManager take."""

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid01
from py_vapid.utils import b64urlencode


class Command(BaseCommand):
    help = "Печатает новую пару ключей VAPID для push-уведомлений (переменные окружения)."

    def handle(self, *args, **options):
        key = Vapid01()
        key.generate_keys()
        private = key.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = key.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.stdout.write(f"VAPID_PRIVATE_KEY={b64urlencode(private)}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={b64urlencode(public)}")
