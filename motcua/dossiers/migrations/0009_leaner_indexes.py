"""Indexes that cost more than they serve (issue 7, recomputing a province's due dates).

- The due date is no longer indexed, and the dossier table keeps a fifth of each page free
  (fillfactor 80, PostgreSQL): moving a due date then touches no indexed column and is a heap-only
  update, where it used to add an entry to each of the table's twelve indexes. Lists by due date
  are scoped to units and found by the (unit, status) indexes; status alone keeps an index.
- The dossier code is unique by a constraint, without the LIKE index that unique=True adds on
  PostgreSQL (searches by code use ILIKE '%…%', which no B-tree serves).
- Events index their actor and unit only where set: the events the system records (a calendar
  recomputation writes one per open dossier) have neither.

Pages already full keep no free space until the table is rewritten (VACUUM FULL, or pg_repack
without a lock): a province upgrading with many open dossiers may do it in a quiet hour.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def leave_room_on_each_page(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE dossiers_dossier SET (fillfactor = 80)")


def keep_pages_full(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE dossiers_dossier RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_remove_announcement_text"),
        ("dossiers", "0008_due_moved_index"),
        ("units", "0004_saturday_reception"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(leave_room_on_each_page, keep_pages_full),
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossiers_do_status_5c0eeb_idx",
        ),
        migrations.AlterField(
            model_name="dossier",
            name="code",
            field=models.CharField(
                blank=True,
                max_length=40,
                null=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9A-Z]{2,3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9]{2}-\\d{6}-\\d{4,7}$",
                        "Mã hồ sơ phải có dạng 000.00.06.H56-231027-0361.",
                    )
                ],
                verbose_name="mã hồ sơ",
            ),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hạn trả theo quy định"),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="ngày hẹn trả"),
        ),
        migrations.AlterField(
            model_name="dossierevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="dossierevent",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="units.unit",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["status"], name="dossier_status"),
        ),
        migrations.AddIndex(
            model_name="dossierevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="dossier_event_actor",
            ),
        ),
        migrations.AddIndex(
            model_name="dossierevent",
            index=models.Index(
                condition=models.Q(("unit__isnull", False)),
                fields=["unit"],
                name="dossier_event_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.UniqueConstraint(fields=("code",), name="dossier_code_unique"),
        ),
    ]
