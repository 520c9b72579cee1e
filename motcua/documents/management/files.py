"""Writing the PDF a command made."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError


def write_pdf(path: str, data: bytes) -> None:
    """Write the bytes; an unwritable path is a one-line error, not a traceback."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp {path}: {exc.strerror or exc}.") from exc
