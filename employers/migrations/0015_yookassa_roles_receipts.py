"""The staff roles synced again (portal.core.roles.groups_sync) now that payments 0008 brought
the 54-ФЗ receipts: operators read them."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0014_hr_lists_personnel_number_column_mappings"),
        ("payments", "0008_yookassa_receipts_refund_retries"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
