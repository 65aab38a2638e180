"""Exchange pages under /lien-thong/ (R15): a unit's reception queue and one received document
(register it, return it, answer a recall), and a sent document's page with each recipient's
status (send to more units, recall).

Thin views over exchange.delivery and exchange.delivery_selectors; refusals are shown on the page
and change nothing. Deliveries and documents the reader may not see answer 404; the queue
answers 403 to people who keep no register.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Role, Unit
from vanban.accounts.unit_fields import (
    UnitCheckboxes,
    UnitChoiceField,
    UnitMultipleChoiceField,
)
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.forms import Form as VnForm
from vanban.core.forms import model_choice_field, show_service_error
from vanban.core.http import client_ip, form_action
from vanban.documents import files
from vanban.documents.downloads import download_response, download_unavailable
from vanban.documents.forms import RefusalFields, SignatureConfirmFields
from vanban.documents.services import DuplicateDocument, SignaturesNotConfirmed
from vanban.documents.viewer import viewer_files, wants_view
from vanban.exchange.partners.services import queue_for

from . import delivery as services
from . import delivery_selectors as selectors
from .models import Delivery, ReturnReason, Transport

QUEUE_ONLY = "Chỉ văn thư của đơn vị được xem hàng chờ tiếp nhận văn bản."
QUEUE_LIMIT = 200


# ---------------------------------------------------------------- forms


class ReceiveForm(SignatureConfirmFields, RefusalFields):
    """Registering from the queue: the record is the sender's, the clerk answers R13 only (and
    confirms with a reason a file whose signature is not accepted, R11)."""

    confirm_duplicate = forms.BooleanField(label="Vẫn vào sổ (đây là văn bản khác)", required=False)


class ReturnForm(VnForm):
    reason = forms.ChoiceField(
        label="Lý do trả lại",
        choices=[("", "— Chọn lý do —"), *ReturnReason.choices],
        required=False,
        error_messages={"invalid_choice": "Hãy chọn lý do trả lại."},
    )
    note = forms.CharField(
        label="Ghi chú",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class RecallAnswerForm(VnForm):
    answer = forms.ChoiceField(
        label="Trả lời đề nghị thu hồi",
        choices=[("accept", "Đồng ý thu hồi"), ("refuse", "Từ chối thu hồi")],
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn đồng ý hoặc từ chối."},
    )
    note = forms.CharField(
        label="Lý do (bắt buộc khi từ chối)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class RecallForm(VnForm):
    reason = forms.CharField(
        label="Lý do thu hồi",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class SendForm(VnForm):
    units = UnitMultipleChoiceField(
        label="Gửi thêm đơn vị trong hệ thống",
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitCheckboxes,
        error_messages={"invalid_choice": "Đơn vị đã nhận văn bản hoặc không hợp lệ."},
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "units").queryset = units


class QueueFilterForm(VnForm):
    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Tất cả đơn vị",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị."},
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units


# ---------------------------------------------------------------- helpers


def _received(request: HttpRequest, pk: int) -> Delivery:
    return selectors.access_received(user=request_user(request), pk=pk)


# ---------------------------------------------------------------- the reception queue


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Documents sent to the reader's units, waiting to be registered or returned, and the
    recall requests waiting for an answer (R15). Clerks only."""
    user = request_user(request)
    unit_ids = selectors.clerk_unit_ids(user)
    if not unit_ids:
        raise PermissionDenied(QUEUE_ONLY)
    units = Unit.objects.filter(pk__in=unit_ids)
    form = QueueFilterForm(request.GET or None, units=units)
    unit = form.cleaned_data["unit"] if form.is_valid() else None
    if request.GET.get("unit") and not form.is_valid():
        raise Http404("Không tìm thấy đơn vị.")
    # One queue whatever the transport: documents from units of the deployment are listed
    # from their delivery, those from partner systems from the package that brought them (with
    # the take-back requests waiting for an answer).
    waiting = selectors.reception_queue(user=user, unit=unit)
    local = waiting.filter(transport=Transport.LOCAL)
    inbound = queue_for([unit.pk] if unit is not None else unit_ids, waiting=waiting).order_by(
        "received_at", "pk"
    )
    return render(
        request,
        "exchange/delivery/queue.html",
        {
            "form": form,
            "show_units": len(unit_ids) > 1,
            "count": local.count(),
            "deliveries": list(local[:QUEUE_LIMIT]),
            "recalls": list(selectors.recall_requests(user=user, unit=unit)[:QUEUE_LIMIT]),
            "inbound": list(inbound[:QUEUE_LIMIT]),
            "limit": QUEUE_LIMIT,
        },
    )


def _received_page(
    request: HttpRequest, delivery: Delivery, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    files = list(delivery.sent_document.files.all())
    # Read in the viewer before registering (docs/files.md "Viewer"); a withdrawn one shows none.
    shown = [] if delivery.withdrawn else files
    context: dict[str, Any] = {
        "delivery": delivery,
        "document": delivery.sent_document,
        "files": files,
        "viewer_files": viewer_files(
            shown,
            download_url=lambda f: reverse("exchange:received_file", args=[delivery.pk, f.pk]),
            label=lambda f: f.get_role_display(),
        ),
        "events": list(delivery.events.all()),
        "receive_form": ReceiveForm(),
        "signature_reports": (
            services.delivery_reports(delivery)
            if delivery.in_queue and not delivery.recall_pending
            else []
        ),
        "return_form": ReturnForm(),
        "recall_form": RecallAnswerForm(),
        "duplicate": False,
    }
    context.update(forms_)
    form = context["receive_form"]
    reports = context["signature_reports"]
    context["signature_problem"] = any(not r.accepted for r in reports) or (
        form.is_bound and form.signatures_unconfirmed()
    )
    return render(request, "exchange/delivery/received.html", context, status=status)


@login_required
@require_GET
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _received_page(request, _received(request, pk))


@login_required
@require_POST
def delivery_register(request: HttpRequest, pk: int) -> HttpResponse:
    """R15, R16: register it with the sender's record and files; the system gives the number."""
    delivery = _received(request, pk)
    form = ReceiveForm(request.POST)
    duplicate = False
    if form.is_valid():
        try:
            document = services.delivery_register(
                actor=request_user(request),
                delivery=delivery,
                refusals=form.refusals(),
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                signature_reason=form.signature_reason_value(),
                ip=client_ip(request),
            )
        except DuplicateDocument as exc:
            form.add_error("confirm_duplicate", exc.message)
            duplicate = True
        except SignaturesNotConfirmed as exc:
            form.add_error("signature_reason", exc.message)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"Đã vào sổ đến số {document.register_number}.")
            return redirect("documents:document_detail", pk=document.pk)
    duplicate = duplicate or bool(form["confirm_duplicate"].value())
    return _received_page(request, delivery, receive_form=form, duplicate=duplicate)


@login_required
@require_POST
def delivery_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Art. 21: a document sent to the wrong unit or invalid goes back with the reason."""
    delivery = _received(request, pk)
    form = ReturnForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: services.delivery_return(
            actor=request_user(request),
            delivery=delivery,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        ),
        success="Đã trả lại văn bản cho nơi gửi.",
        done=lambda: redirect("exchange:queue"),
        page=lambda error, status, bound: _received_page(
            request, delivery, status=status, return_form=form
        ),
    )


@login_required
@require_POST
def recall_answer(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _received(request, pk)
    form = RecallAnswerForm(request.POST)

    def answer() -> bool:
        accept: bool = form.cleaned_data["answer"] == "accept"
        services.delivery_recall_answer(
            actor=request_user(request),
            delivery=delivery,
            accept=accept,
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
        return accept

    return form_action(
        request,
        form=form,
        call=answer,
        success=lambda accept: (
            "Đã đồng ý thu hồi văn bản." if accept else "Đã từ chối đề nghị thu hồi văn bản."
        ),
        done=lambda: redirect("exchange:queue"),
        page=lambda error, status, bound: _received_page(
            request, delivery, status=status, recall_form=form
        ),
    )


@login_required
@require_GET
def received_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    view = wants_view(request)
    try:
        download = services.received_file_download(
            actor=request_user(request),
            delivery_pk=pk,
            file_pk=file_pk,
            ip=client_ip(request),
            viewed=view,
        )
    except files.FileUnavailable as exc:
        return download_unavailable(request, exc)
    return download_response(
        download.chunks,
        size=download.size,
        content_type=download.file.content_type,
        name=download.file.original_name,
        inline=view,
    )


# ---------------------------------------------------------------- the sender's page


def _sent_page(
    request: HttpRequest,
    document_pk: int,
    *,
    status: int = 200,
    error: str = "",
    bound: dict[str, Form] | None = None,
) -> HttpResponse:
    """The page; `bound` replaces a form by the one the person filled in."""
    user = request_user(request)
    sent = selectors.sent_document(user=user, document_pk=document_pk)
    document = sent.document
    can_send = sent.recall is None and user.has_role(Role.CLERK, document.unit)
    can_recall = sent.recall is None and (
        user.has_role(Role.CLERK, document.unit) or user.has_role(Role.LEADER, document.unit)
    )
    context: dict[str, Any] = {
        "error": error,
        "sent": sent,
        "document": document,
        "can_send": can_send,
        "can_recall": can_recall,
        "send_form": SendForm(units=selectors.delivery_candidates(document=document))
        if can_send
        else None,
        "recall_form": RecallForm() if can_recall else None,
        # Agencies of other systems and what their systems reported back.
        "external": sent.external,
    }
    context.update(bound or {})
    return render(request, "exchange/delivery/sent.html", context, status=status)


@login_required
@require_GET
def sent_status(request: HttpRequest, document_pk: int) -> HttpResponse:
    """Each recipient unit's status with its time: arrived, returned, registered, assigned,
    processing, done; and the recall with each answer."""
    return _sent_page(request, document_pk)


def _sent_document(request: HttpRequest, document_pk: int) -> Any:
    return selectors.sent_document(user=request_user(request), document_pk=document_pk).document


def _sent_action(
    request: HttpRequest, document_pk: int, *, form: Form, name: str, call: Any, success: Any
) -> HttpResponse:
    """Input that does not parse is shown back; a refusal is shown at the top of the page (403
    when the reader may not act on the document at all)."""
    document = _sent_document(request, document_pk)
    valid = form.is_valid()
    if not valid and form.errors:
        try:  # a person who may not act learns it before their input is looked at
            call(document, {})
        except AccessDenied as exc:
            return _sent_page(request, document_pk, status=403, error=exc.message)
        except ServiceError:
            pass
        return _sent_page(request, document_pk, bound={name: form})
    try:
        result = call(document, form.cleaned_data)
    except AccessDenied as exc:
        return _sent_page(request, document_pk, status=403, error=exc.message)
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise Http404(exc.message) from exc
        return _sent_page(request, document_pk, error=exc.message, bound={name: form})
    messages.success(request, success(result))
    return redirect("exchange:sent_status", document_pk=document.pk)


@login_required
@require_POST
def send(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The sender's clerk sends an outgoing document to (more) units; never twice to one."""
    return _sent_action(
        request,
        document_pk,
        form=SendForm(request.POST, units=Unit.objects.filter(is_active=True)),
        name="send_form",
        call=lambda document, data: services.deliveries_create(
            actor=request_user(request),
            document=document,
            units=list(data.get("units") or []),
            ip=client_ip(request),
        ),
        success=lambda created: (
            f"Đã gửi {len(created)} đơn vị."
            if created
            else "Các đơn vị được chọn đã nhận văn bản từ trước; không gửi lại."
        ),
    )


@login_required
@require_POST
def recall(request: HttpRequest, document_pk: int) -> HttpResponse:
    """The sender recalls the document; each recipient is asked to give it back."""
    return _sent_action(
        request,
        document_pk,
        form=RecallForm(request.POST),
        name="recall_form",
        call=lambda document, data: services.document_recall(
            actor=request_user(request),
            document=document,
            reason=data.get("reason", ""),
            ip=client_ip(request),
        ),
        success=lambda _recall: "Đã thu hồi văn bản; các đơn vị nhận được đề nghị trả lại.",
    )
