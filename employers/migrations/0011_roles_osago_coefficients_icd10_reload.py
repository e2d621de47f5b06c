"""The groups synced again with the matrix rows of issue 25: the ОСАГО violations (КН) and trailer
(КПр) coefficients (shop 0012) for the administrator, and the register specialist's reload of the
МКБ-10 dictionary (claims 0006), which no group may edit."""

from django.db import migrations

from portal.core import roles


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0010_roles_identifier_change_request"),
        ("claims", "0006_icd10_reload_permission"),
        ("shop", "0013_seed_osago_territories"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, migrations.RunPython.noop)]
