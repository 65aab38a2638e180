"""The clerk's pages: document lists, registering incoming and outgoing documents (R13, R14, R16),
an incoming one also from an edXML package (vanban.exchange, through documents.intake), a
document's record, giving it to a person, and the unit's numbering series.

Thin views: parse the form, call documents.services / documents.selectors, show the result. A
service's refusal is shown next to its field and nothing is written. Documents the reader may not
see answer 404; pages for which the reader has no role at all answer 403.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Role, User
from vanban.accounts.unit_history import UnitFacts, units_facts_on
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.forms import model_choice_field
from vanban.core.http import client_ip, refusal_raise
from vanban.core.replica import replica_reads

from . import discussions, list_actions, opened, receipt_checks, selectors, services, share_rules
from .files import safe_file_name
from .forms import (
    DocumentFilterForm,
    IncomingForm,
    OutgoingForm,
    RegisterForm,
    SeriesCreateForm,
    SeriesFilterForm,
    ShareForm,
    SignatureConfirmFields,
)
from .intake import package_intake
from .models import Direction, Document, DocumentFile
from .ocr_store import secrecy_banner
from .viewer import document_viewer_files
from .visibility import VisibleDocuments

DOCUMENTS_PER_PAGE = 50
CLERK_ONLY = "Chỉ văn thư của đơn vị được vào sổ văn bản."
SHARE_ONLY = "Chỉ văn thư hoặc lãnh đạo đơn vị được chuyển văn bản."
SERIES_ONLY = "Chỉ lãnh đạo, văn thư hoặc quản trị đơn vị được xem và thiết lập sổ văn bản."
REUPLOAD = (
    "Trình duyệt không giữ lại tệp đã chọn khi biểu mẫu có lỗi: hãy chọn lại tệp văn bản chính "
    "và tệp đính kèm trước khi gửi lại."
)
READ_PACKAGE = "read_package"
PACKAGE_MAIN_FILE = (
    "Văn bản điện tử dùng tệp văn bản chính trong gói edXML; không chọn thêm tệp văn bản chính."
)
# Fields a clerk may have typed before reading a package; the package's values take precedence.
# The R13 answers are not carried: the clerk gives them again for the document as read.
CARRIED_FIELDS = (
    "unit", "document_type", "code_number", "code_notation", "issued_date", "issuer_unit",
    "issuer_name", "issuer_code", "signer_name", "signer_position", "subject", "urgency",
    "due_date", "page_amount", "to_places", "description", "is_electronic",
)  # fmt: skip


def _show_error(form: Form, exc: ServiceError, field: str | None = None) -> None:
    """Put a service's Vietnamese message next to its field, or at the top of the form."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    field = field or exc.field
    form.add_error(field if field in form.fields else None, exc.message)


def _access(request: HttpRequest, pk: int) -> Document:
    return selectors.access_document(user=request_user(request), pk=pk)


def _keeps_register(user: User) -> bool:
    return any(role in (Role.CLERK, Role.LEADER) for _unit, role in user.role_pairs())


# ---------------------------------------------------------------- lists


def _document_list(request: HttpRequest, direction: str) -> HttpResponse:
    """Documents the reader may see: urgent first, then newest; by unit and year, 50 a page."""
    user = request_user(request)
    year = services.local_today().year
    form = DocumentFilterForm(
        {"year": str(year), **request.GET.dict()}, units=selectors.register_units(user=user)
    )
    status = 200
    documents = VisibleDocuments(Document.objects.none(), user)
    if form.is_valid():
        unit, chosen_year = form.cleaned_data["unit"], form.cleaned_data["year"]
        documents = selectors.document_list(user=user, direction=direction, unit=unit)
        if chosen_year:
            documents = documents.filter(year=chosen_year)
    else:
        # A unit the reader keeps no register of looks the same as a unit that does not exist.
        status = 404 if "unit" in form.errors else 400
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    # "In sổ" opens the register of the same unit; of a whole year only if one was chosen,
    # otherwise the register page's own default (the current quarter).
    register_query: dict[str, Any] = {}
    if form.is_valid():
        if form.cleaned_data["unit"]:
            register_query["unit"] = form.cleaned_data["unit"].pk
        if request.GET.get("year") and form.cleaned_data["year"]:
            register_query |= {"period": "year", "year": form.cleaned_data["year"]}
    return render(
        request,
        "documents/pages/document_list.html",
        {
            "form": form,
            "page": page,
            "incoming": direction == Direction.INCOMING,
            "keeps_register": _keeps_register(user),
            "is_clerk": user.has_role(Role.CLERK),
            "register_query": urlencode(register_query),
            "actions": (
                list_actions.list_actions(user)
                if direction == Direction.INCOMING and page.object_list
                else None
            ),
            "can_forward": _keeps_register(user),
        },
        status=status,
    )


@replica_reads
@login_required
@require_GET
def incoming_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, Direction.INCOMING)


@replica_reads
@login_required
@require_GET
def outgoing_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, Direction.OUTGOING)


# ---------------------------------------------------------------- registering


def _register_error(form: RegisterForm, exc: ServiceError) -> None:
    """A refused file is named in the message: show it next to the input that holds it."""
    field = exc.field
    if field == "files":
        main_file, _attachments = form.uploads()
        named = main_file is not None and f"“{safe_file_name(main_file.name or '')}”" in exc.message
        field = "main_file" if named else "attachments"
    _show_error(form, exc, field)


def _register_page(
    request: HttpRequest,
    form_class: type[RegisterForm],
    register: Callable[[Any], Document],
    *,
    template: str,
    success: Callable[[Document], str],
    data: Any = None,
    blocked: ServiceError | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The register form of either direction; `register` calls the service with the form.

    `data` replaces the posted fields; `blocked` is a refusal known before the form is read
    (shown next to its field, nothing registered); `context` goes to the template as is.
    """
    user = request_user(request)
    units = selectors.clerk_units(user=user)
    only = list(units[:2])
    if not only:
        raise PermissionDenied(CLERK_ONLY)
    initial = {"unit": only[0].pk} if len(only) == 1 else None
    bound = request.method == "POST"
    form = form_class(
        (request.POST if data is None else data) if bound else None,
        request.FILES if bound else None,
        units=units,
        initial=initial,
    )
    duplicate = False
    context = dict(context or {})
    reports: list[receipt_checks.FileReport] = list(context.pop("signature_reports", []))
    if bound and blocked is not None:
        form.is_valid()
        _show_error(form, blocked)
    elif bound and form.is_valid():
        try:
            document = register(form)
        except services.DuplicateDocument as exc:
            form.add_error("confirm_duplicate", exc.message)
            duplicate = True
        except services.SignaturesNotConfirmed as exc:
            form.add_error("signature_reason", exc.message)
            reports = exc.reports
        except AccessDenied as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _register_error(form, exc)
        else:
            messages.success(request, success(document))
            return redirect("documents:document_detail", pk=document.pk)
    form.focus()
    return render(
        request,
        template,
        {
            "form": form,
            # Once warned, the confirmation stays on the form until the document is registered.
            "duplicate": "confirm_duplicate" in form.fields
            and (duplicate or bool(form["confirm_duplicate"].value())),
            "reupload": REUPLOAD if bound and request.FILES else "",
            **_signature_context(form, reports),
            **context,
        },
    )


def _signature_context(form: Any, reports: list[receipt_checks.FileReport]) -> dict[str, Any]:
    """R11: the reports of the files checked before registering; the confirmation is asked once
    a file was not accepted, and stays on the form until the document is registered."""
    confirming = isinstance(form, SignatureConfirmFields) and form.signatures_unconfirmed()
    return {
        "signature_reports": reports,
        "signature_problem": any(not r.accepted for r in reports) or confirming,
    }


def _staged_reports(staged: Any) -> list[receipt_checks.FileReport]:
    """The signature reports of a package's files, shown before the clerk registers it."""
    if staged is None:
        return []
    return receipt_checks.describe(
        receipt_checks.files_check((f.name, f.file_format or "", f.data) for f in staged.files)
    )


@login_required
def incoming_create(request: HttpRequest) -> HttpResponse:
    """R16: the clerk registers an incoming document; the system gives the arrival number.

    A paper document comes with its scan; an electronic one may come as an edXML package: the
    button "Đọc gói edXML" prefills the form from it (`_package_read`), and the form then carries
    the package's signed ticket until "Vào sổ" registers the document with the package's files.
    """
    user = request_user(request)
    if request.method == "POST" and (READ_PACKAGE in request.POST or request.FILES.get("package")):
        return _package_read(request)
    token = request.POST.get("package_token", "").strip() if request.method == "POST" else ""
    staged = None
    blocked: ServiceError | None = None
    data = None
    if token:
        try:
            _ticket, staged = package_intake().package_load(actor=user, token=token)
        except ServiceError as exc:
            blocked = exc
            data = request.POST.copy()
            data["package_token"] = ""

    def register(form: IncomingForm) -> Document:
        main_file, attachments = form.uploads()
        if staged is None:
            return services.incoming_register(
                actor=user,
                unit=form.cleaned_data["unit"],
                data=form.document_input(),
                refusals=form.refusals(),
                main_file=main_file,
                attachments=attachments,
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                signature_reason=form.signature_reason_value(),
                ip=client_ip(request),
            )
        if main_file is not None:
            raise ServiceError(PACKAGE_MAIN_FILE)  # the page offers no such input then
        try:
            registered: Document = package_intake().package_register(
                actor=user,
                unit=form.cleaned_data["unit"],
                token=token,
                data=form.document_input(),
                refusals=form.refusals(),
                attachments=attachments,
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                signature_reason=form.signature_reason_value(),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            if exc.field == "files" and not attachments:
                # A file of the package (the clerk added none): show it by the package.
                raise ServiceError(exc.message, field="package") from exc
            raise
        return registered

    return _register_page(
        request,
        IncomingForm,
        register,
        template="documents/pages/incoming_create.html",
        success=lambda d: f"Đã vào sổ đến số {d.register_number}.",
        data=data,
        blocked=blocked,
        context={"staged": staged, "signature_reports": _staged_reports(staged)},
    )


def _package_read(request: HttpRequest) -> HttpResponse:
    """ "Đọc gói edXML": read and keep the package, show the form prefilled from it.

    Nothing is registered here; a refused package is named next to the package input with what
    the clerk had typed kept (the R13 answers excepted).
    """
    user = request_user(request)
    units = selectors.clerk_units(user=user)
    only = list(units[:2])
    if not only:
        raise PermissionDenied(CLERK_ONLY)
    initial: dict[str, Any] = {
        name: request.POST[name] for name in CARRIED_FIELDS if request.POST.get(name)
    }
    if len(only) == 1:
        initial["unit"] = only[0].pk
    context: dict[str, Any] = {"staged": None, "package_error": "", "prefill_notes": []}
    try:
        staged = package_intake().package_stage(
            actor=user, upload=request.FILES.get("package"), ip=client_ip(request)
        )
    except ServiceError as exc:
        refusal_raise(exc)
        context["package_error"] = exc.message
    else:
        prefill = package_intake().package_prefill(package=staged.package)
        initial |= prefill.initial
        initial["package_token"] = staged.token
        context |= {"staged": staged, "prefill_notes": prefill.notes}
    form = IncomingForm(units=units, initial=initial)
    form.focus("package" if context["package_error"] else None)
    return render(
        request,
        "documents/pages/incoming_create.html",
        {
            "form": form,
            "duplicate": False,
            "reupload": "",
            **_signature_context(form, _staged_reports(context["staged"])),
            **context,
        },
    )


@login_required
def outgoing_create(request: HttpRequest) -> HttpResponse:
    """R16: the clerk registers an outgoing document; the system gives number and symbol."""

    def register(form: OutgoingForm) -> Document:
        main_file, attachments = form.uploads()
        return services.outgoing_register(
            actor=request_user(request),
            unit=form.cleaned_data["unit"],
            data=form.document_input(),
            refusals=form.refusals(),
            main_file=main_file,
            attachments=attachments,
            ip=client_ip(request),
        )

    return _register_page(
        request,
        OutgoingForm,
        register,
        template="documents/pages/outgoing_create.html",
        success=lambda d: f"Đã cấp số {d.number_symbol}.",
    )


# ---------------------------------------------------------------- one document


def _can_share(user: User, document: Document) -> bool:
    return user.has_role(Role.CLERK, document.unit) or user.has_role(Role.LEADER, document.unit)


def _units_of_its_time(document: Document) -> tuple[UnitFacts, UnitFacts | None]:
    """The document's unit as it was when the document was registered, and its issuing unit of
    the deployment as it was on the document's date (docs/reorganisation.md: a document keeps
    the name and code of its time). One query for both."""
    registered = timezone.localdate(document.registered_at) if document.registered_at else None
    pairs = [(document.unit, registered)]
    if document.issuer_unit is not None:
        pairs.append((document.issuer_unit, document.issued_date))
    facts = units_facts_on(pairs)
    return facts[0], facts[1] if len(facts) > 1 else None


def _detail_page(
    request: HttpRequest,
    document: Document,
    *,
    share_form: ShareForm | None = None,
    rules: list[share_rules.ShareRule] | None = None,
) -> HttpResponse:
    user = request_user(request)
    can_share = _can_share(user, document)
    if can_share and rules is None:
        rules = share_rules.share_rules(document, user)
    if can_share and share_form is None:
        share_form = ShareForm(candidates=_share_candidates(document, rules or []))
    files, copies = _files_and_copies(document)
    unit_then, issuer_then = _units_of_its_time(document)
    return render(
        request,
        "documents/pages/document_detail.html",
        {
            "document": document,
            "incoming": document.direction == Direction.INCOMING,
            "unit_then": unit_then,
            "issuer_then": issuer_then,
            "files": files,
            "viewer_files": document_viewer_files([*files, *copies]),
            "ocr_enabled": settings.VANBAN_OCR_ENABLED,
            "ocr_secrecy": [(f, secrecy_banner(f.ocr_secrecy)) for f in files if f.ocr_secrecy],
            "shares": document.shares.select_related("user", "granted_by").order_by(
                "granted_at", "pk"
            ),
            "can_share": can_share,
            "share_form": share_form,
            "share_rules": rules or [],
            "thread": (
                discussions.thread_for(kind="document", subject_id=document.pk, user=user)
                if document.direction == Direction.INCOMING
                else None
            ),
        },
    )


def _files_and_copies(document: Document) -> tuple[list[DocumentFile], list[DocumentFile]]:
    """The document's files, main file first, each scan with its OCR copy as `ocr_copy_file`
    (None without one), and the copies; one query whatever the number of files."""
    rows = list(DocumentFile.with_copies.filter(document_id=document.pk))
    copies = sorted((f for f in rows if f.role == DocumentFile.Role.OCR), key=lambda f: f.pk)
    by_original = {f.ocr_of_id: f for f in copies}
    files = sorted(
        (f for f in rows if f.role != DocumentFile.Role.OCR),
        key=lambda f: (f.role != DocumentFile.Role.MAIN, f.pk),
    )
    for f in files:
        f.ocr_copy_file = by_original.get(f.pk)  # type: ignore[attr-defined]
    return files, copies


def _share_candidates(document: Document, rules: list[share_rules.ShareRule]) -> QuerySet[User]:
    return selectors.share_candidates(document=document, excluded=share_rules.excluded_ids(rules))


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _access(request, pk)
    # Opened: a document given for reading leaves "Việc của tôi"; a part for information is read.
    opened.document_opened(document=document, user=request_user(request))
    return _detail_page(request, document)


@login_required
@require_POST
def document_share(request: HttpRequest, pk: int) -> HttpResponse:
    """A clerk or leader of the unit gives the document to a person of the unit for reading; an
    incoming document waiting to be presented goes to a leader by "Trình lãnh đạo" instead."""
    document = _access(request, pk)
    user = request_user(request)
    if not _can_share(user, document):
        raise PermissionDenied(SHARE_ONLY)
    rules = share_rules.share_rules(document, user)
    # Checked against everyone of the unit: a person a rule keeps out is refused with the rule's
    # reason by the service, then left out of the list shown again.
    form = ShareForm(request.POST, candidates=selectors.share_candidates(document=document))
    if form.is_valid():
        person = form.cleaned_data["user"]
        try:
            services.document_share(
                actor=user,
                document=document,
                user=person,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            refusal_raise(exc)
            _show_error(form, exc)
        else:
            messages.success(request, f"Đã chuyển văn bản cho {person.full_name} để biết.")
            return redirect("documents:document_detail", pk=document.pk)
    model_choice_field(form, "user").queryset = _share_candidates(document, rules)
    return _detail_page(request, document, share_form=form, rules=rules)


# ---------------------------------------------------------------- numbering series


def _series_page(
    request: HttpRequest,
    *,
    query: dict[str, str],
    create_form: SeriesCreateForm | None = None,
) -> HttpResponse:
    """The unit's series for a year, with the form to open one."""
    user = request_user(request)
    units = selectors.series_units(user=user)
    default_unit = units.filter(pk=user.unit_id).first() or units.first()
    if default_unit is None:
        raise PermissionDenied(SERIES_ONLY)
    year = services.local_today().year
    form = SeriesFilterForm({"unit": str(default_unit.pk), "year": str(year), **query}, units=units)
    series = None
    status = 200
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            series = list(
                selectors.series_list(user=user, unit=unit, year=form.cleaned_data["year"])
            )
        except NotFound as exc:
            form.add_error("unit", exc.message)
            status = 404
        if create_form is None:
            create_form = SeriesCreateForm(
                units=units, initial={"unit": unit.pk, "year": form.cleaned_data["year"] or year}
            )
    else:
        status = 404 if "unit" in form.errors else 400
    if create_form is None:
        create_form = SeriesCreateForm(units=units, initial={"unit": default_unit.pk, "year": year})
    return render(
        request,
        "documents/pages/series_list.html",
        {"form": form, "series": series, "create_form": create_form},
        status=status,
    )


@login_required
@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    return _series_page(request, query=request.GET.dict())


@login_required
@require_POST
def series_create(request: HttpRequest) -> HttpResponse:
    """Open a numbering series for a year, as the head of the unit decided."""
    user = request_user(request)
    units = selectors.series_units(user=user)
    if not units.exists():
        raise PermissionDenied(SERIES_ONLY)
    form = SeriesCreateForm(request.POST, units=units)
    if form.is_valid():
        try:
            series = services.series_create(actor=user, **form.series_kwargs())
        except ServiceError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, f"Đã mở “{series.name}” năm {series.year}.")
            created = urlencode({"unit": series.unit_id, "year": series.year})
            return redirect(f"{reverse('documents:series_list')}?{created}")
    query = {
        key: request.POST[key]
        for key in ("unit", "year")
        if key in request.POST and key not in form.errors
    }
    return _series_page(request, query=query, create_form=form)
