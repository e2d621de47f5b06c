"""Everything that writes accounts data. Views, the admin and other apps call these functions;
each is keyword-only and does its writes in one transaction."""

from .events import account_event_record
from .identity import (
    identifier_change_code_send,
    identifier_change_confirm_by_esia,
    identifier_change_confirm_by_sms,
    identifier_change_request_cancel,
    identifier_change_request_create,
    identifier_change_requests_expire,
    identifier_new_value_clean,
)
from .lifecycle import account_anonymise, account_unlock, sessions_end_everywhere
from .phone import (
    detached_phone_verification,
    detached_phone_verification_confirm,
    detached_phone_verification_start,
    phone_verification_confirm,
    phone_verification_start,
)
from .pin import device_forget, device_remember, pin_change, pin_confirm, pin_login
from .profile import ProfileChange, profile_change, profile_change_save
from .registration import user_register, user_register_declined

__all__ = [
    "ProfileChange",
    "account_anonymise",
    "account_event_record",
    "account_unlock",
    "detached_phone_verification",
    "detached_phone_verification_confirm",
    "detached_phone_verification_start",
    "device_forget",
    "device_remember",
    "identifier_change_code_send",
    "identifier_change_confirm_by_esia",
    "identifier_change_confirm_by_sms",
    "identifier_change_request_cancel",
    "identifier_change_request_create",
    "identifier_change_requests_expire",
    "identifier_new_value_clean",
    "phone_verification_confirm",
    "phone_verification_start",
    "pin_change",
    "pin_confirm",
    "pin_login",
    "profile_change",
    "profile_change_save",
    "sessions_end_everywhere",
    "user_register",
    "user_register_declined",
]
