"""API tokens: a client application acts as one officer, with exactly that officer's roles.

The secret is shown once, when the token is made; only its SHA-256 digest is stored (see
``apiclients.services`` for why a fast digest and not a password hasher). The public ``prefix``
finds the row, so checking a token costs one indexed query and one digest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        # What a token may do, within its officer's roles (issue 10 item 3): least privilege for
        # a reporting or look-up client, transitions only where an application records them.
        READ = "read", "Chỉ đọc"
        ACT = "act", "Đọc và thao tác hồ sơ (tiếp nhận, chuyển bước, trả kết quả…)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ (ứng dụng hoạt động với quyền của)",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("ứng dụng kết nối", max_length=100)
    scope = models.CharField("phạm vi", max_length=8, choices=Scope.choices, default=Scope.READ)
    # Public: printed before the secret in the token, shown in the admin to tell tokens apart.
    prefix = models.CharField("tiền tố", max_length=16, unique=True, editable=False)
    secret_hash = models.CharField("SHA-256 của mã bí mật", max_length=64, editable=False)
    created_at = models.DateTimeField("tạo lúc", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Written at most once a minute (services.LAST_USED_RESOLUTION), not on every request.
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True, editable=False)
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thu hồi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def state(self, at: dt.datetime) -> str:
        """Đang dùng, đã thu hồi or hết hạn at ``at``."""
        if self.revoked_at is not None:
            return "Đã thu hồi"
        if self.expires_at is not None and self.expires_at <= at:
            return "Hết hạn"
        return "Đang dùng"
