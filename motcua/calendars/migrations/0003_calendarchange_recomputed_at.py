"""Record when the open dossiers a calendar change may move were recomputed.

Changes recorded before this migration were recomputed by the signal that followed them: they are
marked done with their own time, so that nothing is recomputed twice.
"""

from django.db import migrations, models
from django.db.models import F


def mark_past_changes_done(apps, schema_editor):
    apps.get_model("calendars", "CalendarChange").objects.update(recomputed_at=F("at"))


class Migration(migrations.Migration):
    dependencies = [("calendars", "0002_load_official_calendar")]

    operations = [
        migrations.AddField(
            model_name="calendarchange",
            name="recomputed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="đã tính lại hạn hồ sơ lúc"
            ),
        ),
        migrations.RunPython(mark_past_changes_done, migrations.RunPython.noop),
    ]
