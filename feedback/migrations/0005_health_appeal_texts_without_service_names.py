"""Appeals written before the health-data rule (claims.health) kept the service's name in texts
that are stored and sent: the subject made from it («Жалоба: <услуга>») and the operator's answer
on a disputed service («услуга «<услуга>» от <дата>»). They name the line by its date and clinic
now, as new ones do, so that a person without the health-data consent reads no service name."""

from django.db import migrations

KIND_LABELS = {
    "review": "Отзыв",
    "complaint": "Жалоба",
    "thanks": "Благодарность",
    "not_provided": "Услуга не оказана",
    "question": "Вопрос",
    "clinic_refused": "Клиника отказала / врач недоступен",
}


def reference(line) -> str:
    return f"услуга от {line.service_date:%d.%m.%Y} ({line.clinic.name})"


def rewrite(apps, schema_editor):
    Appeal = apps.get_model("feedback", "Appeal")
    AppealMessage = apps.get_model("feedback", "AppealMessage")
    appeals = Appeal.objects.filter(service_line__isnull=False).select_related(
        "service_line__clinic"
    )
    for appeal in appeals.iterator():
        line = appeal.service_line
        label = KIND_LABELS.get(appeal.kind, "")
        if label and appeal.subject == f"{label}: {line.service_name}"[:255]:
            Appeal.objects.filter(pk=appeal.pk).update(
                subject=f"{label}: {reference(line)}"[:255]
            )
        date = f"{line.service_date:%d.%m.%Y}"
        named = f"услуга «{line.service_name}» от {date}"
        asked = f"обращение по услуге «{line.service_name}» от {date}"
        for message in AppealMessage.objects.filter(appeal=appeal, from_staff=True):
            body = message.body.replace(asked, f"обращение: {reference(line)}").replace(
                named, reference(line)
            )
            if body != message.body:
                AppealMessage.objects.filter(pk=message.pk).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_appealmessage_notified_at"),
        ("claims", "0006_icd10_reload_permission"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
