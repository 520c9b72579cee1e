"""What the documents keep: each notice as it was issued, and the register's entry numbers.

A notice (Mẫu 01–05 of a set, except the control slip and the register) is frozen when it is
issued: its content, its PDF and the PDF's SHA-256 are stored once and never rewritten, so a
reprint is byte-identical whatever changes later (docs/forms.md, "Frozen as issued"). The
register (Sổ theo dõi hồ sơ) numbers the dossiers of each receiving unit per year, continuously
to the year's end (TT 01/2018/TT-VPCP Điều 10); a number once given never changes.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class DocumentCounter(models.Model):
    """A named counter (a unit's register of a year, a unit's notices of a kind and year),
    incremented under a row lock so that two prints at once never share a number."""

    key = models.CharField(max_length=100, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "bộ đếm số giấy tờ"
        verbose_name_plural = "bộ đếm số giấy tờ"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class RegisterEntry(models.Model):
    """A dossier's line in the register of the unit that received it, for the year of receipt."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị tiếp nhận", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    # One electronic book a year (quyển số 01); a field so that a unit that splits its book keeps
    # the numbers running on, as TT 01/2018 Điều 10 has a new paper book continue the last one.
    book = models.PositiveSmallIntegerField("quyển số", default=1)
    number = models.PositiveIntegerField("số thứ tự")
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.PROTECT,
        related_name="register_entry",
    )
    entered_at = models.DateTimeField("vào sổ lúc")

    class Meta:
        verbose_name = "số thứ tự sổ theo dõi"
        verbose_name_plural = "số thứ tự sổ theo dõi"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="register_entry_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year} quyển {self.book} số {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("A register number, once given, never changes.")
        super().save(*args, **kwargs)


class IssuedNotice(models.Model):
    """One notice as issued at one event of a dossier: its content, PDF and SHA-256."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.PROTECT,
        related_name="notices",
        db_index=False,  # the (dossier, event_seq, kind) constraint serves it
    )
    event_seq = models.PositiveIntegerField("sự kiện")  # the event that issued it
    kind = models.CharField("loại", max_length=32)  # formsets.Kind
    form_set = models.CharField("bộ mẫu", max_length=16)  # formsets.FormSet.key
    form = models.CharField("mẫu số", max_length=4)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="đơn vị ban hành",
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveIntegerField("số", null=True, blank=True)
    issued_at = models.DateTimeField("ban hành lúc")  # the event's time
    content = models.JSONField("nội dung")
    pdf = models.BinaryField("tệp PDF")
    sha256 = models.CharField("SHA-256 của tệp PDF", max_length=64)
    frozen_at = models.DateTimeField("lưu lúc")

    class Meta:
        verbose_name = "giấy tờ đã ban hành"
        verbose_name_plural = "giấy tờ đã ban hành"
        ordering = ["dossier", "event_seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "event_seq", "kind"], name="issued_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.event_seq} Mẫu {self.form} ({self.form_set})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("An issued notice is never rewritten.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("An issued notice is never deleted.")
