from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from .api import api


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown addresses under /api/v1/ answer in JSON, like the rest of the API."""
    return JsonResponse(
        {"detail": "Không có địa chỉ API này.", "field": None},
        status=404,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
