"""Writing the staff audit log: reads of personal and medical data, and changes of a person's
account, policy links, cards and consents (who, when, what, before → after)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from .client_ip import client_ip
from .models import AuditLogEntry


def audit_log_record(
    *,
    request: HttpRequest,
    subject: models.Model,
    person_label: str,
    what: str,
    action: str = AuditLogEntry.Action.VIEW,
    changes: dict[str, dict[str, Any]] | None = None,
) -> AuditLogEntry | None:
    """Record that a staff user saw, exported or changed a person's data. Non-staff reads are not
    logged: a person reading their own data is no event for the log."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return None
    return audit_log_change(
        staff_user=user,
        subject=subject,
        person_label=person_label,
        what=what,
        action=action,
        changes=changes,
        ip_address=client_ip(request),
    )


def audit_subject_people(subject: models.Model) -> tuple[int | None, int | None]:
    """Whose data a subject is, for the person's own access log: (account id, insured person id
    of the register). Read from the subject's own fields, by name — this module sits below the
    apps whose models it is given: an account itself, a row with `user` (a policy link, a claim,
    a consent), a row with `insured_person` (a service line, a charge, a guarantee letter), a row
    reaching one through `service_line` (an appeal) or `charge` (a refund); the register row
    itself (policies.InsuredPerson) is its own insured person."""
    if isinstance(subject, get_user_model()):
        return subject.pk, None
    user_id = getattr(subject, "user_id", None)
    insured_id = getattr(subject, "insured_person_id", None)
    if subject._meta.label == "policies.InsuredPerson":
        insured_id = subject.pk
    if insured_id is None:
        for via in ("service_line", "charge"):
            if getattr(subject, f"{via}_id", None) is not None:
                insured_id = getattr(getattr(subject, via), "insured_person_id", None)
                break
    return user_id, insured_id


def audit_log_change(
    *,
    staff_user,
    subject: models.Model,
    person_label: str,
    what: str,
    changes: dict[str, dict[str, Any]] | None = None,
    action: str = AuditLogEntry.Action.CHANGE,
    ip_address: str | None = None,
) -> AuditLogEntry:
    """One entry by a staff user, with or without a request (a change the person confirmed later
    in the cabinet is still the staff member's who asked for it). `changes` is
    {field: {"before": value, "after": value}}."""
    person_id, insured_person_id = audit_subject_people(subject)
    entry = AuditLogEntry(
        staff_user=staff_user,
        person_id=person_id,
        insured_person_id=insured_person_id,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        person_label=person_label[:255],
        what=what[:255],
        changes=changes or {},
        ip_address=ip_address,
    )
    entry.save()
    return entry


def audit_value(value: Any) -> Any:
    """A form or model value as the log keeps it: JSON types as they are, dates as ISO strings,
    objects by their name and id, sets of objects as a sorted list."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return f"{value} (#{value.pk})"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(str(audit_value(item)) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
