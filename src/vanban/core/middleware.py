"""Response headers every page needs whatever view made it (docs/deployment.md, "Headers")."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

NO_STORE = "private, no-store"


class NoStoreForSignedInMiddleware:
    """Nothing a signed-in person sees may be kept by a browser or proxy cache.

    A shared computer's back button or disk cache would otherwise show documents, registers and
    downloads to the next person (Decree 30/2020/ND-CP keeps documents to those who handle them).
    Every response to a request that carries a signed-in session or an API token gets
    `Cache-Control: private, no-store`, replacing any longer lifetime a view set; static files
    (served before this middleware by WhiteNoise or nginx) keep their long cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        personal = signed_in or "HTTP_AUTHORIZATION" in request.META
        if personal and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
            if "Expires" in response:
                del response["Expires"]
        return response
