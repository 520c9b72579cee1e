"""On PostgreSQL, a trigram index on the folded applicant name, so that a search by a part of a
name does not read every dossier. Built CONCURRENTLY (a non-atomic migration): counters keep
writing while it builds."""

from django.db import DatabaseError, migrations

INDEX = "dossier_applicant_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the search reads the rows; fine at a laptop's scale
    try:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dossiers_dossier "
            "USING gin (applicant_search gin_trgm_ops)"
        )
    except DatabaseError as exc:
        # A failed concurrent build leaves an invalid index behind: remove it.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        print(
            f"\n  Không tạo được chỉ mục {INDEX} ({exc}). Tìm theo tên người nộp vẫn chạy nhưng "
            "đọc mọi hồ sơ. Quản trị cơ sở dữ liệu cần chạy: CREATE EXTENSION pg_trgm; "
            f"CREATE INDEX CONCURRENTLY {INDEX} ON dossiers_dossier "
            "USING gin (applicant_search gin_trgm_ops);"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0004_fill_applicant_search"),
    ]

    operations = [migrations.RunPython(create, drop)]
