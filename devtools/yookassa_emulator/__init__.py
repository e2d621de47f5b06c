"""An emulator of ЮKassa (API v3 and the payment page) for development and tests only:
portal.urls mounts it at /yookassa-emulator/ when YOOKASSA_EMULATOR is on, which the production
settings refuse."""
