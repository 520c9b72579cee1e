"""On PostgreSQL, dossier events also refuse TRUNCATE (issue 10 item 2), as the access log does:
emptying the history in one statement passed the row trigger of migration 0006.

A test database is emptied between tests by TRUNCATE; the test suite says so on each of its
connections (``SET motcua.allow_truncate = 'on'``, root conftest.py), and an administrator who
really means to empty a database can do the same, knowingly. SQLite has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION motcua_dossier_event_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('motcua.allow_truncate', true) IS NOT DISTINCT FROM 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'dossier events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER dossier_event_no_truncate
    BEFORE TRUNCATE ON dossiers_dossierevent
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_dossier_event_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS dossier_event_no_truncate ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS motcua_dossier_event_no_truncate();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0011_applicant_identifiers_ascii_digits")]

    operations = [migrations.RunPython(create, drop)]
