"""Who saw what (issue 10 item 4): an append-only log of every opening, print, export and
search of a dossier's personal data, by an officer on the pages, an application through the API
or an administrator's command.

Its own small app, above ``dossiers`` (a record names the dossier) and below the pages and the
API that write it; ``accounts`` is a ground floor and must not know dossiers (style §12.3).

Append-only like the dossier events: the model and its queryset refuse update and delete, and on
PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Access(models.TextChoices):
    OPENED = "opened", "Mở xem"
    PRINTED = "printed", "In"
    EXPORTED = "exported", "Xuất dữ liệu"
    SEARCHED = "searched", "Tra cứu"


class Channel(models.TextChoices):
    PAGE = "page", "Màn hình cán bộ"
    API = "api", "API"
    COMMAND = "command", "Lệnh quản trị"


class QueryKind(models.TextChoices):
    ID_NUMBER = "id_number", "Số định danh, mã số thuế"
    CODE = "code", "Mã hồ sơ"
    NAME = "name", "Tên người nộp"
    FILTERS = "filters", "Chỉ lọc (trạng thái, ngày, đơn vị)"


class AccessQuerySet(models.QuerySet["AccessRecord"]):
    """No bulk rewrite of the log through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")


class AccessRecord(models.Model):
    """One access to personal data: who, when, how, what, from where."""

    at = models.DateTimeField("lúc")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (user, at) index below serves it
    )
    username = models.CharField("tên đăng nhập", max_length=150)  # kept if the account goes
    channel = models.CharField("qua", max_length=8, choices=Channel.choices)
    # The application (and its token's public prefix) an API call acted through, or the command.
    client = models.CharField("ứng dụng, lệnh", max_length=150, blank=True)
    action = models.CharField("thao tác", max_length=10, choices=Access.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What was shown: "chi-tiet", "lich-su", "mau-01", "so-theo-doi", an export's filters.
    what = models.CharField("nội dung", max_length=200, blank=True)
    query_kind = models.CharField(
        "loại tìm kiếm", max_length=10, choices=QueryKind.choices, blank=True
    )
    # Never the number searched: a keyed digest of it (audit.services.search_digest).
    query_digest = models.CharField("mã băm có khóa của số tìm", max_length=64, blank=True)
    results = models.PositiveIntegerField("số kết quả", null=True, blank=True)
    address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = "lượt truy cập dữ liệu cá nhân"
        verbose_name_plural = "nhật ký truy cập dữ liệu cá nhân"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="access_at"),
            models.Index(fields=["user", "at"], name="access_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")
