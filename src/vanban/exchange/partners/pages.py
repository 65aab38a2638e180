"""Pages of the exchange with other systems under /lien-thong/he-thong-khac/ (R15):

- the directory of partner systems (province admin): list, add, change, a new secret, the agency
  codes from CSV, which of our units may send through each partner;
- a package received from a partner (the recipient unit's clerk): what it holds, the check of
  its signatures, registering it with the record prefilled from the package, or refusing it;
- monitoring (clerks and admins for their units, the province admin for every unit and level):
  counts, messages waiting or retried, failed, and what was received; "Gửi lại ngay" for admins.

Thin views over vanban.exchange.partners.services. Partner pages answer 403 to anyone but the
province
admin; a received package that is not the reader's answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Role, Unit, User
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.forms import show_service_error
from vanban.core.http import client_ip, refusal_raise
from vanban.documents import files as document_files
from vanban.documents.services import DuplicateDocument, SignaturesNotConfirmed
from vanban.exchange.addressing import READDRESSED_LABEL
from vanban.exchange.models import (
    DeliveryEvent,
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    OutboundState,
    Partner,
)
from vanban.exchange.selectors import package_prefill
from vanban.exchange.staging import package_files
from vanban.signatures.receipt import accepted
from vanban.signatures.services import verify_bytes

from . import services
from .forms import (
    CodesImportForm,
    InboundRefuseForm,
    InboundRegisterForm,
    MonitorFilterForm,
    PartnerForm,
    TakeBackAnswerForm,
)

PROVINCE_ONLY = "Chỉ quản trị tỉnh quản lý các hệ thống liên thông."
MONITOR_ONLY = "Chỉ văn thư và quản trị được xem tình hình liên thông văn bản."
SHOWN_ONCE = "interop_partner_secret"
TABLE_LIMIT = 50
REVOCATION = 1
NOT_ANSWERABLE = "Đề nghị lấy lại văn bản không được vào sổ hay từ chối như một văn bản."


def _province_admin(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_province_admin:
        raise PermissionDenied(PROVINCE_ONLY)
    return user


# ---------------------------------------------------------------- partner systems


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    _province_admin(request)
    partners = list(Partner.objects.prefetch_related("codes", "allowed_units").order_by("name"))
    return render(
        request,
        "interop/partner_list.html",
        {"partners": partners, "import_form": CodesImportForm()},
    )


def _partner(pk: int) -> Partner:
    partner = Partner.objects.filter(pk=pk).first()
    if partner is None:
        raise Http404("Không tìm thấy hệ thống liên thông.")
    return partner


def _partner_page(
    request: HttpRequest, form: PartnerForm, partner: Partner | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "interop/partner_form.html",
        {
            "form": form,
            "partner": partner,
            "codes": list(partner.codes.all()) if partner is not None else [],
            # The secret of a partner just added, shown once.
            "secret": request.session.pop(SHOWN_ONCE, "") if partner is not None else "",
        },
        status=status,
    )


def _partner_save(request: HttpRequest, partner: Partner | None) -> HttpResponse:
    user = _province_admin(request)
    if request.method != "POST":
        initial: dict[str, Any] = {}
        if partner is not None:
            initial = {
                "name": partner.name,
                "transport": partner.transport,
                "endpoint": partner.endpoint,
                "allowed_units": list(partner.allowed_units.values_list("pk", flat=True)),
            }
        return _partner_page(request, PartnerForm(initial=initial), partner)
    form = PartnerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved, secret = services.partner_save(
                actor=user,
                name=data["name"],
                endpoint=data["endpoint"].strip(),
                transport=data["transport"],
                outbound_token=data["outbound_token"],
                codes=data["codes"],
                allowed_units=list(data["allowed_units"]),
                partner=partner,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            refusal_raise(exc)
            show_service_error(form, exc)
        else:
            if secret:
                request.session[SHOWN_ONCE] = secret
            messages.success(request, f"Đã lưu hệ thống liên thông “{saved.name}”.")
            return redirect("interop:partner_edit", pk=saved.pk)
    return _partner_page(request, form, partner)


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    return _partner_save(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _province_admin(request)
    return _partner_save(request, _partner(pk))


@login_required
@require_POST
def partner_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secret for the partner to present to us (the old one stops working); shown once."""
    user = _province_admin(request)
    partner = _partner(pk)
    secret = services.new_token()
    services.partner_set_inbound_token(
        actor=user, partner=partner, token=secret, ip=client_ip(request)
    )
    request.session[SHOWN_ONCE] = secret
    messages.success(request, "Đã tạo mã xác thực mới; mã cũ không còn dùng được.")
    return redirect("interop:partner_edit", pk=partner.pk)


@login_required
@require_POST
def codes_import(request: HttpRequest) -> HttpResponse:
    """The agency codes served by each partner, from CSV; one bad line refuses the file."""
    user = _province_admin(request)
    form = CodesImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.codes_import(
                actor=user, text=form.cleaned_data["file"], ip=client_ip(request)
            )
        except ServiceError as exc:
            refusal_raise(exc)
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"Đã nhập {count} mã định danh.")
            return redirect("interop:partner_list")
    partners = list(Partner.objects.prefetch_related("codes", "allowed_units").order_by("name"))
    return render(
        request,
        "interop/partner_list.html",
        {"partners": partners, "import_form": form},
    )


# ---------------------------------------------------------------- a received package


def _inbound(request: HttpRequest, pk: int) -> Inbound:
    """A package received for one of the reader's units (clerks); 404 otherwise."""
    user = request_user(request)
    clerk_units = [u for u, r in user.role_pairs() if r == Role.CLERK] if user.is_active else []
    row = (
        Inbound.objects.select_related("unit", "partner", "incoming_document", "answered_by")
        .filter(
            Q(kind=MessageKind.PACKAGE) | Q(kind=MessageKind.STATUS, business_type=REVOCATION),
            pk=pk,
            unit_id__in=clerk_units,
        )
        .first()
    )
    if row is None:
        raise Http404("Không tìm thấy văn bản.")
    return row


def _inbound_unit(inbound: Inbound) -> Unit:
    """The unit a package came for (`_inbound` found it among the reader's units)."""
    if inbound.unit is None:
        raise Http404("Không tìm thấy văn bản.")
    return inbound.unit


def _package(inbound: Inbound) -> Any:
    try:
        return services.inbound_package(inbound)
    except (ServiceError, document_files.FileUnavailable) as exc:
        raise Http404(getattr(exc, "message", "Không đọc được gói tin.")) from exc


def _inbound_page(
    request: HttpRequest,
    inbound: Inbound,
    *,
    register_form: InboundRegisterForm | None = None,
    refuse_form: InboundRefuseForm | None = None,
    take_back_form: TakeBackAnswerForm | None = None,
    duplicate: bool = False,
    status: int = 200,
) -> HttpResponse:

    source = inbound
    if inbound.kind == MessageKind.STATUS:  # a status 13: show the package it asks back
        source = (
            Inbound.objects.filter(
                kind=MessageKind.PACKAGE,
                edxml_id=inbound.edxml_id,
                to_code=inbound.to_code,
                business_type=0,
            ).first()
            or inbound
        )
    package = _package(source)
    package_list, notes = package_files(package, source.original_name)
    checks: list[dict[str, Any]] = [
        {"file": item, "report": verify_bytes(item.data)}
        for item in package_list
        if item.file_format == "pdf"
    ]
    prefill = package_prefill(package=package)
    # A revocation (business type 1) of a package already registered waits for an answer that
    # is not given on this page; it is neither registered nor refused.
    queued = inbound.state == InboundState.QUEUED and inbound.business_type != REVOCATION
    if queued and register_form is None:
        register_form = InboundRegisterForm(
            unit=_inbound_unit(inbound),
            initial=prefill.initial,
        )
    # A package to a closed code, or handed over with the queue of a unit that ended, says so
    # (QĐ 09/2025/QĐ-TTg): the notes of its trail's "Chuyển cho đơn vị kế thừa" lines.
    readdressed = list(
        DeliveryEvent.objects.filter(
            delivery__package=inbound, label=READDRESSED_LABEL
        ).values_list("note", flat=True)
    )
    return render(
        request,
        "interop/inbound.html",
        {
            "inbound": inbound,
            "readdressed": readdressed,
            "package": package,
            "files": list(enumerate(package_list)),
            "checks": checks,
            # R11: registering needs the clerk's confirmation and reason when a file's signature
            # is invalid or untrusted (`signatures.receipt.accepted`).
            "signature_problem": queued
            and (
                any(not accepted(check["report"]) for check in checks)
                or (register_form is not None and register_form.signatures_unconfirmed())
            ),
            "notes": [*prefill.notes, *package.notes, *notes] if queued else [],
            "queued": queued,
            "revocation": inbound.business_type == REVOCATION,
            "form": register_form,
            "refuse_form": refuse_form or InboundRefuseForm(),
            "take_back_form": take_back_form or TakeBackAnswerForm(),
            "duplicate": duplicate,
            "answers": list(
                Outbound.objects.filter(
                    kind=MessageKind.STATUS, edxml_id=inbound.edxml_id, to_code=inbound.from_code
                ).order_by("created_at", "pk")
            ),
        },
        status=status,
    )


@login_required
@require_GET
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inbound_page(request, _inbound(request, pk))


@login_required
@require_POST
def inbound_register(request: HttpRequest, pk: int) -> HttpResponse:
    """R15, R16: the clerk checks the record prefilled from the package and registers it with
    the package's files; 03 goes back to the sender."""
    inbound = _inbound(request, pk)
    if inbound.business_type == REVOCATION:
        messages.error(request, NOT_ANSWERABLE)
        return redirect("interop:inbound_detail", pk=inbound.pk)
    form = InboundRegisterForm(request.POST, unit=_inbound_unit(inbound))
    duplicate = False
    if form.is_valid():
        try:
            document = services.inbound_register(
                actor=request_user(request),
                inbound=inbound,
                data=form.document_input(),
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
        except AccessDenied as exc:
            raise Http404(exc.message) from exc
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"Đã vào sổ đến số {document.register_number}.")
            return redirect("documents:document_detail", pk=document.pk)
    duplicate = duplicate or bool(form["confirm_duplicate"].value())
    return _inbound_page(request, inbound, register_form=form, duplicate=duplicate)


@login_required
@require_POST
def inbound_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk refuses the package with the reason; 02 goes back with it."""
    inbound = _inbound(request, pk)
    if inbound.business_type == REVOCATION:
        messages.error(request, NOT_ANSWERABLE)
        return redirect("interop:inbound_detail", pk=inbound.pk)
    form = InboundRefuseForm(request.POST)
    if form.is_valid():
        try:
            services.inbound_refuse(
                actor=request_user(request),
                inbound=inbound,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except AccessDenied as exc:
            raise Http404(exc.message) from exc
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "Đã từ chối văn bản; lý do được gửi về cơ quan gửi.")
            return redirect("exchange:queue")
    return _inbound_page(request, inbound, refuse_form=form)


@login_required
@require_POST
def inbound_take_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk answers a take-back request for a document already registered: 15 or 16."""
    inbound = _inbound(request, pk)
    form = TakeBackAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.inbound_revocation_answer(
                actor=request_user(request),
                inbound=inbound,
                accept=form.cleaned_data["accept"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except AccessDenied as exc:
            raise Http404(exc.message) from exc
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "Đã trả lời đề nghị lấy lại văn bản.")
            return redirect("exchange:queue")
    return _inbound_page(request, inbound, take_back_form=form)


@login_required
@require_GET
def inbound_file(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """A file inside the received package, to read before registering it."""

    inbound = _inbound(request, pk)
    package_list, _notes = package_files(_package(inbound), inbound.original_name)
    if not 0 <= index < len(package_list):
        raise Http404("Không tìm thấy tệp.")
    item = package_list[index]
    response = HttpResponse(item.data, content_type=item.content_type)
    response["Content-Disposition"] = document_files.content_disposition(item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- monitoring


def monitor_unit_ids(user: User) -> list[int] | None:
    """Units whose exchange the person follows: every unit (None) for the province admin, else
    the units where they are clerk or unit admin."""
    if not user.is_active:
        return []
    if user.is_province_admin:
        return None
    return sorted({u for u, r in user.role_pairs() if r in (Role.CLERK, Role.UNIT_ADMIN)})


@login_required
@require_GET
def monitor(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    scope = monitor_unit_ids(user)
    if scope is not None and not scope:
        raise PermissionDenied(MONITOR_ONLY)
    units = Unit.objects.filter(is_active=True).select_related("parent").order_by("level", "name")
    if scope is not None:
        units = units.filter(pk__in=scope)
    form = MonitorFilterForm(request.GET or None, units=units)
    if request.GET and not form.is_valid():
        raise Http404("Không tìm thấy đơn vị.")
    unit_ids = scope
    chosen = form.cleaned_data if request.GET else {}
    if chosen.get("unit") is not None:
        unit_ids = [chosen["unit"].pk]
    elif chosen.get("level"):
        unit_ids = list(units.filter(level=int(chosen["level"])).values_list("pk", flat=True))
    outbound = services.outbound_scope(unit_ids).select_related("partner", "document")
    inbound = services.inbound_scope(unit_ids).select_related("partner", "unit")
    managed = user.managed_unit_ids()
    return render(
        request,
        "interop/monitor.html",
        {
            "form": form,
            "show_filter": scope is None or len(scope) > 1,
            "counts": services.monitor_counts(unit_ids),
            "pending": list(
                outbound.filter(state=OutboundState.PENDING).order_by("next_attempt_at", "pk")[
                    :TABLE_LIMIT
                ]
            ),
            "failed": list(
                outbound.filter(state=OutboundState.FAILED).order_by("-created_at", "-pk")[
                    :TABLE_LIMIT
                ]
            ),
            "received": list(inbound.order_by("-received_at", "-pk")[:TABLE_LIMIT]),
            # "Gửi lại ngay": the province admin, or a unit admin for their units' messages.
            "can_retry": managed is None or bool(managed),
            "limit": TABLE_LIMIT,
        },
    )


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = Outbound.objects.filter(pk=pk).first()
    if message is None:
        raise Http404("Không tìm thấy gói tin.")
    try:
        services.retry_now(actor=request_user(request), message=message, ip=client_ip(request))
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Gói tin sẽ được gửi lại ngay ở lượt gửi tới.")
    return redirect(
        reverse("interop:monitor") + ("?" + request.GET.urlencode() if request.GET else "")
    )
