"""Fill the folded applicant name of existing dossiers, 2,000 at a time, each batch committed on
its own (a non-atomic migration): counters keep receiving while millions of rows are filled."""

from django.db import migrations

from motcua.core.text import fold

BATCH = 2000


def fill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    last = 0
    while True:
        batch = list(
            Dossier.objects.filter(pk__gt=last).only("pk", "applicant_name").order_by("pk")[:BATCH]
        )
        if not batch:
            return
        for dossier in batch:
            dossier.applicant_search = fold(dossier.applicant_name)[:255]
        Dossier.objects.bulk_update(batch, ["applicant_search"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0003_applicant_search"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
