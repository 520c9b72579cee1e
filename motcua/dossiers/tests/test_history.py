"""The event log is the truth: verify-history finds a row altered directly in the database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify-history", *args, stdout=out)
    return out.getvalue()


def test_an_intact_history_verifies(desk, receive):
    receive("1.004222", at(2026, 3, 2, 9))
    receive("1.000894", at(2026, 3, 2, 10))
    assert verify().strip() == "Đã kiểm tra 2 hồ sơ, 2 sự kiện: toàn vẹn."


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "UPDATE dossiers_dossierevent SET reason = 'sửa lén' WHERE seq = 1",
            "sự kiện 1: nội dung sự kiện received đã bị sửa",
        ),
        (
            "UPDATE dossiers_dossierevent SET at = at + interval '1 day' WHERE seq = 1"
            if connection.vendor == "postgresql"
            else "UPDATE dossiers_dossierevent SET at = datetime(at, '+1 day') WHERE seq = 1",
            "sự kiện 1: nội dung sự kiện received đã bị sửa",
        ),
        ("DELETE FROM dossiers_dossierevent WHERE seq = 1", "sự kiện cuối không khớp với hồ sơ"),
        (
            "UPDATE dossiers_dossier SET status = 'returned'",
            "trường status là 'returned', lịch sử cho 'received'",
        ),
    ],
)
def test_a_row_altered_in_the_database_is_named(desk, receive, sql, message):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    receive("1.000894", at(2026, 3, 2, 10))
    target = Dossier.objects.get(pk=dossier.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            sql
            + (f" AND dossier_id = {target.pk}" if "WHERE" in sql else f" WHERE id = {target.pk}")
        )
    with pytest.raises(CommandError, match="1/2 hồ sơ có lịch sử bị thay đổi"):
        verify()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify-history", stdout=out)
    assert f"{target.code} (#{target.pk}): LỊCH SỬ BỊ THAY ĐỔI" in out.getvalue()
    assert message in out.getvalue()
