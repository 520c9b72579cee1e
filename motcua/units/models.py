"""Administrative units: a dated tree of any depth, with succession records for reorganisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from motcua.calendars.workdays import CalendarError, WorkingHours, parse_windows
from motcua.core.db import bump_version

# Electronic identifier of an agency (mã định danh điện tử, QCVN 102:2016/BTTTT, QĐ 20/2020/QĐ-TTg):
# level-4 . level-3 . level-2 . level-1 (letter + 2 digits), e.g. 000.00.06.H56 (handbook §3.3).
IDENTIFIER_PATTERN = r"^[0-9A-Z]{2,3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$"
identifier_validator = RegexValidator(
    IDENTIFIER_PATTERN,
    "Mã định danh điện tử phải có dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.06.H56.",
)
# "07:30-11:30,13:30-17:00": ordered, non-overlapping working windows of one day.
WORKING_HOURS_PATTERN = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$"
working_hours_validator = RegexValidator(
    WORKING_HOURS_PATTERN, "Giờ làm việc phải có dạng 07:30-11:30,13:30-17:00."
)
UNITS_VERSION = "units"
month_day_validator = RegexValidator(
    r"^\d{2}-\d{2}$", "Ngày trong năm phải có dạng MM-DD, ví dụ 04-15."
)


class Unit(models.Model):
    class Level(models.TextChoices):
        CENTRAL = "central", "Trung ương"
        PROVINCE = "province", "Cấp tỉnh"
        DISTRICT = "district", "Cấp huyện (đến 30/6/2025)"
        COMMUNE = "commune", "Cấp xã"

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "Bộ, cơ quan ngang bộ"
        PEOPLES_COMMITTEE = "peoples_committee", "Ủy ban nhân dân"
        DEPARTMENT = "department", "Sở, ban, ngành"
        SPECIALISED_AGENCY = "specialised_agency", "Cơ quan chuyên môn, ngành dọc"
        SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
        RECEPTION_POINT = "reception_point", "Bộ phận / điểm tiếp nhận và trả kết quả"
        OTHER = "other", "Khác"

    name = models.CharField("tên đơn vị", max_length=255)
    # The name folded (no case, no diacritics) for searching; kept by the services.
    search_name = models.CharField(max_length=255, editable=False, default="", db_index=True)
    short_name = models.CharField("tên viết tắt", max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/12/40/"), so that a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    identifier = models.CharField(
        "mã định danh điện tử",
        max_length=20,
        null=True,
        blank=True,
        db_index=True,
        validators=[identifier_validator],
        help_text="Dùng làm tiền tố mã số hồ sơ (TT 01/2018 Điều 19). Để trống khi chưa được cấp.",
    )
    area_code = models.CharField(
        "mã đơn vị hành chính",
        max_length=10,
        blank=True,
        db_index=True,
        help_text="Mã tỉnh (2 số) hoặc mã xã (5 số) theo danh mục đơn vị hành chính.",
    )
    level = models.CharField("cấp", max_length=16, choices=Level.choices)
    kind = models.CharField("loại", max_length=32, choices=Kind.choices)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    working_hours = models.CharField(
        "giờ làm việc",
        max_length=120,
        blank=True,
        validators=[working_hours_validator],
        help_text="Ví dụ 07:30-11:30,13:30-17:00. Để trống: dùng giờ của đơn vị cấp trên.",
    )
    summer_working_hours = models.CharField(
        "giờ làm việc mùa hè",
        max_length=120,
        blank=True,
        validators=[working_hours_validator],
    )
    summer_from = models.CharField(
        "mùa hè từ (MM-DD)", max_length=5, blank=True, validators=[month_day_validator]
    )
    summer_to = models.CharField(
        "mùa hè đến (MM-DD)", max_length=5, blank=True, validators=[month_day_validator]
    )
    same_day_cutoff = models.TimeField(
        "giờ chốt tiếp nhận trong ngày",
        null=True,
        blank=True,
        help_text="Hồ sơ giải quyết trong ngày nhận sau giờ này hẹn trả cuối ngày làm việc "
        "tiếp theo.",
    )
    # Some one-stop desks receive on Saturday mornings (handbook §10.1). Receiving is not working
    # time: a Saturday receipt counts from its date like any other (decision 1); the declared
    # windows say when the desk is open, and the explanation of a due date shows them.
    saturday_reception = models.CharField(
        "giờ tiếp nhận thứ Bảy",
        max_length=120,
        blank=True,
        default="",
        db_default="",  # servers of the previous release keep inserting during an upgrade
        validators=[working_hours_validator],
        help_text="Ví dụ 07:30-11:30, nếu Bộ phận Một cửa tiếp nhận hồ sơ sáng thứ Bảy. Để trống: "
        "dùng giờ của đơn vị cấp trên (không có: không tiếp nhận thứ Bảy).",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            # A closed row keeps its identifier for history (dossier codes are never rewritten); a
            # renamed unit's new row may carry the same identifier: unique among open rows only.
            models.UniqueConstraint(
                fields=["identifier"],
                condition=Q(valid_to__isnull=True),
                name="unit_identifier_unique_open",
                violation_error_message="Mã định danh điện tử này đã được một đơn vị đang hoạt "
                "động dùng.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Units are cached per process (ancestors, schedules): every edit moves their version.
        bump_version(UNITS_VERSION)

    def clean(self) -> None:
        seasonal = [self.summer_working_hours, self.summer_from, self.summer_to]
        if any(seasonal) and not all(seasonal):
            raise ValidationError(
                "Giờ làm việc mùa hè cần đủ ba trường: giờ làm việc, ngày bắt đầu và ngày kết thúc."
            )
        if self.summer_working_hours and not self.working_hours:
            raise ValidationError({"working_hours": "Cần giờ làm việc mùa đông khi có giờ mùa hè."})
        # The clock must be able to read what is stored: ordered windows, real times and dates.
        for name in ("working_hours", "summer_working_hours", "saturday_reception"):
            if getattr(self, name):
                try:
                    parse_windows(getattr(self, name))
                except CalendarError as exc:
                    raise ValidationError({name: str(exc)}) from exc
        if self.summer_working_hours:
            try:
                WorkingHours.parse(
                    self.working_hours,
                    summer=self.summer_working_hours,
                    summer_from=self.summer_from,
                    summer_to=self.summer_to,
                )
            except CalendarError as exc:
                raise ValidationError({"summer_from": str(exc)}) from exc

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitSuccession(models.Model):
    """A dated reorganisation edge (handbook §11): history rolls up to the successor."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Hợp nhất, sáp nhập"
        SPLIT = "split", "Chia, tách"
        RENAME = "rename", "Đổi tên"
        TRANSFER = "transfer", "Chuyển giao thẩm quyền"

    predecessor = models.ForeignKey(
        Unit, verbose_name="đơn vị trước", on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Unit, verbose_name="đơn vị kế thừa", on_delete=models.PROTECT, related_name="successions_in"
    )
    effective_date = models.DateField("ngày có hiệu lực")
    kind = models.CharField("hình thức", max_length=16, choices=Kind.choices)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        ordering = ["effective_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective_date"], name="unit_succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"
