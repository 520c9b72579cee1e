"""Data migration 0003: fee pricing, announcing decisions and sample data, there and back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0002_time_limits_fees_provenance")]
AFTER = None  # every app at its latest: going back to BEFORE also unapplied what depends on it


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_catalogue(transactional_db):
    """Rows as a database loaded before 0003 holds them; leaves the schema at the latest."""
    apps = _migrate(BEFORE)
    Field = apps.get_model("catalog", "Field")
    Procedure = apps.get_model("catalog", "Procedure")
    Version = apps.get_model("catalog", "ProcedureVersion")  # noqa: N806
    Fee = apps.get_model("catalog", "ProcedureFee")  # noqa: N806
    field = Field.objects.create(code="HO_TICH", name="Hộ tịch")

    def version(code, name, **values):
        return Version.objects.create(
            procedure=Procedure.objects.create(code=code),
            number=1,
            effective_from=dt.date(2025, 7, 1),
            name=name,
            field=field,
            levels="commune",
            competent_authority="UBND xã",
            result="Kết quả",
            time_limit_value=3,
            time_limit_unit="working_day",
            **values,
        )

    shipped = version("1.001022", "Đăng ký nhận cha, mẹ, con")
    typed = version(
        "1.000894",
        "Đăng ký kết hôn (tự nhập)",
        announcement_decision="3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp",
    )
    vague = version("1.000656", "Đăng ký khai tử", announcement_decision="QĐ của tỉnh, năm 2025")
    noted = version(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        notes="Đối chiếu với Quyết định 2831/QĐ-UBND ngày 10/7/2025 của UBND thành phố Hải "
        "Phòng công bố thủ tục hộ kinh doanh.",
    )
    for position, (amount, description, basis) in enumerate(
        [
            (0, "Mức thu do Hội đồng nhân dân cấp tỉnh quyết định", ""),
            (0, "", "Thông tư 85/2019/TT-BTC; nghị quyết HĐND tỉnh"),
            (0, "Miễn lệ phí", "Luật Hộ tịch 2014, Điều 11"),
            (8000, "", "Thông tư 281/2016/TT-BTC"),
        ],
        start=1,
    ):
        Fee.objects.create(
            version=shipped,
            position=position,
            kind="charge",
            name=f"Khoản {position}",
            amount=amount,
            description=description,
            legal_basis=basis,
        )
    yield {"shipped": shipped.pk, "typed": typed.pk, "vague": vague.pk, "noted": noted.pk}
    _migrate(AFTER)


def test_forward_and_back(old_catalogue):
    apps = _migrate(AFTER)
    Version = apps.get_model("catalog", "ProcedureVersion")  # noqa: N806
    Fee = apps.get_model("catalog", "ProcedureFee")  # noqa: N806

    fees = [(f.pricing, f.amount) for f in Fee.objects.order_by("position")]
    assert fees == [
        ("province", None),
        ("province", None),
        ("exempt", None),
        ("amount", Decimal("8000")),
    ]
    typed = Version.objects.get(pk=old_catalogue["typed"])
    assert (typed.announcement_number, typed.announcement_date, typed.announcement_issuer) == (
        "3152/QĐ-BTP",
        dt.date(2025, 6, 20),
        "Bộ Tư pháp",
    )
    vague = Version.objects.get(pk=old_catalogue["vague"])
    assert vague.announcement_number == ""
    assert vague.notes.endswith(
        "Quyết định công bố (chưa tách được số, ngày): QĐ của tỉnh, năm 2025"
    )
    noted = Version.objects.get(pk=old_catalogue["noted"])
    assert (noted.announcement_number, noted.announcement_issuer) == (
        "2831/QĐ-UBND",
        "Ủy ban nhân dân thành phố Hải Phòng",
    )
    sources = dict(Version.objects.values_list("procedure__code", "source"))
    # Shipped names and date, loaded by no one: sample; a name typed locally is not.
    assert sources == {
        "1.001022": "sample",
        "1.000894": "local",
        "1.000656": "sample",
        "1.001612": "sample",
    }

    apps = _migrate(BEFORE)
    Version = apps.get_model("catalog", "ProcedureVersion")  # noqa: N806
    Fee = apps.get_model("catalog", "ProcedureFee")  # noqa: N806

    assert [f.amount for f in Fee.objects.order_by("position")] == [0, 0, 0, 8000]
    back = {v.pk: (v.announcement_decision, v.notes) for v in Version.objects.all()}
    assert back[old_catalogue["typed"]] == ("3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp", "")
    assert back[old_catalogue["vague"]] == ("QĐ của tỉnh, năm 2025", "")
    assert back[old_catalogue["noted"]][0] == ""  # it came from the notes, which still name it
