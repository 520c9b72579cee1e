"""``motcua catalog``: import and export the procedure catalogue (JSON or Excel).

    motcua catalog import FILE [--dry-run]
    motcua catalog export [--format json|xlsx] [--output FILE] [--on YYYY-MM-DD] [--all-versions]
    motcua catalog load-shipped [--dry-run]
    motcua catalog fees-unconfigured [--unit CODE] [--on YYYY-MM-DD]

A refused file prints every problem (sheet/row/column or JSON line) on stderr and exits with 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.io import (
    catalog_export_json,
    catalog_export_xlsx,
    catalog_import_file,
)
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import fees_unconfigured, procedure_versions_in_force
from motcua.catalog.services import ImportReport
from motcua.core import clock
from motcua.core.errors import DomainError, ImportRejected, InvalidInput
from motcua.core.parsing import parse_date
from motcua.units.selectors import unit_find, unit_subtree

# The catalogue that ships with motcua (procedures of the commune level, with their sources).
SHIPPED_CATALOG = Path(__file__).resolve().parents[2] / "data" / "procedures.json"


def _date(text: str) -> dt.date:
    try:
        return parse_date(text, field="--on")
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


class Command(BaseCommand):
    verbosity = 1
    help = "Nhập, xuất danh mục thủ tục hành chính (JSON motcua-catalog/1 hoặc Excel .xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{import,export,load-shipped,fees-unconfigured}"
        )
        load = actions.add_parser(
            "import", help="nhập tệp .json hoặc .xlsx (tất cả hoặc không gì cả)"
        )
        load.add_argument("file", help="đường dẫn tệp .json hoặc .xlsx")
        load.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo sẽ tạo gì, không lưu"
        )
        export = actions.add_parser("export", help="xuất danh mục")
        export.add_argument(
            "--format",
            choices=["json", "xlsx"],
            help="mặc định: theo đuôi của --output, không có thì json",
        )
        export.add_argument("--output", help="tệp ghi ra; không có thì in JSON ra màn hình")
        export.add_argument(
            "--on",
            type=_date,
            metavar="YYYY-MM-DD",
            help="các phiên bản có hiệu lực ngày này (mặc định: hôm nay)",
        )
        export.add_argument(
            "--all-versions",
            action="store_true",
            help="mọi phiên bản, kể cả đã hết hiệu lực, bãi bỏ hoặc chưa hiệu lực",
        )
        shipped = actions.add_parser(
            "load-shipped", help=f"nhập {SHIPPED_CATALOG.name} kèm theo motcua"
        )
        shipped.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo sẽ tạo gì, không lưu"
        )
        fees = actions.add_parser(
            "fees-unconfigured",
            help="liệt kê khoản thu do HĐND tỉnh quyết định chưa cấu hình, theo đơn vị tiếp nhận",
        )
        fees.add_argument(
            "--unit", metavar="MA", help="mã định danh hoặc mã hành chính: đơn vị và cấp dưới"
        )
        fees.add_argument(
            "--on", type=_date, metavar="YYYY-MM-DD", help="tính đến ngày (mặc định: hôm nay)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        action = options["action"]
        if action == "import":
            self._import(Path(options["file"]), dry_run=options["dry_run"])
        elif action == "load-shipped":
            if not SHIPPED_CATALOG.exists():
                raise CommandError(f"Chưa có danh mục kèm theo: {SHIPPED_CATALOG}")
            self._import(SHIPPED_CATALOG, dry_run=options["dry_run"])
        elif action == "fees-unconfigured":
            self._fees_unconfigured(options)
        else:
            self._export(options)

    def _fees_unconfigured(self, options: dict[str, Any]) -> None:
        on = options["on"] or clock.today()
        units = None
        if options["unit"]:
            try:
                units = unit_subtree(unit=unit_find(code=options["unit"], on=on))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        items = fees_unconfigured(on=on, units=units)
        current = None
        for item in items:
            if item.unit != current:
                current = item.unit
                province = item.province.name if item.province else "không thuộc tỉnh nào"
                self.stdout.write(f"{item.unit.name} ({province}):")
            fee = item.fee
            channel = f" [{fee.get_channel_display().lower()}]" if fee.channel != "all" else ""
            self.stdout.write(
                f"  {item.version.procedure.code} {item.version.name} — "
                f"{fee.get_kind_display()}: {fee.name}{channel}"
            )
        units_count = len({item.unit.pk for item in items})
        self.stdout.write(
            f"{len(items)} khoản thu do HĐND tỉnh quyết định chưa cấu hình tại {units_count} "
            f"đơn vị (ngày {on:%d/%m/%Y})."
        )

    def _import(self, path: Path, *, dry_run: bool) -> None:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from exc
        try:
            report = catalog_import_file(content=content, filename=path.name, dry_run=dry_run)
        except ImportRejected as exc:
            raise CommandError(f"{path}: {exc.report()}", returncode=1) from exc
        except DomainError as exc:
            raise CommandError(f"{path}: {exc.message}", returncode=1) from exc
        self._print_report(report, dry_run=dry_run)

    def _print_report(self, report: ImportReport, *, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write("Chạy thử, chưa lưu gì. Nếu nhập thật sẽ có: " + report.summary())
        else:
            self.stdout.write(self.style.SUCCESS("Đã nhập: " + report.summary()))
        for label, items in (
            ("Lĩnh vực mới", report.fields_created),
            ("Phiên bản mới", report.created),
        ):
            if items and self.verbosity >= 1:
                self.stdout.write(f"{label}: {', '.join(items)}")
        if report.unchanged and self.verbosity >= 2:
            self.stdout.write(f"Không đổi: {', '.join(report.unchanged)}")

    def _export(self, options: dict[str, Any]) -> None:
        output = options["output"]
        file_format = options["format"] or (
            "xlsx" if output and output.lower().endswith(".xlsx") else "json"
        )
        if options["all_versions"] and options["on"]:
            raise CommandError("Chọn --on hoặc --all-versions, không dùng cả hai.")
        if file_format == "xlsx" and not output:
            raise CommandError("Xuất Excel cần --output TEP.xlsx.")
        if options["all_versions"]:
            versions = ProcedureVersion.objects.all()
        else:
            versions = procedure_versions_in_force(on=options["on"] or clock.today())
        try:
            content = (catalog_export_xlsx if file_format == "xlsx" else catalog_export_json)(
                versions
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not output:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        try:
            Path(output).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {output}: {exc.strerror}") from exc
        if self.verbosity >= 1:
            self.stderr.write(f"Đã xuất {len(content)} byte vào {output}.")
