"""Token scopes (issue 10 item 3): tokens issued before could act, and keep that scope; a new
token is read-only unless its issuer chooses otherwise."""

from django.db import migrations, models

SCOPES = [
    ("read", "Chỉ đọc"),
    ("act", "Đọc và thao tác hồ sơ (tiếp nhận, chuyển bước, trả kết quả…)"),
]


class Migration(migrations.Migration):
    dependencies = [("apiclients", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=SCOPES,
                default="act",
                max_length=8,
                verbose_name="phạm vi",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=SCOPES,
                default="read",
                max_length=8,
                verbose_name="phạm vi",
            ),
        ),
    ]
