"""Import and export of dossier histories (JSON Lines; issue 3 item 8, docs/dossier-history.md)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from motcua.calendars.tests.calendar_data import at
from motcua.core.errors import ImportRejected
from motcua.dossiers import history_io
from motcua.dossiers.history_io import (
    APPLICANT_KEYS,
    COMPONENT_KEYS,
    EVENT_COMMON_KEYS,
    EVENT_KEYS,
    FEE_KEYS,
    REQUIRED_EVENT_KEYS,
    TOP_KEYS,
    dossier_history_export,
    dossier_history_import,
)
from motcua.dossiers.management.commands.dossiers import Command as DossiersCommand
from motcua.dossiers.models import (
    Channel,
    Delivery,
    Dossier,
    DossierEvent,
    DossierSequence,
    Outcome,
    Status,
    Timeliness,
)
from motcua.dossiers.projection import EventType, Projection
from motcua.dossiers.services import (
    ReceivedComponent,
    dossier_accept,
    dossier_assign,
    dossier_complete_step,
    dossier_dispatch_by_post,
    dossier_issue_apology,
    dossier_propose_apology,
    dossier_receive_supplement,
    dossier_refuse_at_counter,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_submit,
    dossier_withdraw,
)
from motcua.dossiers.tests.conftest import intake_for
from motcua.dossiers.tests.fixtures import disable_event_guard

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs"
NOW = at(2026, 6, 1, 12)
UNIT = "000.12.34.H99"
APPLICANT = {
    "name": "Nguyễn Văn An",
    "id_number": "001099012345",
    "phone": "0912345678",
    "address": "Thôn 1, xã Một",
}

# Handbook §14, example 1: Đăng ký thường trú (7 working days), received directly Thu 24/04/2025
# 10:00, due Wed 07/05/2025 (make-up Saturday 26/04 counted), returned Tue 06/05 ⇒ early.
EXAMPLE_1: dict[str, Any] = {
    "code": f"{UNIT}-250424-0007",
    "procedure_code": "1.004222",
    "receiving_unit": UNIT,
    "channel": "direct",
    "applicant": APPLICANT,
    "events": [
        {"type": "received", "at": "2025-04-24T10:00:00+07:00", "actor_name": "Trần Thị Bình"},
        {"type": "resolved", "at": "2025-05-06T14:00:00+07:00", "outcome": "approved"},
        {"type": "returned", "at": "2025-05-06T15:00:00+07:00"},
    ],
}
# Example 2: Đăng ký khai sinh online, submitted Fri 14/02/2025 16:20, received Mon 17/02 08:15
# (the code carries the date of receipt), same-day procedure ⇒ due 17/02, on time.
EXAMPLE_2: dict[str, Any] = {
    "code": f"{UNIT}-250217-0003",
    "procedure_code": "1.001193",
    "receiving_unit": UNIT,
    "channel": "online",
    "delivery": "electronic",
    "applicant": APPLICANT,
    "events": [
        {"type": "submitted", "at": "2025-02-14T16:20:00+07:00"},
        {"type": "received", "at": "2025-02-17T08:15:00+07:00"},
        {"type": "resolved", "at": "2025-02-17T10:40:00+07:00", "outcome": "approved"},
        {"type": "returned", "at": "2025-02-17T11:00:00+07:00"},
    ],
}
# Example 3: hộ kinh doanh (3 working days) received Mon 05/01/2026 09:00, supplement requested
# Tue 06/01 14:00, completed Mon 12/01 10:00, resolved Wed 14/01 16:00.
EXAMPLE_3: dict[str, Any] = {
    "code": f"{UNIT}-260105-0001",
    "procedure_code": "1.001612",
    "receiving_unit": UNIT,
    "channel": "direct",
    "applicant": APPLICANT,
    "events": [
        {"type": "received", "at": "2026-01-05T09:00:00+07:00"},
        {
            "type": "supplement_requested",
            "at": "2026-01-06T14:00:00+07:00",
            "missing": ["Giấy tờ chứng minh nơi cư trú"],
            "reason": "Bản sao không rõ nét",
        },
        {"type": "supplement_received", "at": "2026-01-12T10:00:00+07:00"},
        {"type": "resolved", "at": "2026-01-14T16:00:00+07:00", "outcome": "approved"},
    ],
}
# Example 4: kết hôn (5 working days) across Tết, received Wed 11/02/2026 08:30 ⇒ due 25/02;
# apology Tue 24/02 with a new appointment Fri 27/02; resolved 27/02 ⇒ late all the same.
EXAMPLE_4: dict[str, Any] = {
    "code": f"{UNIT}-260211-0001",
    "procedure_code": "1.000894",
    "receiving_unit": UNIT,
    "channel": "direct",
    "applicant": APPLICANT,
    "events": [
        {"type": "received", "at": "2026-02-11T08:30:00+07:00"},
        {
            "type": "apology_issued",
            "at": "2026-02-24T10:00:00+07:00",
            "new_due_date": "2026-02-27",
            "reason": "Cần xác minh tại nơi cư trú trước đây",
            "actor_name": "Lê Văn Cường",
        },
        {"type": "resolved", "at": "2026-02-27T09:00:00+07:00", "outcome": "approved"},
        {"type": "returned", "at": "2026-02-27T10:00:00+07:00"},
    ],
}


def variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record.update(changes)
    return record


def jsonl(*records: dict[str, Any] | str) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in records]


def run(*records: dict[str, Any] | str, **options: Any) -> history_io.HistoryImportReport:
    return dossier_history_import(lines=jsonl(*records), now=NOW, **options)


def rejected(*records: dict[str, Any] | str) -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as caught:
        run(*records)
    return caught.value.problems


def verify() -> str:
    out = StringIO()
    call_command("verify-history", stdout=out)
    return out.getvalue()


def nothing_written() -> bool:
    return (
        not Dossier.objects.exists()
        and not DossierEvent.objects.exists()
        and not DossierSequence.objects.exists()
    )


class TestHandbookExamples:
    def test_example_1_due_on_7_may_and_early(self, desk):
        report = run(EXAMPLE_1)
        assert (report.created, report.events, report.warnings) == (1, 3, [])
        dossier = Dossier.objects.get()
        assert dossier.code == "000.12.34.H99-250424-0007"
        assert dossier.status == Status.RETURNED
        assert dossier.received_at == at(2025, 4, 24, 10)
        assert dossier.due_date == dt.date(2025, 5, 7)
        assert dossier.due_at == at(2025, 5, 7, 17)
        assert dossier.timeliness == Timeliness.EARLY
        assert dossier.returned_at == at(2025, 5, 6, 15)
        assert dossier.resolving_unit == desk.unit
        assert dossier.summary == "Đăng ký thường trú"
        assert any("làm bù" in step["message"] for step in dossier.deadline_trace)
        received = dossier.events.get(seq=1)
        assert received.actor is None
        assert received.actor_name == "Trần Thị Bình"
        assert received.unit == desk.unit
        assert received.data["code"] == dossier.code
        assert received.data["due_date"] == "2025-05-07"
        assert received.data["imported"] is True
        assert dossier.events.get(seq=2).data["outcome"] == Outcome.APPROVED
        assert "toàn vẹn" in verify()

    def test_example_2_code_and_clock_from_receipt_not_submission(self, desk):
        run(EXAMPLE_2)
        dossier = Dossier.objects.get()
        assert dossier.submitted_at == at(2025, 2, 14, 16, 20)
        assert dossier.received_at == at(2025, 2, 17, 8, 15)
        assert dossier.due_at == at(2025, 2, 17, 17)
        assert dossier.timeliness == Timeliness.ON_TIME
        assert dossier.delivery == Delivery.ELECTRONIC
        assert dossier.events.get(seq=1).data["channel"] == Channel.ONLINE

    @pytest.mark.parametrize(
        ("procedure", "due", "timeliness"),
        [
            ("1.001612", dt.date(2026, 1, 15), Timeliness.EARLY),  # restart: 3 WD from 12/01
            ("1.001612.000.00.00.H98", dt.date(2026, 1, 13), Timeliness.LATE),  # pause
        ],
    )
    def test_example_3_supplement_policies(self, desk, procedure, due, timeliness):
        run(variant(EXAMPLE_3, procedure_code=procedure))
        dossier = Dossier.objects.get()
        assert dossier.original_due_at == at(2026, 1, 8, 17)
        assert dossier.due_date == due
        assert dossier.timeliness == timeliness
        supplement = dossier.events.get(type=EventType.SUPPLEMENT_RECEIVED)
        assert supplement.data["due_date"] == due.isoformat()
        requested = dossier.events.get(type=EventType.SUPPLEMENT_REQUESTED)
        assert requested.data["missing"] == ["Giấy tờ chứng minh nơi cư trú"]
        assert requested.data["late_request"] is False
        assert requested.reason == "Bản sao không rõ nét"
        assert "toàn vẹn" in verify()

    def test_example_4_late_with_apology(self, desk):
        report = run(EXAMPLE_4)
        assert report.warnings == []
        dossier = Dossier.objects.get()
        assert dossier.due_date == dt.date(2026, 2, 25)  # the lawful due date does not move
        assert dossier.appointment_at == at(2026, 2, 27, 17)
        assert dossier.timeliness == Timeliness.LATE
        apology = dossier.events.get(type=EventType.APOLOGY_ISSUED)
        assert apology.data["new_due_date"] == "2026-02-27"
        assert dt.datetime.fromisoformat(apology.data["original_due_at"]) == dossier.due_at
        assert apology.actor_name == "Lê Văn Cường"
        assert apology.unit == dossier.resolving_unit
        assert "toàn vẹn" in verify()

    def test_an_imported_history_carries_what_the_services_record(self, desk, receive):
        """The same story told by the services and by a file gives the same events' due data and
        the same derived fields."""
        live = receive("1.001612", at(2026, 1, 5, 9))
        live = dossier_request_supplement(
            dossier=live,
            actor=desk.specialist,
            expected_version=live.version,
            missing=["Giấy tờ chứng minh nơi cư trú"],
            reason="Bản sao không rõ nét",
            at=at(2026, 1, 6, 14),
        )
        live = dossier_receive_supplement(
            dossier=live,
            actor=desk.reception,
            expected_version=live.version,
            at=at(2026, 1, 12, 10),
        )
        live = dossier_resolve(
            dossier=live,
            actor=desk.leader,
            expected_version=live.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 1, 14, 16),
        )
        run(variant(EXAMPLE_3, code=f"{UNIT}-260105-0002"))
        imported = Dossier.objects.get(code=f"{UNIT}-260105-0002")
        for name in Projection.FIELDS:
            assert getattr(imported, name) == getattr(live, name), name
        assert imported.deadline_trace == live.deadline_trace
        for a, b in zip(live.events.order_by("seq"), imported.events.order_by("seq"), strict=True):
            assert (a.type, a.at, a.unit_id, a.reason) == (b.type, b.at, b.unit_id, b.reason)
            ours = {k: v for k, v in b.data.items() if k not in ("imported", "components")}
            theirs = {k: v for k, v in a.data.items() if k not in ("code", "components")}
            for header in (ours, theirs):  # the seals differ: the papers handed in are not alike
                if "dossier" in header:
                    header["dossier"] = {**header["dossier"], "seal": ""}
            assert {k: v for k, v in ours.items() if k != "code"} == theirs


class TestOtherEventTypes:
    def test_payment_recomputed_due_and_stop(self, desk):
        record = variant(
            EXAMPLE_3,
            events=[
                {"type": "received", "at": "2026-01-05T09:00:00+07:00"},
                {"type": "assigned", "at": "2026-01-05T10:00:00+07:00", "step": 2},
                {"type": "payment_requested", "at": "2026-01-06T09:00:00", "amount": 50000},
                {"type": "payment_received", "at": "2026-01-07T09:00:00", "receipt_number": "BL1"},
                {"type": "due_recomputed", "at": "2026-01-07T10:00:00", "due_date": "2026-01-12"},
                {"type": "stopped", "at": "2026-01-08T09:00:00", "reason": "Hồ sơ giả mạo"},
            ],
        )
        report = run(record)
        assert [w["field"] for w in report.warnings] == ["events[4].due_date"]
        # Waiting for the payment does not stop the clock unless the procedure's law says so
        # (decision 11): the due date stays Thu 08/01.
        assert "tính được 08/01/2026" in report.warnings[0]["message"]
        dossier = Dossier.objects.get()
        assert dossier.status == Status.STOPPED
        assert dossier.current_step == 2
        assert dossier.original_due_at == at(2026, 1, 8, 17)
        assert dossier.due_date == dt.date(2026, 1, 12)
        assert dossier.timeliness == Timeliness.EARLY
        payment = dossier.events.get(type=EventType.PAYMENT_REQUESTED)
        assert payment.data["amount"] == "50000"
        assert payment.data["stops_clock"] is False
        assert dossier.events.get(type=EventType.PAYMENT_RECEIVED).data["due_date"] == "2026-01-08"
        recomputed = dossier.events.get(type=EventType.DUE_RECOMPUTED)
        assert recomputed.unit is None
        assert dt.datetime.fromisoformat(recomputed.data["previous_due_at"]) == at(2026, 1, 8, 17)
        assert "toàn vẹn" in verify()
        exported = next(dossier_history_export())
        assert [e["type"] for e in exported["events"]] == [e["type"] for e in record["events"]]

    def test_a_due_date_cannot_be_recomputed_once_closed(self, desk):
        record = variant(EXAMPLE_1)
        record["events"].append(
            {"type": "due_recomputed", "at": "2025-05-07T09:00:00", "due_date": "2025-05-08"}
        )
        problems = rejected(record)
        assert problems[0]["field"] == "events[3].type"
        assert "“Đã trả kết quả”" in problems[0]["message"]

    def test_a_postal_result(self, desk):
        record = variant(EXAMPLE_1, delivery="post")
        record["events"][2:2] = [
            {"type": "postal_dispatched", "at": "2025-05-06T14:30:00", "tracking_number": "EB9"}
        ]
        run(record)
        dossier = Dossier.objects.get()
        assert (dossier.status, dossier.postal_tracking) == (Status.RETURNED, "EB9")
        assert dossier.events.get(type=EventType.RETURNED).data["tracking_number"] == "EB9"


class TestTimes:
    def test_without_offset_is_vietnam_time_and_utc_is_converted(self, desk):
        naive = variant(EXAMPLE_1)
        naive["events"][0]["at"] = "2025-04-24T10:00:00"
        utc = variant(EXAMPLE_1, code=f"{UNIT}-250424-0008")
        utc["events"][0]["at"] = "2025-04-24T03:00:00Z"
        run(naive, utc)
        assert {d.received_at for d in Dossier.objects.all()} == {at(2025, 4, 24, 10)}

    def test_the_code_date_is_the_local_date_not_the_utc_one(self, desk):
        early = variant(EXAMPLE_1)
        early["events"][0]["at"] = "2025-04-23T20:00:00+00:00"  # 03:00 on 24/04 in Vietnam
        run(early)
        assert Dossier.objects.get().received_at == at(2025, 4, 24, 3)


def bad_events(*events: dict[str, Any]) -> dict[str, Any]:
    return variant(EXAMPLE_1, events=list(events))


RECEIVED = {"type": "received", "at": "2025-04-24T10:00:00+07:00"}
RESOLVED = {"type": "resolved", "at": "2025-05-06T14:00:00+07:00", "outcome": "approved"}
RETURNED = {"type": "returned", "at": "2025-05-06T15:00:00+07:00"}
SUPPLEMENT = {"type": "supplement_requested", "at": "2025-04-25T09:00:00+07:00"}
SUPPLIED = {"type": "supplement_received", "at": "2025-04-28T09:00:00+07:00"}
APOLOGY = {
    "type": "apology_issued",
    "at": "2025-04-28T09:00:00+07:00",
    "new_due_date": "2025-05-09",
}

BAD_LINES = [
    pytest.param('{"code": "000.12.34.H99-250424-0007",', "", "không phải JSON", id="bad-json"),
    pytest.param("[1, 2]", "", "đối tượng JSON", id="not-an-object"),
    pytest.param(
        variant(EXAMPLE_1, receiving_unit="000.98.76.H99"),
        "receiving_unit",
        "Không tìm thấy đơn vị",
        id="unknown-unit",
    ),
    pytest.param(
        variant(EXAMPLE_1, resolving_unit="000.98.76.H99"),
        "resolving_unit",
        "Không tìm thấy đơn vị",
        id="unknown-resolving-unit",
    ),
    pytest.param(
        variant(EXAMPLE_1, code="000.12.35.H99-250424-0007"),
        "code",
        "tiền tố 000.12.35.H99 phải là mã định danh",
        id="wrong-code-prefix",
    ),
    pytest.param(
        variant(EXAMPLE_1, code=f"{UNIT}-250425-0007"),
        "code",
        "phần ngày 250425 phải là ngày tiếp nhận",
        id="wrong-code-date",
    ),
    pytest.param(
        variant(EXAMPLE_1, code=f"{UNIT}-250424-007"), "code", "không đúng dạng", id="short-code"
    ),
    pytest.param(
        variant(EXAMPLE_1, code=f"{UNIT}-250424-0000"), "code", "bắt đầu từ 0001", id="zero"
    ),
    pytest.param(
        variant(EXAMPLE_1, procedure_code="9.999999"),
        "procedure_code",
        "Không có thủ tục mã 9.999999",
        id="unknown-procedure",
    ),
    pytest.param(
        variant(
            bad_events(
                {"type": "received", "at": "2024-12-31T09:00:00+07:00"},
            ),
            code=f"{UNIT}-241231-0001",
        ),
        "procedure_code",
        "có hiệu lực ngày 31/12/2024",
        id="procedure-not-yet-in-force",
    ),
    pytest.param(
        bad_events(RECEIVED, RETURNED), "events[1].type", "trả kết quả", id="return-early"
    ),
    pytest.param(bad_events(RESOLVED, RECEIVED), "events[0].type", "đầu tiên", id="resolved-first"),
    pytest.param(
        bad_events(RECEIVED, RESOLVED, RETURNED, {**RESOLVED, "at": "2025-05-07T09:00:00+07:00"}),
        "events[3].type",
        "Đã trả kết quả",
        id="resolved-after-return",
    ),
    pytest.param(
        bad_events(RECEIVED, {**RESOLVED, "at": "2025-04-20T09:00:00+07:00"}),
        "events[1].at",
        "sớm hơn sự kiện trước",
        id="time-goes-backwards",
    ),
    pytest.param(
        bad_events(RECEIVED, {"type": "approved", "at": "2025-05-06T14:00:00+07:00"}),
        "events[1].type",
        "loại sự kiện 'approved' không có",
        id="unknown-type",
    ),
    pytest.param(
        bad_events(RECEIVED, {"type": "resolved", "at": "2025-05-06T14:00:00+07:00"}),
        "events[1].outcome",
        "bắt buộc",
        id="missing-outcome",
    ),
    pytest.param(
        bad_events(RECEIVED, {**RESOLVED, "outcome": "ok"}),
        "events[1].outcome",
        "'ok' không hợp lệ",
        id="bad-outcome",
    ),
    pytest.param(
        bad_events(RECEIVED, {**RECEIVED, "at": "2025-04-24T11:00:00+07:00"}),
        "events[1].type",
        "tiếp nhận một lần",
        id="two-receipts",
    ),
    pytest.param(
        bad_events({"type": "submitted", "at": "2025-04-23T09:00:00+07:00"}),
        "events",
        "thiếu sự kiện received",
        id="never-received",
    ),
    pytest.param(variant(EXAMPLE_1, events=[]), "events", "ít nhất một", id="no-events"),
    pytest.param(
        bad_events({**RECEIVED, "at": "hôm qua"}), "events[0].at", "ISO 8601", id="garbage-time"
    ),
    pytest.param(
        bad_events({**RECEIVED, "at": "2025-04-24"}), "events[0].at", "có ngày và giờ", id="no-hour"
    ),
    pytest.param(
        bad_events({**RECEIVED, "at": "2025-02-30T10:00:00"}),
        "events[0].at",
        "ISO 8601",
        id="impossible-date",
    ),
    pytest.param(bad_events({**RECEIVED, "at": 1745463600}), "events[0].at", "chuỗi", id="number"),
    pytest.param(
        bad_events({**RECEIVED, "type": ["received"]}), "events[0].type", "không có", id="list"
    ),
    pytest.param("[" * 100_000 + "]" * 100_000, "", "JSON", id="deeply-nested"),
    pytest.param(
        bad_events(RECEIVED, {**RESOLVED, "at": "2027-01-04T09:00:00+07:00"}),
        "events[1].at",
        "tương lai",
        id="future",
    ),
    pytest.param(
        bad_events(RECEIVED, {**RETURNED, "outcome": "approved"}),
        "events[1].outcome",
        "không dùng cho sự kiện returned",
        id="key-of-another-type",
    ),
    pytest.param(
        bad_events(RECEIVED, SUPPLEMENT, SUPPLIED, {**SUPPLEMENT, "at": "2025-04-29T09:00:00"}),
        "events[3].type",
        "yêu cầu bổ sung một lần",
        id="second-supplement-request",
    ),
    pytest.param(
        bad_events(RECEIVED, APOLOGY, {**APOLOGY, "at": "2025-04-29T09:00:00+07:00"}),
        "events[2].type",
        "xin lỗi, hẹn lại một lần",
        id="second-apology",
    ),
    pytest.param(
        bad_events(RECEIVED, {**APOLOGY, "new_due_date": "2025-05-06"}),
        "events[1].new_due_date",
        "phải sau hạn trả 07/05/2025",
        id="apology-before-due",
    ),
    pytest.param(
        bad_events(RECEIVED, {**SUPPLIED, "at": "2025-04-25T09:00:00+07:00"}),
        "events[1].type",
        "nhận hồ sơ bổ sung",
        id="supplement-without-request",
    ),
    pytest.param(
        variant(EXAMPLE_1, applicant={**APPLICANT, "id_number": "12345"}),
        "applicant.id_number",
        "12 chữ số",
        id="citizen-id",
    ),
    pytest.param(
        variant(EXAMPLE_1, applicant={"phone": "1"}), "applicant.name", "bắt buộc", id="no-name"
    ),
    pytest.param(
        variant(EXAMPLE_1, channel="fax"), "channel", "'fax' không hợp lệ", id="bad-channel"
    ),
    pytest.param(variant(EXAMPLE_1, colour="red"), "colour", "không có trong định dạng", id="key"),
    pytest.param(
        variant(EXAMPLE_1, due_date="2025-04-23"), "due_date", "trước ngày tiếp nhận", id="due"
    ),
    pytest.param(variant(EXAMPLE_1, due_date="7/5/2025"), "due_date", "YYYY-MM-DD", id="due-fmt"),
    pytest.param(
        json.dumps(variant(EXAMPLE_1, summary="Đăng ký\x00")),
        "summary",
        "NUL",
        id="nul",
    ),
    pytest.param(
        json.dumps(variant(EXAMPLE_1, applicant={**APPLICANT, "name": "An\ud800"})),
        "applicant.name",
        "surrogate",
        id="lone-surrogate",
    ),
    pytest.param(
        bad_events({**RECEIVED, "reason": "x" * 4001}), "events[0].reason", "dài quá", id="long"
    ),
    pytest.param(
        variant(EXAMPLE_1, components=[{"name": "Tờ khai", "originals": 10**30}]),
        "components[0].originals",
        "đến 1000",
        id="huge-count",
    ),
]


class TestRejectedFiles:
    @pytest.mark.parametrize(("bad", "field", "message"), BAD_LINES)
    def test_a_bad_line_is_named_and_nothing_is_written(self, desk, bad, field, message):
        good = variant(EXAMPLE_4)
        problems = rejected(good, bad)
        assert [p["line"] for p in problems] == [2] * len(problems)
        assert any(p["field"] == field and message in p["message"] for p in problems), problems
        assert nothing_written()

    def test_every_bad_line_is_reported_with_its_place(self, desk):
        with pytest.raises(ImportRejected) as caught:
            run(
                EXAMPLE_4,
                variant(EXAMPLE_1, receiving_unit="000.98.76.H99"),
                "\n",  # blank lines are allowed
                variant(bad_events(RECEIVED, RETURNED), code=f"{UNIT}-250424-0008"),
                "{oops\n",
            )
        assert [(p["line"], p["field"]) for p in caught.value.problems] == [
            (2, "receiving_unit"),
            (4, "events[1].type"),
            (5, ""),
        ]
        report = caught.value.report()
        assert report.startswith("Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu.")
        assert "dòng 2, trường receiving_unit: Không tìm thấy đơn vị" in report
        assert "dòng 4, trường events[1].type: không thể trả kết quả khi hồ sơ" in report
        assert nothing_written()

    def test_a_code_twice_in_the_file(self, desk):
        problems = rejected(EXAMPLE_1, EXAMPLE_1)
        assert problems == [
            {"line": 2, "field": "code", "message": "mã hồ sơ trùng với dòng 1 của tệp"}
        ]
        assert nothing_written()

    def test_a_line_that_is_not_utf8(self, desk):
        with pytest.raises(ImportRejected) as caught:
            dossier_history_import(
                lines=[json.dumps(EXAMPLE_4).encode(), "{}\n".encode("utf-16")], now=NOW
            )
        assert caught.value.problems[0]["line"] == 2
        assert "UTF-8" in caught.value.problems[0]["message"]
        assert nothing_written()

    def test_too_many_problems_are_counted_not_listed(self, desk, monkeypatch):
        monkeypatch.setattr(history_io, "MAX_PROBLEMS", 3)
        problems = rejected(*["{"] * 5)
        assert len(problems) == 4
        assert problems[-1]["message"] == "và 2 lỗi khác chưa liệt kê"


class TestIdempotence:
    def test_the_same_file_twice_changes_nothing(self, desk):
        run(EXAMPLE_1, EXAMPLE_4)
        before = list(DossierEvent.objects.order_by("pk").values_list("hash", flat=True))
        report = run(EXAMPLE_1, EXAMPLE_4)
        assert (report.created, report.skipped) == (0, 2)
        assert list(DossierEvent.objects.order_by("pk").values_list("hash", flat=True)) == before
        assert Dossier.objects.count() == 2

    def test_known_lines_are_skipped_and_new_ones_imported(self, desk):
        run(EXAMPLE_1)
        report = run(EXAMPLE_1, EXAMPLE_4)
        assert (report.created, report.skipped) == (1, 1)
        assert Dossier.objects.count() == 2

    def test_the_same_dossier_in_other_words_is_the_same(self, desk):
        run(EXAMPLE_1)
        same = variant(EXAMPLE_1, applicant={"name": "  Nguyễn Văn An "}, resolving_unit="99001")
        same["events"][0]["at"] = "2025-04-24T03:00:00Z"
        assert run(same).skipped == 1

    def test_a_known_code_with_other_content_is_a_conflict(self, desk):
        run(EXAMPLE_1)
        changed = variant(EXAMPLE_1, applicant={**APPLICANT, "phone": "0987654321"})
        changed["events"][2]["at"] = "2025-05-06T16:00:00+07:00"
        problems = rejected(EXAMPLE_4, changed)
        assert len(problems) == 1
        assert problems[0]["line"] == 2
        assert problems[0]["field"] == "code"
        assert "đã có trong hệ thống với nội dung khác" in problems[0]["message"]
        assert "applicant.phone" in problems[0]["message"]
        assert "events[2].at" in problems[0]["message"]
        assert not Dossier.objects.filter(code=EXAMPLE_4["code"]).exists()  # all or nothing
        assert Dossier.objects.get().applicant_phone == APPLICANT["phone"]

    def test_more_events_than_stored_is_a_conflict(self, desk):
        open_dossier = variant(EXAMPLE_1, events=EXAMPLE_1["events"][:1])
        run(open_dossier)
        problems = rejected(EXAMPLE_1)
        assert "events (tệp có 3, đã lưu 1)" in problems[0]["message"]

    def test_a_dry_run_writes_nothing(self, desk):
        report = run(EXAMPLE_1, EXAMPLE_4, dry_run=True)
        assert (report.created, report.dry_run) == (2, True)
        assert nothing_written()


class TestDueDateGiven:
    def test_agreeing_with_the_clock_is_silent(self, desk):
        report = run(variant(EXAMPLE_1, due_date="2025-05-07"))
        assert report.warnings == []
        received = Dossier.objects.get().events.get(seq=1)
        assert "imported_due" not in received.data

    def test_a_disagreement_is_a_warning_and_the_given_date_is_kept(self, desk):
        # A calendar that ignores the make-up Saturday gives Thu 08/05 (handbook §14 example 1).
        report = run(EXAMPLE_4, variant(EXAMPLE_1, due_date="2025-05-08"))
        assert report.created == 2
        assert report.warnings == [
            {
                "line": 2,
                "field": "due_date",
                "message": "hạn trả trong tệp là 08/05/2025, theo lịch làm việc tính được "
                "07/05/2025; giữ hạn trong tệp",
            }
        ]
        assert report.warning_lines() == [
            "dòng 2, trường due_date: hạn trả trong tệp là 08/05/2025, theo lịch làm việc tính "
            "được 07/05/2025; giữ hạn trong tệp"
        ]
        dossier = Dossier.objects.get(code=EXAMPLE_1["code"])
        assert dossier.due_date == dt.date(2025, 5, 8)
        assert dossier.due_at == at(2025, 5, 8, 17)  # end of working hours of that date
        assert dossier.original_due_at == at(2025, 5, 8, 17)
        assert dossier.timeliness == Timeliness.EARLY
        received = dossier.events.get(seq=1).data
        assert received["imported_due"] is True
        assert received["clock_due_date"] == "2025-05-07"
        assert dossier.deadline_trace[0]["reason"] == "imported"
        assert "toàn vẹn" in verify()

    def test_a_due_date_after_a_supplement_is_taken_alike(self, desk):
        record = variant(EXAMPLE_3)
        record["events"][2]["due_date"] = "2026-01-16"
        report = run(record)
        assert [(w["line"], w["field"]) for w in report.warnings] == [(1, "events[2].due_date")]
        dossier = Dossier.objects.get()
        assert dossier.due_date == dt.date(2026, 1, 16)
        assert dossier.original_due_at == at(2026, 1, 8, 17)

    def test_a_late_apology_is_recorded_with_a_warning(self, desk):
        record = variant(EXAMPLE_4)
        record["events"][1]["at"] = "2026-02-25T08:00:00+07:00"  # on the due date itself
        report = run(record)
        assert [(w["field"], "24/02/2026" in w["message"]) for w in report.warnings] == [
            ("events[1].at", True)
        ]
        assert Dossier.objects.get().appointment_at == at(2026, 2, 27, 17)


class TestSequence:
    def test_the_daily_counter_is_raised_past_imported_codes(self, desk, receive):
        run(
            EXAMPLE_1,
            variant(EXAMPLE_1, code=f"{UNIT}-250424-0003"),
            variant(EXAMPLE_4, code=f"{UNIT}-260211-1234567"),
        )
        sequences = {
            s.day: s.last for s in DossierSequence.objects.filter(unit=desk.unit).order_by("day")
        }
        assert sequences == {dt.date(2025, 4, 24): 7, dt.date(2026, 2, 11): 1234567}
        # A later counter intake on that day numbers after them: no code is issued twice.
        assert receive("1.004222", at(2025, 4, 24, 16)).code == f"{UNIT}-250424-0008"
        assert receive("1.000894", at(2026, 2, 11, 16)).code == f"{UNIT}-260211-1234568"

    def test_the_counter_is_never_lowered(self, desk, receive):
        for minute in range(9):
            receive("1.004222", at(2025, 4, 24, 9, minute))
        run(variant(EXAMPLE_1, code=f"{UNIT}-250424-0012"))
        assert DossierSequence.objects.get(unit=desk.unit, day=dt.date(2025, 4, 24)).last == 12
        assert DossierSequence.objects.count() == 1

    def test_a_code_of_today_cannot_leave_the_counter_without_room(self, desk, receive):
        """NOW is 01/06/2026: a code of that day numbered past 9999 would leave the unit's
        counter (7 digits at most) no room for the rest of the day; it is refused."""
        today = variant(
            EXAMPLE_1,
            code=f"{UNIT}-260601-9999999",
            events=[{"type": "received", "at": "2026-06-01T09:00:00+07:00"}],
        )
        problems = rejected(today)
        assert [(p["field"], "9999999" in p["message"]) for p in problems] == [("code", True)]
        assert not DossierSequence.objects.exists()
        # Within four digits it is taken, and the counter goes on after it.
        run(variant(today, code=f"{UNIT}-260601-9999"))
        assert receive("1.004222", at(2026, 6, 1, 10)).code == f"{UNIT}-260601-10000"

    def test_skipped_lines_raise_it_too(self, desk):
        run(EXAMPLE_1)
        DossierSequence.objects.update(last=0)
        assert run(EXAMPLE_1).skipped == 1
        assert DossierSequence.objects.get().last == 7


class TestHygiene:
    def test_names_and_texts_are_stored_in_nfc_without_invisible_characters(self, desk):
        import unicodedata

        applicant = {**APPLICANT, "name": unicodedata.normalize("NFD", "Nguyễn\u200b Văn An")}
        record = variant(EXAMPLE_1, applicant=applicant)
        record["events"][0]["reason"] = "\u202eLý do\u202c"
        run(record)
        dossier = Dossier.objects.get()
        assert dossier.applicant_name == "Nguyễn Văn An"
        assert dossier.events.get(seq=1).reason == "Lý do"
        assert run(record).skipped == 1  # the same line again: the same dossier

    def test_a_name_of_invisible_characters_only_is_refused(self, desk):
        record = variant(EXAMPLE_1, applicant={**APPLICANT, "name": "\u200b\u200e\ufeff"})
        assert [(p["field"], p["message"]) for p in rejected(record)] == [
            (
                "applicant.name",
                "chỉ gồm ký tự vô hình (ký tự độ rộng 0 hoặc ký tự điều khiển hướng chữ)",
            )
        ]

    def test_identifiers_in_other_digits_are_refused(self, desk):
        record = variant(
            EXAMPLE_1,
            applicant={
                **APPLICANT,
                "id_number": "٠٠١٠٩٩٠١٢٣٤٥",
                "tax_code": "０１０２３４５６７８",
            },
        )
        assert sorted(p["field"] for p in rejected(record)) == [
            "applicant.id_number",
            "applicant.tax_code",
        ]


# --- round trip -----------------------------------------------------------------------------------


def live_history(desk, receive) -> None:
    """Dossiers handled through the services, one of every kind the format carries."""

    def act(service, dossier, actor, when, **kwargs):
        return service(
            dossier=dossier, actor=actor, expected_version=dossier.version, at=when, **kwargs
        )

    # Example 1 at the counter: assigned, appraised, approved, returned early.
    first = receive("1.004222", at(2025, 4, 24, 10))
    first = dossier_assign(
        dossier=first,
        actor=desk.leader,
        expected_version=first.version,
        step=2,
        assignee=desk.specialist,
        at=at(2025, 5, 5, 9),
    )
    first = act(dossier_complete_step, first, desk.specialist, at(2025, 5, 5, 11))
    first = act(dossier_resolve, first, desk.leader, at(2025, 5, 6, 14), outcome=Outcome.APPROVED)
    act(dossier_return, first, desk.reception, at(2025, 5, 6, 15))

    # Example 2 online: submitted, accepted the next working day, approved the same day.
    intake = intake_for(desk, "1.001193", channel=Channel.ONLINE, delivery=Delivery.ELECTRONIC)
    online = dossier_submit(intake=intake, actor=None, at=at(2025, 2, 14, 16, 20))
    online = act(dossier_accept, online, desk.reception, at(2025, 2, 17, 8, 15))
    act(dossier_resolve, online, desk.leader, at(2025, 2, 17, 10, 40), outcome=Outcome.APPROVED)

    # Example 3: supplement under the restart policy, still in progress.
    third = receive("1.001612", at(2026, 1, 5, 9))
    third = act(
        dossier_request_supplement,
        third,
        desk.specialist,
        at(2026, 1, 6, 14),
        missing=["Giấy tờ chứng minh nơi cư trú"],
        reason="Bản sao không rõ nét",
    )
    third = act(
        dossier_receive_supplement,
        third,
        desk.reception,
        at(2026, 1, 12, 10),
        components=[ReceivedComponent("Giấy tờ chứng minh nơi cư trú", position=2, copies=1)],
    )
    dossier_assign(
        dossier=third,
        actor=desk.leader,
        expected_version=third.version,
        step=2,
        assignee=desk.specialist,
        at=at(2026, 1, 12, 11),
    )

    # Example 4: apology, late, result by post.
    fourth = receive("1.000894", at(2026, 2, 11, 8, 30), delivery=Delivery.POST)
    fourth = act(
        dossier_propose_apology,
        fourth,
        desk.specialist,
        at(2026, 2, 24, 9),
        reason="Cần xác minh tại nơi cư trú trước đây",
        extra_working_days=2,
    )
    fourth = act(dossier_issue_apology, fourth, desk.leader, at(2026, 2, 24, 10))
    fourth = act(dossier_resolve, fourth, desk.leader, at(2026, 2, 27, 9), outcome=Outcome.APPROVED)
    fourth = act(
        dossier_dispatch_by_post, fourth, desk.postal, at(2026, 2, 27, 10), tracking_number="EB1"
    )
    act(dossier_return, fourth, desk.postal, at(2026, 3, 2, 10), recipient="Nguyễn Văn An")

    # Withdrawn at the applicant's request; and a refusal at the counter (no code: not exported).
    withdrawn = receive("1.000894", at(2026, 3, 2, 9))
    act(dossier_withdraw, withdrawn, desk.reception, at(2026, 3, 3, 9), reason="Xin rút hồ sơ")
    dossier_refuse_at_counter(
        intake=intake_for(desk, "1.000894"),
        actor=desk.reception,
        reason="Không thuộc thẩm quyền",
        at=at(2026, 3, 2, 10),
    )


SNAPSHOT = (
    "code",
    # The assignee is an account of this system: a history carries the name only.
    *(name for name in Projection.FIELDS if name != "assignee_id"),
    "channel",
    "delivery",
    "procedure_version_id",
    "receiving_unit_id",
    "resolving_unit_id",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_address",
    "summary",
    "components",
    "fees",
)


def snapshot() -> list[tuple[Any, ...]]:
    return [
        tuple(getattr(d, name) for name in SNAPSHOT)
        for d in Dossier.objects.filter(code__isnull=False).order_by("code")
    ]


def empty_the_dossier_tables() -> None:
    """As a new database would be: no dossier, no event, no counter (units and catalogue stay)."""
    tables = []
    for model in (DossierEvent, Dossier):
        # Rows of other apps that point at dossiers or events (notification outbox…) go first.
        for rel in model._meta.related_objects:
            related = rel.related_model
            if (
                isinstance(related, type)
                and related not in (DossierEvent, Dossier)
                and not rel.many_to_many
            ):
                tables.append(related._meta.db_table)
    tables += [
        DossierEvent._meta.db_table,
        Dossier.involved_units.through._meta.db_table,
        Dossier._meta.db_table,
        DossierSequence._meta.db_table,
    ]
    with connection.cursor() as cursor:
        disable_event_guard(cursor)
        for table in dict.fromkeys(tables):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


class TestRoundTrip:
    def test_export_then_import_into_an_empty_database(self, desk, receive, tmp_path):
        live_history(desk, receive)
        run(variant(EXAMPLE_1, code=f"{UNIT}-250424-0100", due_date="2025-05-08"))
        before = snapshot()
        assert len(before) == 6
        exported = tmp_path / "hoso.jsonl"
        err = StringIO()
        call_command("dossiers", "export", "--output", str(exported), stderr=err)
        assert err.getvalue().strip() == f"Đã xuất 6 hồ sơ vào {exported}."
        first = exported.read_text(encoding="utf-8")

        empty_the_dossier_tables()
        assert not Dossier.objects.exists()
        out = StringIO()
        call_command("dossiers", "import", str(exported), stdout=out)
        assert out.getvalue().splitlines()[0] == (
            # The dossier imported with its own due date keeps it, and says so again.
            "Đã nhập: 6 hồ sơ mới (21 sự kiện), 1 cảnh báo."
        )
        assert snapshot() == before
        assert "toàn vẹn" in verify()
        again = StringIO()
        call_command("dossiers", "export", stdout=again)
        assert again.getvalue() == first

        # The counters followed the codes: the next intake that day gets the next number.
        assert receive("1.004222", at(2025, 4, 24, 16)).code == f"{UNIT}-250424-0101"

    def test_export_into_the_same_database_is_skipped(self, desk, receive):
        live_history(desk, receive)
        lines = [history_io.dump_line(r) for r in dossier_history_export()]
        report = dossier_history_import(lines=lines, now=NOW)
        assert (report.created, report.skipped, report.warnings) == (0, 5, [])

    def test_what_a_line_says(self, desk, receive):
        live_history(desk, receive)
        records = {r["code"]: r for r in dossier_history_export()}
        fourth = records[f"{UNIT}-260211-0001"]
        assert fourth["due_date"] == "2026-02-25"
        assert fourth["delivery"] == "post"
        assert [e["type"] for e in fourth["events"]] == [
            "received",
            "apology_issued",
            "resolved",
            "postal_dispatched",
            "returned",
        ]
        assert fourth["events"][1] == {
            "type": "apology_issued",
            "at": "2026-02-24T10:00:00+07:00",
            "new_due_date": "2026-02-27",
            "reason": "Cần xác minh tại nơi cư trú trước đây",
            "actor_name": "Cán bộ Lãnh đạo",
        }
        assert fourth["events"][4]["tracking_number"] == "EB1"
        third = records[f"{UNIT}-260105-0001"]
        assert third["events"][2]["due_date"] == "2026-01-15"
        assert third["events"][3]["type"] == "assigned"
        assert third["events"][3]["step"] == 2


class TestExport:
    def test_filters_by_unit_and_local_receipt_dates(self, desk, other_commune):
        run(EXAMPLE_1, EXAMPLE_2, EXAMPLE_4)
        codes = [r["code"] for r in dossier_history_export(date_from=dt.date(2025, 4, 24))]
        assert codes == [EXAMPLE_1["code"], EXAMPLE_4["code"]]
        codes = [r["code"] for r in dossier_history_export(date_to=dt.date(2025, 4, 24))]
        assert codes == [EXAMPLE_1["code"], EXAMPLE_2["code"]]
        assert list(dossier_history_export(unit=other_commune)) == []
        assert len(list(dossier_history_export(unit=desk.unit.parent))) == 3  # the province

    def test_it_streams_in_batches(self, desk, django_assert_num_queries):
        run(*(variant(EXAMPLE_1, code=f"{UNIT}-250424-{n:04d}") for n in range(1, 6)))
        records = dossier_history_export(batch_size=2)
        with django_assert_num_queries(2):  # one batch of dossiers, with their events
            assert next(records)["code"] == f"{UNIT}-250424-0001"
        with django_assert_num_queries(5):  # two more batches, and the empty one that ends it
            assert len(list(records)) == 4

    def test_the_command_prints_lines_and_filters(self, desk):
        run(EXAMPLE_1, EXAMPLE_4)
        out = StringIO()
        call_command("dossiers", "export", "--unit", UNIT, "--from", "2026-01-01", stdout=out)
        lines = out.getvalue().splitlines()
        assert [json.loads(line)["code"] for line in lines] == [EXAMPLE_4["code"]]
        with pytest.raises(CommandError, match="--from phải trước"):
            call_command("dossiers", "export", "--from", "2026-01-02", "--to", "2026-01-01")
        with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
            call_command("dossiers", "export", "--unit", "000.98.76.H99")


class TestCommand:
    def test_import_prints_the_summary_and_warnings(self, desk, tmp_path):
        path = tmp_path / "hoso.jsonl"
        path.write_text("".join(jsonl(EXAMPLE_4, variant(EXAMPLE_1, due_date="2025-05-08"))))
        out = StringIO()
        call_command("dossiers", "import", str(path), stdout=out)
        assert out.getvalue().splitlines() == [
            "Đã nhập: 2 hồ sơ mới (7 sự kiện), 1 cảnh báo.",
            "  Cảnh báo — dòng 2, trường due_date: hạn trả trong tệp là 08/05/2025, theo lịch "
            "làm việc tính được 07/05/2025; giữ hạn trong tệp",
        ]
        out = StringIO()
        call_command("dossiers", "import", "--dry-run", str(path), stdout=out)
        assert out.getvalue().startswith(
            "Chạy thử, chưa lưu gì. Nếu nhập thật sẽ có: 0 hồ sơ mới (0 sự kiện), 2 hồ sơ đã có"
        )

    def test_a_refused_file_prints_the_report_and_exits_1(
        self, desk, tmp_path, capsys, monkeypatch
    ):
        path = tmp_path / "hoso.jsonl"
        path.write_text(
            "".join(jsonl(EXAMPLE_4, variant(EXAMPLE_1, code=f"{UNIT}-250425-0007"))),
            encoding="utf-8",
        )
        # As `motcua dossiers import FILE` runs it; the test's database connection stays open.
        monkeypatch.setattr(connections, "close_all", lambda: None)
        with pytest.raises(SystemExit) as exited:
            DossiersCommand().run_from_argv(["motcua", "dossiers", "import", str(path)])
        assert exited.value.code == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu." in err
        assert "dòng 2, trường code: phần ngày 250425 phải là ngày tiếp nhận" in err
        assert nothing_written()

    def test_a_missing_file(self, desk, tmp_path):
        with pytest.raises(CommandError, match="Không đọc được tệp"):
            call_command("dossiers", "import", str(tmp_path / "khong-co.jsonl"))


# --- the documentation ----------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    return json.loads((DOCS / "dossier-history.schema.json").read_text(encoding="utf-8"))


class TestDocumentation:
    def test_the_schema_lists_what_the_importer_reads(self):
        document = schema()
        assert set(document["properties"]) == TOP_KEYS
        assert set(document["required"]) == {
            "code",
            "procedure_code",
            "receiving_unit",
            "channel",
            "applicant",
            "events",
        }
        assert document["additionalProperties"] is False
        defs = document["$defs"]
        assert set(defs["applicant"]["properties"]) == APPLICANT_KEYS
        assert set(defs["component"]["properties"]) == COMPONENT_KEYS
        assert set(defs["fee"]["properties"]) == FEE_KEYS
        assert re.fullmatch(document["properties"]["code"]["pattern"], EXAMPLE_1["code"])
        variants = {v["properties"]["type"]["const"]: v for v in defs["event"]["oneOf"]}
        assert set(variants) == {t.value for t in EVENT_KEYS}
        for kind, keys in EVENT_KEYS.items():
            schema_keys = set(variants[kind.value]["properties"])
            assert schema_keys == EVENT_COMMON_KEYS | keys, kind
            assert set(variants[kind.value]["required"]) == {
                "type",
                "at",
                *REQUIRED_EVENT_KEYS.get(kind, ()),
            }, kind

    def test_the_examples_of_the_page_import(self, desk):
        page = (DOCS / "dossier-history.md").read_text(encoding="utf-8")
        blocks = re.findall(r"```jsonl\n(.*?)```", page, flags=re.S)
        lines = [line for block in blocks for line in block.splitlines() if line.strip()]
        assert len(lines) >= 4
        report = dossier_history_import(lines=lines, now=NOW)
        assert report.created == len(lines)
        assert report.warnings == []
        assert "toàn vẹn" in verify()
