"""The DomainError family: what services raise when a request cannot be honoured.

Each error carries a stable ``code`` for the JSON API and a message in Vietnamese for pages.
Views turn them into a page message, the API into ``{"code": ..., "detail": ...}``, commands into
a one-line error; none of them is a traceback.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInput(DomainError):
    """A value the caller gave is malformed or out of range."""

    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    """The state changed under the caller (stale edit, duplicate) or forbids the request."""

    code = "conflict"
    http_status = 409


# How a problem's place is named in reports, in the order it is read.
_LABELS = {
    "record": "thủ tục",
    "sheet": "trang tính",
    "row": "dòng",
    "line": "dòng",
    "index": "bản ghi",
    "column": "cột",
    "field": "trường",
}


class ImportRejected(DomainError):
    """A file was refused as a whole; ``details`` lists each problem with its row and field."""

    code = "import_rejected"

    def __init__(self, message: str, *, problems: list[dict[str, Any]]) -> None:
        super().__init__(message, details=problems)
        self.problems = problems

    def problem_lines(self) -> list[str]:
        """Each problem on one line, its place first: "thủ tục 1.001193, dòng 7, trường name: …"."""
        lines = []
        for problem in self.problems:
            where = ", ".join(
                f"{label} {problem[key]}" for key, label in _LABELS.items() if problem.get(key)
            )
            lines.append(f"{where}: {problem['message']}" if where else str(problem["message"]))
        return lines

    def report(self) -> str:
        return "\n".join([self.message, *(f"  - {line}" for line in self.problem_lines())])
