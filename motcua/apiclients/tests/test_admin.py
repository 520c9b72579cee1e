"""API tokens in the back office: issued with the secret shown once, revoked, never deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.accounts.services import unit_admin_group
from motcua.apiclients.models import ApiToken
from motcua.apiclients.services import api_token_create, api_token_use
from motcua.core import clock

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:apiclients_apitoken_changelist"


@pytest.fixture
def officers(commune, other_commune, make_officer):
    class Officers:
        mine = make_officer(commune, Role.SPECIALIST, "chuyenvien")
        foreign = make_officer(other_commune, Role.SPECIALIST, "chuyenvien2")
        admin = make_officer(commune, Role.UNIT_ADMIN, "quantri")

    # Until the unit administrators' group lists the token permissions (accounts.services).
    unit_admin_group().permissions.add(
        *Permission.objects.filter(content_type__app_label="apiclients")
    )
    return Officers


def secret_from(response) -> str:
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    shown = [text for text in texts if "chỉ hiển thị một lần" in text]
    assert len(shown) == 1, texts
    return shown[0].rsplit(" ", 1)[-1]


def test_a_superuser_issues_a_token_and_sees_the_secret_once(client, superuser, officers):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:apiclients_apitoken_add"),
        {
            "user": officers.mine.pk,
            "name": "Cổng dịch vụ công tỉnh",
            "scope": "act",
            "expires_at_0": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    secret = secret_from(response)
    token = ApiToken.objects.get()
    assert token.user == officers.mine
    assert token.created_by == superuser
    assert secret.startswith(f"mc_{token.prefix}_")
    assert api_token_use(raw=secret, at=clock.now(), writes=False).pk == token.pk
    # Never again: the change page shows the prefix, not the secret.
    page = client.get(reverse("admin:apiclients_apitoken_change", args=[token.pk]))
    assert token.prefix in page.content.decode()
    assert secret not in page.content.decode()
    assert token.secret_hash not in page.content.decode()


def test_a_unit_admin_manages_only_their_officers_tokens(client, officers):
    mine, _ = api_token_create(scope="act", user=officers.mine, name="Ứng dụng xã Một")
    foreign, _ = api_token_create(scope="act", user=officers.foreign, name="Ứng dụng xã Hai")
    client.force_login(officers.admin)

    listing = client.get(reverse(CHANGELIST))
    assert list(listing.context["cl"].result_list) == [mine]
    assert (
        client.get(reverse("admin:apiclients_apitoken_change", args=[foreign.pk])).status_code
        == 302
    )
    add = client.get(reverse("admin:apiclients_apitoken_add"))
    choices = list(add.context["adminform"].form.fields["user"].queryset)
    assert officers.mine in choices
    assert officers.foreign not in choices

    refused = client.post(
        reverse("admin:apiclients_apitoken_add"),
        {"user": officers.foreign.pk, "name": "x", "scope": "read"},
    )
    assert refused.status_code == 200  # the form shows the error
    assert ApiToken.objects.count() == 2

    client.post(
        reverse("admin:apiclients_apitoken_add"),
        {"user": officers.mine.pk, "name": "Thêm", "scope": "read"},
    )
    assert ApiToken.objects.filter(user=officers.mine, created_by=officers.admin).count() == 1


def test_revoking_from_the_list(client, officers):
    mine, secret = api_token_create(scope="act", user=officers.mine, name="Ứng dụng xã Một")
    foreign, _ = api_token_create(scope="act", user=officers.foreign, name="Ứng dụng xã Hai")
    client.force_login(officers.admin)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "revoke_tokens", "_selected_action": [mine.pk, foreign.pk]},
        follow=True,
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert mine.revoked_at is not None
    assert mine.revoked_by == officers.admin
    assert foreign.revoked_at is None  # out of the administrator's reach
    assert (
        client.get("/api/dossiers/", headers={"Authorization": f"Bearer {secret}"}).json()["code"]
        == "unauthorized"
    )


def test_tokens_are_never_deleted_nor_edited(client, superuser, officers):
    token, _ = api_token_create(scope="act", user=officers.mine, name="x")
    client.force_login(superuser)
    assert (
        client.get(reverse("admin:apiclients_apitoken_delete", args=[token.pk])).status_code == 403
    )
    client.post(
        reverse("admin:apiclients_apitoken_change", args=[token.pk]),
        {"user": officers.foreign.pk, "name": "đổi tên"},
    )
    token.refresh_from_db()
    assert (token.user, token.name) == (officers.mine, "x")
