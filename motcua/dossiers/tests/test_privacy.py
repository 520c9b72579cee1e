"""Issue 10 item 6: personal data at rest (owner-only files) and in caches (no-store)."""

from __future__ import annotations

import stat
from types import SimpleNamespace

import pytest

from motcua.apiclients.services import api_token_create
from motcua.core.privacy import close_sqlite_file, private_directory
from motcua.notifications.sms import FileSmsBackend


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_is_its_owners_alone(tmp_path):
    opened = tmp_path / "var"
    opened.mkdir(mode=0o755)
    opened.chmod(0o755)
    assert mode(private_directory(opened)) == 0o700  # an existing open directory is closed
    assert mode(private_directory(tmp_path / "new" / "outbox")) == 0o700


def test_the_sqlite_file_is_its_owners_alone(tmp_path):
    database = tmp_path / "motcua.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    sqlite = SimpleNamespace(vendor="sqlite", settings_dict={"NAME": str(database)})
    close_sqlite_file(sender=None, connection=sqlite)
    assert mode(database) == 0o600
    other = SimpleNamespace(vendor="postgresql", settings_dict={"NAME": str(database)})
    database.chmod(0o644)
    close_sqlite_file(sender=None, connection=other)
    assert mode(database) == 0o644


def test_the_sms_outbox_is_its_owners_alone(tmp_path):
    FileSmsBackend(tmp_path / "sms").send(to="0912345678", text="Ho so", reference="r1")
    assert mode(tmp_path / "sms") == 0o700


@pytest.mark.django_db
def test_officers_answers_are_not_stored_by_caches(client, desk):
    public = client.get("/thu-tuc/")
    assert "no-store" not in public.get("Cache-Control", "")
    client.force_login(desk.reception)
    page = client.get("/can-bo/")
    assert page.status_code == 200
    assert {"private", "no-store"} <= set(page["Cache-Control"].replace(" ", "").split(","))
    _, secret = api_token_create(scope="act", user=desk.reception, name="Ứng dụng thử")
    client.logout()
    client.cookies.clear()
    answer = client.get("/api/dossiers/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.django_db
def test_a_masked_number_cannot_be_confirmed_by_searching_it(desk, receive):
    """Issue 10 item 4: the postal clerk sees ********2345 for a dossier going by post; searching
    the whole number finds nothing for them, as for someone who never saw it."""
    from motcua.calendars.tests.calendar_data import at
    from motcua.dossiers.selectors import dossier_search

    dossier = receive("1.004222", at(2026, 3, 2, 9), delivery="post")
    assert list(dossier_search(user=desk.reception, query="001099012345")) == [dossier]
    assert list(dossier_search(user=desk.postal, query=dossier.code)) == [dossier]  # may see it
    assert list(dossier_search(user=desk.postal, query="001099012345")) == []
