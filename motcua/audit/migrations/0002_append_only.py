"""On PostgreSQL, the database itself refuses to update, delete or truncate the access log, as
it refuses to rewrite dossier events (dossiers migration 0006), TRUNCATE included: a log of who
saw what is worth little if a console session can empty it.

A test database is emptied between tests by TRUNCATE; the test suite says so explicitly on each
of its connections (``SET motcua.allow_truncate = 'on'``, root conftest.py), and an administrator
who really means to empty the log can do the same, knowingly. Whoever owns the table can also
disable the trigger; running the application as a role that does not own it (issue 10 item 2)
closes that. SQLite has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION motcua_access_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('motcua.allow_truncate', true) IS NOT DISTINCT FROM 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the access log is append-only (TRUNCATE refused)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused on row %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_accessrecord_append_only
    BEFORE UPDATE OR DELETE ON audit_accessrecord
    FOR EACH ROW EXECUTE FUNCTION motcua_access_append_only();
CREATE TRIGGER audit_accessrecord_no_truncate
    BEFORE TRUNCATE ON audit_accessrecord
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_access_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_accessrecord_no_truncate ON audit_accessrecord;
DROP TRIGGER IF EXISTS audit_accessrecord_append_only ON audit_accessrecord;
DROP FUNCTION IF EXISTS motcua_access_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_access_log"),
    ]

    operations = [migrations.RunPython(create, drop)]
