"""The table where rate-limit and SMS-code counters are kept while Redis is down
(portal.core.cache.ResilientRedisCache): Django's database cache table."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "portal_cache_fallback"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_faults_outbox")]

    operations = [migrations.RunPython(create, drop)]
