"""Calendar data: the exceptions to the Monday–Friday week, and the record of every change to them.

Holidays are data, never computed at run time (domain README, decision 8): the official schedules
ship with the project; a year without an official decision is filled from the ``holidays`` package
and marked provisional; a day only the package lists in an official year is *announced* (shown to
administrators, not applied) until someone confirms it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from motcua.calendars.workdays import DayKind
from motcua.core.db import bump_version

CALENDAR_VERSION = "calendar"  # core.DataVersion of the calendar data


class CalendarYear(models.Model):
    """Whether a year's national calendar rests on an official decision or is provisional."""

    class Status(models.TextChoices):
        OFFICIAL = "official", "Chính thức"
        PROVISIONAL = "provisional", "Tạm tính (chưa có văn bản)"

    year = models.PositiveSmallIntegerField("năm", unique=True)
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices)
    source = models.CharField("nguồn", max_length=255)
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xác nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "năm lịch"
        verbose_name_plural = "năm lịch"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"


class CalendarDay(models.Model):
    """One exception: a day off on a weekday (or a holiday on a weekend), or a make-up Saturday."""

    class Status(models.TextChoices):
        OFFICIAL = "official", "Chính thức"
        PROVISIONAL = "provisional", "Tạm tính"
        ANNOUNCED = "announced", "Đã công bố, chờ xác nhận"

    # Statuses that the clock applies; an announced day waits for an administrator.
    APPLIED = (Status.OFFICIAL, Status.PROVISIONAL)

    class Source(models.TextChoices):
        SHIPPED = "shipped", "Dữ liệu kèm phần mềm"
        PACKAGE = "package", "Gói holidays"
        IMPORT = "import", "Nhập từ tệp"
        ADMIN = "admin", "Quản trị viên"

    date = models.DateField("ngày")
    province = models.ForeignKey(
        "units.Unit",
        verbose_name="tỉnh (để trống: toàn quốc)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
    )
    kind = models.CharField("loại", max_length=16, choices=[(k.value, k.label) for k in DayKind])
    name = models.CharField("tên ngày", max_length=255)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    status = models.CharField(
        "trạng thái", max_length=16, choices=Status.choices, default=Status.OFFICIAL
    )
    source = models.CharField("nguồn", max_length=16, choices=Source.choices, default=Source.ADMIN)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "ngày nghỉ, ngày làm bù"
        verbose_name_plural = "ngày nghỉ, ngày làm bù"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(province__isnull=True),
                name="calendar_day_national_unique",
            ),
            models.UniqueConstraint(fields=["date", "province"], name="calendar_day_local_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def clean(self) -> None:
        if self.kind == DayKind.MAKEUP_WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật."})
        if self.province is not None and not (
            self.province.level == "province" and self.province.kind == "peoples_committee"
        ):
            raise ValidationError({"province": "Lịch riêng chỉ gắn với Ủy ban nhân dân cấp tỉnh."})


class CalendarChange(models.Model):
    """A change of calendar data: who, when, why, and which dates now count differently.

    Dossier due dates are recomputed from these records (the dossier app reads the dates changed
    since the last recomputation); saving one also moves the calendar's version (core.DataVersion),
    which keys the in-process calendar cache.
    """

    at = models.DateTimeField("thời điểm", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    province = models.ForeignKey(
        "units.Unit",
        verbose_name="tỉnh",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("thao tác", max_length=32)
    summary = models.TextField("nội dung")
    changed_dates = models.JSONField("các ngày thay đổi", default=list)
    # Set once the open dossiers it may move were recomputed: a change recorded where no signal
    # can be sent (a data migration) or whose task was lost is found and done again after migrate.
    recomputed_at = models.DateTimeField("đã tính lại hạn hồ sơ lúc", null=True, blank=True)
    # The key ranges still being recomputed by their own tasks (settings.MOTCUA_RECOMPUTE_SLICES);
    # the last to finish sets recomputed_at.
    slices_pending = models.PositiveIntegerField("số phần đang tính lại", default=0)

    class Meta:
        verbose_name = "thay đổi lịch"
        verbose_name_plural = "thay đổi lịch"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Calendars are cached per process (calendars.selectors): every change moves the version.
        bump_version(CALENDAR_VERSION)
