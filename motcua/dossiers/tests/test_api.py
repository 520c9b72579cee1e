"""The dossier JSON API: the browser flows of issue 3 through tokens, its errors, its contract.

"Now" is fixed by patching ``motcua.core.clock.now``: the API passes it to the services as ``at``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest

from motcua.accounts.models import Role, User
from motcua.apiclients.services import api_token_create
from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.tests.conftest import full_papers

pytestmark = pytest.mark.django_db

URL = "/api/dossiers/"


@contextmanager
def now(moment: dt.datetime) -> Iterator[None]:
    with patch("motcua.core.clock.now", return_value=moment):
        yield


class Client:
    """The test client, speaking JSON with one officer's token."""

    def __init__(self, client: Any, user: User) -> None:
        self.client = client
        _, secret = api_token_create(scope="act", user=user, name=f"Ứng dụng thử ({user.username})")
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(URL + path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any = None, *, when: dt.datetime | None = None) -> Any:
        def send() -> Any:
            return self.client.post(
                URL + path, body or {}, content_type="application/json", headers=self.headers
            )

        if when is None:
            return send()
        with now(when):
            return send()

    def act(self, ref: str, action: str, when: dt.datetime, version: int, **body: Any) -> Any:
        """A transition; asserts it succeeded and returns the dossier as the API shows it."""
        response = self.post(f"{ref}/{action}", {"version": version, **body}, when=when)
        assert response.status_code == 200, response.json()
        return response.json()


@pytest.fixture
def api(client, desk) -> Callable[[User], Client]:
    return lambda user: Client(client, user)


@pytest.fixture
def officers(desk, api):
    class Officers:
        reception = api(desk.reception)
        specialist = api(desk.specialist)
        leader = api(desk.leader)
        postal = api(desk.postal)

    return Officers


def intake(code: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure_code": code,
        "receiving_unit": "000.12.34.H99",
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "001099012345",
            "phone": "0912345678",
            "address": "Thôn 1, xã Một",
        },
        "components": [
            {
                "position": c.position,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "digitised": c.digitised,
            }
            for c in full_papers()
        ],
    }
    body.update(changes)
    return body


def receive(officers, code: str, when: dt.datetime, **changes: Any) -> dict[str, Any]:
    response = officers.reception.post("", intake(code, **changes), when=when)
    assert response.status_code == 201, response.json()
    return response.json()


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


# --- the browser flows, through the API --------------------------------------------------------


def test_counter_receipt_supplement_processing_approval_return(officers):
    """Hộ kinh doanh, 3 working days, received Mon 05/01/2026 09:00 (handbook example 3)."""
    dossier = receive(officers, "1.001612", at(2026, 1, 5, 9))
    code = dossier["code"]
    assert code == "000.12.34.H99-260105-0001"
    assert dossier["ref"] == code
    assert dossier["status"] == {"value": "received", "label": "Đã tiếp nhận", "national_code": 2}
    assert dossier["channel"]["national_code"] == 1
    assert dossier["due_date"] == "2026-01-08"
    assert dossier["original_due_at"] == dossier["due_at"]
    assert dossier["deadline_trace"]
    assert dossier["applicant"]["id_number"] == "001099012345"
    assert dossier["version"] == 1

    dossier = officers.leader.act(
        code, "assign", at(2026, 1, 5, 10), dossier["version"], step=2, assignee="chuyenvien"
    )
    assert dossier["status"]["national_code"] == 4
    assert dossier["assignee"]["username"] == "chuyenvien"
    assert dossier["current_step"] == 2

    dossier = officers.specialist.act(
        code,
        "request-supplement",
        at(2026, 1, 6, 14),
        dossier["version"],
        missing=["Giấy tờ chứng minh nơi cư trú"],
        reason="Bản sao không rõ nét",
    )
    assert dossier["status"]["value"] == "supplement"
    assert dossier["status"]["national_code"] == 5

    dossier = officers.reception.act(
        code,
        "receive-supplement",
        at(2026, 1, 12, 10),
        dossier["version"],
        components=[{"position": 2, "name": "Giấy tờ chứng minh nơi cư trú", "copies": 1}],
    )
    assert dossier["status"]["value"] == "processing"
    assert dossier["due_date"] == "2026-01-15"  # the full 3 working days again (restart policy)

    dossier = officers.specialist.act(code, "complete-step", at(2026, 1, 13, 9), dossier["version"])
    assert dossier["assignee"] is None
    dossier = officers.leader.act(
        code, "resolve", at(2026, 1, 14, 16), dossier["version"], outcome="approved"
    )
    assert dossier["status"]["national_code"] == 9
    assert dossier["outcome"]["value"] == "approved"
    assert dossier["timeliness"] == {"value": "early", "label": "Trước hạn"}
    dossier = officers.reception.act(
        code, "return", at(2026, 1, 15, 9), dossier["version"], recipient="Nguyễn Văn An"
    )
    assert dossier["status"] == {
        "value": "returned",
        "label": "Đã trả kết quả",
        "national_code": 10,
    }

    history = officers.reception.get(f"{code}/events").json()
    assert history["intact"] is True
    assert history["problems"] == []
    events = history["events"]
    assert [e["type"] for e in events] == [
        "received",
        "assigned",
        "supplement_requested",
        "supplement_received",
        "step_completed",
        "resolved",
        "returned",
    ]
    assert [e["actor"] for e in events] == [
        "tiepnhan",
        "lanhdao",
        "chuyenvien",
        "tiepnhan",
        "chuyenvien",
        "lanhdao",
        "tiepnhan",
    ]
    assert events[0]["prev_hash"] == ""
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(events))
    assert events[2]["data"]["missing"] == ["Giấy tờ chứng minh nơi cư trú"]
    assert events[0]["unit"]["identifier"] == "000.12.34.H99"
    stored = Dossier.objects.get(code=code)
    assert stored.status == Status.RETURNED
    assert stored.event_count == 7
    assert stored.last_hash == events[-1]["hash"]


def test_lateness_and_apology(officers):
    """Kết hôn, 5 working days across Tết: received Wed 11/02/2026 08:30, apology Tue 24/02
    (handbook example 4). The new appointment does not make the dossier on time."""
    dossier = receive(officers, "1.000894", at(2026, 2, 11, 8, 30))
    code = dossier["code"]
    assert dossier["due_date"] == "2026-02-25"
    assert any("Tết" in step["message"] or step["kind"] for step in dossier["deadline_trace"])
    dossier = officers.leader.act(
        code, "assign", at(2026, 2, 12, 9), dossier["version"], step=2, assignee="chuyenvien"
    )
    dossier = officers.specialist.act(code, "complete-step", at(2026, 2, 12, 9), dossier["version"])
    dossier = officers.specialist.act(
        code,
        "propose-apology",
        at(2026, 2, 24, 9),
        dossier["version"],
        reason="Cần xác minh tại nơi cư trú trước đây",
        extra_working_days=2,
    )
    assert dossier["appointment_at"] is None  # a proposal is not yet an appointment

    # Only a leader signs the apology.
    refused = officers.specialist.post(
        f"{code}/issue-apology", {"version": dossier["version"]}, when=at(2026, 2, 24, 10)
    )
    error(refused, 403, "permission_denied")

    dossier = officers.leader.act(code, "issue-apology", at(2026, 2, 24, 10), dossier["version"])
    assert dt.datetime.fromisoformat(dossier["appointment_at"]) == at(2026, 2, 27, 17)
    assert dossier["due_date"] == "2026-02-25"  # the lawful due date does not move

    # Once only.
    again = officers.specialist.post(
        f"{code}/propose-apology",
        {"version": dossier["version"], "reason": "y", "extra_working_days": 1},
        when=at(2026, 2, 24, 11),
    )
    assert "một lần" in error(again, 409, "invalid_transition")["detail"]

    dossier = officers.leader.act(
        code, "resolve", at(2026, 2, 27, 9), dossier["version"], outcome="approved"
    )
    assert dossier["timeliness"]["value"] == "late"
    dossier = officers.reception.act(code, "return", at(2026, 2, 27, 15), dossier["version"])
    assert dossier["status"]["value"] == "returned"
    assert dossier["timeliness"]["value"] == "late"
    types = [e["type"] for e in officers.leader.get(f"{code}/events").json()["events"]]
    assert types[-4:] == ["apology_proposed", "apology_issued", "resolved", "returned"]


def test_an_apology_on_the_due_date_is_too_late(officers):
    dossier = receive(officers, "1.000894", at(2026, 2, 11, 8, 30))
    response = officers.specialist.post(
        f"{dossier['code']}/propose-apology",
        {"version": dossier["version"], "reason": "x", "extra_working_days": 2},
        when=at(2026, 2, 25, 8),
    )
    assert "24/02/2026" in error(response, 409, "invalid_transition")["detail"]


# --- other channels and transitions ------------------------------------------------------------


def test_online_submission_is_received_later(officers):
    """Đăng ký khai sinh online, same day (as handbook example 2, on dates when the fixtures'
    officers hold their roles): no code and no clock until an officer receives it."""
    response = officers.reception.post(
        "submissions",
        intake("1.001193", channel="online", delivery="electronic"),
        when=at(2026, 3, 13, 16, 20),
    )
    assert response.status_code == 201, response.json()
    dossier = response.json()
    assert dossier["code"] is None
    assert dossier["ref"].startswith("#")
    assert dossier["status"]["national_code"] == 1
    assert dossier["channel"]["national_code"] == 2
    assert dossier["due_at"] is None

    ref = dossier["ref"].replace("#", "%23")
    listed = officers.reception.get("", {"status": "submitted"}).json()
    assert [item["ref"] for item in listed["items"]] == [dossier["ref"]]
    assert officers.reception.get(ref).json()["status"]["value"] == "submitted"

    dossier = officers.reception.act(ref, "accept", at(2026, 3, 16, 8, 15), dossier["version"])
    assert dossier["code"] == "000.12.34.H99-260316-0001"
    assert dt.datetime.fromisoformat(dossier["due_at"]) == at(2026, 3, 16, 17)
    assert dt.datetime.fromisoformat(dossier["submitted_at"]) == at(2026, 3, 13, 16, 20)


def test_refusals_at_intake(officers):
    submitted = officers.reception.post(
        "submissions", intake("1.004222", channel="online"), when=at(2026, 3, 2, 8)
    ).json()
    refused = officers.reception.act(
        submitted["ref"].replace("#", "%23"),
        "refuse",
        at(2026, 3, 2, 9),
        submitted["version"],
        reason="Không thuộc thẩm quyền",
    )
    assert refused["status"]["national_code"] == 3
    assert refused["code"] is None

    response = officers.reception.post(
        "refusals", {**intake("1.004222"), "reason": "Hồ sơ giả mạo"}, when=at(2026, 3, 2, 10)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"]["value"] == "not_received"

    no_reason = officers.reception.post(
        "refusals", {**intake("1.004222"), "reason": "  "}, when=at(2026, 3, 2, 10)
    )
    error(no_reason, 400, "reason_required")


def test_postal_intake_and_postal_return(officers):
    response = officers.postal.post(
        "submissions", intake("1.004222", channel="postal", delivery="post"), when=at(2026, 3, 2, 8)
    )
    assert response.status_code == 201, response.json()
    dossier = response.json()
    assert dossier["channel"]["national_code"] == 3
    ref = dossier["ref"].replace("#", "%23")
    dossier = officers.reception.act(ref, "accept", at(2026, 3, 2, 9), dossier["version"])
    code = dossier["code"]
    dossier = officers.leader.act(
        code, "resolve", at(2026, 3, 3, 9), dossier["version"], outcome="approved"
    )
    # Not before the post has it.
    early = officers.postal.post(
        f"{code}/return", {"version": dossier["version"]}, when=at(2026, 3, 3, 10)
    )
    error(early, 409, "invalid_transition")
    dossier = officers.reception.act(
        code, "dispatch-by-post", at(2026, 3, 3, 10), dossier["version"], tracking_number="EB123"
    )
    assert dossier["postal_tracking"] == "EB123"
    dossier = officers.postal.act(code, "return", at(2026, 3, 4, 10), dossier["version"])
    assert dossier["status"]["value"] == "returned"


def test_payment_withdrawal_and_stop(officers):
    first = receive(officers, "1.004222", at(2026, 3, 2, 9))
    code = first["code"]
    dossier = officers.leader.act(
        code, "assign", at(2026, 3, 2, 10), first["version"], step=2, assignee="chuyenvien"
    )
    dossier = officers.specialist.act(
        code,
        "request-payment",
        at(2026, 3, 3, 9),
        dossier["version"],
        amount="150000.00",
        description="Lệ phí đăng ký",
    )
    assert dossier["status"]["national_code"] == 6
    dossier = officers.reception.act(
        code, "receive-payment", at(2026, 3, 4, 9), dossier["version"], receipt_number="BL-0001"
    )
    assert dossier["status"]["value"] == "processing"
    dossier = officers.reception.act(
        code, "withdraw", at(2026, 3, 4, 10), dossier["version"], reason="Công dân xin rút"
    )
    assert dossier["status"]["national_code"] == 7

    second = receive(officers, "1.004222", at(2026, 3, 2, 9, 30))
    dossier = officers.leader.act(
        second["code"], "stop", at(2026, 3, 3, 9), second["version"], reason="Theo yêu cầu"
    )
    assert dossier["status"]["national_code"] == 8


def test_consultation_and_transfer(officers, api, other_commune, province, make_officer):
    consulted = api(make_officer(other_commune, Role.SPECIALIST, "chuyenvien2"))
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    code = dossier["code"]
    dossier = officers.leader.act(
        code, "assign", at(2026, 3, 2, 10), dossier["version"], step=2, assignee="chuyenvien"
    )
    dossier = officers.specialist.act(
        code,
        "request-consultation",
        at(2026, 3, 2, 11),
        dossier["version"],
        to_unit=other_commune.identifier,
        question="Xác nhận nơi cư trú trước đây",
        working_days=2,
    )
    assert other_commune.identifier in [u["identifier"] for u in dossier["involved_units"]]
    # The consulted unit now sees the dossier, the applicant's ID number masked, and answers for
    # itself; it may not assign the resolving unit's work.
    seen = consulted.get(code).json()
    assert seen["applicant"]["id_number"] == "********2345"
    assert officers.leader.get(code).json()["applicant"]["id_number"] == "001099012345"
    consulted_leader = api(make_officer(other_commune, Role.LEADER, "lanhdao2"))
    response = consulted_leader.post(
        f"{code}/assign",
        {"version": dossier["version"], "step": 2, "assignee": "chuyenvien2"},
        when=at(2026, 3, 2, 12),
    )
    error(response, 403, "permission_denied")
    dossier = consulted.act(
        code,
        "answer-consultation",
        at(2026, 3, 3, 9),
        dossier["version"],
        unit=other_commune.identifier,
        answer="Đúng, đã cư trú 2019–2024",
    )
    dossier = officers.leader.act(
        code,
        "transfer",
        at(2026, 3, 3, 10),
        dossier["version"],
        to_unit=province.identifier,
        reason="Thuộc thẩm quyền cấp tỉnh",
    )
    assert dossier["resolving_unit"]["identifier"] == province.identifier
    # The new unit's leader assigns the work again.
    assert dossier["assignee"] is None
    assert dossier["current_step"] is None
    events = officers.leader.get(f"{code}/events").json()["events"]
    assert [e["type"] for e in events][-3:] == [
        "consultation_requested",
        "consultation_answered",
        "transferred",
    ]


# --- errors ------------------------------------------------------------------------------------


def test_a_stale_version_is_refused_and_changes_nothing(officers):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    code, stale = dossier["code"], dossier["version"]
    officers.leader.act(code, "assign", at(2026, 3, 2, 10), stale, step=2, assignee="chuyenvien")
    events = Dossier.objects.get(code=code).event_count
    response = officers.leader.post(
        f"{code}/resolve", {"version": stale, "outcome": "approved"}, when=at(2026, 3, 2, 11)
    )
    assert "vừa được người khác cập nhật" in error(response, 409, "stale_dossier")["detail"]
    assert Dossier.objects.get(code=code).event_count == events


def test_the_version_is_required(officers):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    response = officers.leader.post(
        f"{dossier['code']}/resolve", {"outcome": "approved"}, when=at(2026, 3, 2, 11)
    )
    body = error(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["version"]


@pytest.mark.parametrize("version", [True, "1", 1.0, -1])
def test_the_version_is_a_plain_number(officers, version):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    assert dossier["version"] == 1
    response = officers.leader.post(
        f"{dossier['code']}/resolve",
        {"version": version, "outcome": "approved"},
        when=at(2026, 3, 2, 11),
    )
    body = error(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["version"]
    assert Dossier.objects.get(code=dossier["code"]).event_count == 1


def test_an_illegal_transition_is_refused(officers):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    response = officers.reception.post(
        f"{dossier['code']}/return", {"version": dossier["version"]}, when=at(2026, 3, 2, 10)
    )
    assert "Đã tiếp nhận" in error(response, 409, "invalid_transition")["detail"]
    assert Dossier.objects.get(code=dossier["code"]).event_count == 1


def test_the_wrong_role_is_refused(officers):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    response = officers.specialist.post(
        f"{dossier['code']}/resolve",
        {"version": dossier["version"], "outcome": "approved"},
        when=at(2026, 3, 2, 10),
    )
    error(response, 403, "permission_denied")
    other_unit = officers.specialist.post("", intake("1.004222"), when=at(2026, 3, 2, 10))
    error(other_unit, 403, "permission_denied")


def test_an_officer_of_another_commune_sees_nothing(officers, api, other_commune, make_officer):
    stranger = api(make_officer(other_commune, Role.LEADER, "lanhdao2"))
    stranger_reception = api(make_officer(other_commune, Role.RECEPTION, "tiepnhan2"))
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    code = dossier["code"]

    error(stranger.get(code), 404, "dossier_not_found")
    error(stranger.get(f"{code}/events"), 404, "dossier_not_found")
    assert stranger.get("").json() == {"count": 0, "limit": 50, "offset": 0, "items": []}
    resolve = stranger.post(
        f"{code}/resolve",
        {"version": dossier["version"], "outcome": "approved"},
        when=at(2026, 3, 2, 10),
    )
    error(resolve, 404, "dossier_not_found")
    error(
        stranger_reception.post(f"{code}/withdraw", {"version": 1, "reason": "x"}),
        404,
        "dossier_not_found",
    )
    # Nor may they receive at the first commune's counter.
    error(stranger_reception.post("", intake("1.004222")), 403, "permission_denied")
    assert Dossier.objects.get(code=code).event_count == 1


def test_only_the_units_reception_files_online_submissions(
    officers, api, other_commune, make_officer
):
    """A token acts with its officer's roles: an online submission at a unit needs the reception
    role there (a specialist, a leader, postal staff or another commune's desk are refused)."""
    body = intake("1.004222", channel="online", delivery="electronic")
    stranger = api(make_officer(other_commune, Role.RECEPTION, "tiepnhan2"))
    for client in (officers.specialist, officers.leader, officers.postal, stranger):
        refused = error(
            client.post("submissions", body, when=at(2026, 3, 2, 8)), 403, "permission_denied"
        )
        assert "tiếp nhận" in refused["detail"]
    assert not Dossier.objects.exists()
    accepted = officers.reception.post("submissions", body, when=at(2026, 3, 2, 8))
    assert accepted.status_code == 201, accepted.json()


def test_an_incomplete_intake_lists_the_missing_papers(officers):
    body = intake("1.004222")
    body["components"] = body["components"][:1]
    response = officers.reception.post("", body, when=at(2026, 3, 2, 9))
    problem = error(response, 400, "incomplete_dossier")
    assert problem["errors"] == {"missing": ["Giấy tờ chứng minh nơi cư trú"]}
    assert "Giấy tờ chứng minh nơi cư trú" in problem["detail"]
    assert not Dossier.objects.exists()
    assert not DossierEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"applicant": {"name": "An", "id_number": "12345"}}, 400, "invalid_dossier"),
        ({"applicant": {"name": "An", "email": "không-phải-thư"}}, 400, "invalid_dossier"),
        ({"procedure_code": "9.999999"}, 404, None),
        ({"receiving_unit": "000.99.99.H00"}, 404, "unit_not_found"),
        ({"applicant": {"name": "An\x00"}}, 422, "invalid_input"),
        ({"applicant": {"name": "A" * 300}}, 422, "invalid_input"),
        ({"applicant": {"name": "An", "kind": "alien"}}, 422, "invalid_input"),
        ({"delivery": "pigeon"}, 422, "invalid_input"),
        ({"components": [{"name": "x", "position": 0}]}, 422, "invalid_input"),
        ({"components": "x"}, 422, "invalid_input"),
        ({"applicant": None}, 422, "invalid_input"),
    ],
)
def test_bad_intake_is_a_clear_error(officers, changes, status, code):
    response = officers.reception.post("", intake("1.004222", **changes), when=at(2026, 3, 2, 9))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    if code:
        assert body["code"] == code
    assert not Dossier.objects.exists()


def test_bad_transition_bodies_are_clear_errors(officers, client):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    code, version = dossier["code"], dossier["version"]
    cases = [
        ("assign", {"version": version, "step": 2, "assignee": "nobody"}, 404, "user_not_found"),
        ("assign", {"version": version, "step": 99999, "assignee": "chuyenvien"}, 422, None),
        ("assign", {"version": -1, "step": 2, "assignee": "chuyenvien"}, 422, None),
        ("assign", {"version": 10**30, "step": 2, "assignee": "chuyenvien"}, 422, None),
        ("transfer", {"version": version, "to_unit": "nowhere", "reason": "x"}, 404, None),
        ("resolve", {"version": version, "outcome": "maybe"}, 422, None),
        ("resolve", {"version": version, "outcome": "refused", "reason": ""}, 400, None),
        ("request-payment", {"version": version, "amount": "-1", "description": "x"}, 422, None),
        ("request-payment", {"version": version, "amount": "NaN", "description": "x"}, 422, None),
        ("dispatch-by-post", {"version": version, "tracking_number": "x" * 41}, 422, None),
        (
            "propose-apology",
            {"version": version, "reason": "x", "extra_working_days": 0},
            400,
            None,
        ),
        ("request-supplement", {"version": version, "missing": [], "reason": "x"}, 400, None),
        ("withdraw", {"version": version, "reason": "\x00"}, 422, None),
    ]
    for action, body, status, error_code in cases:
        response = officers.leader.post(f"{code}/{action}", body, when=at(2026, 3, 2, 10))
        assert response.status_code == status, (action, body, response.content)
        assert response.json()["code"] == (error_code or response.json()["code"])
    # Not JSON at all.
    raw = client.post(
        URL + f"{code}/withdraw",
        "{not json",
        content_type="application/json",
        headers=officers.reception.headers,
    )
    assert raw.status_code in (400, 422)
    assert raw.json()["detail"]
    assert Dossier.objects.get(code=code).event_count == 1


@pytest.mark.parametrize(
    "ref",
    [
        "000.12.34.H99-260302-9999",  # well formed, unknown
        "khong-co",
        "%23999999999999999999999",  # a number past any database integer
        "%2300",
        "000.12.34.H99-260302-0001%00",
    ],
)
def test_an_unknown_or_malformed_code_is_not_found(officers, ref):
    receive(officers, "1.004222", at(2026, 3, 2, 9))
    error(officers.reception.get(ref), 404, "dossier_not_found")
    error(officers.reception.post(f"{ref}/accept", {"version": 1}), 404, "dossier_not_found")


# --- reading -----------------------------------------------------------------------------------


def test_list_filters_search_pages_and_masks(officers):
    first = receive(officers, "1.004222", at(2026, 3, 2, 9))
    second = receive(
        officers,
        "1.000894",
        at(2026, 3, 4, 9),
        applicant={"name": "Trần Thị Bình", "id_number": "001199054321", "phone": "0987654321"},
    )
    officers.leader.act(
        second["code"],
        "assign",
        at(2026, 3, 4, 10),
        second["version"],
        step=2,
        assignee="chuyenvien",
    )

    def refs(params: dict[str, Any]) -> list[str]:
        response = officers.reception.get("", params)
        assert response.status_code == 200, response.json()
        return [item["ref"] for item in response.json()["items"]]

    assert refs({}) == [second["code"], first["code"]]
    assert refs({"status": "received"}) == [first["code"]]
    assert refs({"status": ["received", "processing"]}) == [second["code"], first["code"]]
    assert refs({"q": "bình"}) == [second["code"]]
    assert refs({"q": "TRAN thi binh"}) == [second["code"]]  # as the pages: without diacritics
    # An ID number goes by POST (issue 10 item 4): refused in a URL, found in a body.
    refused = officers.reception.get("", {"q": "001099012345"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "search_by_post_required"
    assert "POST /api/dossiers/search" in refused.json()["detail"]
    found = officers.reception.post("search", {"q": "001099012345"})
    assert found.status_code == 200, found.json()
    assert [item["ref"] for item in found.json()["items"]] == [first["code"]]
    assert found.json()["count"] == 1
    assert refs({"q": "260302"}) == [first["code"]]
    assert refs({"received_from": "2026-03-03"}) == [second["code"]]
    assert refs({"received_to": "2026-03-02"}) == [first["code"]]
    assert refs({"received_from": "2026-03-02", "received_to": "2026-03-02"}) == [first["code"]]
    assert refs({"unit": "000.12.34.H99"}) == [second["code"], first["code"]]
    assert refs({"unit": "99"}) == [second["code"], first["code"]]  # the province, subtree
    page = officers.reception.get("", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2
    assert [item["ref"] for item in page["items"]] == [first["code"]]

    item = officers.reception.get("", {"q": "bình"}).json()["items"][0]
    assert item["applicant"] == {
        "kind": "citizen",
        "name": "Trần Thị Bình",
        "id_number": "********4321",
    }
    assert item["status"] == {"value": "processing", "label": "Đang xử lý", "national_code": 4}
    assert item["due_date"] == "2026-03-11"
    assert "phone" not in item["applicant"]
    detail = officers.reception.get(second["code"]).json()
    assert detail["applicant"]["id_number"] == "001199054321"
    assert detail["applicant"]["phone"] == "0987654321"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10**6}, "limit"),
        ({"offset": 10**30}, "offset"),
        ({"status": "lost"}, "status.0"),
        ({"received_from": "02/03/2026"}, "received_from"),
        ({"received_from": "0001-01-01"}, "received_from"),
        ({"received_to": "9999-12-31"}, "received_to"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_list_parameters_are_422(officers, params, field):
    body = error(officers.reception.get("", params), 422, "invalid_input")
    assert field in [e["field"] for e in body["errors"]]


def test_an_unknown_unit_filter_is_404(officers):
    error(officers.reception.get("", {"unit": "000.00.00.X00"}), 404, "unit_not_found")


def test_openapi_describes_the_dossier_api(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/dossiers/", "get"),
        ("/api/dossiers/", "post"),
        ("/api/dossiers/submissions", "post"),
        ("/api/dossiers/{code}", "get"),
        ("/api/dossiers/{code}/events", "get"),
        ("/api/dossiers/{code}/resolve", "post"),
        ("/api/dossiers/{code}/issue-apology", "post"),
        ("/api/dossiers/{code}/return", "post"),
    ]:
        operation = paths[path][method]
        assert operation["summary"]
        assert operation["security"] == [{"ApiTokenAuth": []}]
    transitions = [path for path in paths if path.startswith("/api/dossiers/{code}/")]
    assert len(transitions) == 19  # events + the 18 transitions on an existing dossier
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    resolve = paths["/api/dossiers/{code}/resolve"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(resolve["responses"])
    body_ref = resolve["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][body_ref.rsplit("/", 1)[-1]]
    assert "version" in body["required"]
    # Input and output are separate schemas.
    assert "ApplicantIn" in schema["components"]["schemas"]
    assert "ApplicantOut" in schema["components"]["schemas"]
    # The catalogue and calendar stay public.
    assert "security" not in paths["/api/calendar/days"]["get"]


def test_an_event_names_the_application_beside_the_officer(officers, desk, client):
    dossier = receive(officers, "1.004222", at(2026, 3, 2, 9))
    [event] = officers.reception.get(f"{dossier['code']}/events").json()["events"]
    assert event["data"]["client"]["name"] == f"Ứng dụng thử ({desk.reception.username})"
    prefix = officers.reception.headers["Authorization"].split("_")[1]
    assert event["data"]["client"] == {  # the public prefix, never the secret
        "name": f"Ứng dụng thử ({desk.reception.username})",
        "token": prefix,
    }

    # The next request served by the same thread, a page, is not credited to the application.
    client.force_login(desk.leader)
    stored = Dossier.objects.get(code=dossier["code"])
    with now(at(2026, 3, 2, 10)):
        page = client.post(
            f"/can-bo/ho-so/{stored.code}/phan-cong/",
            {
                "phan-cong-version": stored.version,
                "phan-cong-step": "2",
                "phan-cong-assignee": str(desk.specialist.pk),
            },
        )
    assert page.status_code == 302
    assigned = DossierEvent.objects.get(dossier=stored, seq=2)
    assert assigned.type == "assigned"
    assert "client" not in assigned.data
    shown = client.get(f"/can-bo/ho-so/{stored.code}/").content.decode()
    assert shown.count("qua ứng dụng Ứng dụng thử") == 1  # the receipt, not the assignment
