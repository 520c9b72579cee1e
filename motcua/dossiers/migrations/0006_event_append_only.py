"""On PostgreSQL, the database itself refuses to update or delete a dossier event.

The application has no such path (DossierEvent and its queryset refuse), and verify-history finds
any row changed behind its back; the trigger adds that a mistaken script or a console session
fails loudly instead of rewriting history. Whoever owns the table can still disable it, which is
why verify-history remains the proof. TRUNCATE is left to the administrator (and to test
databases being emptied). SQLite has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION motcua_dossier_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dossier events are append-only (% refused on event %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER dossier_event_append_only
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION motcua_dossier_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dossier_event_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS motcua_dossier_event_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_applicant_search_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
