"""The staff roles synced again (portal.core.roles.groups_sync) now that core 0006 brought the
insurer's requisites and policies 0007 the assistance companies: the administrator keeps them."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0014_hr_lists_personnel_number_column_mappings"),
        ("core", "0006_docs22_insurer_details"),
        ("policies", "0007_docs22_assistance_program_documents"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
