"""motcua dossiers-pdf and motcua register-pdf: a file written, or one clear line."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.calendars.tests.calendar_data import at
from motcua.documents.tests.conftest import read_pdf

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_receipt_to_a_file(desk, receive, tmp_path):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    target = tmp_path / "giay-tiep-nhan.pdf"
    message = run("dossiers-pdf", dossier.code, "--form", "01", "--output", str(target))
    assert message.strip() == (
        f"Đã ghi Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) của hồ sơ {dossier.code} "
        f"vào {target}."
    )
    assert dossier.code in read_pdf(target.read_bytes()).text


def test_the_default_file_name(desk, receive, tmp_path, monkeypatch):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    monkeypatch.chdir(tmp_path)
    run("dossiers-pdf", dossier.code, "--form", "05")
    assert (tmp_path / f"{dossier.code}_mau05.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["000.12.34.H99-250424-0099", "--form", "01"],
            "Không có hồ sơ mã 000.12.34.H99-250424-0099.",
        ),
        (
            ["{code}", "--form", "04"],
            "Hồ sơ {code} chưa có phiếu xin lỗi và hẹn lại ngày trả kết quả",
        ),
        (
            ["{code}", "--form", "9"],
            "Hồ sơ {code} (tiếp nhận ngày 24/04/2025) in theo bộ mẫu Thông tư 01/2018/TT-VPCP: "
            "không có mẫu '9'; chọn một trong các mẫu 01, 02, 03, 04, 05.",
        ),
        (
            ["{code}", "--form", "07"],
            "Hồ sơ {code} (tiếp nhận ngày 24/04/2025) in theo bộ mẫu Thông tư 01/2018/TT-VPCP: "
            "không có mẫu '07'; chọn một trong các mẫu 01, 02, 03, 04, 05. Mẫu 07 có trong bộ mẫu "
            "Thông tư 03/2025/TT-VPCP, áp dụng cho hồ sơ tiếp nhận từ ngày 15/09/2025.",
        ),
        (
            ["{code}", "--form", "06"],
            "Mẫu 06 của bộ mẫu Thông tư 01/2018/TT-VPCP là Sổ theo dõi hồ sơ của đơn vị, không in "
            "theo từng hồ sơ",
        ),
        (["{code}", "--form", "01", "--event", "9"], "Hồ sơ {code} không có Mẫu 01 ban hành tại"),
        (["{code}"], "Cần --form (số hiệu mẫu) hoặc --list."),
        (["{code}", "--form", "01", "--output", "/khong-co/thu-muc/x.pdf"], "Không ghi được tệp"),
    ],
)
def test_bad_input_is_one_line(desk, receive, args, message):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    with pytest.raises(CommandError) as error:
        run("dossiers-pdf", *(arg.format(code=dossier.code) for arg in args))
    text = str(error.value)
    assert "\n" not in text
    assert text.startswith(message.format(code=dossier.code))


def test_a_notice_of_an_event_and_the_list_of_notices(desk, receive, tmp_path, monkeypatch):
    dossier = receive("1.004222", at(2025, 10, 24, 10))
    monkeypatch.chdir(tmp_path)
    assert run("dossiers-pdf", dossier.code, "--list").strip() == (
        f"Hồ sơ {dossier.code} chưa có giấy tờ nào được lưu."
    )
    run("dossiers-pdf", dossier.code, "--form", "1", "--event", "1")
    first = (tmp_path / f"{dossier.code}_mau01_su-kien1.pdf").read_bytes()
    [line] = run("dossiers-pdf", dossier.code, "--list").strip().split("\n")
    assert line.startswith("Mẫu 01 (tt03-2025), sự kiện 1, ban hành 24/10/2025 10:00, lưu ")
    assert line.endswith(f"SHA-256 {hashlib.sha256(first).hexdigest()}")
    # The control slip of a dossier received under TT 03/2025 is Mẫu 06.
    run("dossiers-pdf", dossier.code, "--form", "06")
    assert "PHIẾU KIỂM SOÁT" in read_pdf((tmp_path / f"{dossier.code}_mau06.pdf").read_bytes()).text


def test_a_register_to_a_file(desk, receive, tmp_path):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    target = tmp_path / "so.pdf"
    message = run(
        "register-pdf",
        "--unit",
        "000.12.34.H99",
        "--from",
        "2025-04-01",
        "--to",
        "30/04/2025",
        "--output",
        str(target),
    )
    assert message.strip() == (
        f"Đã ghi Sổ theo dõi hồ sơ của Ủy ban nhân dân xã Một (01/04/2025–30/04/2025) vào {target}."
    )
    pdf = read_pdf(target.read_bytes())
    assert dossier.code in pdf.text
    assert pdf.size() == (841.89, 595.28)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "000.99.99.H99"], "Không tìm thấy đơn vị có mã '000.99.99.H99'."),
        (["--from", "2025-13-01"], "--from '2025-13-01' không hợp lệ"),
        (["--from", "2025-05-01"], "Ngày kết thúc 30/04/2025 trước ngày bắt đầu 01/05/2025."),
    ],
)
def test_a_bad_register_request_is_one_line(desk, tmp_path, args, message):
    options = {"--unit": "000.12.34.H99", "--from": "2025-04-01", "--to": "2025-04-30"}
    options.update(zip(args[::2], args[1::2], strict=True))
    with pytest.raises(CommandError) as error:
        run("register-pdf", *(part for pair in options.items() for part in pair))
    assert "\n" not in str(error.value)
    assert str(error.value).startswith(message)
