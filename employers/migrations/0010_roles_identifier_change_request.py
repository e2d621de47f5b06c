"""The support operator asks for a change of a person's e-mail or phone (accounts 0003): the
groups synced again with the matrix row of IdentifierChangeRequest."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0009_staff_roles"),
        ("accounts", "0003_identifier_change_request"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
