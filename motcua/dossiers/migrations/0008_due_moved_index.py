"""An index on the instants of the events that move a due date (a calendar recomputation, a
limit case switch), so that the officers' home page finds the dossiers whose due date moved this
week without reading every event. Partial: the other events (most of the table, and every
counter intake) neither carry nor pay for it. Built CONCURRENTLY on PostgreSQL (a non-atomic
migration): transitions keep writing while it builds."""

from django.db import DatabaseError, migrations

INDEX = "dossier_event_due_moved_at"
COLUMNS = "ON dossiers_dossierevent (at) WHERE type IN ('due_recomputed', 'limit_case_changed')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} {COLUMNS}")
        return
    try:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} {COLUMNS}")
    except DatabaseError:
        # A failed concurrent build leaves an invalid index behind: remove it, build it plainly.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX {INDEX} {COLUMNS}")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0007_dossier_clock")]

    operations = [migrations.RunPython(create, drop)]
