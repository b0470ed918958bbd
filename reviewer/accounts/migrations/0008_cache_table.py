"""The cache's table, for the embedded default's DatabaseCache (settings.CACHES).

migrate creates it, so that a fresh clone, `make demo` and the test database have it; with
REDIS_URL the cache is Redis and this creates nothing. createcachetable leaves a table that
exists alone, so running it again (or by hand) is harmless.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_key_event_refused"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True),
    ]
