"""On PostgreSQL, the database itself refuses to update or delete an issued notice or a register
number, as it does for dossier events (dossiers migration 0006): the application has no such path
(the models refuse), and a mistaken script fails loudly instead of rewriting what was issued.
SQLite has no such guard."""

from django.db import migrations

TABLES = ("documents_issuednotice", "documents_registerentry")
FUNCTION = """
CREATE FUNCTION motcua_documents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused on row %)', TG_TABLE_NAME, TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION motcua_documents_append_only();",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS motcua_documents_append_only();", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_notices_and_register"),
    ]

    operations = [migrations.RunPython(create, drop)]
