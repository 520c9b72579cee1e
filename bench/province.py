"""What the benchmarks measure on: a province, its communes and one procedure (7 working days)."""

from __future__ import annotations

from typing import Any


def province_with_communes(units: int) -> list[Any]:
    """A throw-away province with ``units`` communes (each with an electronic identifier) and the
    procedure Đăng ký thường trú received there; returns the communes."""
    from motcua.catalog.services import catalog_import
    from motcua.units.models import Unit
    from motcua.units.services import unit_create

    province = unit_create(
        name="Ủy ban nhân dân tỉnh Đo Tải",
        level=Unit.Level.PROVINCE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        area_code="99",
        identifier="000.00.00.H99",
    )
    record = {
        "code": "1.004222",
        "effective_from": "2025-01-01",
        "name": "Đăng ký thường trú",
        "field": "CU_TRU",
        "levels": ["commune"],
        "competent_authority": "Công an cấp xã",
        "result": "Thông tin cư trú được cập nhật",
        "legal_basis": ["Luật Cư trú 2020"],
        "time_limit": {"value": "7", "unit": "working_day"},
        "online_level": "full",
        "components": [{"name": "Tờ khai thay đổi thông tin cư trú", "originals": 1}],
        "fees": [{"kind": "charge", "name": "Lệ phí", "amount": "20000", "channel": "direct"}],
    }
    catalog_import(fields=[{"code": "CU_TRU", "name": "Cư trú"}], records=[({"index": 1}, record)])
    return [
        unit_create(
            name=f"Ủy ban nhân dân xã Số {index + 1}",
            level=Unit.Level.COMMUNE,
            kind=Unit.Kind.PEOPLES_COMMITTEE,
            parent=province,
            area_code=f"99{index:03d}",
            identifier=f"{index:03d}.99.00.H99",
        )
        for index in range(units)
    ]
