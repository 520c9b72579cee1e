"""Dossiers (hồ sơ) and their history.

The event log is the truth: every transition appends one ``DossierEvent``, hash-chained per dossier
(each event holds the hash of the one before), and nothing in the application updates or deletes an
event. The dossier row carries what the events imply (status, due dates, timings) so that lists and
reports are fast; ``motcua verify-history`` checks both against the chain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.fields import FoldedField
from motcua.core.validators import citizen_id_validator, tax_code_validator

# Mã số hồ sơ (ND 61/2018 Điều 26; TT 01/2018 Điều 19; decision 7): the receiving unit's electronic
# identifier, the receipt date YYMMDD, the unit's daily sequence; 4–7 digits accepted on input.
DOSSIER_CODE_PATTERN = r"^[0-9A-Z]{2,3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}-\d{6}-\d{4,7}$"
# The largest daily sequence number a code can hold (7 digits). The counter issues 0001–9999 and
# then grows to 5, 6, 7 digits rather than stop intake; past this it refuses (services._issue_code).
SEQUENCE_MAX = 9_999_999
# The largest number an imported code of the current day (or later) may carry: the four digits the
# counter itself issues. An old system's code for today with a huge number would otherwise leave the
# unit's counter no room for the rest of the day (history_io; docs/dossier-history.md).
IMPORTED_SEQUENCE_MAX_TODAY = 9_999
dossier_code_validator = RegexValidator(
    DOSSIER_CODE_PATTERN, "Mã hồ sơ phải có dạng 000.00.06.H56-231027-0361."
)


class Channel(models.TextChoices):
    """Kênh nộp hồ sơ (ND 61/2018 Điều 16); mã quốc gia 1 / 2 / 3 (handbook §2.3)."""

    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")

    @property
    def national_code(self) -> int:
        return {"direct": 1, "online": 2, "postal": 3}[self.value]


class Delivery(models.TextChoices):
    """Hình thức nhận kết quả."""

    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POST = "post", _("Qua bưu chính")
    ELECTRONIC = "electronic", _("Bản điện tử")


class Status(models.TextChoices):
    """Trạng thái hồ sơ, kèm mã trạng thái đồng bộ quốc gia (handbook §12.1)."""

    SUBMITTED = "submitted", _("Mới đăng ký")  # 1
    RECEIVED = "received", _("Đã tiếp nhận")  # 2
    NOT_RECEIVED = "not_received", _("Không được tiếp nhận")  # 3
    PROCESSING = "processing", _("Đang xử lý")  # 4
    SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ")  # 5
    PAYMENT = "payment", _("Chờ thực hiện nghĩa vụ tài chính")  # 6
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")  # 7
    STOPPED = "stopped", _("Dừng xử lý")  # 8
    RESOLVED = "resolved", _("Đã giải quyết xong")  # 9
    RETURNED = "returned", _("Đã trả kết quả")  # 10

    @property
    def national_code(self) -> int:
        return _NATIONAL_STATUS[self.value]


_NATIONAL_STATUS = {
    "submitted": 1,
    "received": 2,
    "not_received": 3,
    "processing": 4,
    "supplement": 5,
    "payment": 6,
    "withdrawn": 7,
    "stopped": 8,
    "resolved": 9,
    "returned": 10,
}
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.PAYMENT,
)
# Statuses in which processing has ended (the end of processing of the 766 spec, handbook §12.1).
ENDED_STATUSES = (Status.RESOLVED, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED)


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Giải quyết (chấp thuận)")
    REFUSED = "refused", _("Từ chối giải quyết")


class Timeliness(models.TextChoices):
    """Judged at date granularity against the lawful due date (decision 4)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class ApplicantKind(models.TextChoices):
    """Loại đối tượng (handbook §12.2 LoaiDoiTuong)."""

    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp")
    AGENCY = "agency", _("Cơ quan nhà nước")
    ORGANISATION = "organisation", _("Tổ chức khác")


def clock_runs(status: str, clock_paused: bool) -> bool:
    return status in OPEN_STATUSES and not clock_paused


def overdue_on(day: dt.date, status: str, clock_paused: bool, due_date: dt.date | None) -> bool:
    """Open past its lawful due date on ``day`` with the clock running: a wait that stops the
    clock is not late, a late supplement request or an unstopped payment wait can be (decisions
    11 and 13). For dossiers and for rows read without their model (the register)."""
    return clock_runs(status, clock_paused) and due_date is not None and due_date < day


class Dossier(models.Model):
    # A stable identity for the hash chain: the code does not exist before receipt, the database
    # id changes when histories move between systems.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Issued at receipt, never before (handbook §14 example 2) and never rewritten.
    code = models.CharField(
        "mã hồ sơ",
        max_length=40,
        null=True,
        blank=True,
        validators=[dossier_code_validator],
    )  # unique by the constraint below: unique=True would add a LIKE index nothing uses
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="thủ tục (phiên bản)",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị tiếp nhận",
        on_delete=models.PROTECT,
        related_name="dossiers_received",
        db_index=False,  # the (receiving_unit, status) index serves it
    )
    resolving_unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị giải quyết",
        on_delete=models.PROTECT,
        related_name="dossiers_resolved",
        db_index=False,  # the (resolving_unit, status) index serves it
    )
    # Names and identifiers as they were at receipt (units are renamed and merged; handbook §11).
    unit_snapshot = models.JSONField(default=dict, blank=True)
    channel = models.CharField("kênh nộp", max_length=8, choices=Channel.choices)
    delivery = models.CharField("nhận kết quả", max_length=12, choices=Delivery.choices)

    applicant_kind = models.CharField(
        "loại đối tượng",
        max_length=16,
        choices=ApplicantKind.choices,
        default=ApplicantKind.CITIZEN,
    )
    applicant_name = models.CharField("người nộp / tổ chức", max_length=255)
    # What the officers' search compares (dossier_search); on PostgreSQL a trigram index serves
    # it (migration 0005, made outside Django's index list because SQLite has no such index).
    applicant_search = FoldedField(source="applicant_name")
    applicant_id_number = models.CharField(
        "số định danh cá nhân", max_length=12, blank=True, validators=[citizen_id_validator]
    )
    applicant_tax_code = models.CharField(
        "mã số thuế", max_length=14, blank=True, validators=[tax_code_validator]
    )
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=500, blank=True)
    owner_name = models.CharField("chủ hồ sơ (nếu khác người nộp)", max_length=255, blank=True)
    summary = models.CharField("trích yếu", max_length=1000, blank=True)
    components = models.JSONField("giấy tờ đã nhận", default=list, blank=True)
    fees = models.JSONField("phí, lệ phí", default=list, blank=True)

    # Derived from the events (see dossiers.projection); stored for fast lists and reports.
    # Status is indexed with the units (Meta). The due date is not indexed: it moves, a province's
    # open dossiers at once after a calendar change, and a move that touches no indexed column is
    # a heap-only update (with the free space the table keeps, migration 0010) instead of a new
    # entry in each of the table's dozen indexes: 17 s of 30 for 350,000 moves (docs/deadlines.md).
    # Every list by due date is scoped to units, and those indexes find its rows.
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices)
    outcome = models.CharField("kết quả", max_length=8, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField("hạn trả ban đầu", null=True, blank=True)
    due_at = models.DateTimeField("hạn trả theo quy định", null=True, blank=True)
    due_date = models.DateField("ngày hẹn trả", null=True, blank=True)
    # While waiting for the applicant, whether the wait stops the clock (projection.Projection).
    clock_paused = models.BooleanField("thời hạn đang tạm dừng", default=False)
    appointment_at = models.DateTimeField(
        "hẹn lại (sau xin lỗi)",
        null=True,
        blank=True,
        help_text="Ngày hẹn mới ghi trong phiếu xin lỗi; hồ sơ vẫn bị tính quá hạn theo hạn "
        "quy định (decision 4).",
    )
    ended_at = models.DateTimeField("kết thúc xử lý lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    timeliness = models.CharField("đúng hạn", max_length=8, choices=Timeliness.choices, blank=True)
    current_step = models.PositiveSmallIntegerField("bước hiện tại", null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    postal_tracking = models.CharField("số hiệu bưu gửi", max_length=40, blank=True)
    # Every unit that takes part (receiving, resolving, consulted, transferred to): their officers
    # may see the dossier.
    involved_units = models.ManyToManyField(
        "units.Unit", related_name="involved_dossiers", blank=True
    )
    deadline_trace = models.JSONField(default=list, blank=True)
    # The clock's inputs as the events fold them (dossiers.deadlines.clock_inputs): where it
    # started, under which limit, the pauses. Kept so that a calendar change recomputes a million
    # open dossiers from their rows alone; verify-history compares it with the events. Empty on
    # dossiers stored before it existed: those are recomputed from their events.
    clock = models.JSONField(default=dict, db_default={}, blank=True)

    # Optimistic concurrency: every transition increments it; a stale one is refused.
    version = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_unit", "status"]),
            models.Index(fields=["resolving_unit", "status"]),
            models.Index(fields=["status"], name="dossier_status"),
        ]
        constraints = [models.UniqueConstraint(fields=["code"], name="dossier_code_unique")]

    def __str__(self) -> str:
        return self.code or f"hồ sơ #{self.pk} (chưa tiếp nhận)"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def clock_runs(self) -> bool:
        """Open, and not in a wait that stops the clock (the selectors' CLOCK_RUNNING)."""
        return clock_runs(self.status, self.clock_paused)

    def overdue_on(self, day: dt.date) -> bool:
        return overdue_on(day, self.status, self.clock_paused, self.due_date)


class DossierSequence(models.Model):
    """The daily counter behind dossier codes: one row per receiving unit and local date."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="dossier_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"


class EventQuerySet(models.QuerySet["DossierEvent"]):
    """No bulk rewrite of history through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Dossier events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Dossier events are append-only.")


class DossierEvent(models.Model):
    """One transition, as it happened. Append-only and hash-chained per dossier."""

    # Indexed by the (dossier, seq) constraint below.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    at = models.DateTimeField()
    # Actor and unit are indexed only where set (Meta): events the system records, such as a
    # province's recomputation after a calendar change, have neither and are written by the
    # hundred thousand.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(max_length=255, blank=True)  # kept even if the account goes
    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    documents = models.JSONField(default=list)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="dossier_event_seq_positive"),
        ]
        indexes = [
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="dossier_event_actor"
            ),
            models.Index(
                fields=["unit"], condition=Q(unit__isnull=False), name="dossier_event_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.seq} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Dossier events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Dossier events are append-only.")
