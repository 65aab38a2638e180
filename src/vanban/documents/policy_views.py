"""The province admin's page for file limits."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vanban.core.forms import Form
from vanban.core.http import form_action

from . import services
from .models import DocumentPolicy


class DocumentPolicyForm(Form):
    max_file_size_mb = forms.IntegerField(
        label="Dung lượng tối đa một tệp (MB)", error_messages={"invalid": "Hãy nhập một số."}
    )
    max_attachments = forms.IntegerField(
        label="Số tệp đính kèm tối đa của một văn bản",
        error_messages={"invalid": "Hãy nhập một số."},
    )


@login_required
def document_policy(request: HttpRequest) -> HttpResponse:
    if not request.user.is_province_admin:
        raise PermissionDenied("Chỉ quản trị tỉnh được thay đổi quy định về tệp.")
    policy = DocumentPolicy.current()
    form = DocumentPolicyForm(
        request.POST or None,
        initial={
            "max_file_size_mb": policy.max_file_size_mb,
            "max_attachments": policy.max_attachments,
        },
    )
    if request.method != "POST":
        return render(request, "documents/policy.html", {"form": form})
    return form_action(
        request,
        form=form,
        call=lambda: services.document_policy_update(actor=request.user, **form.cleaned_data),
        success="Đã lưu quy định về tệp văn bản.",
        done=lambda: redirect("documents:document_policy"),
        page=lambda error, status, bound: render(
            request, "documents/policy.html", {"form": form}, status=status
        ),
    )
