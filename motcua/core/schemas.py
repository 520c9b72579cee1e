"""The API's error shape, declared once for every router (config/api.py answers in it)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    detail: str
    errors: Any = None


# What a public (anonymous) read may answer besides 200: 400 a refused value (a year out of range,
# a malformed body), 404 an unknown code, 422 a parameter of the wrong type.
PUBLIC_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
