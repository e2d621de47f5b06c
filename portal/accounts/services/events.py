from portal.accounts.models import AccountEvent, User


def account_event_record(*, user: User, kind: str, **details) -> AccountEvent:
    """One line of the account's history; `details` name what changed, never the values."""
    event = AccountEvent(user=user, kind=kind, details=details)
    event.full_clean()
    event.save()
    return event
