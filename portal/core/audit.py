"""Writing the staff audit log of personal and medical data reads."""

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
) -> AuditLogEntry | None:
    """Record that a staff user saw or exported a person's data. Non-staff reads are not logged:
    a person reading their own data is no event for the log."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return None
    return AuditLogEntry.objects.create(
        staff_user=user,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        person_label=person_label[:255],
        what=what[:255],
        ip_address=client_ip(request),
    )
