"""The staff roles synced again (portal.core.roles.groups_sync) now that core 0004 brought the
acts of destruction of personal data: the administrator reads them."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0012_staff_roles_charge_refund_events"),
        ("core", "0004_destructionact"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
