"""The event log is the truth: verify-history finds a row altered directly in the database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_transfer
from motcua.dossiers.tests.fixtures import disable_event_guard

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
        # The columns set at creation are checked against the first event's header.
        (
            "UPDATE dossiers_dossier SET applicant_id_number = '001099054321'",
            "thông tin người nộp, trích yếu, giấy tờ hoặc phí đã bị sửa",
        ),
        (
            "UPDATE dossiers_dossier SET summary = 'Đăng ký khác'",
            "thông tin người nộp, trích yếu, giấy tờ hoặc phí đã bị sửa",
        ),
        ("UPDATE dossiers_dossier SET channel = 'online'", "trường channel là 'online'"),
        ("UPDATE dossiers_dossier SET code = code || '9'", "trường code là '000.12.34.H99-"),
        (
            "UPDATE dossiers_dossier SET resolving_unit_id = "
            "(SELECT id FROM units_unit WHERE identifier = '000.00.00.H99')",
            "trường resolving_unit là",
        ),
    ],
)
def test_a_row_altered_in_the_database_is_named(desk, receive, sql, message):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    receive("1.000894", at(2026, 3, 2, 10))
    target = Dossier.objects.get(pk=dossier.pk)
    with connection.cursor() as cursor:
        if "dossierevent" in sql:
            disable_event_guard(cursor)  # the trigger refuses it until its owner disables it
        cursor.execute(
            sql
            + (
                f" WHERE id = {target.pk}"
                if sql.startswith("UPDATE dossiers_dossier ")
                else f" AND dossier_id = {target.pk}"
            )
        )
    target.refresh_from_db()
    with pytest.raises(CommandError, match="1/2 hồ sơ có lịch sử bị thay đổi"):
        verify()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify-history", stdout=out)
    assert f"{target.code} (#{target.pk}): LỊCH SỬ BỊ THAY ĐỔI" in out.getvalue()
    assert message in out.getvalue()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE dossiers_dossierevent SET reason = 'sửa lén'",
        "DELETE FROM dossiers_dossierevent",
        # The test suite allows TRUNCATE on its connections (conftest.py): not here.
        "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL motcua.allow_truncate = 'off'; "
        "TRUNCATE dossiers_dossierevent CASCADE; --",
    ],
)
def test_postgresql_itself_refuses_to_rewrite_an_event(desk, receive, sql):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists only on PostgreSQL")
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql + f" WHERE dossier_id = {dossier.pk}")
    assert verify().strip() == "Đã kiểm tra 1 hồ sơ, 1 sự kiện: toàn vẹn."


def test_a_transfer_changes_the_resolving_unit_lawfully(desk, receive, province, make_officer):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    dossier_transfer(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        to_unit=province,
        reason="Thuộc thẩm quyền cấp tỉnh",
        at=at(2026, 3, 2, 10),
    )
    assert verify().strip() == "Đã kiểm tra 1 hồ sơ, 2 sự kiện: toàn vẹn."


def test_seals_made_under_a_retired_key_verify_while_it_is_kept(desk, receive, settings):
    receive("1.004222", at(2026, 3, 2, 9))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    with pytest.raises(CommandError):
        verify()
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert verify().strip() == "Đã kiểm tra 1 hồ sơ, 1 sự kiện: toàn vẹn."
