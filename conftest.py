"""Fixtures shared by every test module."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.backends.signals import connection_created

from motcua.accounts.models import Role, User
from motcua.accounts.services import membership_grant
from motcua.units.models import Unit
from motcua.units.services import unit_create

# A commune one-stop desk with officers and the handbook's procedures (`desk`, `receive`, …).
pytest_plugins = ["motcua.dossiers.tests.fixtures"]


def _allow_truncate(sender, connection, **kwargs) -> None:
    """Test databases are emptied by TRUNCATE between transactional tests; the access log's
    trigger refuses that unless the session says it means it (audit migration 0002)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET motcua.allow_truncate = 'on'")


connection_created.connect(_allow_truncate)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    """Tests sign officers in with force_login or the password alone (as the demo does, see
    scripts/demo); the tests of the second factor (accounts/tests/test_signin.py) turn it on."""
    settings.MOTCUA_REQUIRE_2FA_ROLES = []


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    """Outbox files and uploads of a test go to its own directory, never to var/."""
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts with no cached calendar, schedule, unit chain or procedure version (ids
    are reused after a test's rollback, and a version row rolled back reads as none again)."""
    from motcua.calendars import selectors
    from motcua.catalog import selectors as catalog_selectors
    from motcua.units import selectors as unit_selectors

    selectors._cache.clear()
    selectors._schedules.clear()
    catalog_selectors._versions.clear()
    unit_selectors._ancestors.clear()


@pytest.fixture
def province(db) -> Unit:
    return unit_create(
        name="Ủy ban nhân dân tỉnh Thử Nghiệm",
        level=Unit.Level.PROVINCE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        area_code="99",
        identifier="000.00.00.H99",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def commune(province) -> Unit:
    return unit_create(
        name="Ủy ban nhân dân xã Một",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        parent=province,
        area_code="99001",
        identifier="000.12.34.H99",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def other_commune(province) -> Unit:
    return unit_create(
        name="Ủy ban nhân dân xã Hai",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        parent=province,
        area_code="99002",
        identifier="000.12.35.H99",
        valid_from=dt.date(2025, 7, 1),
    )


@pytest.fixture
def make_officer(db):
    """make_officer(unit, role, username=...) -> User with an active membership."""

    def make(unit: Unit, role: Role, username: str | None = None) -> User:
        user = User.objects.create_user(
            username=username or f"{role.value}-{unit.pk}",
            password="mat-khau-thu-nghiem",  # noqa: S106
            full_name=f"Cán bộ {role.label}",
        )
        membership_grant(
            actor=None, user=user, unit=unit, role=role, valid_from=dt.date(2025, 7, 1)
        )
        return user

    return make


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(
        username="root",
        password="mat-khau-thu-nghiem",  # noqa: S106
        email="root@example.invalid",
    )
