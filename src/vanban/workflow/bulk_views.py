"""Acting on several documents of "Việc của tôi" at once (R18): present them to a leader, give
them to be handled with one direction (a leader), mark them read, or export them as a
spreadsheet.

Each document goes through the same service as the single action on its own page
(`services.processing_present`, `services.processing_direct`, `services.information_read` —
which is what opening the page does), in its own transaction: one document refused never stops
or half-writes another. The answer page lists what was done and what was refused, with the
service's own Vietnamese reason.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip
from vanban.documents import exports
from vanban.documents.models import Document

from . import selectors, services
from .forms import DirectForm
from .models import Processing

MAX_CHOSEN = 200
MSG_NONE_CHOSEN = "Hãy đánh dấu ít nhất một văn bản trong danh sách."
MSG_TOO_MANY = f"Mỗi lần chỉ xử lý tối đa {MAX_CHOSEN} văn bản."
MSG_UNKNOWN_ACTION = "Thao tác không hợp lệ."
MSG_NOT_VISIBLE = "Không tìm thấy văn bản hoặc bạn không được xem văn bản này."
MSG_MANY_UNITS = (
    "Các văn bản được chọn thuộc nhiều đơn vị; hãy giao xử lý văn bản của từng đơn vị một lần."
)
ACTIONS = {
    "present": "Trình lãnh đạo",
    "read": "Đánh dấu đã đọc",
    "direct": "Giao xử lý",
    "export": "Xuất danh sách (Excel)",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Outcome:
    """One chosen document: done, or refused with the reason."""

    pk: int
    label: str
    subject: str = ""
    reason: str = ""


@dataclass
class BulkResult:
    action: str
    done: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)

    @property
    def title(self) -> str:
        return ACTIONS[self.action]


def _chosen_ids(request: HttpRequest) -> list[int] | None:
    """The distinct ids ticked, in their order; None when one is not a number."""
    ids: list[int] = []
    for value in request.POST.getlist("documents"):
        if not value.isdigit():
            return None
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("workflow:my_work")


def _export(user: User, documents: list[Document]) -> HttpResponse:
    now = clock.now()
    heading = exports.ExportHeading(
        query="",
        criteria=["Các văn bản được chọn trên trang Việc của tôi"],
        created_at=now,
        author=user.full_name,
        count=len(documents),
        truncated=False,
        limit=MAX_CHOSEN,
        list_name="Danh sách văn bản được chọn",
    )
    filename = f"van-ban-duoc-chon-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    return HttpResponse(
        exports.results_xlsx(documents, heading=heading),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{quote(filename)}"'},
    )


@login_required
@require_POST
def my_work_bulk(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _back(request, MSG_UNKNOWN_ACTION)
    ids = _chosen_ids(request)
    if ids is None:
        return _back(request, MSG_NOT_VISIBLE)
    if not ids:
        return _back(request, MSG_NONE_CHOSEN)
    if len(ids) > MAX_CHOSEN:
        return _back(request, MSG_TOO_MANY)
    found = {
        d.pk: d
        for d in Document.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("document_type", "unit")
    }
    if action == "export":
        chosen = [found[pk] for pk in ids if pk in found]
        if not chosen:
            return _back(request, MSG_NOT_VISIBLE)
        return _export(user, chosen)
    form = None
    if action == "direct":
        # The unit that handles each document (a reorganisation may have handed it over).
        handled = dict(
            Processing.objects.filter(document_id__in=list(found)).values_list(
                "document_id", "unit_id"
            )
        )
        units_of = {handled.get(d.pk, d.unit_id) for d in found.values()}
        if not found:
            return _back(request, MSG_NOT_VISIBLE)
        if len(units_of) > 1:
            return _back(request, MSG_MANY_UNITS)
        first = next(iter(found.values()))
        unit = first.unit if first.unit_id in units_of else Unit.objects.get(pk=units_of.pop())
        units, people = selectors.direct_choices(unit=unit)
        own = {
            "units": units,
            "people": people,
            "templates": [t.text for t in selectors.direction_templates_of(user)],
            "auto_id": "id_direct_%s",
        }
        form = DirectForm(request.POST, **own) if "direction" in request.POST else DirectForm(**own)
        if not form.is_bound or not form.is_valid():
            chosen = [found[pk] for pk in ids if pk in found]
            return render(
                request,
                "workflow/bulk_direct.html",
                {"form": form, "documents": chosen, "left_out": len(ids) - len(chosen)},
                status=400 if form.is_bound else 200,
            )
    leader = None
    if action == "present":
        value = request.POST.get("leader", "")
        if not value.isdigit():
            return _back(request, "Hãy chọn lãnh đạo để trình.")
        leader = User.objects.filter(pk=int(value)).first()
    result = BulkResult(action=action)
    for pk in ids:
        document = found.get(pk)
        if document is None:
            result.refused.append(Outcome(pk, f"Văn bản mã {pk}", reason=MSG_NOT_VISIBLE))
            continue
        outcome = Outcome(pk, services.document_label(document), document.subject)
        try:
            if action == "present":
                services.processing_present(
                    actor=user, document=document, leader=leader, ip=client_ip(request)
                )
            elif action == "direct" and form is not None:
                services.processing_direct(
                    actor=user,
                    document=document,
                    direction=form.cleaned_data["direction"],
                    ip=client_ip(request),
                    **form.targets(),
                )
            else:
                services.information_read(actor=user, document=document)
        except ServiceError as exc:
            outcome.reason = exc.message
            result.refused.append(outcome)
        else:
            result.done.append(outcome)
    return render(
        request,
        "workflow/bulk_result.html",
        {"result": result, "leader": leader},
        status=200 if result.done else 400,
    )
