"""The one JSON API (django-ninja): a router per domain app, one handler for the DomainError family.

OpenAPI is generated and served at /api/openapi.json, the interactive docs at /api/docs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from motcua import __version__
from motcua.core.errors import DomainError

api = NinjaAPI(
    title="motcua API",
    version=__version__,
    description="API của hệ thống một cửa điện tử motcua. Lỗi trả về dạng "
    '{"code": "...", "detail": "..."} với mã lỗi ổn định.',
    urls_namespace="api",
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


api.add_router("/units/", "motcua.units.api.router")
api.add_router("/calendar/", "motcua.calendars.api.router")
api.add_router("/catalog/", "motcua.catalog.api.router")
api.add_router("/dossiers/", "motcua.dossiers.api.router")
