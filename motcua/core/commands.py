"""A base for the project's commands: user mistakes become one clear line, never a traceback."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.utils import OperationalError, ProgrammingError

from motcua.core.errors import DomainError, ImportRejected


def _is_missing_schema(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


class DomainCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except ImportRejected as exc:
            raise CommandError(exc.report()) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except (OperationalError, ProgrammingError) as exc:
            if _is_missing_schema(exc):
                raise CommandError(
                    "Cơ sở dữ liệu chưa được khởi tạo: chạy `motcua migrate` trước."
                ) from exc
            raise
