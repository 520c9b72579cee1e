"""Users, and officers' memberships: user × unit × role, with validity dates."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


class Role(models.TextChoices):
    RECEPTION = "reception", "Tiếp nhận và trả kết quả (một cửa)"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    LEADER = "leader", "Lãnh đạo"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    POSTAL = "postal", "Nhân viên bưu chính"
    INSPECTOR = "inspector", "Thanh tra, kiểm soát"


# Roles whose membership also reaches every unit below theirs: a province administrator manages the
# communes' officers, an inspector of the province inspects the communes.
SUBTREE_ROLES = frozenset({Role.UNIT_ADMIN, Role.INSPECTOR})
# Roles that work in the back office (Django admin): catalogue, calendar, users.
ADMIN_ROLES = frozenset({Role.UNIT_ADMIN})


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name="người dùng", on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    title = models.CharField("chức danh", max_length=120, blank=True)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công"
        ordering = ["unit__path", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role", "valid_from"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
