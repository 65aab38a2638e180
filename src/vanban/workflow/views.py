"""The processing page of one incoming document and its forms (R18).

Thin views: parse the form, call workflow.services, show the result. A document the person may not
see answers 404; a step the person may not take answers 403 with the reason; a refused step (wrong
state, bad input) shows the service's Vietnamese message and changes nothing (400).
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core.http import client_ip, form_action
from vanban.documents import files as document_files
from vanban.documents.downloads import download_response, download_unavailable
from vanban.documents.models import Document
from vanban.documents.viewer import ViewerFile, document_viewer_files, viewer_files, wants_view

from . import selectors, services
from .access import Authority, authority_of, handling_unit, handling_unit_id
from .forms import (
    CompleteForm,
    DirectForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    PresentForm,
    ProgressForm,
    ReassignForm,
    RemindForm,
)
from .models import Assignment, AssignmentRole, ExtensionRequest, ExtensionStatus

# A bound form that failed, to show again in place: (kind, object id or None, form).
Bound = tuple[str, int | None, Form]


def _document(request: HttpRequest, pk: int) -> Document:
    return selectors.access_incoming(user=request_user(request), pk=pk)


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    return selectors.access_assignment(user=request_user(request), pk=pk)


def _auto_id(kind: str, pk: int) -> str:
    return f"id_{kind}{pk}_%s"


def _forms(page: selectors.ProcessingPage, bound: Bound | None) -> dict[str, Any]:
    """The forms the person may use on this page, each with its own element ids."""
    actions = page.actions
    document = page.document

    def pick(kind: str, pk: int | None, make: Callable[[], Form]) -> Form:
        if bound is not None and bound[0] == kind and bound[1] == pk:
            return bound[2]
        return make()

    context: dict[str, Any] = {}
    unit_id = handling_unit_id(document, page.processing)
    if actions.present:
        leaders = selectors.unit_leaders(unit_id=unit_id)
        context["present_form"] = pick(
            "present", None, lambda: PresentForm(leaders=leaders, auto_id="id_present_%s")
        )
    if actions.direct:
        units, people = selectors.direct_choices(
            unit=page.processing.unit if page.processing is not None else document.unit
        )
        deadline = services.default_deadline(document, today=page.today, unit_id=unit_id)
        templates = [t.text for t in selectors.direction_templates_of(page.authority.user)]
        context["direct_form"] = pick(
            "direct",
            None,
            lambda: DirectForm(
                units=units,
                people=people,
                templates=templates,
                initial={"deadline": deadline},
                auto_id="id_direct_%s",
            ),
        )
    choices = selectors.reassign_choices(
        unit_ids=sorted(
            {a.assignee_unit_id for a in actions.reassignable if a.assignee_unit_id is not None}
        )
    )
    context["reassign_forms"] = [
        (
            a,
            pick(
                "reassign",
                a.pk,
                partial(
                    ReassignForm,
                    people=choices[a.assignee_unit_id],
                    initial={"deadline": a.deadline},
                    auto_id=_auto_id("reassign", a.pk),
                ),
            ),
        )
        for a in actions.reassignable
        if a.assignee_unit_id is not None  # always: only a unit's part is reassigned
    ]
    pending = {r.assignment_id for r in page.extensions if r.status == ExtensionStatus.PENDING}
    handled = []
    for a in actions.handled:
        item: dict[str, Any] = {"assignment": a, "info": a.role == AssignmentRole.INFO}
        item["complete_form"] = pick(
            "complete", a.pk, partial(CompleteForm, auto_id=_auto_id("complete", a.pk))
        )
        if not item["info"]:
            item["progress_form"] = pick(
                "progress", a.pk, partial(ProgressForm, auto_id=_auto_id("progress", a.pk))
            )
            if a.deadline and a.pk not in pending:
                item["extension_form"] = pick(
                    "extension",
                    a.pk,
                    partial(ExtensionRequestForm, auto_id=_auto_id("extension", a.pk)),
                )
        handled.append(item)
    context["handled"] = handled
    # A reminder is sent from the assignment's row in the table.
    remind_forms = {
        a.pk: pick("remind", a.pk, partial(RemindForm, auto_id=_auto_id("remind", a.pk)))
        for a in actions.remindable
    }
    context["assignment_rows"] = [(row, remind_forms.get(row.assignment.pk)) for row in page.rows]
    context["can_remind"] = bool(actions.remindable)
    context["decide_forms"] = [
        (r, pick("decide", r.pk, partial(ExtensionDecideForm, auto_id=_auto_id("decide", r.pk))))
        for r in page.decidable
    ]
    return context


def _render(
    request: HttpRequest,
    document: Document,
    *,
    bound: Bound | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    page = selectors.processing_page(user=user, document=document)
    # The person opened the page: her "nhận để biết" parts are read (R18).
    services.assignments_opened(user=user, assignments=page.assignments)
    context = {
        "page": page,
        "document": document,
        "error": error,
        "viewer_files": _viewer_files(page),
        **_forms(page, bound),
    }
    return render(request, "workflow/document.html", context, status=status)


def _viewer_files(page: selectors.ProcessingPage) -> list[ViewerFile]:
    """The document's files, then the result files and reply drafts of the timeline, newest
    first: what a leader reads while deciding, without leaving the page."""
    progress = [f for item in reversed(page.timeline) for f in item.files]
    return document_viewer_files(page.files) + viewer_files(
        progress,
        download_url=lambda f: reverse("workflow:file_download", args=[f.pk]),
        label=lambda f: f.get_kind_display(),
    )


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's processing: status, who has which part, the timeline and the forms."""
    return _render(request, _document(request, pk))


def _step(
    request: HttpRequest,
    document: Document,
    *,
    kind: str,
    pk: int | None,
    allowed: bool,
    refusal: str,
    form: Form,
    call: Callable[[], Any],
    success: str,
) -> HttpResponse:
    """One POST, answered by `core.http.form_action`: the person's right first (403), then the
    form (400), then the service (its refusal on the form, 400)."""
    return form_action(
        request,
        form=form,
        call=call,
        success=success,
        done=lambda: redirect("workflow:document", pk=document.pk),
        page=lambda error, status, bound: _render(
            request, document, bound=(kind, pk, form), error=error, status=status
        ),
        allowed=allowed,
        refusal=refusal,
        invalid_status=400,
        refused_status=400,
    )


def _authority(request: HttpRequest) -> Authority:
    return authority_of(request_user(request))


@login_required
@require_POST
def present(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    authority = _authority(request)
    unit = handling_unit(document)
    form = PresentForm(
        request.POST,
        leaders=selectors.unit_leaders(unit_id=unit.pk),
        auto_id="id_present_%s",
    )
    return _step(
        request,
        document,
        kind="present",
        pk=None,
        allowed=authority.is_clerk_of(unit.pk),
        refusal=services.MSG_NOT_CLERK,
        form=form,
        call=lambda: services.processing_present(
            actor=request_user(request),
            document=document,
            leader=User.objects.filter(pk=form.cleaned_data["leader"]).first(),
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        ),
        success="Đã trình văn bản.",
    )


@login_required
@require_POST
def direct(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    authority = _authority(request)
    unit = handling_unit(document)
    units, people = selectors.direct_choices(unit=unit)
    templates = [t.text for t in selectors.direction_templates_of(request_user(request))]
    form = DirectForm(
        request.POST, units=units, people=people, templates=templates, auto_id="id_direct_%s"
    )
    return _step(
        request,
        document,
        kind="direct",
        pk=None,
        allowed=authority.as_leader_of(unit.pk)[0],
        refusal=services.MSG_NOT_LEADER,
        form=form,
        call=lambda: services.processing_direct(
            actor=request_user(request),
            document=document,
            direction=form.cleaned_data["direction"],
            ip=client_ip(request),
            **form.targets(),
        ),
        success="Đã cho ý kiến chỉ đạo và giao xử lý.",
    )


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    authority = _authority(request)
    unit_id = assignment.assignee_unit_id
    people = selectors.reassign_choices(unit_ids=[unit_id]).get(unit_id, []) if unit_id else []
    form = ReassignForm(request.POST, people=people, auto_id=_auto_id("reassign", pk))
    return _step(
        request,
        assignment.document,
        kind="reassign",
        pk=pk,
        allowed=unit_id is not None and authority.as_leader_of(unit_id)[0],
        refusal=services.MSG_NOT_UNIT_LEADER,
        form=form,
        call=lambda: services.assignment_reassign(
            actor=request_user(request),
            assignment=assignment,
            ip=client_ip(request),
            **form.targets(),
        ),
        success="Đã phân công trong đơn vị.",
    )


@login_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = ProgressForm(request.POST, request.FILES, auto_id=_auto_id("progress", pk))
    return _step(
        request,
        assignment.document,
        kind="progress",
        pk=pk,
        allowed=_authority(request).as_handler(assignment)[0],
        refusal=services.MSG_NOT_HANDLER,
        form=form,
        call=lambda: services.assignment_progress(
            actor=request_user(request),
            assignment=assignment,
            text=form.cleaned_data["text"],
            result_files=form.cleaned_data["result_files"],
            draft_files=form.cleaned_data["draft_files"],
            ip=client_ip(request),
        ),
        success="Đã cập nhật tiến độ.",
    )


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = CompleteForm(request.POST, auto_id=_auto_id("complete", pk))
    info = assignment.role == AssignmentRole.INFO
    return _step(
        request,
        assignment.document,
        kind="complete",
        pk=pk,
        allowed=_authority(request).as_handler(assignment)[0],
        refusal=services.MSG_NOT_HANDLER,
        form=form,
        call=lambda: services.assignment_complete(
            actor=request_user(request),
            assignment=assignment,
            result=form.cleaned_data["result"],
            reply_reference=form.cleaned_data["reply_reference"],
            ip=client_ip(request),
        ),
        success="Đã ghi nhận đã xem văn bản." if info else "Đã báo hoàn thành.",
    )


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = RemindForm(request.POST, auto_id=_auto_id("remind", pk))
    allowed = _authority(request).as_supervisor(
        assignment, document_unit_id=assignment.document.unit_id
    )[0]
    return _step(
        request,
        assignment.document,
        kind="remind",
        pk=pk,
        allowed=allowed,
        refusal=services.MSG_NOT_SUPERVISOR,
        form=form,
        call=lambda: services.assignment_remind(
            actor=request_user(request),
            assignment=assignment,
            text=form.cleaned_data["text"],
            ip=client_ip(request),
        ),
        success="Đã gửi đôn đốc.",
    )


@login_required
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = ExtensionRequestForm(request.POST, auto_id=_auto_id("extension", pk))
    return _step(
        request,
        assignment.document,
        kind="extension",
        pk=pk,
        allowed=_authority(request).as_handler(assignment)[0],
        refusal=services.MSG_NOT_HANDLER,
        form=form,
        call=lambda: services.extension_request(
            actor=request_user(request),
            assignment=assignment,
            requested_deadline=form.cleaned_data["requested_deadline"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        ),
        success="Đã gửi đề nghị gia hạn.",
    )


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension: ExtensionRequest = selectors.access_extension(user=request_user(request), pk=pk)
    assignment = extension.assignment
    form = ExtensionDecideForm(request.POST, auto_id=_auto_id("decide", pk))
    grant = request.POST.get("decision") == "grant"
    return _step(
        request,
        assignment.document,
        kind="decide",
        pk=pk,
        allowed=_authority(request).as_leader_of(assignment.assigner_unit_id)[0],
        refusal=services.MSG_NOT_DECIDER,
        form=form,
        call=lambda: services.extension_decide(
            actor=request_user(request),
            request=extension,
            grant=grant,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        ),
        success="Đã đồng ý gia hạn." if grant else "Đã ghi nhận không đồng ý gia hạn.",
    )


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A result file or reply draft (inline for the document viewer, `?xem=1`); 404 when the
    person may not see its document, 409 when the stored file is missing or no longer matches
    its SHA-256."""
    view = wants_view(request)
    try:
        download = services.progress_file_download(
            actor=request_user(request), file_id=pk, ip=client_ip(request), viewed=view
        )
    except document_files.FileUnavailable as exc:
        return download_unavailable(request, exc, document_id=exc.document_id)
    return download_response(
        download.chunks,
        size=download.size,
        content_type=download.file.content_type,
        name=download.file.original_name,
        inline=view,
    )
