"""Vietnamese first: a page is in English only when the visitor chose English."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from motcua.core.acting import clear_acting_client


class ChosenLanguageMiddleware:
    """Like Django's LocaleMiddleware, without following the browser's Accept-Language: the
    language is the one chosen with the VI/EN switch (the language cookie), else Vietnamese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ActingClientMiddleware:
    """Starts and ends every request with no acting client: a worker thread serves many
    requests, and an API token's application must never be credited with the next page's acts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clear_acting_client()
        try:
            return self.get_response(request)
        finally:
            clear_acting_client()
