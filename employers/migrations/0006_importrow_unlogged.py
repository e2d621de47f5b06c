"""The staged rows of a checked list in an UNLOGGED table (PostgreSQL; nothing elsewhere).

The staged rows are a scratch copy of the check's result: what the HR manager's diff shows and
the apply reads, always recomputable from the batch's stored file by a new check. An UNLOGGED
table skips the write-ahead log for them (the check of a 100,000-row list writes them and their
indexes: a large part of its database time). The price: after a crash of PostgreSQL the table is
emptied, so the checked batches of that moment lose their diff; the apply then finds fewer staged
rows than the batch's counters, marks the batch stale and writes nothing, and the HR manager
checks the list again (employers.services.applying.import_batch_apply). A standby server has no
copy of the table either: imports are checked and applied on the primary.
"""

from django.db import migrations


def unlogged(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE employers_importrow SET UNLOGGED")


def logged(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE employers_importrow SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("employers", "0005_importrow_staging_keys_unchecked")]

    operations = [migrations.RunPython(unlogged, logged)]
