"""Vietnamese first: the browser's language header does not choose the page language."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Drop Accept-Language so Django's LocaleMiddleware falls back to Vietnamese.

    An official whose browser is set to English still gets the Vietnamese pages until
    they press the EN switch, which stores the choice in the language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
