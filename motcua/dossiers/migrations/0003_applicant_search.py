"""The folded applicant name the officers' search compares (core.fields.FoldedField).

The column has a database default, so that app servers still running the previous release keep
inserting dossiers during a rolling upgrade; 0004 fills it for existing dossiers, 0005 indexes it.
A dossier an old server receives after 0004 ran gets its fold at its next transition (every
transition saves the row).
"""

from django.db import migrations

import motcua.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_search",
            field=motcua.core.fields.FoldedField(
                db_default="", default="", max_length=255, source="applicant_name"
            ),
        ),
    ]
