"""Whether a dossier waiting for the applicant has its clock stopped (decisions 11 and 13): a
late supplement request or a payment wait the procedure does not stop leaves the clock running,
so the dossier can fall overdue while it waits and the officers' lists must say so. Dossiers
waiting now take the value from the request that opened their wait, as the fold does."""

from django.db import migrations, models

from motcua.dossiers.projection import wait_stops_clock

WAITING = ("supplement", "payment")
REQUESTS = ("supplement_requested", "payment_requested")


def fill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    paused = []
    for pk in Dossier.objects.filter(status__in=WAITING).values_list("pk", flat=True).iterator():
        request = (
            DossierEvent.objects.filter(dossier_id=pk, type__in=REQUESTS)
            .order_by("-seq")
            .values("type", "data")
            .first()
        )
        if request and wait_stops_clock(request["type"], request["data"]):
            paused.append(pk)
    for start in range(0, len(paused), 5000):
        Dossier.objects.filter(pk__in=paused[start : start + 5000]).update(clock_paused=True)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_leaner_indexes")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="clock_paused",
            field=models.BooleanField(default=False, verbose_name="thời hạn đang tạm dừng"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
