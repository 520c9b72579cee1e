"""The folded applicant name the officers' search compares, filled for existing dossiers, with a
trigram index on PostgreSQL so that a search by a part of a name does not read every row."""

from django.db import migrations, transaction

import motcua.core.fields
from motcua.core.text import fold

INDEX = "dossier_applicant_search_trgm"


def fill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    for dossier in Dossier.objects.only("pk", "applicant_name").iterator(chunk_size=2000):
        dossier.applicant_search = fold(dossier.applicant_name)[:255]
        batch.append(dossier)
        if len(batch) == 2000:
            Dossier.objects.bulk_update(batch, ["applicant_search"])
            batch = []
    Dossier.objects.bulk_update(batch, ["applicant_search"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the search reads the rows; fine at a laptop's scale
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON dossiers_dossier "
                "USING gin (applicant_search gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - the search works without it, only slower
        print(
            f"\n  Không tạo được chỉ mục {INDEX} ({exc}). Tìm theo tên người nộp vẫn chạy nhưng "
            "đọc mọi hồ sơ. Quản trị cơ sở dữ liệu cần chạy: CREATE EXTENSION pg_trgm; "
            f"CREATE INDEX {INDEX} ON dossiers_dossier USING gin (applicant_search gin_trgm_ops);"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_search",
            field=motcua.core.fields.FoldedField(
                default="", max_length=255, source="applicant_name"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
