"""Drafting pages under /du-thao/: my drafts, what waits for me, a new draft, a draft's page with
the actions the reader may take now, and the versions' files.

Thin views: parse the form, call drafting.services / drafting.selectors (and, for the digital
signature of an approved draft, drafting.signing). A refusal is shown next to its field (or at
the top) and nothing is written; a draft the reader may not see answers 404, an action the reader
may not take on a draft they see answers 403 with the reason.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.forms import show_service_error
from vanban.core.http import client_ip, form_action
from vanban.documents import discussions, files
from vanban.documents.downloads import download_response, download_unavailable
from vanban.documents.viewer import ViewerFile, view_url, viewer_file, viewer_files, wants_view
from vanban.exchange.delivery import original_refusal
from vanban.exchange.models import BusinessType
from vanban.signatures import numberdate
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    RequestStatus,
    SigningRequest,
    VerificationReport,
)
from vanban.signatures.services import OrganisationKey
from vanban.signatures.verify import STATUS_LABELS

from . import selectors, services, signing
from .forms import (
    CommentForm,
    CommentRequestForm,
    DecisionForm,
    DraftCreateForm,
    IssueForm,
    PhoneSignForm,
    SignedUploadForm,
    SignForm,
    SignRequestForm,
    SubmitForm,
    VersionForm,
)
from .models import Draft, DraftStatus, DraftVersion

DRAFTS_PER_PAGE = 50
REUPLOAD = "Trình duyệt không giữ lại tệp đã chọn khi biểu mẫu có lỗi: hãy chọn lại tệp nội dung."


def _access(request: HttpRequest, pk: int) -> Draft:
    return selectors.access_draft(user=request_user(request), pk=pk)


# ---------------------------------------------------------------- lists


@login_required
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    """The reader's own drafts, the latest changed first, 50 a page, by status."""
    user = request_user(request)
    status = request.GET.get("trang-thai", "")
    if status and status not in DraftStatus.values:
        status = ""
    page = Paginator(selectors.my_drafts(user=user, status=status), DRAFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "drafting/draft_list.html",
        {
            "page": page,
            "status": status,
            "statuses": DraftStatus.choices,
            "counts": selectors.draft_counts(user=user),
        },
    )


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Drafts waiting for the reader: to comment on, to check, to approve, to issue."""
    return render(
        request,
        "drafting/waiting.html",
        {
            "waiting": selectors.waiting_for(user=request_user(request)),
            "limit": selectors.WAITING_LIMIT,
        },
    )


# ---------------------------------------------------------------- creating


def _original(request: HttpRequest, source: Any) -> tuple[Draft | None, int]:
    """The issued draft a new draft updates or replaces (?goc=<draft>&loai=2|3)."""
    pk = source.get("goc", "")
    if not pk:
        return None, BusinessType.NEW
    try:
        kind = int(source.get("loai", ""))
        if kind not in (BusinessType.UPDATE, BusinessType.REPLACE):
            raise ValueError
        draft = selectors.access_draft(user=request_user(request), pk=int(pk))
    except (ValueError, NotFound) as exc:
        raise Http404("Không tìm thấy văn bản được cập nhật hoặc thay thế.") from exc
    if not selectors.draft_actions(user=request_user(request), draft=draft).follow_up:
        raise Http404("Không tìm thấy văn bản được cập nhật hoặc thay thế.")
    return draft, kind


def _initial_from(original: Draft) -> dict[str, Any]:
    return {
        "issuing_unit": original.issuing_unit_id,
        "document_type": original.document_type_id,
        "legal_normative": original.legal_normative,
        "subject": original.subject,
        "urgency": original.urgency,
        "recipient_units": [r.unit_id for r in original.recipients.all() if r.unit_id],
        "external_recipients": "\n".join(
            f"{r.name}; {r.agency_code}" if r.agency_code else r.name
            for r in original.recipients.all()
            if not r.unit_id
        ),
        "signer": original.signer_id,
        "authority": original.authority,
        "authority_title": original.authority_title,
        "signer_position": original.signer_position,
    }


@login_required
def draft_create(request: HttpRequest) -> HttpResponse:
    """Anyone drafts in the name of their unit or a unit above it (Art. 10)."""
    user = request_user(request)
    bound = request.method == "POST"
    original, kind = _original(request, request.POST if bound else request.GET)
    issuing_units = services.issuing_units_for(user)
    initial: dict[str, Any] = {"issuing_unit": user.unit_id}
    if original is not None:
        initial |= _initial_from(original)
    form = DraftCreateForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        issuing_units=issuing_units,
        signers=selectors.signer_choices(user=user),
        units=selectors.recipient_units(user=user),
        initial=initial,
    )
    if bound and form.is_valid():
        try:
            draft = services.draft_create(
                actor=user,
                issuing_unit=form.cleaned_data["issuing_unit"],
                data=form.draft_input(),
                signer=form.cleaned_data["signer"],
                refusals=form.refusals(),
                content_file=form.upload(),
                recipient_units=list(form.cleaned_data["recipient_units"]),
                external_recipients=form.external(),
                note=form.cleaned_data["note"],
                business_type=kind,
                original_document=original.document if original else None,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _version_message("Đã tạo dự thảo với phiên bản 1.", draft.current_version),
            )
            return redirect("drafting:draft_detail", pk=draft.pk)
    return render(
        request,
        "drafting/draft_create.html",
        {
            "form": form,
            "original": original,
            "kind": kind,
            "kind_label": BusinessType(kind).label if original else "",
            "reupload": REUPLOAD if bound and request.FILES else "",
        },
    )


# ---------------------------------------------------------------- a draft


# ---------------------------------------------------------------- digital signatures (R11)

SIGNED_VIA = {
    KeyStorage.PKCS12: "khóa PKCS#12 do máy chủ giữ",
    KeyStorage.PKCS11: "thiết bị ký PKCS#11/HSM của máy chủ",
    KeyStorage.LOCAL: "thiết bị ký trên máy người ký (vanban-sign)",
    KeyStorage.REMOTE: "dịch vụ ký số từ xa",
    "upload": "tải lên bản đã ký bằng phần mềm khác",
}
# The keys signed with from the page, with a PIN typed for this signature: held by the server or
# by a remote signing service (NĐ 23/2025/NĐ-CP).
SERVER_KEYS = (KeyStorage.PKCS12, KeyStorage.PKCS11, KeyStorage.REMOTE)
# TT 15/2025/TT-BKHCN: the signer sees, before signing, a certificate about to expire.
EXPIRY_WARNING = dt.timedelta(days=30)


def _personal_certificates(user: User) -> list[Certificate]:
    """The person's active personal certificates, newest expiry first (one query)."""
    return list(
        Certificate.objects.filter(kind=CertificateKind.PERSONAL, user=user, active=True).order_by(
            "-not_after", "pk"
        )
    )


def _on_phone(certificate: Certificate) -> bool:
    """A remote key of the asynchronous provider: each signature is confirmed on the phone."""
    return certificate.key_storage == KeyStorage.REMOTE and certificate.remote_provider == "async"


def _server_certificates(user: User) -> list[Certificate]:
    return [
        c for c in _personal_certificates(user) if c.key_storage in SERVER_KEYS and not _on_phone(c)
    ]


def _phone_certificates(user: User) -> list[Certificate]:
    return [c for c in _personal_certificates(user) if _on_phone(c)]


def _local_certificates(user: User) -> list[Certificate]:
    return [c for c in _personal_certificates(user) if c.key_storage == KeyStorage.LOCAL]


def _organisation_certificates(draft: Draft) -> list[Certificate]:
    """The issuing unit's active organisation certificates (one query)."""
    return list(
        Certificate.objects.filter(
            kind=CertificateKind.ORGANISATION, unit_id=draft.issuing_unit_id, active=True
        ).order_by("-not_after", "pk")
    )


def _vn_time(value: str | None) -> str:
    """An ISO 8601 time of a verification report as dd/mm/yyyy hh:mm:ss, Vietnam time."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S") if moment.tzinfo else str(value)


@dataclass
class ReportRow:
    report: VerificationReport
    label: str
    signatures: list[dict[str, Any]]


@dataclass
class Signing:
    """The signature part of a draft's page: state, stored reports, what the reader may do."""

    may_sign: bool = False
    server_certificates: list[Certificate] = field(default_factory=list)
    expiring: list[Certificate] = field(default_factory=list)  # within EXPIRY_WARNING
    local_certificates: list[Certificate] = field(default_factory=list)
    phone_certificates: list[Certificate] = field(default_factory=list)
    pending: SigningRequest | None = None
    command: str = ""
    reports: list[ReportRow] = field(default_factory=list)
    signature: dict[str, Any] | None = None  # the approver's signature in the signed file
    signed_via: str = ""
    organisation_certificates: list[Certificate] = field(default_factory=list)
    # A signed first page without reserved lines: the clerk places the number and the date.
    placement: numberdate.Page | None = None

    @property
    def shown(self) -> bool:
        return self.may_sign or bool(self.reports)


def _report_row(report: VerificationReport) -> ReportRow:
    signatures = []
    for item in report.content.get("signatures") or []:
        signatures.append(
            {
                **item,
                "signing_time": _vn_time(item.get("signing_time")),
                "timestamp_time": _vn_time(item.get("timestamp_time")),
            }
        )
    return ReportRow(report, STATUS_LABELS.get(report.status, report.status), signatures)


def _signing(request: HttpRequest, draft: Draft, actions: selectors.DraftActions) -> Signing:
    """A fixed number of queries: the draft's reports once it has been signed, the reader's
    certificates (and pending request) when they may sign, the unit's organisation
    certificates for the clerk of a signed draft."""
    user = request_user(request)
    signing_state = Signing(may_sign=signing.draft_may_sign(user=user, draft=draft))
    if draft.signed_at is not None:
        reports = draft.verification_reports.select_related("checked_by").order_by(
            "-checked_at", "-pk"
        )
        signing_state.reports = [_report_row(r) for r in reports]
        own = next(
            (r for r in signing_state.reports if r.report.file_sha256 == draft.signed_sha256),
            None,
        )
        if own is not None and own.signatures:
            signing_state.signature = own.signatures[-1]
        signing_state.signed_via = SIGNED_VIA.get(draft.signed_via, draft.signed_via)
    if signing_state.may_sign:
        certificates = _personal_certificates(user)
        signing_state.server_certificates = [
            c for c in certificates if c.key_storage in SERVER_KEYS and not _on_phone(c)
        ]
        signing_state.phone_certificates = [c for c in certificates if _on_phone(c)]
        soon = clock.now() + EXPIRY_WARNING
        signing_state.expiring = [
            c
            for c in signing_state.server_certificates + signing_state.phone_certificates
            if c.not_after <= soon
        ]
        signing_state.local_certificates = [
            c for c in certificates if c.key_storage == KeyStorage.LOCAL
        ]
        if signing_state.local_certificates:
            pending = (
                SigningRequest.objects.filter(
                    draft=draft,
                    requested_by=user,
                    status=RequestStatus.PENDING,
                    expires_at__gt=clock.now(),
                )
                .exclude(prepared__has_key="transaction_id")  # confirmed on the phone
                .order_by("-created_at", "-pk")
                .first()
            )
            if pending is not None:
                signing_state.pending = pending
                server = request.build_absolute_uri("/").rstrip("/")
                signing_state.command = (
                    f"vanban-sign --server {server} --token <mã truy cập API> --code {pending.code}"
                )
    if actions.issue and draft.is_signed:
        signing_state.organisation_certificates = _organisation_certificates(draft)
        signing_state.placement = _placement_page(draft)
    return signing_state


def _forms(
    user: User, draft: Draft, actions: selectors.DraftActions, signing_state: Signing
) -> dict[str, Form]:
    forms: dict[str, Form] = {}
    if actions.add_version:
        forms["version_form"] = VersionForm()
    if actions.request_comments:
        forms["comment_request_form"] = CommentRequestForm(
            people=selectors.people_of(unit=draft.issuing_unit, exclude=draft.drafter)
        )
    if actions.comment:
        forms["comment_form"] = CommentForm()
    if actions.submit:
        forms["submit_form"] = SubmitForm(
            reviewers=selectors.leaders_of(unit=draft.unit),
            checkers=selectors.people_of(unit=draft.issuing_unit, exclude=draft.drafter),
        )
    if actions.review:
        forms["content_form"] = DecisionForm(prefix="content")
    if actions.check_format:
        forms["format_form"] = DecisionForm(prefix="format")
    if actions.approve:
        forms["approve_form"] = DecisionForm(prefix="approve")
    if actions.issue:
        forms["issue_form"] = IssueForm(certificates=signing_state.organisation_certificates)
    if signing_state.may_sign:
        forms["sign_form"] = SignForm(certificates=signing_state.server_certificates)
        forms["sign_request_form"] = SignRequestForm(certificates=signing_state.local_certificates)
        forms["phone_sign_form"] = PhoneSignForm(certificates=signing_state.phone_certificates)
        forms["signed_upload_form"] = SignedUploadForm()
    return forms


def _viewer_files(draft: Draft, versions: list[DraftVersion]) -> list[ViewerFile]:
    """The signed PDF when there is one, then the versions, newest first, for the document
    viewer (docs/files.md "Viewer"); no query beyond the versions already read."""
    shown = viewer_files(
        reversed(versions),
        download_url=lambda v: reverse("drafting:version_download", args=[draft.pk, v.number]),
        label=lambda v: f"Phiên bản {v.number}",
        # A Word or ODT version is read through the PDF/A made from it (docs/drafting.md).
        pdf_url=lambda v: (
            view_url(reverse("drafting:version_pdf", args=[draft.pk, v.number]))
            if v.file_format != "pdf" and v.pdf_storage_name
            else ""
        ),
    )
    if draft.is_signed:
        signed = next((v for v in versions if v.pk == draft.signed_version_id), None)
        stem = signed.original_name.rsplit(".", 1)[0] if signed else "van-ban"
        shown.insert(
            0,
            viewer_file(
                name=f"{stem} (đã ký số).pdf",
                label="Bản đã ký số",
                file_format="pdf",
                download_url=reverse("drafting:signed_download", args=[draft.pk]),
            ),
        )
    return shown


def _detail(
    request: HttpRequest,
    draft: Draft,
    *,
    bound: dict[str, Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    actions = selectors.draft_actions(user=user, draft=draft)
    signing_state = _signing(request, draft, actions)
    forms = _forms(user, draft, actions, signing_state)
    forms.update(bound or {})
    versions = list(draft.versions.all())
    return render(
        request,
        "drafting/draft_detail.html",
        {
            "draft": draft,
            "actions": actions,
            "signing": signing_state,
            "error": error,
            "signer_block": draft.signer_block(),
            "versions": versions,
            "viewer_files": _viewer_files(draft, versions),
            "comments": list(draft.comments.all()),
            "events": list(draft.events.all()),
            "recipients": list(draft.recipients.all()),
            "thread": discussions.thread_for(kind="draft", subject_id=draft.pk, user=user),
            # A replaced document, or one taken back everywhere, has no update or replacement:
            # the reason is shown instead of the buttons (the service refuses it too).
            "follow_up_refusal": (
                original_refusal(draft.document)
                if actions.follow_up and draft.document is not None
                else ""
            ),
            **forms,
        },
        status=status,
    )


@login_required
@require_GET
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _access(request, pk))


def _action(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    flag: str | Callable[[Draft], bool],
    make: Callable[[Draft], Form],
    call: Callable[[Draft, Any], Any],
    success: str | Callable[[Any], str],
    on_form: bool = False,
    done: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """One POST on a draft, answered by `core.http.form_action`.

    Input that does not parse is shown back to a person who may take the action; for anyone
    else the service is asked anyway, so that they get its reason (permission and state are
    checked before the input) and nothing changes. A refusal of the person is shown on the
    draft's page with 403; other refusals with 200. With `on_form`, a refusal without a field
    (a wrong PIN, an invalid signature) is shown above the form rather than at the top.
    """
    draft = _access(request, pk)
    form = make(draft)
    allowed = (
        flag(draft)
        if callable(flag)
        else getattr(selectors.draft_actions(user=request_user(request), draft=draft), flag)
    )

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if bound:
            return _detail(request, draft, bound={name: form}, status=status)
        return _detail(request, draft, error=error, status=status)

    results: list[Any] = []

    def called() -> Any:
        results.append(call(draft, form))
        return results[-1]

    return form_action(
        request,
        form=form,
        call=called,
        success=success,
        done=lambda: done(results[-1]) if done else redirect("drafting:draft_detail", pk=draft.pk),
        page=page,
        allowed=allowed,
        denied_on_page=True,
        on_form=on_form,
    )


@login_required
@require_POST
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        name="version_form",
        flag="add_version",
        make=lambda d: VersionForm(request.POST, request.FILES),
        call=lambda d, f: services.draft_version_add(
            actor=request_user(request),
            draft=d,
            content_file=f.cleaned_data.get("content_file"),
            note=f.cleaned_data.get("note", ""),
            ip=client_ip(request),
        ),
        success=lambda v: _version_message(f"Đã tải lên phiên bản {v.number}.", v),
    )


def _version_message(done: str, version: DraftVersion | None) -> str:
    """What the drafter is told after an upload: the PDF made from a Word file, or why there is
    none (the draft cannot go to checking, approval or signing without one)."""
    if version is None:
        return done
    shown = version.pdf_to_show()
    if shown is not None and shown.converted:
        done += " Máy chủ đã chuyển tệp sang PDF/A; bản PDF này được kiểm tra, phê duyệt và ký số."
    elif shown is None and version.pdf_note:
        done += f" {version.pdf_note}"
    if version.draft.status == DraftStatus.REVIEWING and version.number > 1:
        done += " Dự thảo được chuyển lại kiểm tra nội dung và thể thức cho phiên bản mới."
    return done


@login_required
@require_POST
def comments_request(request: HttpRequest, pk: int) -> HttpResponse:
    def make(draft: Draft) -> Form:
        return CommentRequestForm(
            request.POST, people=selectors.people_of(unit=draft.issuing_unit, exclude=draft.drafter)
        )

    return _action(
        request,
        pk,
        name="comment_request_form",
        flag="request_comments",
        make=make,
        call=lambda d, f: services.draft_comments_request(
            actor=request_user(request),
            draft=d,
            people=list(f.cleaned_data.get("people") or []),
            deadline=f.cleaned_data.get("deadline"),
            note=f.cleaned_data.get("note", ""),
            ip=client_ip(request),
        ),
        success=lambda rows: f"Đã xin ý kiến {len(rows)} người.",
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        name="comment_form",
        flag="comment",
        make=lambda d: CommentForm(request.POST),
        call=lambda d, f: services.draft_comment(
            actor=request_user(request),
            draft=d,
            text=f.cleaned_data.get("text", ""),
            ip=client_ip(request),
        ),
        success="Đã gửi ý kiến góp ý.",
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    def make(draft: Draft) -> Form:
        return SubmitForm(
            request.POST,
            reviewers=selectors.leaders_of(unit=draft.unit),
            checkers=selectors.people_of(unit=draft.issuing_unit, exclude=draft.drafter),
        )

    return _action(
        request,
        pk,
        name="submit_form",
        flag="submit",
        make=make,
        call=lambda d, f: services.draft_submit(
            actor=request_user(request),
            draft=d,
            reviewer=f.cleaned_data.get("reviewer"),
            checker=f.cleaned_data.get("checker"),
            note=f.cleaned_data.get("note", ""),
            ip=client_ip(request),
        ),
        success="Đã trình kiểm tra nội dung và thể thức.",
    )


def _decision(
    request: HttpRequest,
    pk: int,
    *,
    prefix: str,
    flag: str,
    service: Callable[..., Draft],
    success: Callable[[Draft], str],
) -> HttpResponse:
    return _action(
        request,
        pk,
        name=f"{prefix}_form",
        flag=flag,
        make=lambda d: DecisionForm(request.POST, prefix=prefix),
        call=lambda d, f: service(
            actor=request_user(request),
            draft=d,
            accept=f.cleaned_data.get("decision") == "accept",
            note=f.cleaned_data.get("note", ""),
            ip=client_ip(request),
        ),
        success=success,
    )


def _status_message(draft: Draft) -> str:
    return f"Đã ghi nhận. Dự thảo: {draft.get_status_display().lower()}."


@login_required
@require_POST
def review_content(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        prefix="content",
        flag="review",
        service=services.draft_review_content,
        success=_status_message,
    )


@login_required
@require_POST
def check_format(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        prefix="format",
        flag="check_format",
        service=services.draft_check_format,
        success=_status_message,
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        prefix="approve",
        flag="approve",
        service=services.draft_approve,
        success=_status_message,
    )


def _issued_message(document: Any) -> str:
    message = f"Đã cấp số {document.number_symbol}, ký số tổ chức, vào sổ và ban hành văn bản."
    if document.needs_paper_copy:
        message += (
            " Cơ quan nhận phải lưu trữ vĩnh viễn văn bản này: cần gửi kèm bản giấy "
            "(Quy chế, Điều 3 khoản 5)."
        )
    note = Draft.objects.filter(document=document).values_list("number_date_note", flat=True)
    if note and note[0]:
        message += f" {note[0]}"
    return message


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk numbers, signs with the unit's organisation certificate and issues a draft the
    competent person has signed; PDF attachments get the organisation signature too."""

    def call(draft: Draft, form: Any) -> Any:
        certificate = form.chosen()
        return services.draft_issue(
            actor=request_user(request),
            draft=draft,
            issued_amount=form.cleaned_data.get("issued_amount"),
            organisation_key=(
                OrganisationKey(certificate=certificate, pin=form.cleaned_data.get("pin") or "")
                if certificate is not None
                else None
            ),
            attachments=list(form.cleaned_data.get("attachments") or []),
            placement=form.placement(),
            ip=client_ip(request),
        )

    return _action(
        request,
        pk,
        name="issue_form",
        flag="issue",
        make=lambda d: IssueForm(
            request.POST, request.FILES, certificates=_organisation_certificates(d)
        ),
        call=call,
        success=_issued_message,
        on_form=True,
    )


# A certificate that is nobody's: given to the service when none was chosen, so that the
# service's own checks (state and permission first) give the reason of the refusal.
def _chosen(form: Any) -> Certificate:
    return form.chosen() or Certificate()


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver signs the approved PDF with a key held by the server."""
    user = request_user(request)
    return _action(
        request,
        pk,
        name="sign_form",
        flag=lambda d: signing.draft_may_sign(user=user, draft=d),
        make=lambda d: SignForm(request.POST, certificates=_server_certificates(user)),
        call=lambda d, f: signing.draft_sign(
            actor=user,
            draft=d,
            certificate=_chosen(f),
            pin=f.cleaned_data.get("pin") or "",
            ip=client_ip(request),
        ),
        success="Đã ký số văn bản; chữ ký đã được kiểm tra và hợp lệ. Văn thư có thể phát hành.",
        on_form=True,
    )


@login_required
@require_POST
def sign_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver asks for a signing request, to sign with the token on their computer."""
    user = request_user(request)
    return _action(
        request,
        pk,
        name="sign_request_form",
        flag=lambda d: signing.draft_may_sign(user=user, draft=d),
        make=lambda d: SignRequestForm(request.POST, certificates=_local_certificates(user)),
        call=lambda d, f: signing.draft_sign_request(
            actor=user, draft=d, certificate=_chosen(f), ip=client_ip(request)
        ),
        success=lambda r: (
            "Đã tạo yêu cầu ký số: chạy lệnh vanban-sign trên máy có thiết bị ký "
            f"trước {timezone.localtime(r.expires_at):%H:%M ngày %d/%m/%Y}."
        ),
        on_form=True,
    )


@login_required
@require_POST
def sign_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver chooses a remote key confirmed on the phone: the provider asks them on
    their phone and the waiting page follows the transaction (NĐ 23/2025/NĐ-CP)."""
    user = request_user(request)
    return _action(
        request,
        pk,
        name="phone_sign_form",
        flag=lambda d: signing.draft_may_sign(user=user, draft=d),
        make=lambda d: PhoneSignForm(request.POST, certificates=_phone_certificates(user)),
        call=lambda d, f: signing.draft_phone_sign_start(
            actor=user, draft=d, certificate=_chosen(f), ip=client_ip(request)
        ),
        success="Đã gửi yêu cầu ký số đến điện thoại của bạn.",
        on_form=True,
        done=lambda r: redirect("drafting:sign_phone_wait", pk=pk, code=r.code),
    )


# The waiting page asks the provider again after this many seconds (a meta refresh: no script,
# within the Content-Security-Policy).
PHONE_REFRESH_SECONDS = 3


@login_required
@require_GET
def sign_phone_wait(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """ "Hãy xác nhận giao dịch ký số trên điện thoại": asks the provider once per load; signed,
    refused, expired or cancelled go back to the draft's page with their message."""
    user = request_user(request)
    draft = _access(request, pk)
    try:
        signed = signing.draft_phone_sign_check(actor=user, code=code, ip=client_ip(request))
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("drafting:draft_detail", pk=draft.pk)
    if signed is not None:
        messages.success(
            request,
            "Đã ký số văn bản; chữ ký đã được kiểm tra và hợp lệ. Văn thư có thể phát hành.",
        )
        return redirect("drafting:draft_detail", pk=draft.pk)
    response = render(
        request,
        "drafting/sign_phone_wait.html",
        {"draft": draft, "code": code, "refresh": PHONE_REFRESH_SECONDS},
    )
    # The browser loads the page again by itself (the `Refresh` header): no script needed.
    response["Refresh"] = str(PHONE_REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def sign_phone_cancel(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """ "Hủy": the signer cancels the transaction before confirming it on the phone."""
    user = request_user(request)
    draft = _access(request, pk)
    try:
        signing.draft_phone_sign_cancel(actor=user, code=code, ip=client_ip(request))
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã hủy giao dịch ký số; văn bản chưa được ký.")
    return redirect("drafting:draft_detail", pk=draft.pk)


@login_required
@require_POST
def signed_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The approver uploads the approved PDF signed with another tool; it is checked first."""
    user = request_user(request)
    return _action(
        request,
        pk,
        name="signed_upload_form",
        flag=lambda d: signing.draft_may_sign(user=user, draft=d),
        make=lambda d: SignedUploadForm(request.POST, request.FILES),
        call=lambda d, f: signing.draft_signed_upload(
            actor=user, draft=d, data=f.data_bytes() if f.is_valid() else b"", ip=client_ip(request)
        ),
        success="Đã nhận bản ký số; chữ ký đã được kiểm tra và hợp lệ. Văn thư có thể phát hành.",
        on_form=True,
    )


@login_required
@require_GET
def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    """The PDF to show for a version: the version itself, or the PDF/A made from its Word file;
    `?xem=1` shows it in the page's viewer (inline, recorded as viewed)."""
    view = wants_view(request)
    try:
        download = services.version_pdf_download(
            actor=request_user(request),
            draft_pk=pk,
            number=number,
            ip=client_ip(request),
            viewed=view,
        )
    except files.FileUnavailable as exc:
        return download_unavailable(request, exc)
    return download_response(
        download.chunks,
        size=download.size,
        content_type="application/pdf",
        name=download.name,
        inline=view,
    )


@login_required
@require_GET
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    view = wants_view(request)
    try:
        download = services.version_download(
            actor=request_user(request),
            draft_pk=pk,
            number=number,
            ip=client_ip(request),
            viewed=view,
        )
    except files.FileUnavailable as exc:
        return download_unavailable(request, exc)
    version = download.version
    return download_response(
        download.chunks,
        size=download.size,
        content_type=version.content_type,
        name=version.original_name,
        inline=view,
    )


def _placement_page(draft: Draft) -> numberdate.Page | None:
    """The first page of the signed PDF when the clerk places the number and the date on it
    (no reserved lines; NĐ 30/2020 Art. 15), else None. Reads the stored file, no query."""
    try:
        signed = signing.signed_for_issue(draft=draft)
    except (ServiceError, files.FileUnavailable):
        return None
    if not numberdate.placeable(signed):
        return None
    return numberdate.first_page(signed)


@login_required
@require_GET
def placement_preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The first page of the signed PDF as an image, for the clerk who issues the draft to place
    the number box and the date box on (NĐ 30/2020 Art. 15, Appendix I)."""
    user = request_user(request)
    draft = _access(request, pk)
    if not selectors.draft_actions(user=user, draft=draft).issue or not draft.is_signed:
        raise Http404("Không có trang đầu để đặt số, ngày.")
    try:
        signed = signing.signed_for_issue(draft=draft)
    except (ServiceError, files.FileUnavailable) as exc:
        raise Http404("Không đọc được bản đã ký.") from exc
    if not numberdate.placeable(signed):
        raise Http404("Bản đã ký có sẵn chỗ ghi số, ngày.")
    response = HttpResponse(numberdate.preview_png(signed), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def signed_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF signed by the competent person, for whoever may see the draft's versions; the
    stored bytes are checked against their SHA-256 before anything is sent."""
    user = request_user(request)
    draft = (
        Draft.objects.visible_to(user)
        .select_related("unit", "signed_version")
        .filter(pk=pk)
        .first()
    )
    if draft is None or not draft.signed_storage_name:
        raise Http404("Không tìm thấy bản ký số của dự thảo.")
    view = wants_view(request)
    try:
        stream = files.verified_stream(
            actor=user,
            storage_name=draft.signed_storage_name,
            sha256=draft.signed_sha256,
            action="draft.signed_download",
            unit=draft.unit,
            target=draft,
            data=files.viewed_data({"sha256": draft.signed_sha256}, view),
            ip=client_ip(request),
        )
    except files.FileUnavailable as exc:
        return download_unavailable(request, exc)
    name = draft.signed_version.original_name if draft.signed_version else "van-ban.pdf"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return download_response(
        stream.chunks,
        size=stream.size,
        content_type="application/pdf",
        name=f"{stem} (đã ký số).pdf",
        inline=view,
    )
