"""Small views that refuse in every way, to test the rule of `vanban.core.http` on its own."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from vanban import urls as project_urls
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.forms import Form
from vanban.core.http import form_action

REFUSALS = {
    "not-found": NotFound("Không tìm thấy hồ sơ."),
    "denied": AccessDenied("Chỉ văn thư được làm việc này."),
    "refused": ServiceError("Hồ sơ đã đóng, không sửa được."),
    "field": ServiceError("Tên trùng với hồ sơ khác.", field="name"),
}


class NameForm(Form):
    name = forms.CharField(max_length=20)


def raising(request: HttpRequest, kind: str) -> HttpResponse:
    raise REFUSALS[kind]


def acting(request: HttpRequest, kind: str) -> HttpResponse:
    form = NameForm(request.POST)

    def call() -> str:
        if kind in REFUSALS:
            raise REFUSALS[kind]
        return form.cleaned_data["name"]

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        shown = form.errors.as_text() if bound else ""
        return HttpResponse(f"page error=[{error}] form=[{shown}]", status=status)

    return form_action(
        request,
        form=form,
        call=call,
        success=lambda name: f"Đã lưu {name}.",
        done=lambda: redirect("/"),
        page=page,
        allowed=kind != "role",
        refusal="Chỉ lãnh đạo được làm việc này." if kind == "role" else "",
        invalid_status=int(request.GET.get("invalid", 200)),
        refused_status=int(request.GET.get("refused", 200)),
        denied_on_page=request.GET.get("on_page") == "1",
    )


urlpatterns = [
    path("raise/<str:kind>/", raising),
    path("act/<str:kind>/", acting),
    *project_urls.urlpatterns,  # the base template links to the project's pages
]
