"""The operators' permissions on the co-pay program: they see enrolments, cards (brand and last
four digits only), charges with their lines and refunds, reconcile charges in doubt with the
provider and refund the co-pay of confirmed "service not provided" disputes. HR managers get
nothing of it."""

import importlib

from django.db import migrations

# The staff groups' migration: its group name and its way of making permissions exist before
# the post_migrate signal would.
staff_groups = importlib.import_module(
    "employers.migrations.0004_operator_permissions_registers_appeals"
)

ADDED = [
    ("payments", "view_copayenrollment"),
    ("payments", "view_paymentcard"),
    ("payments", "view_charge"),
    ("payments", "view_chargeline"),
    ("payments", "view_refund"),
    ("payments", "view_copaynotice"),
    ("payments", "reconcile_charge"),
    ("payments", "refund_charge"),
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in ADDED
    ]


def grant(apps, schema_editor) -> None:
    staff_groups._permissions_ensure(apps)
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=staff_groups.OPERATOR_GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=staff_groups.OPERATOR_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_charge_operator_permissions"),
        ("employers", "0004_operator_permissions_registers_appeals"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
