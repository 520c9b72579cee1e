"""The procedure catalogue (thủ tục hành chính), versioned.

A procedure is an identity (its national code); everything a citizen or an officer relies on
lives in its versions. An edit makes a new version with an effective date, and a dossier keeps the
version in force at intake (handbook §0: dossiers received before a new text takes effect are
handled under the old one). Fields follow the national database record (handbook §12.3; ND 63/2010
Điều 8 khoản 2).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from motcua.accounts.models import Role
from motcua.calendars.workdays import LimitUnit
from motcua.core.db import bump_version
from motcua.core.validators import civil_year_validator

# National code d.dddddd (handbook §12.3), optionally followed by the locally applying unit's
# identifier (2.000575.000.00.00.H35).
PROCEDURE_CODE_PATTERN = r"^\d\.\d{6}(\.[0-9A-Z]{2,3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2})?$"
procedure_code_validator = RegexValidator(
    PROCEDURE_CODE_PATTERN, "Mã thủ tục phải có dạng d.dddddd, ví dụ 1.001193."
)


CATALOG_VERSION = "catalog"  # core.DataVersion of the procedure versions


class Field(models.Model):
    """Lĩnh vực: the field a procedure belongs to (hộ tịch, chứng thực, cư trú, …)."""

    code = models.CharField("mã lĩnh vực", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)
    name_en = models.CharField("tên tiếng Anh", max_length=255, blank=True)
    # The field's code in the national list (mã lĩnh vực, TT 01/2018/TT-VPCP Điều 20: the "LV" of
    # MX1X2-LV), where known; ``code`` above is this catalogue's own key.
    official_code = models.CharField(
        "mã lĩnh vực quốc gia",
        max_length=40,
        blank=True,
        help_text="Mã lĩnh vực trên Cơ sở dữ liệu quốc gia về TTHC (TT 01/2018 Điều 20), nếu đã "
        "đối chiếu.",
    )

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(
        "mã thủ tục", max_length=40, unique=True, validators=[procedure_code_validator]
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Level(models.TextChoices):
    """Cấp thực hiện."""

    CENTRAL = "central", "Cấp trung ương"
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện (đến 30/6/2025)"
    COMMUNE = "commune", "Cấp xã"


class OnlineLevel(models.TextChoices):
    """Mức độ dịch vụ công trực tuyến (ND 42/2022)."""

    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không cung cấp trực tuyến"


class SupplementPolicy(models.TextChoices):
    """What a supplement request does to the clock (domain README, decision 3; handbook §2.7).

    Decision 3 chooses between restart (default) and pause; the handbook's note on ND 61 Điều 19
    khoản 4 also keeps the older wording ("time already spent counts", no stop) selectable as
    ``continue`` because which text is in force is unverified [U].
    """

    RESTART = "restart", "Tính lại từ đầu khi nhận đủ hồ sơ"
    PAUSE = "pause", "Tạm dừng, thời gian đã giải quyết vẫn được tính"
    CONTINUE = "continue", "Không dừng, thời hạn tiếp tục chạy"


class Channel(models.TextChoices):
    """Kênh thực hiện (ND 61/2018 Điều 16); ``all`` when a fee does not depend on it."""

    ALL = "all", "Mọi hình thức"
    DIRECT = "direct", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    POSTAL = "postal", "Bưu chính công ích"


class Source(models.TextChoices):
    """Where a version's content came from (provenance; see docs/catalog-format.md)."""

    SAMPLE = "sample", "Dữ liệu mẫu kèm theo motcua"
    NATIONAL = "national", "Cơ sở dữ liệu quốc gia về TTHC"
    LOCAL = "local", "Nhập tại địa phương"


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Đang công khai"
        ABOLISHED = "abolished", "Bãi bỏ"

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("hiệu lực từ", validators=[civil_year_validator])
    # Derived: the day before the next version takes effect; kept by the service that adds versions.
    effective_to = models.DateField("hiệu lực đến", null=True, blank=True, editable=False)
    status = models.CharField(
        "trạng thái", max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    name = models.CharField("tên thủ tục", max_length=500)
    name_en = models.CharField("tên tiếng Anh", max_length=500, blank=True)
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="versions"
    )
    sector_code = models.CharField(
        "mã ngành, lĩnh vực", max_length=40, blank=True, help_text="MX1X2-LV (TT 01/2018 Điều 20)"
    )
    # Comma-separated Level values ("province,commune"); a plain string so that filtering by level
    # is one portable LIKE on SQLite and PostgreSQL (the codes are not substrings of each other).
    levels = models.CharField("cấp thực hiện", max_length=64)
    competent_authority = models.CharField("cơ quan thực hiện", max_length=500)
    applicants = models.TextField("đối tượng thực hiện", blank=True)
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    requirements = models.TextField("yêu cầu, điều kiện", blank=True)
    result = models.CharField("kết quả thực hiện", max_length=500)

    time_limit_value = models.DecimalField(
        "thời hạn giải quyết", max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    time_limit_unit = models.CharField(
        "đơn vị thời hạn", max_length=16, choices=[(u.value, u.label) for u in LimitUnit]
    )
    time_limit_text = models.CharField(
        "mô tả thời hạn",
        max_length=500,
        blank=True,
        help_text="Nguyên văn quy định, ví dụ: ngay trong ngày; sau 15 giờ thì trả ngày làm việc "
        "tiếp theo.",
    )
    same_day_cutoff = models.TimeField("giờ chốt trong ngày", null=True, blank=True)
    # Decision 11 (domain README): waiting for the applicant to pay stops the clock only where the
    # procedure's own law says so (land registration: ND 101/2024/NĐ-CP).
    payment_stops_clock = models.BooleanField("dừng tính thời hạn khi chờ nộp phí", default=False)
    payment_stop_basis = models.CharField(
        "căn cứ dừng tính thời hạn khi chờ nộp phí",
        max_length=500,
        blank=True,
        help_text="Bắt buộc khi dừng tính thời hạn, ví dụ: Nghị định 101/2024/NĐ-CP.",
    )

    online_level = models.CharField(
        "mức độ trực tuyến", max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    postal_allowed = models.BooleanField("tiếp nhận, trả kết quả qua bưu chính", default=True)
    boundary_free = models.BooleanField(
        "tiếp nhận không phụ thuộc địa giới hành chính", default=False
    )
    boundary_free_basis = models.CharField(
        "văn bản quyết định (phi địa giới)", max_length=500, blank=True
    )
    legal_basis = models.JSONField("căn cứ pháp lý", default=list)
    # The decision that announced the procedure (quyết định công bố; TT 01/2018/TT-VPCP Điều 3,
    # ND 63/2010 Điều 15): number, date and issuer, kept apart so that they can be checked.
    announcement_number = models.CharField(
        "số quyết định công bố", max_length=100, blank=True, help_text="Ví dụ: 3152/QĐ-BTP."
    )
    announcement_date = models.DateField("ngày quyết định công bố", null=True, blank=True)
    announcement_issuer = models.CharField(
        "cơ quan ban hành quyết định công bố", max_length=255, blank=True
    )
    source = models.CharField(
        "nguồn dữ liệu", max_length=16, choices=Source.choices, default=Source.LOCAL
    )
    supplement_policy = models.CharField(
        "cách tính thời hạn khi bổ sung hồ sơ",
        max_length=16,
        choices=SupplementPolicy.choices,
        default=SupplementPolicy.RESTART,
    )
    # Which facts are not yet checked against the national database: {"code": "U", "fees": "U"}.
    verification = models.JSONField("mức độ kiểm chứng", default=dict, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    search_text = models.TextField(editable=False, default="")

    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_number"
            ),
            models.UniqueConstraint(
                fields=["procedure", "effective_from"], name="procedure_version_effective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    # Versions in force are cached per process (catalog.selectors): every change moves the version.
    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        bump_version(CATALOG_VERSION)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        bump_version(CATALOG_VERSION)
        return deleted

    @property
    def level_list(self) -> list[str]:
        return [level for level in self.levels.split(",") if level]

    @property
    def level_labels(self) -> list[str]:
        return [Level(level).label for level in self.level_list]

    @property
    def unverified_fields(self) -> list[str]:
        return sorted(key for key, mark in self.verification.items() if mark == "U")

    @property
    def is_sample(self) -> bool:
        """Shipped sample data, not yet replaced by an import from the national database."""
        return self.source == Source.SAMPLE

    @property
    def announcement(self) -> str:
        """The announcing decision in words: "3152/QĐ-BTP ngày 01/02/2025 của Bộ Tư pháp"."""
        parts = [self.announcement_number]
        if self.announcement_date:
            parts.append(f"ngày {self.announcement_date:%d/%m/%Y}")
        if self.announcement_issuer:
            parts.append(f"của {self.announcement_issuer}")
        return " ".join(part for part in parts if part)


class LimitCondition(models.TextChoices):
    """When a per-case time limit applies instead of the general one."""

    CASE = "case", "Theo trường hợp (cán bộ chọn, ghi lý do)"
    ONLINE = "online", "Nộp trực tuyến"
    DIRECT = "direct", "Nộp trực tiếp"
    POSTAL = "postal", "Nộp qua bưu chính công ích"


CHANNEL_CONDITIONS = frozenset(
    {LimitCondition.ONLINE, LimitCondition.DIRECT, LimitCondition.POSTAL}
)
TIME_LIMIT_CODE_PATTERN = r"^[a-z0-9_-]{1,40}$"


class ProcedureTimeLimit(models.Model):
    """A time limit the law sets for one case of the procedure, beside the general limit.

    The version's own ``time_limit_*`` stay the general limit. A ``case`` limit is chosen by an
    officer with a reason (e.g. "cần xác minh": Luật Hộ tịch 2014 Điều 18 khoản 2); a channel
    limit applies by itself to dossiers of that channel (e.g. a postal request: ND 23/2015 Điều 7).
    """

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="time_limits"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField(
        "mã trường hợp",
        max_length=40,
        validators=[
            RegexValidator(
                TIME_LIMIT_CODE_PATTERN,
                "Mã trường hợp chỉ gồm chữ thường không dấu, số, '_' và '-', tối đa 40 ký tự.",
            )
        ],
    )
    label = models.CharField("trường hợp", max_length=255)
    condition = models.CharField(
        "áp dụng khi", max_length=16, choices=LimitCondition.choices, default=LimitCondition.CASE
    )
    value = models.DecimalField(
        "thời hạn", max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(
        "đơn vị thời hạn", max_length=16, choices=[(u.value, u.label) for u in LimitUnit]
    )
    text = models.CharField("mô tả thời hạn", max_length=500, blank=True)
    legal_basis = models.CharField("căn cứ", max_length=500)

    class Meta:
        verbose_name = "thời hạn theo trường hợp"
        verbose_name_plural = "thời hạn theo trường hợp"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="procedure_time_limit_code",
                violation_error_message="Mã trường hợp bị trùng trong phiên bản.",
            ),
            models.UniqueConstraint(
                fields=["version", "condition"],
                condition=Q(condition__in=sorted(CHANNEL_CONDITIONS)),
                name="procedure_time_limit_channel",
                violation_error_message="Mỗi hình thức nộp chỉ có một thời hạn riêng.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class ProcedureComponent(models.Model):
    """Thành phần hồ sơ: one paper of the dossier, for one case (trường hợp) of the procedure."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    case = models.CharField("trường hợp", max_length=500, blank=True)
    name = models.CharField("tên giấy tờ", max_length=1000)
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    form_template = models.CharField("mẫu đơn, tờ khai", max_length=500, blank=True)
    required = models.BooleanField("bắt buộc", default=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name


class ProcedureFee(models.Model):
    """Phí, lệ phí: an amount in VND with its legal basis; per channel where the law says so.

    Decision 11 (domain README): a fee the provincial People's Council sets is "to be set by the
    province" until the province configures it (``ProvincialFee``), never 0; 0 means exempt.
    """

    class Kind(models.TextChoices):
        FEE = "fee", "Phí"
        CHARGE = "charge", "Lệ phí"

    class Pricing(models.TextChoices):
        AMOUNT = "amount", "Mức thu cố định"
        EXEMPT = "exempt", "Miễn"
        # Luật Phí và lệ phí 2015; TT 85/2019/TT-BTC lists the fees the HĐND tỉnh sets.
        PROVINCE = "province", "Do HĐND tỉnh quyết định"

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại", max_length=8, choices=Kind.choices)
    name = models.CharField("tên khoản thu", max_length=500)
    pricing = models.CharField(
        "cách xác định mức thu", max_length=16, choices=Pricing.choices, default=Pricing.AMOUNT
    )
    amount = models.DecimalField(
        "số tiền (VND)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Chỉ ghi khi mức thu cố định; để trống khi miễn hoặc do HĐND tỉnh quyết định.",
    )
    currency = models.CharField(max_length=3, default="VND", editable=False)
    unit = models.CharField("đơn vị tính", max_length=120, blank=True)
    channel = models.CharField(
        "hình thức", max_length=8, choices=Channel.choices, default=Channel.ALL
    )
    description = models.TextField("mô tả, miễn giảm", blank=True)
    legal_basis = models.CharField("căn cứ", max_length=500, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["version", "position"]

    def __str__(self) -> str:
        if self.pricing == self.Pricing.AMOUNT:
            return f"{self.name}: {self.amount} {self.currency}"
        return f"{self.name}: {self.get_pricing_display()}"


class ProcessStep(models.Model):
    """One step of the internal process template (quy trình nội bộ) and its share of the limit."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("bước", max_length=500)
    role = models.CharField("vai trò thực hiện", max_length=16, choices=Role.choices, blank=True)
    performer = models.CharField(
        "đơn vị thực hiện",
        max_length=255,
        blank=True,
        help_text="Khi bước do đơn vị khác thực hiện (liên thông).",
    )
    share = models.DecimalField(
        "tỷ lệ thời hạn",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text="Phần của thời hạn giải quyết dành cho bước này (0–1).",
    )

    class Meta:
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "bước quy trình nội bộ"
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name


class UnitProcedure(models.Model):
    """A procedure received at a unit's one-stop desk (and posted there: niêm yết)."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.CASCADE, related_name="procedures"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="units"
    )
    valid_from = models.DateField("áp dụng từ")
    valid_to = models.DateField("áp dụng đến", null=True, blank=True)

    class Meta:
        verbose_name = "thủ tục áp dụng tại đơn vị"
        verbose_name_plural = "thủ tục áp dụng tại đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "procedure", "valid_from"], name="unit_procedure_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_procedure_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} @ {self.unit}"


class ProvincialFee(models.Model):
    """The amount a province's People's Council set for a catalogue fee priced ``province``.

    A fee is named by its procedure, kind, name and channel rather than by the row of one version,
    so that a configured amount carries over to the procedure's later versions (a renamed fee is
    another fee, and shows as unconfigured until the province sets it). Amount 0 records that the
    resolution exempts it (decision 11: 0 means exempt).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="provincial_fees"
    )
    fee_kind = models.CharField("loại", max_length=8, choices=ProcedureFee.Kind.choices)
    fee_name = models.CharField("tên khoản thu", max_length=500)
    fee_channel = models.CharField(
        "hình thức", max_length=8, choices=Channel.choices, default=Channel.ALL
    )
    province = models.ForeignKey(
        "units.Unit",
        verbose_name="tỉnh, thành phố",
        on_delete=models.PROTECT,
        related_name="provincial_fees",
    )
    amount = models.DecimalField(
        "mức thu (VND)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="0 khi nghị quyết miễn khoản thu này.",
    )
    resolution = models.CharField(
        "nghị quyết", max_length=255, help_text="Ví dụ: Nghị quyết số 12/2025/NQ-HĐND."
    )
    effective_from = models.DateField("áp dụng từ", validators=[civil_year_validator])
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "mức thu do HĐND tỉnh quyết định"
        verbose_name_plural = "mức thu do HĐND tỉnh quyết định"
        ordering = ["province", "procedure__code", "fee_name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "procedure",
                    "fee_kind",
                    "fee_name",
                    "fee_channel",
                    "province",
                    "effective_from",
                ],
                name="provincial_fee_unique",
                violation_error_message="Khoản thu này đã có mức thu của tỉnh áp dụng từ ngày này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fee_name} @ {self.province}: {self.amount} VND"
