"""Everything that writes accounts data. Views, the admin and other apps call these functions;
each is keyword-only and does its writes in one transaction."""

from .consents import (
    access_log_digest_set,
    consent_text,
    consent_text_hash,
    health_consent_give,
    health_consent_withdraw,
)
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
from .notifications import (
    notification_channels,
    notification_channels_set,
    notification_wanted,
    notify,
    push_notify,
    push_subscription_delete,
    push_subscription_save,
)
from .phone import (
    detached_phone_verification,
    detached_phone_verification_confirm,
    detached_phone_verification_start,
    phone_verification_confirm,
    phone_verification_start,
)
from .pin import device_forget, device_remember, pin_change, pin_confirm, pin_login
from .profile import ProfileChange, latin_name_set, profile_change, profile_change_save
from .registration import user_register, user_register_declined

__all__ = [
    "notification_channels",
    "notification_channels_set",
    "notification_wanted",
    "notify",
    "push_notify",
    "push_subscription_delete",
    "push_subscription_save",
    "access_log_digest_set",
    "ProfileChange",
    "account_anonymise",
    "account_event_record",
    "account_unlock",
    "consent_text",
    "consent_text_hash",
    "health_consent_give",
    "health_consent_withdraw",
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
    "latin_name_set",
    "profile_change",
    "profile_change_save",
    "sessions_end_everywhere",
    "user_register",
    "user_register_declined",
]
