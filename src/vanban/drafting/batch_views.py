"""The pages for signing and issuing several drafts at once (R11, R16; NĐ 68/2024/NĐ-CP,
TT 15/2025/TT-BKHCN): the approver's approved drafts waiting for their signature, and the
clerk's signed drafts waiting to be issued, each with a checkbox, one certificate and one PIN
for those chosen, then a page saying for each draft whether it was signed or issued, or why not
(drafting.batch_signing)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vanban.accounts.http import request_user
from vanban.accounts.models import Role, User
from vanban.core.http import client_ip
from vanban.signatures.models import Certificate, CertificateKind

from .batch_signing import BatchResult, drafts_issue_batch, drafts_sign_batch
from .forms import IssueBatchForm, SignForm
from .models import Draft, DraftStatus
from .views import _server_certificates

BATCH_LIMIT = 100
NONE_CHOSEN = "Hãy chọn ít nhất một dự thảo để ký."
NONE_TO_ISSUE = "Hãy chọn ít nhất một dự thảo để ban hành."


def _to_sign(user: User) -> QuerySet[Draft]:
    """The approved drafts whose latest version the reader approved and has not signed
    (`signing.draft_sign_refusal`, as a filter), oldest change first, urgent ones first."""
    return (
        Draft.objects.filter(
            status=DraftStatus.APPROVED,
            approved_by=user,
            approved_version_id=F("current_version_id"),
        )
        .exclude(Q(signed_version_id=F("current_version_id")) & ~Q(signed_storage_name=""))
        .select_related("document_type", "issuing_unit", "drafter", "current_version")
        .order_by("-urgency", "updated_at", "pk")
    )


def _chosen_ids(request: HttpRequest) -> list[int]:
    """The drafts ticked, as numbers; anything else sent is ignored."""
    return sorted({int(v) for v in request.POST.getlist("drafts") if v.isdigit()})


def _chosen_drafts(user: User, ids: list[int]) -> list[Draft]:
    """The drafts ticked that the reader may see (one query), in the order of the list. A draft
    that left the list since the page was shown (a new version, signed elsewhere) stays here, so
    that the result says why it was not signed."""
    found = {
        d.pk: d
        for d in Draft.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("document_type", "issuing_unit", "current_version")
    }
    return [found[pk] for pk in ids if pk in found]


def _batch_page(
    request: HttpRequest,
    *,
    drafts: list[Draft],
    certificates: list[Certificate],
    form_class: type[SignForm] | type[IssueBatchForm],
    run: Callable[..., BatchResult],
    none_chosen: str,
    template: str,
) -> HttpResponse:
    """The one shape of both batch pages: GET lists `drafts` with checkboxes; POST runs `run` on
    those chosen with one certificate and one PIN, then shows the result of each, or the form
    again (ticks kept) with the reason the batch stopped."""
    user = request_user(request)
    chosen_ids: list[int] = []
    if request.method == "POST":
        form = form_class(request.POST, certificates=certificates)
        chosen_ids = _chosen_ids(request)
        chosen = _chosen_drafts(user, chosen_ids) if chosen_ids else []
        if not chosen:
            form.is_valid()
            form.add_error(None, none_chosen)
        elif form.is_valid():
            certificate: Certificate = form.chosen() or Certificate()
            result = run(
                actor=user,
                drafts=chosen,
                certificate=certificate,
                pin=form.cleaned_data.get("pin") or "",
                ip=client_ip(request),
            )
            if not result.stopped:
                return render(request, f"drafting/{template}_result.html", {"result": result})
            form.add_error(None, result.stopped)
    else:
        form = form_class(certificates=certificates)
    return render(
        request,
        f"drafting/{template}.html",
        {
            "drafts": drafts,
            "form": form,
            "chosen": set(chosen_ids),
            "limit": BATCH_LIMIT,
            "certificates": certificates,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_batch(request: HttpRequest) -> HttpResponse:
    """GET: the list with checkboxes; POST: sign those chosen, then the result of each."""
    user = request_user(request)
    return _batch_page(
        request,
        drafts=list(_to_sign(user)[:BATCH_LIMIT]),
        certificates=_server_certificates(user),
        form_class=SignForm,
        run=drafts_sign_batch,
        none_chosen=NONE_CHOSEN,
        template="sign_batch",
    )


def _to_issue(user: User) -> QuerySet[Draft]:
    """The signed drafts of the units where the reader is a clerk, waiting to be issued
    (`selectors._waiting_queries`' "to_issue"), urgent ones first, oldest change first."""
    clerk_units = [u for u, r in user.role_pairs() if r == Role.CLERK]
    return (
        Draft.objects.filter(
            status=DraftStatus.APPROVED,
            issuing_unit_id__in=clerk_units,
            approved_version_id=F("current_version_id"),
            signed_version_id=F("current_version_id"),
        )
        .exclude(signed_storage_name="")
        .select_related("document_type", "issuing_unit", "signer", "current_version")
        .order_by("-urgency", "updated_at", "pk")
    )


def _organisation_certificates(user: User) -> list[Certificate]:
    """The active organisation certificates of the units where the reader is a clerk."""
    clerk_units = [u for u, r in user.role_pairs() if r == Role.CLERK]
    return list(
        Certificate.objects.filter(
            kind=CertificateKind.ORGANISATION, unit_id__in=clerk_units, active=True
        )
        .select_related("unit")
        .order_by("unit__name", "-not_after", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue_batch(request: HttpRequest) -> HttpResponse:
    """GET: the clerk's signed drafts with checkboxes; POST: issue those chosen with the unit's
    organisation certificate (`drafts_issue_batch`: each numbered, sealed, registered and sent on
    its own), then the result of each."""
    user = request_user(request)
    return _batch_page(
        request,
        drafts=list(_to_issue(user)[:BATCH_LIMIT]),
        certificates=_organisation_certificates(user),
        form_class=IssueBatchForm,
        run=drafts_issue_batch,
        none_chosen=NONE_TO_ISSUE,
        template="issue_batch",
    )
