"""The commune desk of the dossier tests (officers of every role, the handbook's procedures),
signed-in test clients for its officers, and a clock the tests can set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.core import clock
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import desk, intake_for, procedures, receive

__all__ = ["desk", "intake_for", "procedures", "receive"]


@pytest.fixture
def client_for(db):
    """client_for(user) -> a test client signed in as that officer."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def frozen(monkeypatch):
    """frozen(moment): the project clock (``motcua.core.clock.now``) reads ``moment``."""

    def freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return freeze


def act(client: Client, dossier: Dossier, slug: str, version: int | None = None, **fields):
    """POST one action of the dossier page, as its form sends it."""
    data = {f"{slug}-version": dossier.version if version is None else version}
    for name, value in fields.items():
        data[f"{slug}-{name}"] = value
    ref = dossier.code or str(dossier.pk)
    return client.post(f"/can-bo/ho-so/{ref}/{slug}/", data)
