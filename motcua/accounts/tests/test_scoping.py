"""An officer sees their own unit's data only; administrators and inspectors see their subtree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.models import Membership, Role, User
from motcua.accounts.selectors import (
    memberships_visible_to,
    units_visible_to,
    user_has_role,
    users_administered_by,
    users_visible_to,
)
from motcua.accounts.services import (
    membership_end,
    membership_grant,
    membership_update,
    officer_create,
)
from motcua.calendars.models import CalendarDay
from motcua.core.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def test_an_officer_sees_only_their_unit(commune, other_commune, make_officer):
    reception = make_officer(commune, Role.RECEPTION)
    make_officer(other_commune, Role.RECEPTION)
    assert list(units_visible_to(user=reception, on=TODAY)) == [commune]
    visible_officers = {m.user.username for m in memberships_visible_to(user=reception)}
    assert visible_officers == {reception.username}
    assert set(users_visible_to(user=reception)) == {reception}


def test_a_province_administrator_sees_the_whole_province(
    province, commune, other_commune, make_officer
):
    admin = make_officer(province, Role.UNIT_ADMIN)
    assert set(units_visible_to(user=admin, on=TODAY)) == {province, commune, other_commune}
    assert admin.is_staff  # back-office access comes with the role
    assert user_has_role(user=admin, unit=commune, roles=frozenset({Role.UNIT_ADMIN}), on=TODAY)


def test_a_leader_of_the_province_does_not_reach_the_communes(province, commune, make_officer):
    leader = make_officer(province, Role.LEADER)
    assert list(units_visible_to(user=leader, on=TODAY)) == [province]
    assert not user_has_role(user=leader, unit=commune, roles=frozenset({Role.LEADER}), on=TODAY)


def test_an_ended_membership_gives_no_access(commune, make_officer):
    officer = make_officer(commune, Role.SPECIALIST)
    membership_end(actor=None, membership=officer.memberships.get(), last_day=dt.date(2026, 1, 31))
    assert not units_visible_to(user=officer, on=TODAY).exists()
    assert units_visible_to(user=officer, on=dt.date(2026, 1, 15)).exists()


def test_an_anonymous_or_inactive_user_sees_nothing(commune, make_officer):
    assert not units_visible_to(user=AnonymousUser(), on=TODAY).exists()  # type: ignore[arg-type]
    officer = make_officer(commune, Role.RECEPTION)
    officer.is_active = False
    officer.save()
    officer.refresh_from_db()
    assert not units_visible_to(user=officer, on=TODAY).exists()


def test_only_an_administrator_of_the_unit_grants_roles(
    province, commune, other_commune, make_officer
):
    commune_admin = make_officer(commune, Role.UNIT_ADMIN)
    newcomer = officer_create(
        actor=commune_admin,
        username="moi",
        full_name="Cán bộ mới",
        password="x",
        unit=commune,
        role=Role.RECEPTION,
        valid_from=TODAY,
    )
    membership_grant(
        actor=commune_admin, user=newcomer, unit=commune, role=Role.SPECIALIST, valid_from=TODAY
    )
    with pytest.raises(PermissionDenied):
        membership_grant(
            actor=commune_admin,
            user=newcomer,
            unit=other_commune,
            role=Role.RECEPTION,
            valid_from=TODAY,
        )
    reception = make_officer(commune, Role.RECEPTION, username="tiepnhan")
    with pytest.raises(PermissionDenied):
        membership_grant(
            actor=reception, user=newcomer, unit=commune, role=Role.LEADER, valid_from=TODAY
        )


def test_an_administrator_cannot_take_over_accounts_managed_elsewhere(
    superuser, province, commune, other_commune, make_officer
):
    commune_admin = make_officer(commune, Role.UNIT_ADMIN)
    elsewhere = make_officer(other_commune, Role.RECEPTION, username="o-noi-khac")
    for target in (superuser, elsewhere):
        with pytest.raises(PermissionDenied):
            membership_grant(
                actor=commune_admin,
                user=target,
                unit=commune,
                role=Role.RECEPTION,
                valid_from=TODAY,
            )
    province_admin = make_officer(province, Role.UNIT_ADMIN)
    assert set(users_administered_by(user=province_admin)) >= {elsewhere, commune_admin}
    assert superuser not in users_administered_by(user=province_admin)
    # Someone who also works outside the commune is managed from above.
    membership_grant(
        actor=province_admin, user=elsewhere, unit=commune, role=Role.SPECIALIST, valid_from=TODAY
    )
    assert elsewhere not in users_administered_by(user=commune_admin)


def test_a_role_for_oneself_comes_from_the_level_above(superuser, province, commune, make_officer):
    """A unit administrator who could give themself the leader's role could approve dossiers:
    a grant to oneself is made by an administrator of a unit above, or a superuser."""
    commune_admin = make_officer(commune, Role.UNIT_ADMIN)
    with pytest.raises(PermissionDenied, match="cấp trên"):
        membership_grant(
            actor=commune_admin,
            user=commune_admin,
            unit=commune,
            role=Role.LEADER,
            valid_from=TODAY,
        )
    assert not user_has_role(user=commune_admin, unit=commune, roles=frozenset({Role.LEADER}))
    # Nor by reopening a role of their own that has ended.
    leader = make_officer(commune, Role.LEADER, username="lanhdao")
    membership_grant(
        actor=None,
        user=commune_admin,
        unit=commune,
        role=Role.LEADER,
        valid_from=dt.date(2025, 7, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    own = commune_admin.memberships.get(role=Role.LEADER)
    with pytest.raises(PermissionDenied, match="cấp trên"):
        membership_update(actor=commune_admin, membership=own, title="", valid_to=None)
    own.refresh_from_db()
    assert own.valid_to == dt.date(2025, 12, 31)
    # Shortening it, or changing another officer's, stays theirs to do.
    membership_update(actor=commune_admin, membership=own, title="", valid_to=dt.date(2025, 12, 1))
    membership_update(
        actor=commune_admin,
        membership=leader.memberships.get(),
        title="Phó Chủ tịch",
        valid_to=None,
    )

    province_admin = make_officer(province, Role.UNIT_ADMIN, username="quantri.tinh")
    with pytest.raises(PermissionDenied, match="cấp trên"):
        membership_grant(
            actor=province_admin,
            user=province_admin,
            unit=province,
            role=Role.LEADER,
            valid_from=TODAY,
        )
    membership_grant(
        actor=province_admin, user=commune_admin, unit=commune, role=Role.LEADER, valid_from=TODAY
    )
    assert user_has_role(user=commune_admin, unit=commune, roles=frozenset({Role.LEADER}))
    membership_grant(
        actor=superuser, user=superuser, unit=province, role=Role.LEADER, valid_from=TODAY
    )


def test_a_membership_must_end_after_it_starts(commune):
    user = User.objects.create_user(username="a", password="x")
    with pytest.raises(InvalidInput):
        membership_grant(
            actor=None,
            user=user,
            unit=commune,
            role=Role.RECEPTION,
            valid_from=TODAY,
            valid_to=dt.date(2026, 1, 1),
        )
    assert not Membership.objects.filter(user=user).exists()


def test_usernames_are_unique(commune):
    officer_create(
        actor=None,
        username="cb1",
        full_name="Cán bộ 1",
        password="x",
        unit=commune,
        role=Role.RECEPTION,
        valid_from=TODAY,
    )
    with pytest.raises(InvalidInput, match="đã được dùng"):
        officer_create(
            actor=None,
            username="cb1",
            full_name="Khác",
            password="x",
            unit=commune,
            role=Role.RECEPTION,
            valid_from=TODAY,
        )


class TestBackOfficeScoping:
    """The same rules through the real interface, the Django admin."""

    def test_a_commune_admin_lists_only_their_officers(
        self, client, commune, other_commune, make_officer
    ):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        make_officer(commune, Role.RECEPTION, username="cua-minh")
        stranger = make_officer(other_commune, Role.RECEPTION, username="cua-nguoi-khac")
        client.force_login(admin)
        listing = client.get("/quan-tri/accounts/membership/")
        assert listing.status_code == 200
        assert "cua-minh" in listing.content.decode()
        assert "cua-nguoi-khac" not in listing.content.decode()
        other = stranger.memberships.get()
        response = client.get(f"/quan-tri/accounts/membership/{other.pk}/change/")
        assert response.status_code == 302  # Django's "does not exist" redirect, nothing shown
        users = client.get("/quan-tri/accounts/user/").content.decode()
        assert "cua-nguoi-khac" not in users

    def test_a_commune_admin_cannot_grant_roles_in_another_commune(
        self, client, commune, other_commune, make_officer
    ):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        newcomer = User.objects.create_user(username="moi", password="x")
        client.force_login(admin)
        response = client.post(
            "/quan-tri/accounts/membership/add/",
            {
                "user": newcomer.pk,
                "unit": other_commune.pk,
                "role": Role.RECEPTION,
                "valid_from": "2026-03-02",
            },
        )
        assert response.status_code == 200  # the form comes back with an error
        assert "unit" in response.context["adminform"].form.errors
        assert not Membership.objects.filter(user=newcomer).exists()

    def test_a_commune_admin_cannot_take_over_a_superuser(
        self, client, superuser, commune, make_officer
    ):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        client.force_login(admin)
        response = client.post(
            "/quan-tri/accounts/membership/add/",
            {
                "user": superuser.pk,
                "unit": commune.pk,
                "role": Role.RECEPTION,
                "valid_from": "2026-03-02",
            },
        )
        assert response.status_code == 200
        assert "user" in response.context["adminform"].form.errors
        assert not Membership.objects.filter(user=superuser).exists()
        password = client.post(
            f"/quan-tri/accounts/user/{superuser.pk}/password/",
            {
                "password1": "mat-khau-moi-123",
                "password2": "mat-khau-moi-123",
            },
        )
        assert password.status_code == 404  # the account is not theirs
        superuser.refresh_from_db()
        assert not superuser.check_password("mat-khau-moi-123")

    def test_a_commune_admin_cannot_grant_themself_a_role(self, client, commune, make_officer):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        client.force_login(admin)
        response = client.post(
            "/quan-tri/accounts/membership/add/",
            {
                "user": admin.pk,
                "unit": commune.pk,
                "role": Role.LEADER,
                "valid_from": "2026-03-02",
            },
            follow=True,
        )
        assert "cấp trên" in response.content.decode()
        assert not Membership.objects.filter(user=admin, role=Role.LEADER).exists()
        # Nor by reopening a role of their own that has ended.
        ended = membership_grant(
            actor=None,
            user=admin,
            unit=commune,
            role=Role.LEADER,
            valid_from=dt.date(2025, 7, 1),
            valid_to=dt.date(2025, 12, 31),
        )
        response = client.post(
            f"/quan-tri/accounts/membership/{ended.pk}/change/",
            {"title": "", "valid_to": ""},
            follow=True,
        )
        assert "cấp trên" in response.content.decode()
        ended.refresh_from_db()
        assert ended.valid_to == dt.date(2025, 12, 31)

    def test_a_commune_admin_creates_an_officer_with_a_role(
        self, client, commune, other_commune, make_officer
    ):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        client.force_login(admin)
        form = {
            "username": "canbo.moi",
            "full_name": "Cán bộ Mới",
            "password1": "Mk-thu-123456",
            "password2": "Mk-thu-123456",
            "role": Role.RECEPTION,
            "valid_from": "2026-03-02",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
        refused = client.post("/quan-tri/accounts/user/add/", {**form, "unit": other_commune.pk})
        assert refused.status_code == 200
        assert not User.objects.filter(username="canbo.moi").exists()
        created = client.post("/quan-tri/accounts/user/add/", {**form, "unit": commune.pk})
        assert created.status_code == 302
        officer = User.objects.get(username="canbo.moi")
        assert officer.check_password("Mk-thu-123456")
        assert list(officer.memberships.values_list("unit", "role")) == [(commune.pk, "reception")]

    def test_a_commune_admin_cannot_move_or_reorganise_their_unit(
        self, client, province, commune, other_commune, make_officer
    ):
        admin = make_officer(commune, Role.UNIT_ADMIN)
        client.force_login(admin)
        page = client.get(f"/quan-tri/units/unit/{commune.pk}/change/")
        assert "parent" not in page.context["adminform"].form.fields
        response = client.post(
            "/quan-tri/units/unit/",
            {
                "action": "reorganise",
                "_selected_action": [commune.pk],
                "confirm": "1",
                "kind": "merge",
                "effective_date": "2026-01-01",
                "legal_basis": "x",
                "successors": [other_commune.pk],
            },
        )
        assert response.status_code in (200, 302, 403)
        commune.refresh_from_db()
        assert commune.valid_to is None

    def test_province_days_are_managed_by_the_province(
        self, client, province, commune, make_officer
    ):
        admin = make_officer(province, Role.UNIT_ADMIN)
        client.force_login(admin)
        response = client.post(
            "/quan-tri/calendars/calendarday/add/",
            {
                "date": "2026-03-05",
                "province": province.pk,
                "kind": "day_off",
                "name": "Nghỉ do bão",
                "legal_basis": "QĐ 7/QĐ-UBND",
            },
        )
        assert response.status_code == 302
        assert CalendarDay.objects.filter(province=province, date=dt.date(2026, 3, 5)).exists()
        national = CalendarDay.objects.get(date=dt.date(2026, 2, 16), province__isnull=True)
        response = client.post(
            f"/quan-tri/calendars/calendarday/{national.pk}/change/",
            {
                "date": "2026-02-16",
                "kind": "holiday",
                "name": "đổi tên",
                "legal_basis": "x",
            },
        )
        assert response.status_code == 403
        national.refresh_from_db()
        assert national.name == "Tết Âm lịch"

    def test_a_commune_admin_cannot_see_another_provinces_local_days(
        self, client, province, commune, make_officer
    ):
        CalendarDay.objects.create(
            date=dt.date(2026, 3, 6),
            province=province,
            kind="day_off",
            name="Ngày nghỉ riêng của tỉnh",
            legal_basis="QĐ 8",
        )
        admin = make_officer(commune, Role.UNIT_ADMIN)
        client.force_login(admin)
        listing = client.get("/quan-tri/calendars/calendarday/?year=2026").content.decode()
        assert "Tết Âm lịch" in listing  # the national calendar, read-only
        assert "Ngày nghỉ riêng của tỉnh" not in listing
