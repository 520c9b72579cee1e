"""The work-list selectors of ``dossiers.selectors``: scoped to the officer, one query per list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role
from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Delivery, Dossier
from motcua.dossiers.selectors import (
    apologies_to_sign,
    applicant_identity_visible_to,
    dossier_search,
    dossiers_assigned_to,
    dossiers_awaiting_reception,
    dossiers_due_soon,
    dossiers_to_approve,
    dossiers_to_assign,
    dossiers_visible_to,
    group_by_urgency,
    next_working_day,
    unit_overview_counts,
)
from motcua.dossiers.services import (
    Applicant,
    dossier_assign,
    dossier_complete_step,
    dossier_propose_apology,
    dossier_submit,
)
from motcua.dossiers.tests.conftest import intake_for

pytestmark = pytest.mark.django_db


def assigned(desk, receive, when):
    dossier = receive("1.001612", when)
    return dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=2,
        assignee=desk.specialist,
        at=when + dt.timedelta(hours=1),
    )


def rows_and_queries(select):
    """Evaluate a list and touch what a row shows; the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        rows = list(select())
        for row in rows:
            _ = (row.procedure_version.name, row.receiving_unit.name, row.resolving_unit.name)
            _ = row.assignee.get_full_name() if row.assignee else ""
    return rows, len(queries)


@pytest.mark.parametrize(
    ("select", "role"),
    [
        (dossiers_assigned_to, "specialist"),
        (dossiers_to_assign, "leader"),
        (dossiers_awaiting_reception, "reception"),
        (apologies_to_sign, "leader"),
        (dossiers_to_approve, "leader"),
    ],
)
def test_a_list_costs_the_same_queries_for_one_row_or_many(desk, receive, select, role):
    user = getattr(desk, role)
    counts = []
    for batch in range(2):
        for _ in range(1 if batch == 0 else 4):
            if select is dossiers_awaiting_reception:
                dossier_submit(
                    intake=intake_for(desk, "1.001193", channel="online", delivery="electronic"),
                    actor=None,
                    at=at(2026, 3, 2, 9),
                )
            elif select is dossiers_to_assign:
                receive("1.001612", at(2026, 3, 2, 9))
            else:
                dossier = assigned(desk, receive, at(2026, 3, 2, 9))
                if select is apologies_to_sign:
                    dossier_propose_apology(
                        dossier=dossier,
                        actor=desk.specialist,
                        expected_version=dossier.version,
                        reason="Chờ xác minh",
                        extra_working_days=2,
                        at=at(2026, 3, 3, 9),
                    )
                elif select is dossiers_to_approve:
                    dossier_complete_step(
                        dossier=dossier,
                        actor=desk.specialist,
                        expected_version=dossier.version,
                        at=at(2026, 3, 3, 9),
                    )
        rows, queries = rows_and_queries(lambda: select(user=user))
        counts.append((len(rows), queries))
    (one, first), (five, second) = counts
    assert (one, five) == (1, 5)
    assert first == second <= 3


def test_lists_are_scoped_to_the_units_of_the_role(
    desk, receive, make_officer, other_commune, superuser
):
    dossier = receive("1.001612", at(2026, 3, 2, 9))
    stranger = make_officer(other_commune, Role.LEADER, "lanhdao.hai")
    assert list(dossiers_to_assign(user=desk.leader)) == [dossier]
    assert list(dossiers_to_assign(user=stranger)) == []
    assert list(dossiers_to_assign(user=desk.specialist)) == []  # not a leader
    assert list(dossiers_to_assign(user=superuser)) == [dossier]
    assert list(dossier_search(user=stranger, query=dossier.code)) == []


def test_proposals_carry_their_reason(desk, receive):
    dossier = assigned(desk, receive, at(2026, 3, 2, 9))
    dossier_propose_apology(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        reason="Chờ xác minh",
        extra_working_days=2,
        at=at(2026, 3, 3, 9),
    )
    (row,) = apologies_to_sign(user=desk.leader)
    assert row.proposal_reason == "Chờ xác minh"  # type: ignore[attr-defined]
    assert row.proposal_data["extra_working_days"] == 2  # type: ignore[attr-defined]


def test_early_warning_uses_the_next_working_day(desk, receive):
    friday = dt.date(2026, 3, 6)
    assert next_working_day(on=friday, unit=desk.unit) == dt.date(2026, 3, 9)
    due_friday = receive("1.001612", at(2026, 3, 3, 9))  # 3 working days: Fri 06/03
    due_monday = receive("1.001612", at(2026, 3, 4, 9))  # Mon 09/03
    due_tuesday = receive("1.001612", at(2026, 3, 5, 9))  # Tue 10/03
    assert [d.due_date for d in (due_friday, due_monday, due_tuesday)] == [
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 10),
    ]
    warned = set(dossiers_due_soon(user=desk.leader, on=friday, unit=desk.unit))
    assert warned == {due_friday, due_monday}
    counts = unit_overview_counts(user=desk.leader, on=friday, unit=desk.unit)
    assert (counts.open, counts.overdue, counts.due_soon) == (3, 0, 2)
    counts = unit_overview_counts(user=desk.leader, on=dt.date(2026, 3, 10))
    assert (counts.overdue, counts.due_soon) == (2, 1)
    assert {s: n for s, _, n in counts.by_status}["received"] == 3


def test_urgency_groups(desk, receive):
    overdue = assigned(desk, receive, at(2026, 3, 2, 9))
    today = assigned(desk, receive, at(2026, 3, 4, 9))
    groups = group_by_urgency(
        dossiers=dossiers_assigned_to(user=desk.specialist), on=dt.date(2026, 3, 9)
    )
    assert (groups.overdue, groups.due_today, groups.total) == ([overdue], [today], 2)


def test_name_search_ignores_diacritics_and_case(desk, receive):
    names = ["Đặng Thị Hương", "Dang Van Huong", "Nguyễn Văn Ánh"]
    for name in names:
        receive("1.001612", at(2026, 3, 2, 9), applicant=Applicant(name=name))

    def found(query):
        return sorted(d.applicant_name for d in dossier_search(user=desk.leader, query=query))

    assert found("dang huong") == ["Dang Van Huong", "Đặng Thị Hương"]
    assert found("ĐẶNG THỊ") == ["Đặng Thị Hương"]
    assert found("anh") == ["Nguyễn Văn Ánh"]
    assert found("huong.") == []  # punctuation is matched literally, never as a pattern
    assert found("h_ong") == found("%") == []  # so are LIKE's wildcards
    assert Dossier.objects.get(applicant_name="Đặng Thị Hương").applicant_search == "dang thi huong"


def test_the_name_search_has_its_index_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a trigram index exists only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_applicant_search_trgm'"
        )
        [(definition,)] = cursor.fetchall()
    assert "gin_trgm_ops" in definition


def test_postal_staff_see_only_what_goes_by_post(desk, receive):
    at_counter = receive("1.001612", at(2026, 3, 2, 9))
    by_post = receive("1.001612", at(2026, 3, 2, 10), delivery=Delivery.POST)
    assert set(dossiers_visible_to(user=desk.postal)) == {by_post}
    assert set(dossiers_visible_to(user=desk.reception)) == {at_counter, by_post}
    assert not applicant_identity_visible_to(user=desk.postal, dossier=by_post)
    assert applicant_identity_visible_to(user=desk.reception, dossier=by_post)


def test_an_inspector_of_the_province_sees_the_communes_below(
    desk, receive, make_officer, province, other_commune
):
    dossier = receive("1.001612", at(2026, 3, 2, 9))
    inspector = make_officer(province, Role.INSPECTOR, "thanhtra")
    neighbour = make_officer(other_commune, Role.INSPECTOR, "thanhtra.hai")
    assert list(dossiers_visible_to(user=inspector)) == [dossier]
    assert list(dossiers_visible_to(user=neighbour)) == []


def test_a_number_is_looked_for_among_codes_and_a_name_among_names(desk, receive):
    named = receive("1.001612", at(2026, 3, 2, 9), applicant=Applicant(name="Công ty 2603"))
    other = receive(
        "1.001612",
        at(2026, 3, 2, 10),
        applicant=Applicant(name="Lê Văn Tám", id_number="001099012345"),
    )

    def found(query):
        return {d.pk for d in dossier_search(user=desk.leader, query=query)}

    assert found(named.code) == {named.pk}
    assert found("001099012345") == {other.pk}
    assert found("2603") == {named.pk, other.pk}  # both codes, of 02/03/2026, hold 260302
    assert found("công ty 2603") == {named.pk}
    assert found("tam") == {other.pk}
