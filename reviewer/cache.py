"""The embedded default's shared cache: Django's DatabaseCache, with one statement per write.

Django's DatabaseCache counts the table's rows and then reads, inserts or updates, in a
transaction: five statements for every `set` or `add`, and an action makes several (its
token, the task's copies: reviewer/queue/copies.py). Here a write is one upsert (SQLite and
PostgreSQL both have INSERT … ON CONFLICT), and the table is culled on every CULL_EVERY-th
write of the process, as Django's would be (MAX_ENTRIES, CULL_FREQUENCY). Reads are Django's.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_EVERY = 50


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._writes = itertools.count(1)

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if mode == "touch" or connection.vendor not in ("sqlite", "postgresql"):
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        now = tz_now().replace(microsecond=0)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = expires.replace(microsecond=0)
        quote = connection.ops.quote_name
        table, key_column, value_column, expires_column = (
            quote(self._table),
            quote("cache_key"),
            quote("value"),
            quote("expires"),
        )
        # Only quoted names are put in the text (the table's is the setting's); values are parameters.
        sql = (
            f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = excluded.{value_column}, "
            f"{expires_column} = excluded.{expires_column}"
        )
        params = [
            key,
            base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"),
            connection.ops.adapt_datetimefield_value(expires),
        ]
        if mode == "add":  # only over an entry that has expired
            sql += f" WHERE {table}.{expires_column} < %s"
            params.append(connection.ops.adapt_datetimefield_value(now))
        with connection.cursor() as cursor:
            if next(self._writes) % CULL_EVERY == 0:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, now, count)
            try:
                # On PostgreSQL a failed statement aborts the transaction it is in: inside the caller's,
                # a savepoint, so that a failed write cannot spoil its work (SQLite aborts nothing).
                guard = connection.vendor == "postgresql" and connection.in_atomic_block
                with transaction.atomic(using=db) if guard else contextlib.nullcontext():
                    cursor.execute(sql, params)
            except DatabaseError:  # as Django's: a write that failed is a miss, not an error
                return False
            return cursor.rowcount > 0
