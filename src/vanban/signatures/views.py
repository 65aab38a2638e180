"""Digital-signature pages under /chu-ky-so/ (R11, R12):

- "Chữ ký số của tôi": the reader's personal certificates and handwritten-signature image;
- "Chữ ký số của đơn vị" (unit admins for their units, the province admin for any unit): the
  unit's organisation certificates, its seal, the personal certificates of its people;
- "Chứng thư gốc tin cậy" (province admin): the trust list;
- "Kiểm tra lại chữ ký số" on a document's page.

Thin views: parse the form, call signatures.services. A refusal is shown on the form and nothing
is written; a page or action the reader may not use answers 403; a document the reader may not
see answers 404, like every document page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.forms import show_service_error
from vanban.core.http import client_ip, form_action, refusal_raise
from vanban.documents.files import file_read_verified

from . import pdfsign, selectors, services
from .forms import (
    ActiveForm,
    CertificateForm,
    MarkForm,
    PersonCertificateForm,
    RemoteCredentialForm,
    TrustRootForm,
)
from .models import Certificate, CertificateKind, MarkKind, Trigger, TrustRoot
from .verify import STATUS_LABELS

ADMIN_ONLY = "Chỉ quản trị đơn vị quản lý chữ ký số của đơn vị."
PROVINCE_ONLY = "Chỉ quản trị tỉnh quản lý danh sách chứng thư gốc tin cậy."
REUPLOAD = "Trình duyệt không giữ lại tệp đã chọn khi biểu mẫu có lỗi: hãy chọn lại tệp."


def _rows(certificates: Any) -> list[dict[str, Any]]:
    """Certificates with whether they are valid today ("còn hiệu lực" / "hết hạn")."""
    now = clock.now()
    return [
        {"certificate": c, "valid_now": c.valid_at(now), "expired": c.not_after < now}
        for c in certificates
    ]


def _certificate_add(
    request: HttpRequest, form: CertificateForm, **owner: Any
) -> Certificate | None:
    """Calls certificate_add with the form's input; a refusal goes on the form (None)."""
    try:
        return services.certificate_add(
            actor=request_user(request), ip=client_ip(request), **owner, **form.arguments()
        )
    except ServiceError as exc:
        refusal_raise(exc)
        show_service_error(form, exc)
    except pdfsign.SigningFailed as exc:  # a PKCS#12 file the PIN does not open
        form.add_error("pin", str(exc))
    return None


# ---------------------------------------------------------------- my signature


def _mine_page(
    request: HttpRequest,
    *,
    certificate_form: CertificateForm | None = None,
    mark_form: MarkForm | None = None,
    remote_form: RemoteCredentialForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    # NĐ 23/2025/NĐ-CP: the credentials the provider holds for the person's user id there.
    remote_user = request.GET.get("tu-xa", "").strip()[:255]
    offered: list[str] = []
    offered_error = ""
    if remote_user:
        try:
            offered = services.remote_credentials_offered(user_id=remote_user)
        except ServiceError as exc:
            offered_error = exc.message
    return render(
        request,
        "signatures/mine.html",
        {
            "rows": _rows(selectors.my_certificates(user=user)),
            "mark": selectors.signature_mark(user=user),
            "certificate_form": certificate_form or CertificateForm(prefix="cert"),
            "mark_form": mark_form or MarkForm(prefix="mark"),
            "remote_form": remote_form or RemoteCredentialForm(prefix="remote"),
            "remote_user": remote_user,
            "offered": offered,
            "offered_error": offered_error,
            "reupload": REUPLOAD if certificate_form is not None or mark_form is not None else "",
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return _mine_page(request)


@login_required
@require_POST
def mine_certificate_add(request: HttpRequest) -> HttpResponse:
    form = CertificateForm(request.POST, request.FILES, prefix="cert")
    if form.is_valid():
        certificate = _certificate_add(
            request, form, kind=CertificateKind.PERSONAL, user=request_user(request)
        )
        if certificate is not None:
            messages.success(request, f"Đã đăng ký chứng thư số {certificate.serial}.")
            return redirect("signatures:mine")
    return _mine_page(request, certificate_form=form)


@login_required
@require_POST
def mine_remote_link(request: HttpRequest) -> HttpResponse:
    """A person links the credential a remote signing service holds for them (CSC v2, or the
    asynchronous provider whose signatures are confirmed on the phone)."""
    user = request_user(request)
    form = RemoteCredentialForm(request.POST, prefix="remote")
    return form_action(
        request,
        form=form,
        call=lambda: services.remote_credential_link(
            actor=user,
            credential_id=form.cleaned_data["credential_id"],
            provider_name=form.cleaned_data["provider"],
            ip=client_ip(request),
        ),
        success=lambda c: f"Đã đăng ký chứng thư số {c.serial} của khóa ký số từ xa.",
        done=lambda: redirect("signatures:mine"),
        page=lambda error, status, bound: _mine_page(request, remote_form=form),
    )


@login_required
@require_POST
def mine_mark_upload(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = MarkForm(request.POST, request.FILES, prefix="mark")
    return form_action(
        request,
        form=form,
        call=lambda: services.mark_upload(
            actor=user,
            kind=MarkKind.SIGNATURE,
            user=user,
            ip=client_ip(request),
            **form.arguments(),
        ),
        success="Đã cập nhật hình chữ ký.",
        done=lambda: redirect("signatures:mine"),
        page=lambda error, status, bound: _mine_page(request, mark_form=form),
    )


@login_required
@require_GET
def mark_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The PNG of a signature image or seal, read back and checked against its SHA-256."""
    mark = selectors.access_mark(pk=pk)
    if not selectors.may_see_mark(user=request_user(request), mark=mark):
        raise PermissionDenied("Bạn không có quyền xem hình này.")
    try:
        data = file_read_verified(mark.storage_name, mark.sha256)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- a certificate on or off


def _back_to(user: User, certificate: Certificate) -> HttpResponse:
    if certificate.user_id == user.pk:
        return redirect("signatures:mine")
    owner = certificate.user
    unit_id = certificate.unit_id if certificate.unit_id or owner is None else owner.unit_id
    return redirect("signatures:unit", pk=unit_id)


@login_required
@require_POST
def certificate_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    certificate = selectors.access_certificate(pk=pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Yêu cầu không hợp lệ.")
    active = form.cleaned_data["active"]
    try:
        services.certificate_set_active(
            actor=user, certificate=certificate, active=active, ip=client_ip(request)
        )
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Đã {'dùng lại' if active else 'ngừng dùng'} chứng thư số {certificate.serial}.",
        )
    return _back_to(user, certificate)


# ---------------------------------------------------------------- a unit's signatures


def _require_admin(user: User) -> None:
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        raise PermissionDenied(ADMIN_ONLY)


def _managed_unit(request: HttpRequest, pk: int) -> Unit:
    user = request_user(request)
    _require_admin(user)
    unit = selectors.access_unit(pk=pk)
    if not user.can_manage_unit(unit):
        raise PermissionDenied(ADMIN_ONLY)
    return unit


@login_required
@require_GET
def unit_choose(request: HttpRequest) -> HttpResponse:
    """Opens the page of the unit chosen (?don-vi=), else of the admin's own unit."""
    user = request_user(request)
    _require_admin(user)
    units = selectors.managed_units(user=user)
    chosen = request.GET.get("don-vi", "")
    if chosen.isdigit() and units.filter(pk=int(chosen)).exists():
        return redirect("signatures:unit", pk=int(chosen))
    unit = units.filter(pk=user.unit_id).first() or units.first()
    if unit is None:
        raise PermissionDenied(ADMIN_ONLY)
    return redirect("signatures:unit", pk=unit.pk)


def _unit_page(request: HttpRequest, unit: Any, **bound: Any) -> HttpResponse:
    user = request_user(request)
    managed = user.managed_unit_ids()
    people = selectors.people_of(unit=unit)
    forms = {
        "certificate_form": CertificateForm(prefix="org"),
        "seal_form": MarkForm(prefix="seal", seal=True),
        "person_form": PersonCertificateForm(prefix="person", people=people),
    }
    forms.update(bound)
    return render(
        request,
        "signatures/unit.html",
        {
            "unit": unit,
            "units": selectors.managed_units(user=user)
            if managed is None or len(managed) > 1
            else None,
            "org_rows": _rows(selectors.unit_certificates(unit=unit)),
            "people_rows": _rows(selectors.people_certificates(unit=unit)),
            "seal": selectors.seal(unit=unit),
            "reupload": REUPLOAD if bound else "",
            **forms,
        },
    )


@login_required
@require_GET
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, _managed_unit(request, pk))


@login_required
@require_POST
def unit_certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = CertificateForm(request.POST, request.FILES, prefix="org")
    if form.is_valid():
        certificate = _certificate_add(request, form, kind=CertificateKind.ORGANISATION, unit=unit)
        if certificate is not None:
            messages.success(
                request, f"Đã đăng ký chứng thư số tổ chức {certificate.serial} cho đơn vị."
            )
            return redirect("signatures:unit", pk=unit.pk)
    return _unit_page(request, unit, certificate_form=form)


@login_required
@require_POST
def unit_person_certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = PersonCertificateForm(
        request.POST, request.FILES, prefix="person", people=selectors.people_of(unit=unit)
    )
    if form.is_valid():
        person = form.cleaned_data["person"]
        certificate = _certificate_add(request, form, kind=CertificateKind.PERSONAL, user=person)
        if certificate is not None:
            messages.success(
                request,
                f"Đã đăng ký chứng thư số {certificate.serial} cho {person.full_name}.",
            )
            return redirect("signatures:unit", pk=unit.pk)
    return _unit_page(request, unit, person_form=form)


@login_required
@require_POST
def unit_seal_upload(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = MarkForm(request.POST, request.FILES, prefix="seal", seal=True)
    return form_action(
        request,
        form=form,
        call=lambda: services.mark_upload(
            actor=request_user(request),
            kind=MarkKind.SEAL,
            unit=unit,
            ip=client_ip(request),
            **form.arguments(),
        ),
        success="Đã cập nhật hình con dấu của đơn vị.",
        done=lambda: redirect("signatures:unit", pk=unit.pk),
        page=lambda error, status, bound: _unit_page(request, unit, seal_form=form),
    )


# ---------------------------------------------------------------- trust roots


def _require_province_admin(user: User) -> None:
    if not user.is_province_admin:
        raise PermissionDenied(PROVINCE_ONLY)


def _roots_page(request: HttpRequest, form: TrustRootForm | None = None) -> HttpResponse:
    return render(
        request,
        "signatures/trust_roots.html",
        {
            "roots": list(selectors.trust_root_list()),
            "now": clock.now(),
            "form": form or TrustRootForm(),
            "reupload": REUPLOAD if form is not None else "",
        },
    )


@login_required
@require_GET
def trust_roots(request: HttpRequest) -> HttpResponse:
    _require_province_admin(request_user(request))
    return _roots_page(request)


@login_required
@require_POST
def trust_root_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_province_admin(user)
    form = TrustRootForm(request.POST, request.FILES)
    return form_action(
        request,
        form=form,
        call=lambda: services.trust_root_add(
            actor=user, data=form.data_bytes(), ip=client_ip(request)
        ),
        success=lambda root: f"Đã thêm chứng thư gốc “{root.name}” vào danh sách tin cậy.",
        done=lambda: redirect("signatures:trust_roots"),
        page=lambda error, status, bound: _roots_page(request, form),
    )


@login_required
@require_POST
def trust_root_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_province_admin(user)
    root: TrustRoot = selectors.access_trust_root(pk=pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Yêu cầu không hợp lệ.")
    active = form.cleaned_data["active"]
    services.trust_root_set_active(actor=user, root=root, active=active, ip=client_ip(request))
    messages.success(
        request,
        f"Đã {'đưa' if active else 'bỏ'} chứng thư gốc “{root.name}” "
        f"{'vào' if active else 'khỏi'} danh sách tin cậy.",
    )
    return redirect("signatures:trust_roots")


# ---------------------------------------------------------------- a document's signatures


@login_required
@require_POST
def document_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Checks the signatures of the document's PDF files again and keeps the reports."""
    user = request_user(request)
    document = selectors.visible_document(user=user, pk=pk)
    try:
        reports = services.document_verify(
            actor=user, document=document, trigger=Trigger.DEMAND, ip=client_ip(request)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if not reports:
            messages.error(request, "Văn bản không có tệp PDF nào để kiểm tra chữ ký số.")
        else:
            results = "; ".join(f"{r.file_name}: {STATUS_LABELS[r.status]}" for r in reports)
            messages.success(request, f"Đã kiểm tra lại chữ ký số. {results}.")
    return redirect("documents:document_detail", pk=document.pk)
