"""The staff roles synced again (portal.core.roles.groups_sync) now that payments 0007 brought
the history of charges and refunds: the operator reads it (ChargeEvent, RefundEvent)."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0011_roles_osago_coefficients_icd10_reload"),
        ("payments", "0007_charge_refund_events"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
