"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the action log's tables.

The models refuse too (AppendOnly), but only for code that goes through them; the trigger
also stops raw SQL, a queryset's update(), and a person with a database shell. Two exceptions:
`manage.py prune_records`, which sets `SET LOCAL reviewer.pruning = 'on'` in each of its
transactions, may delete; and deleting a person may set a record's user to NULL (the record
keeps their user name), as the foreign key's SET_NULL does. SQLite, the embedded default, has
no transaction-local settings: there the models' guard stands alone.
"""

from django.db import migrations

TABLES = ("review_actionrecord", "review_correctionrecord", "review_entitytally")

FUNCTION = """
CREATE OR REPLACE FUNCTION review_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('reviewer.pruning', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'review_actionrecord'
        AND to_jsonb(OLD) ->> 'user_id' IS NOT NULL AND to_jsonb(NEW) ->> 'user_id' IS NULL
        AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The action log is append-only: % on % is refused (records go only by manage.py prune_records).',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class OnPostgreSQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("review", "0004_corrections_and_drafts")]

    operations = [
        OnPostgreSQL(
            [FUNCTION]
            + [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION review_log_append_only();"
                for table in TABLES
            ],
            [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES]
            + ["DROP FUNCTION IF EXISTS review_log_append_only();"],
        )
    ]
