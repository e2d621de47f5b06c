"""The staff roles synced again (portal.core.roles.groups_sync): the administrator reads, corrects
and deletes the column mappings HR managers chose for their companies' lists."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0014_hr_lists_personnel_number_column_mappings"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
