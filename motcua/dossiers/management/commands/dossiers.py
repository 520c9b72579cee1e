"""``motcua dossiers``: import and export dossier histories (JSON Lines, docs/dossier-history.md).

    motcua dossiers import FILE [--dry-run]
    motcua dossiers export [--unit CODE] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--output FILE]

A refused file prints every problem (line and field) on stderr and exits with 1; nothing is saved.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError, CommandParser

from motcua.audit.models import Access
from motcua.audit.services import access_record, accessor_for_command
from motcua.core.commands import DomainCommand
from motcua.core.errors import ImportRejected, InvalidInput
from motcua.core.parsing import parse_date
from motcua.dossiers.history_io import (
    HistoryImportReport,
    dossier_history_export,
    dossier_history_import,
    dossiers_for_export,
    dump_line,
)
from motcua.units.selectors import unit_find


def _date(option: str) -> Any:
    def parse(text: str) -> dt.date:
        try:
            return parse_date(text, field=option)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(exc.message) from exc

    return parse


def _export_scope(unit: Any, date_from: Any, date_to: Any) -> str:
    parts = ["lich-su-ho-so"]
    if unit is not None:
        parts.append(f"don-vi={unit.identifier or unit.area_code or unit.pk}")
    if date_from:
        parts.append(f"tu={date_from:%Y-%m-%d}")
    if date_to:
        parts.append(f"den={date_to:%Y-%m-%d}")
    return " ".join(parts)


class Command(DomainCommand):
    help = "Nhập, xuất lịch sử hồ sơ (JSON Lines, mỗi dòng một hồ sơ) để chuyển đổi hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        load = actions.add_parser(
            "import", help="nhập tệp .jsonl (tất cả hoặc không gì cả; '-' là đầu vào chuẩn)"
        )
        load.add_argument("file", help="đường dẫn tệp .jsonl, hoặc - để đọc từ đầu vào chuẩn")
        load.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không lưu"
        )
        export = actions.add_parser("export", help="xuất lịch sử hồ sơ đã tiếp nhận")
        export.add_argument(
            "--unit", metavar="CODE", help="đơn vị tiếp nhận (mã định danh), gồm cả cấp dưới"
        )
        export.add_argument(
            "--from",
            dest="date_from",
            type=_date("--from"),
            metavar="YYYY-MM-DD",
            help="tiếp nhận từ ngày (giờ Việt Nam)",
        )
        export.add_argument(
            "--to",
            dest="date_to",
            type=_date("--to"),
            metavar="YYYY-MM-DD",
            help="tiếp nhận đến hết ngày (giờ Việt Nam)",
        )
        export.add_argument("--output", help="tệp ghi ra; không có thì in ra màn hình")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["file"], dry_run=options["dry_run"])
        else:
            self._export(options)

    def _import(self, name: str, *, dry_run: bool) -> None:
        try:
            with self._source(name) as lines:
                report = dossier_history_import(lines=lines, dry_run=dry_run)
        except ImportRejected as exc:
            raise CommandError(f"{name}: {exc.report()}", returncode=1) from exc
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {name}: {exc.strerror}") from exc
        self._print_report(report)

    @contextlib.contextmanager
    def _source(self, name: str) -> Iterator[IO[bytes]]:
        if name == "-":
            yield sys.stdin.buffer
            return
        with Path(name).open("rb") as handle:
            yield handle

    def _print_report(self, report: HistoryImportReport) -> None:
        if report.dry_run:
            self.stdout.write("Chạy thử, chưa lưu gì. Nếu nhập thật sẽ có: " + report.summary())
        else:
            self.stdout.write(self.style.SUCCESS("Đã nhập: " + report.summary()))
        for line in report.warning_lines():
            self.stdout.write(self.style.WARNING(f"  Cảnh báo — {line}"))

    def _export(self, options: dict[str, Any]) -> None:
        date_from, date_to = options["date_from"], options["date_to"]
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from phải trước hoặc bằng --to.")
        unit = unit_find(code=options["unit"]) if options["unit"] else None
        # Who saw what: one record for the whole export (its filters and how many dossiers), written
        # before the first line leaves; a row per dossier would double the cost of a province's.
        access_record(
            by=accessor_for_command("dossiers export"),
            action=Access.EXPORTED,
            what=_export_scope(unit, date_from, date_to),
            results=dossiers_for_export(unit=unit, date_from=date_from, date_to=date_to).count(),
        )
        records = dossier_history_export(unit=unit, date_from=date_from, date_to=date_to)
        output = options["output"]
        count = 0
        if not output:
            for record in records:
                self.stdout.write(dump_line(record))
                count += 1
            return
        try:
            with Path(output).open("w", encoding="utf-8", newline="\n") as handle:
                for record in records:
                    handle.write(dump_line(record) + "\n")
                    count += 1
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {output}: {exc.strerror}") from exc
        if int(options["verbosity"]) >= 1:
            self.stderr.write(f"Đã xuất {count} hồ sơ vào {output}.")
