"""The clerk's pages at the scanner (R13, R16): the queue with its upload form, the confirm page of
one scan (its pages beside the incoming registration form prefilled from what was read), and the
actions "Bỏ bản quét" and "Đọc lại".

Thin views: parse the form, call paper.services / paper.selectors, show the result. Only the
clerks of a unit's incoming register reach these pages (the permission of incoming registration:
403 for anybody else); a scan of another unit answers 404.
"""

from io import BytesIO
from typing import Any

import pypdfium2
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from vanban.accounts.http import request_user
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.http import client_ip
from vanban.documents import ocr
from vanban.documents.files import FileUnavailable, file_read_verified
from vanban.documents.receipt_checks import SignaturesNotConfirmed
from vanban.documents.selectors import clerk_units
from vanban.documents.services import DuplicateDocument

from . import selectors, services
from .forms import PROPOSED_LABEL, ScanConfirmForm, ScanUploadForm
from .models import ScanItem

CLERK_ONLY = "Chỉ văn thư của đơn vị được vào sổ văn bản."
PAGE_DPI = 110
MAX_PAGES_SHOWN = 20
RECORD_FIELDS = (
    "document_type", "code_number", "code_notation", "issued_date", "subject", "signer_name",
    "signer_position", "urgency", "due_date", "page_amount", "to_places", "description",
)  # fmt: skip
ISSUER_FIELDS = ("issuer_unit", "issuer_name", "issuer_code")
PENDING = (ScanItem.Status.WAITING, ScanItem.Status.READING)


def _require_clerk(request: HttpRequest) -> None:
    if not clerk_units(user=request_user(request)).exists():
        raise PermissionDenied(CLERK_ONLY)


def _item(request: HttpRequest, pk: int) -> ScanItem:
    _require_clerk(request)
    try:
        return selectors.access_scan_item(user=request_user(request), pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _next_url(request: HttpRequest, after: ScanItem | None) -> str:
    following = selectors.scan_next(user=request_user(request), after=after)
    if following is None:
        return reverse("paper:queue")
    return reverse("paper:confirm", args=[following.pk])


# ---------------------------------------------------------------- the queue and the upload


@login_required
def scan_queue(request: HttpRequest) -> HttpResponse:
    """The unit's scans waiting to be registered, and the upload of several scans at once."""
    user = request_user(request)
    units = clerk_units(user=user)
    only = list(units[:2])
    if not only:
        raise PermissionDenied(CLERK_ONLY)
    outcome = None
    if request.method == "POST":
        form = ScanUploadForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            try:
                outcome = services.scan_upload(
                    actor=user,
                    unit=form.cleaned_data["unit"],
                    uploads=form.cleaned_data["files"],
                    split_blank=form.cleaned_data["split_blank"],
                    ip=client_ip(request),
                )
            except AccessDenied as exc:
                form.add_error(None, exc.message)
            except ServiceError as exc:
                form.add_error("files", exc.message)
            else:
                form = ScanUploadForm(units=units, initial={"unit": form.cleaned_data["unit"].pk})
    else:
        form = ScanUploadForm(units=units, initial={"unit": only[0].pk})
    items = list(selectors.scan_queue(user=user))
    return render(
        request,
        "paper/queue.html",
        {
            "form": form,
            "outcome": outcome,
            "items": items,
            "ready": next((i for i in items if i.status == ScanItem.Status.READY), None),
            "pending": any(i.status in PENDING for i in items),
            "ocr_problem": ocr.ocr_problem(),
            "several_units": len(only) > 1,
        },
    )


# ---------------------------------------------------------------- one scan


def _page_count(item: ScanItem) -> int:
    if item.page_count:
        return min(item.page_count, MAX_PAGES_SHOWN)
    if not item.storage_name:
        return 0
    try:
        data = file_read_verified(item.storage_name, item.sha256)
        if item.file_format == "pdf":
            document = pypdfium2.PdfDocument(data)
            try:
                return min(len(document), MAX_PAGES_SHOWN)
            finally:
                document.close()
        with Image.open(BytesIO(data)) as image:
            return min(getattr(image, "n_frames", 1), MAX_PAGES_SHOWN)
    except (FileUnavailable, pypdfium2.PdfiumError, OSError):
        return 0


@login_required
def scan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """R16: the clerk confirms or corrects what was read and registers the scan; then the next
    ready scan opens. R13: a scan stamped secret is registered only with the clerk's reason."""
    user = request_user(request)
    item = _item(request, pk)
    if not item.is_open:
        if item.document_id:
            messages.info(request, "Bản quét này đã được vào sổ.")
            return redirect("documents:document_detail", pk=item.document_id)
        messages.info(request, "Bản quét này đã bị bỏ.")
        return redirect("paper:queue")
    bound = request.method == "POST"
    form = ScanConfirmForm(
        request.POST if bound else None, request.FILES if bound else None, item=item
    )
    duplicate = False
    reports: list[Any] = []
    if bound and form.is_valid():
        _main, attachments = form.uploads()
        try:
            document = services.scan_register(
                actor=user,
                item=item,
                data=form.document_input(),
                refusals=form.refusals(),
                attachments=attachments,
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                signature_reason=form.signature_reason_value(),
                override_reason=form.override_reason_value(),
                ip=client_ip(request),
            )
        except DuplicateDocument as exc:
            form.add_error("confirm_duplicate", exc.message)
            duplicate = True
        except SignaturesNotConfirmed as exc:
            form.add_error("signature_reason", exc.message)
            reports = exc.reports
        except AccessDenied as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            field = "attachments" if exc.field in ("files", "main_file") else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Đã vào sổ đến số {document.register_number}: “{item.original_name}”.",
            )
            return redirect(_next_url(request, item))
    form.focus()
    item.refresh_from_db()
    return render(
        request,
        "paper/confirm.html",
        {
            "item": item,
            "form": form,
            "record_rows": form.rows(*RECORD_FIELDS),
            "issuer_rows": form.rows(*ISSUER_FIELDS),
            "proposed_label": PROPOSED_LABEL,
            "pages": range(1, _page_count(item) + 1),
            "secrecy_reason": (
                services.secrecy_refusal(item.secrecy_level) if item.secrecy_marks else ""
            ),
            "skip_url": _next_url(request, item),
            "stalled": services.reading_stalled(item),
            "duplicate": duplicate or bool(form["confirm_duplicate"].value()),
            "reupload": "",
            "signature_reports": reports,
            "signature_problem": bool(reports) or form.signatures_unconfirmed(),
        },
    )


@login_required
@require_POST
def scan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Bỏ bản quét": the scan leaves the queue and its files are removed."""
    item = _item(request, pk)
    try:
        services.scan_discard(actor=request_user(request), item=item, ip=client_ip(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("paper:queue")
    messages.success(request, f"Đã bỏ bản quét “{item.original_name}”.")
    return redirect(_next_url(request, item))


@login_required
@require_POST
def scan_reread(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Đọc lại": a scan whose reading failed is read again (in the background)."""
    item = _item(request, pk)
    try:
        services.scan_reread(actor=request_user(request), item=item, ip=client_ip(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã đưa “{item.original_name}” vào hàng chờ đọc lại.")
    return redirect("paper:confirm", pk=item.pk)


@login_required
@require_GET
def scan_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One page of the scan as a PNG image, for the confirm page."""
    item = _item(request, pk)
    if not item.storage_name or not 1 <= number <= MAX_PAGES_SHOWN:
        raise Http404("Không có trang này.")
    try:
        data = file_read_verified(item.storage_name, item.sha256)
    except FileUnavailable as exc:
        raise Http404(exc.message) from exc
    try:
        if item.file_format == "pdf":
            document = pypdfium2.PdfDocument(data)
            try:
                if number > len(document):
                    raise Http404("Không có trang này.")
                image = document[number - 1].render(scale=PAGE_DPI / 72).to_pil()
            finally:
                document.close()
        else:
            image = Image.open(BytesIO(data))
            if number > getattr(image, "n_frames", 1):
                raise Http404("Không có trang này.")
            image.seek(number - 1)
            image = image.convert("RGB")
            image.thumbnail((1400, 2000))
    except (pypdfium2.PdfiumError, OSError) as exc:
        raise Http404("Không hiển thị được trang này.") from exc
    output = BytesIO()
    image.convert("RGB").save(output, format="PNG", optimize=True)
    response = HttpResponse(output.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
