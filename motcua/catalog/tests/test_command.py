"""``motcua catalog import|export|load-shipped``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import motcua.catalog
from motcua.catalog.io import catalog_read_file
from motcua.catalog.management.commands import catalog as catalog_command
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.tests.conftest import BIRTH, MARRIAGE

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path, json_file) -> Path:
    path = tmp_path / "danh-muc.json"
    path.write_bytes(json_file(BIRTH, MARRIAGE))
    return path


@pytest.fixture
def bad_file(tmp_path, json_file, make_record) -> Path:
    path = tmp_path / "loi.json"
    path.write_bytes(
        json_file(
            make_record(MARRIAGE),
            make_record(fees=[{"kind": "charge", "name": "Lệ phí", "amount": "-1"}]),
        )
    )
    return path


def test_import(good_file, table_counts):
    out, _ = _run("import", str(good_file))

    assert out == (
        "Đã nhập: 2 phiên bản mới, 0 thủ tục không đổi, 1 lĩnh vực mới.\n"
        "Lĩnh vực mới: HO_TICH\n"
        "Phiên bản mới: 1.000894 v1, 1.001193 v1\n"
    )
    assert table_counts()["ProcedureVersion"] == 2

    out, _ = _run("import", str(good_file))

    assert out == "Đã nhập: 0 phiên bản mới, 2 thủ tục không đổi, 0 lĩnh vực mới.\n"
    assert table_counts()["ProcedureVersion"] == 2


def test_import_dry_run_writes_nothing(good_file, table_counts):
    out, _ = _run("import", str(good_file), "--dry-run")

    assert out.startswith(
        "Chạy thử, chưa lưu gì. Nếu nhập thật sẽ có: 2 phiên bản mới, "
        "0 thủ tục không đổi, 1 lĩnh vực mới.\n"
    )
    assert "Phiên bản mới: 1.000894 v1, 1.001193 v1" in out
    assert set(table_counts().values()) == {0}


def test_import_of_a_bad_file_fails_with_the_report(bad_file, table_counts):
    with pytest.raises(CommandError) as caught:
        _run("import", str(bad_file))

    assert caught.value.returncode == 1
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{bad_file}: Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu."
    assert lines[1].endswith(", trường fees[1].amount: phải là số không âm")
    assert lines[1].startswith("  - thủ tục 1.001193, dòng ")
    assert set(table_counts().values()) == {0}


def test_import_of_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"Không đọc được tệp .*khong-co\.json"):
        _run("import", str(tmp_path / "khong-co.json"))


def test_rejected_import_exits_1_without_traceback(tmp_path):
    """The real console command, in a process of its own (no database is needed to refuse)."""
    bad = tmp_path / "hong.json"
    bad.write_text('{"format": "motcua-catalog/1", "procedures": [', encoding="utf-8")
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }

    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "catalog", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"CommandError: {bad}: Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu.",
        "  - dòng 1: JSON không hợp lệ ở dòng 1, cột 47: Expecting value",
    ]
    assert done.stdout == ""


def test_export_json_to_stdout_defaults_to_versions_in_force(today, store, birth_v1, marriage_v1):
    store({**BIRTH, "effective_from": "2026-06-01", "name": "Khai sinh (từ tháng 6)"})

    out, _ = _run("export")

    document = json.loads(out)
    assert [(p["code"], p["effective_from"]) for p in document["procedures"]] == [
        ("1.000894", "2025-07-01"),
        ("1.001193", "2025-07-01"),
    ]

    out, _ = _run("export", "--on", "2026-06-01")

    assert [p["name"] for p in json.loads(out)["procedures"]] == [
        "Đăng ký kết hôn",
        "Khai sinh (từ tháng 6)",
    ]

    out, _ = _run("export", "--all-versions")

    assert [(p["code"], p["effective_from"]) for p in json.loads(out)["procedures"]] == [
        ("1.000894", "2025-07-01"),
        ("1.001193", "2025-07-01"),
        ("1.001193", "2026-06-01"),
    ]


def test_export_before_anything_was_in_force(birth_v1):
    out, _ = _run("export", "--on", "01/01/2025")

    assert json.loads(out)["procedures"] == []


def test_export_xlsx_to_a_file(tmp_path, today, birth_v1):
    target = tmp_path / "danh-muc.xlsx"

    _, err = _run("export", "--output", str(target))

    assert err.startswith("Đã xuất ")
    fields, records = catalog_read_file(target.read_bytes(), target.name)
    assert [raw["code"] for _, raw in records] == ["1.001193"]
    assert fields[0]["code"] == "HO_TICH"


def test_export_arguments_are_checked(db):
    with pytest.raises(CommandError, match=r"Xuất Excel cần --output TEP.xlsx."):
        _run("export", "--format", "xlsx")
    with pytest.raises(CommandError, match="Chọn --on hoặc --all-versions"):
        _run("export", "--on", "2026-01-01", "--all-versions")
    with pytest.raises(CommandError, match="--on '2026-13-01' không hợp lệ"):
        _run("export", "--on", "2026-13-01")


def test_load_shipped(monkeypatch, good_file, tmp_path):
    monkeypatch.setattr(catalog_command, "SHIPPED_CATALOG", good_file)

    out, _ = _run("load-shipped", "--dry-run")

    assert out.startswith("Chạy thử")
    assert ProcedureVersion.objects.count() == 0

    out, _ = _run("load-shipped")

    assert out.startswith("Đã nhập: 2 phiên bản mới")
    assert ProcedureVersion.objects.count() == 2

    monkeypatch.setattr(catalog_command, "SHIPPED_CATALOG", tmp_path / "procedures.json")
    with pytest.raises(CommandError, match="Chưa có danh mục kèm theo"):
        _run("load-shipped")


def test_shipped_catalog_path():
    shipped = catalog_command.SHIPPED_CATALOG
    assert shipped == Path(motcua.catalog.__file__).resolve().parent / "data" / "procedures.json"
