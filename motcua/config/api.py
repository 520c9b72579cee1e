"""The one JSON API (django-ninja): a router per domain app, one handler for the DomainError family.

OpenAPI is generated and served at /api/openapi.json, the interactive docs at /api/docs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from motcua import __version__
from motcua.core.errors import DomainError


class MalformedBody(ValueError):
    """A request body that is not JSON (or not UTF-8)."""


class JsonParser(Parser):
    """Ninja's parser, with an error of our own: ninja wraps any parse failure in a bare 400
    ``{"detail": "Cannot parse request body"}``, and the handler below recognises this cause."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return super().parse_body(request)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise MalformedBody(str(exc)) from exc


api = NinjaAPI(
    title="motcua API",
    version=__version__,
    description="API của hệ thống một cửa điện tử motcua. Lỗi trả về dạng "
    '{"code": "...", "detail": "..."} với mã lỗi ổn định.',
    urls_namespace="api",
    parser=JsonParser(),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"code": exc.code, "detail": exc.message}
    if exc.details is not None:
        body["errors"] = exc.details
    return api.create_response(request, body, status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(
                str(part) for part in error.get("loc", []) if part not in {"query", "body", "path"}
            ),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {"code": "invalid_input", "detail": "Dữ liệu gửi lên không hợp lệ.", "errors": errors},
        status=422,
    )


def _error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "detail": detail}, status=status)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals, in our shape with a stable code (never a bare "detail")."""
    if isinstance(exc.__cause__, MalformedBody):
        return _error(
            request,
            400,
            "malformed_json",
            "Nội dung gửi lên không phải JSON hợp lệ (UTF-8); không có gì được lưu.",
        )
    return _error(request, exc.status_code, f"http_{exc.status_code}", str(exc))


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: refused before it is read (Django's own answer
    would be an HTML page)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return _error(
        request,
        413,
        "request_too_large",
        f"Nội dung gửi lên lớn hơn {limit // 1024} KB; không có gì được lưu.",
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Không tìm thấy.")


api.add_router("/units/", "motcua.units.api.router")
api.add_router("/calendar/", "motcua.calendars.api.router")
api.add_router("/catalog/", "motcua.catalog.api.router")
api.add_router("/dossiers/", "motcua.dossiers.api.router")
