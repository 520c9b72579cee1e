"""`motcua deadline` and GET /api/calendar/deadline reproduce the handbook's examples (§14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

EXAMPLES = [
    # (received, limit, unit, pauses, due under receipt_time, due under end_of_day)
    (
        "2025-04-24 10:00",
        "7",
        "working_day",
        [],
        "2025-05-07T10:00:00+07:00",
        "2025-05-07T17:00:00+07:00",
    ),
    (
        "2025-02-17 08:15",
        "0",
        "same_day",
        [],
        "2025-02-17T17:00:00+07:00",
        "2025-02-17T17:00:00+07:00",
    ),
    (
        "2025-02-17 15:30",
        "0",
        "same_day",
        [],
        "2025-02-18T17:00:00+07:00",
        "2025-02-18T17:00:00+07:00",
    ),
    (
        "2026-01-05 09:00",
        "3",
        "working_day",
        [],
        "2026-01-08T09:00:00+07:00",
        "2026-01-08T17:00:00+07:00",
    ),
    (
        "2026-01-12 10:00",
        "3",
        "working_day",
        [],
        "2026-01-15T10:00:00+07:00",
        "2026-01-15T17:00:00+07:00",
    ),
    (
        "2026-01-05 09:00",
        "3",
        "working_day",
        ["2026-01-06 14:00/2026-01-12 10:00"],
        "2026-01-13T15:00:00+07:00",
        "2026-01-13T17:00:00+07:00",
    ),
    (
        "2026-02-11 08:30",
        "5",
        "working_day",
        [],
        "2026-02-25T08:30:00+07:00",
        "2026-02-25T17:00:00+07:00",
    ),
]


def deadline(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("received", "limit", "unit", "pauses", "receipt_time", "end_of_day"), EXAMPLES
)
def test_command_reproduces_the_examples(received, limit, unit, pauses, receipt_time, end_of_day):
    pause_args = [arg for pause in pauses for arg in ("--pause", pause)]
    base = ["--received", received, "--limit", limit, "--unit", unit, *pause_args]
    assert deadline(*base, "--due-time", "receipt_time").strip() == receipt_time
    assert deadline(*base).strip() == end_of_day
    payload = json.loads(deadline(*base, "--json"))
    assert payload["due_at"] == end_of_day
    assert payload["due_date"] == end_of_day[:10]
    assert payload["trace"][0]["kind"] == "received"


def test_command_explains_each_day():
    out = deadline(
        "--received", "2026-02-13 09:00", "--limit", "3", "--unit", "working_day", "--explain"
    )
    assert "16/02/2026 (thứ Hai) nghỉ Tết Âm lịch — TB 9441/TB-BNV" in out
    assert "Ngày làm việc thứ 3: thứ Tư 25/02/2026" in out
    assert out.strip().endswith("2026-02-25T17:00:00+07:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "hôm qua", "--limit", "3", "--unit", "working_day"], "--received"),
        (["--received", "2026-02-13 09:00", "--limit", "ba", "--unit", "working_day"], "--limit"),
        (
            ["--received", "2026-02-13 09:00", "--limit", "1.5", "--unit", "calendar_day"],
            "số nguyên",
        ),
        (
            [
                "--received",
                "2026-02-13 09:00",
                "--limit",
                "3",
                "--unit",
                "working_day",
                "--pause",
                "x",
            ],
            "--pause",
        ),
        (
            [
                "--received",
                "2026-02-13 09:00",
                "--limit",
                "3",
                "--unit",
                "working_day",
                "--pause",
                "2026-02-13 10:00/2026-02-13 09:00",
            ],
            "kết thúc",
        ),
        (
            [
                "--received",
                "2026-02-13 09:00",
                "--limit",
                "3",
                "--unit",
                "working_day",
                "--province",
                "77",
            ],
            "Không tìm thấy đơn vị",
        ),
    ],
)
def test_command_refuses_bad_input_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        deadline(*args)


def test_the_province_calendar_and_hours_apply(province):
    province.working_hours = "07:30-11:30,13:30-17:30"
    province.save()
    out = deadline(
        "--received",
        "2026-03-02 09:00",
        "--limit",
        "1",
        "--unit",
        "working_day",
        "--province",
        "99",
    )
    assert out.strip() == "2026-03-03T17:30:00+07:00"


def test_api_matches_the_command(client):
    response = client.get(
        "/api/calendar/deadline",
        {
            "received": "2026-01-05 09:00",
            "limit": "3",
            "unit": "working_day",
            "pause": ["2026-01-06 14:00/2026-01-12 10:00"],
            "due_time": "receipt_time",
        },
    )
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-01-13T15:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"received": "x", "limit": "3", "unit": "working_day"}, 400, "invalid_instant"),
        (
            {"received": "2026-01-05 09:00", "limit": "three", "unit": "working_day"},
            422,
            "invalid_input",
        ),
        ({"received": "2026-01-05 09:00", "limit": "3", "unit": "fortnight"}, 422, "invalid_input"),
        (
            {"received": "2026-01-05 09:00", "limit": "3", "unit": "working_day", "province": "00"},
            404,
            "unit_not_found",
        ),
    ],
)
def test_api_errors_are_json_with_a_stable_code(client, params, status, code):
    response = client.get("/api/calendar/deadline", params)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_installed_console_command_runs(tmp_path):
    """The `motcua` entry point, as an officer would type it (a fresh SQLite file, migrated)."""
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    motcua = Path(sys.executable).with_name("motcua")
    subprocess.run([str(motcua), "migrate", "-v", "0"], env=env, check=True)
    result = subprocess.run(
        [
            str(motcua),
            "deadline",
            "--received",
            "2026-02-11 08:30",
            "--limit",
            "5",
            "--unit",
            "working_day",
            "--due-time",
            "receipt_time",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "2026-02-25T08:30:00+07:00"
    bad = subprocess.run(
        [str(motcua), "deadline", "--received", "x", "--limit", "5", "--unit", "working_day"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "không hợp lệ" in bad.stderr


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (
            {"received": "2026-01-05 09:00", "limit": "200000", "unit": "working_day"},
            "invalid_input",
        ),
        (
            {"received": "2026-01-05 09:00", "limit": "1e30", "unit": "working_hour"},
            "invalid_input",
        ),
        ({"received": "9999-12-31 09:00", "limit": "1", "unit": "calendar_day"}, "invalid_instant"),
        ({"received": "0001-01-01 09:00", "limit": "1", "unit": "working_day"}, "invalid_instant"),
        ({"received": "2026-01-05 09:00", "limit": "3", "unit": "same_day"}, "invalid_input"),
    ],
)
def test_api_refuses_absurd_requests_quickly(client, params, code):
    response = client.get("/api/calendar/deadline", params)
    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize("year", ["0", "100000"])
def test_api_refuses_years_out_of_range(client, year):
    response = client.get("/api/calendar/days", {"year": year})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_year"


def test_province_must_be_a_province_and_not_combined_with_office(commune):
    with pytest.raises(CommandError, match="không phải là một tỉnh"):
        deadline(
            "--received",
            "2026-03-02 09:00",
            "--limit",
            "1",
            "--unit",
            "working_day",
            "--province",
            "99001",
        )
    with pytest.raises(CommandError, match="một trong hai"):
        deadline(
            "--received",
            "2026-03-02 09:00",
            "--limit",
            "1",
            "--unit",
            "working_day",
            "--province",
            "99",
            "--office",
            "99001",
        )
    out = deadline(
        "--received",
        "2026-03-02 09:00",
        "--limit",
        "1",
        "--unit",
        "working_day",
        "--office",
        "000.12.34.H99",
    )
    assert out.strip() == "2026-03-03T17:00:00+07:00"


# --- The law as it stands (issue 7): each rule through the command and the API -----------------

LAW_CASES = [
    # (received, limit, unit, due date, why)
    # BLDS 2015 Điều 147 khoản 2–3: a Saturday receipt has Monday as day 1, as Friday's has.
    ("2026-03-07 09:00", "5", "working_day", "2026-03-13", "Saturday morning desk"),
    ("2026-03-08 16:00", "1", "working_day", "2026-03-09", "Sunday"),
    # A holiday receipt: 02/09/2026 Quốc khánh (TB 9441/TB-BNV); 03/09 is day 1.
    ("2026-09-02 10:00", "1", "working_day", "2026-09-03", "holiday"),
    # After hours on Friday: Monday is still day 1 (decision 1, revised 12/2026).
    ("2026-03-06 17:45", "1", "working_day", "2026-03-09", "after hours"),
    # "sau 15 giờ" (ND 23/2015 Điều 7; Luật Hộ tịch 2014 Điều 5 khoản 3): 15:00 is the same day.
    ("2026-03-02 15:00", "0", "same_day", "2026-03-02", "15:00 sharp"),
    ("2026-03-02 15:01", "0", "same_day", "2026-03-03", "15:01"),
    # NQ 28/2026/QH16 Điều 2: 24/11/2026 is off. Fri 20/11 + 3 WD: 23, 25, 26.
    ("2026-11-20 10:00", "3", "working_day", "2026-11-26", "across 24/11/2026"),
    # BLDS 2015 Điều 148 khoản 3 and 5: 30/01 + 1 month → 28/02 (Saturday) → Monday 02/03.
    ("2026-01-30 09:00", "1", "month", "2026-03-02", "month without the date"),
    ("2026-06-10 09:00", "2", "month", "2026-08-10", "two months"),
    # "1,5 ngày làm việc": day 1 is Tue 03/03, then half of Wed 04/03.
    ("2026-03-02 10:00", "1,5", "working_day", "2026-03-04", "one and a half days"),
]


@pytest.mark.parametrize(("received", "limit", "unit", "due_date", "why"), LAW_CASES)
def test_the_command_gives_the_lawful_date(received, limit, unit, due_date, why):
    payload = json.loads(
        deadline("--received", received, "--limit", limit, "--unit", unit, "--json")
    )
    assert payload["due_date"] == due_date, why


@pytest.mark.parametrize(("received", "limit", "unit", "due_date", "why"), LAW_CASES)
def test_the_api_gives_the_lawful_date(client, received, limit, unit, due_date, why):
    # The API takes a JSON-style number ("1.5"); the command and the pages also read "1,5".
    response = client.get(
        "/api/calendar/deadline",
        {"received": received, "limit": limit.replace(",", "."), "unit": unit},
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == due_date, why


def test_the_explanation_names_day_1_and_why():
    out = deadline(
        "--received", "2026-03-07 09:00", "--limit", "2", "--unit", "working_day", "--explain"
    )
    assert "ngày làm việc thứ 1 là ngày làm việc đầu tiên sau ngày tiếp nhận" in out
    assert "Ngày làm việc thứ 1: thứ Hai 09/03/2026" in out
    fraction = deadline(
        "--received", "2026-03-02 10:00", "--limit", "1,5", "--unit", "working_day", "--explain"
    )
    assert "Phần lẻ 0,5 ngày làm việc = 4 giờ làm việc của ngày 04/03/2026" in fraction
    assert fraction.strip().endswith("2026-03-04T12:00:00+07:00")
