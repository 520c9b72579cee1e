"""Who saw what (issue 10 item 4), the log itself: append-only (model and PostgreSQL trigger),
one INSERT for many dossiers, and what counts as an ID number."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.audit.models import Access, AccessRecord
from motcua.audit.services import (
    access_record,
    accessor_for_command,
    identifier_shaped,
)
from motcua.calendars.tests.calendar_data import at

pytestmark = pytest.mark.django_db

NUMBER = "001099012345"  # the applicant's ID number in the desk's intakes


def only_record() -> AccessRecord:
    records = list(AccessRecord.objects.all())
    assert len(records) == 1, records
    return records[0]


# ---------------------------------------------------------------------------------------------
# The log itself
# ---------------------------------------------------------------------------------------------


def test_the_log_refuses_updates_and_deletes(desk, receive):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    access_record(by=accessor_for_command("test"), action=Access.OPENED, dossiers=[dossier])
    record = only_record()
    record.what = "changed"
    for attempt in (
        record.save,
        record.delete,
        AccessRecord.objects.all().delete,
        lambda: AccessRecord.objects.update(what="x"),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert only_record().what == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_delete_and_truncate(desk, receive):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    access_record(by=accessor_for_command("test"), action=Access.OPENED, dossiers=[dossier])
    statements = (
        "UPDATE audit_accessrecord SET what = 'x'",
        "DELETE FROM audit_accessrecord",
        # The test suite allows TRUNCATE on its connections (conftest.py): not here.
        "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL motcua.allow_truncate = 'off'; "
        "TRUNCATE audit_accessrecord",
    )
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AccessRecord.objects.count() == 1


def test_many_dossiers_are_one_insert(desk, receive, django_assert_max_num_queries):
    dossiers = [receive("1.004222", at(2026, 3, 2, 9, minute)) for minute in range(5)]
    with django_assert_max_num_queries(1):
        written = access_record(
            by=accessor_for_command("test"), action=Access.PRINTED, dossiers=dossiers
        )
    assert written == 5
    assert AccessRecord.objects.filter(action=Access.PRINTED).count() == 5


def test_what_looks_like_an_id_number_or_a_tax_code():
    for text in (NUMBER, "001 099 012 345", "0101234567", "0101234567-001", "123456789"):
        assert identifier_shaped(text), text
    for text in ("", "nguyen van an", "260302", "000.12.34.H99-260302-0001", "12345678"):
        assert not identifier_shaped(text), text
