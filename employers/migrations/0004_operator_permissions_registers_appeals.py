"""The operators' permissions on what the claims and appeals sections added since the groups were
made: the ICD-10 dictionary the clinic registers fill, and an appeal's status history and
attachments (read-only)."""

from django.db import migrations

OPERATOR_GROUP = "Оператор"
ADDED = [
    ("claims", "view_icd10diagnosis"),
    ("claims", "add_icd10diagnosis"),
    ("claims", "change_icd10diagnosis"),
    ("feedback", "view_appealevent"),
    ("feedback", "view_appealattachment"),
]


def _permissions_ensure(apps) -> None:
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in ADDED
    ]


def grant(apps, schema_editor) -> None:
    _permissions_ensure(apps)
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=OPERATOR_GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=OPERATOR_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0003_importrow_chunk_index"),
        ("claims", "0003_serviceline_dispute"),
        ("feedback", "0003_appeals_threads_attachments_letters"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
