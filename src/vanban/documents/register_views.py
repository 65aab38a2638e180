"""The incoming and outgoing registers (R17): a web table and the printed register (PDF).

A register of up to REGISTER_PDF_INLINE_MAX_ROWS documents is printed within the request; a longer
one is printed by a worker (a print job) and downloaded from the page "Tệp in sổ" when ready.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.accounts.unit_fields import ANCESTORS, UnitChoiceField
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.core.forms import model_choice_field
from vanban.core.http import client_ip
from vanban.core.replica import replica_reads
from vanban.reports.forms import PERIOD_KINDS, ReportPeriodForm
from vanban.reports.periods import Period

from . import files, registers, selectors
from .downloads import download_response, download_unavailable
from .models import Direction, RegisterSeries

PAGE_SIZE = 200
# About 10 ms a row with WeasyPrint (benchmarks/registers_pdf.py): 600 rows take some 6 s, well
# within the web server's 60 s timeout; longer registers are printed by a worker.
REGISTER_PDF_INLINE_MAX_ROWS = 600
NO_ROLE_MESSAGE = "Chỉ văn thư và lãnh đạo đơn vị được xem sổ đăng ký văn bản."
URL_NAMES = {
    Direction.INCOMING: ("documents:register_incoming", "documents:register_incoming_pdf"),
    Direction.OUTGOING: ("documents:register_outgoing", "documents:register_outgoing_pdf"),
}


class SeriesChoiceField(forms.ModelChoiceField[RegisterSeries]):
    def label_from_instance(self, obj: RegisterSeries) -> str:
        return f"{obj.name} (năm {obj.year})"


class ReadUnitChoiceField(UnitChoiceField):
    """The unit among rows read once for the request (`RegisterForm`): the options and the check
    of the chosen one use them, no query of their own."""

    def to_python(self, value: Any) -> Unit | None:
        if value in self.empty_values:
            return None
        rows: list[Unit] = list(self.queryset)  # the evaluated rows
        for unit in rows:
            if str(unit.pk) == str(value):
                return unit
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class RegisterForm(ReportPeriodForm):
    """Unit (among those whose registers the reader keeps or leads), month, quarter or year, and
    optionally one numbering series of the unit for that year."""

    unit = ReadUnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"required": "Hãy chọn đơn vị.", "invalid_choice": "Không tìm thấy đơn vị."},
    )

    period = forms.ChoiceField(
        label="Kỳ",
        choices=[kind for kind in PERIOD_KINDS if kind[0] != "custom"],
        error_messages={"required": "Hãy chọn kỳ.", "invalid_choice": "Kỳ không hợp lệ."},
    )
    # A register covers a month, a quarter or a year: None removes the custom dates' fields.
    start = None  # type: ignore[assignment]
    end = None  # type: ignore[assignment]
    series = SeriesChoiceField(
        label="Sổ",
        required=False,
        queryset=RegisterSeries.objects.none(),
        empty_label="Tất cả các sổ",
        error_messages={"invalid_choice": "Không tìm thấy sổ văn bản."},
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        user: User,
        direction: str,
        units: QuerySet[Unit] | None = None,
    ) -> None:
        """`units`: the reader's register units (`register_units`) already read, with their
        ancestors, as `_register` reads them once per request; else read here."""
        super().__init__(data, user=user)
        if units is None:
            units = _units_read(user)
        field = model_choice_field(self, "unit")
        field.queryset = units
        # The setter adds the ancestors to a copy; the rows already read serve instead.
        field._queryset = units  # type: ignore[attr-defined]
        field.widget.choices = field.choices
        unit_ids = [unit.pk for unit in units]
        series = RegisterSeries.objects.filter(unit_id__in=unit_ids, direction=direction)
        unit_id = str(data.get("unit", ""))
        if unit_id.isdigit():
            # Only the series of the chosen unit are offered.
            series = series.filter(unit_id=int(unit_id))
        model_choice_field(self, "series").queryset = series.order_by("-year", "name", "pk")

    @staticmethod
    def register_defaults(*, unit_ids: list[int], user: User) -> dict[str, Any]:
        """Without a query string: the reader's own unit (or the first whose registers they read)
        and the current quarter."""
        current = Period.quarter_of(clock.now())
        return {
            "unit": user.unit_id if user.unit_id in unit_ids else unit_ids[0],
            "period": "quarter",
            "year": current.first.year,
            "quarter": (current.first.month + 2) // 3,
            "month": current.first.month,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        series, period, unit = data.get("series"), data.get("report_period"), data.get("unit")
        if series is None or period is None or unit is None:
            return data
        if series.unit_id != unit.pk:
            not_found = forms.ValidationError("Không tìm thấy sổ văn bản.", code="invalid_choice")
            self.add_error("series", not_found)
        elif series.year != period.first.year:
            self.add_error(
                "series",
                f"“{series.name}” là sổ của năm {series.year}; hãy chọn một kỳ trong năm "
                f"{series.year} hoặc chọn “Tất cả các sổ”.",
            )
        return data

    def is_not_found(self) -> bool:
        """A unit or series the reader may not see looks the same as one that does not exist."""
        return "unit" in self.errors or self.has_error("series", "invalid_choice")

    def query(self) -> dict[str, Any]:
        params = super().query()
        if self.cleaned_data.get("series") is not None:
            params["series"] = self.cleaned_data["series"].pk
        return params


def _units_read(user: User) -> QuerySet[Unit]:
    """The units whose registers the person reads, with their ancestors (the select's labels),
    read now: the form's options, its check of the chosen unit and the default all use these
    rows."""
    units = selectors.register_units(user=user).select_related(ANCESTORS)
    len(units)  # evaluated once
    return units


def _register(
    request: HttpRequest, direction: str, params: dict[str, Any] | None = None
) -> tuple[RegisterForm | None, registers.Register | None, int]:
    """The bound form and the register, or the form with its errors and the status to answer;
    no form at all (403) when the reader keeps or leads no unit's registers. The parameters are
    the query string's unless given."""
    user = request_user(request)
    units = _units_read(user)
    unit_ids = [unit.pk for unit in units]
    if not unit_ids:
        return None, None, 403
    given = request.GET.dict() if params is None else params
    data = {**RegisterForm.register_defaults(unit_ids=unit_ids, user=user), **given}
    data.pop("page", None)
    form = RegisterForm(data, user=user, direction=direction, units=units)
    if not form.is_valid():
        return form, None, 404 if form.is_not_found() else 400
    try:
        register = registers.register_build(
            user=user,
            unit=form.cleaned_data["unit"],
            direction=direction,
            period=form.cleaned_data["report_period"],
            series=form.cleaned_data["series"],
        )
    except ServiceError as exc:
        form.add_error("unit", exc.message)
        return form, None, 404
    return form, register, 200


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/forbidden.html", {"message": NO_ROLE_MESSAGE}, status=403)


def _page_number(request: HttpRequest, total: int) -> tuple[int, int]:
    """The page asked for, kept within the register; and the number of pages."""
    pages = max(1, -(-total // PAGE_SIZE))
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), pages), pages


def _render_page(
    request: HttpRequest,
    direction: str,
    form: RegisterForm,
    register: registers.Register | None,
    status: int,
) -> HttpResponse:
    page_name, pdf_name = URL_NAMES[Direction(direction)]
    other = Direction.OUTGOING if direction == Direction.INCOMING else Direction.INCOMING
    context: dict[str, Any] = {
        "form": form,
        "register": register,
        "direction": direction,
        "title": registers.TITLES[Direction(direction)],
        "columns": registers.COLUMNS[Direction(direction)],
        "other_url": reverse(URL_NAMES[other][0]),
        "other_title": registers.TITLES[other],
    }
    if register is not None:
        number, pages = _page_number(request, register.total)
        offset = (number - 1) * PAGE_SIZE
        query = form.query()
        page_url = reverse(page_name)

        def page_link(page: int) -> str:
            return f"{page_url}?{urlencode({**query, 'page': page})}" if 1 <= page <= pages else ""

        period_query = urlencode({k: v for k, v in query.items() if k != "series"})
        context |= {
            "rows": register.rows(register.documents[offset : offset + PAGE_SIZE]),
            "print_in_background": register.total > REGISTER_PDF_INLINE_MAX_ROWS,
            "job_fields": _job_fields(direction, query),
            "several_series": len(register.spans) > 1,
            "page": number,
            "pages": pages,
            "previous_url": page_link(number - 1),
            "next_url": page_link(number + 1),
            "pdf_url": f"{reverse(pdf_name)}?{urlencode(query)}",
            "other_url": f"{context['other_url']}?{period_query}",
        }
    return render(request, "documents/registers/register.html", context, status=status)


def _register_page(request: HttpRequest, direction: str) -> HttpResponse:
    form, register, status = _register(request, direction)
    if form is None:
        return _forbidden(request)
    return _render_page(request, direction, form, register, status)


def _job_fields(direction: str, query: dict[str, Any]) -> list[tuple[str, Any]]:
    """The hidden fields of the form that asks for a print job: the register's parameters."""
    return [("direction", direction), *query.items()]


def _register_pdf(request: HttpRequest, direction: str) -> HttpResponse:
    form, register, status = _register(request, direction)
    if form is None:
        return _forbidden(request)
    if register is None:
        return _render_page(request, direction, form, register, status)
    if register.total > REGISTER_PDF_INLINE_MAX_ROWS:
        # Too long for a request: offer a print job (or show the one already asked for).
        user = request_user(request)
        page_name = URL_NAMES[Direction(direction)][0]
        return render(
            request,
            "documents/registers/print_offer.html",
            {
                "register": register,
                "limit": REGISTER_PDF_INLINE_MAX_ROWS,
                "job": registers.print_job_active(user=user, register=register),
                "job_fields": _job_fields(direction, form.query()),
                "register_url": f"{reverse(page_name)}?{urlencode(form.query())}",
            },
        )
    filename = registers.register_file_name(register)
    return HttpResponse(
        registers.register_pdf(register),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@replica_reads
@login_required
@require_GET
def register_incoming(request: HttpRequest) -> HttpResponse:
    """R17: the incoming register (sổ đăng ký văn bản đến) of a unit for a period."""
    return _register_page(request, Direction.INCOMING)


@replica_reads
@login_required
@require_GET
def register_outgoing(request: HttpRequest) -> HttpResponse:
    """R17: the outgoing register (sổ đăng ký văn bản đi) of a unit for a period."""
    return _register_page(request, Direction.OUTGOING)


@replica_reads
@login_required
@require_GET
def register_incoming_pdf(request: HttpRequest) -> HttpResponse:
    """R17: the incoming register printed with the columns of NĐ 30/2020 Appendix IV."""
    return _register_pdf(request, Direction.INCOMING)


@replica_reads
@login_required
@require_GET
def register_outgoing_pdf(request: HttpRequest) -> HttpResponse:
    """R17: the outgoing register printed with the columns of NĐ 30/2020 Appendix IV."""
    return _register_pdf(request, Direction.OUTGOING)


# ---------------------------------------------------------------- print jobs


def _print_job_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    direction = request.POST.get("direction", "")
    if direction not in Direction.values:
        raise Http404("Không tìm thấy sổ văn bản.")
    params = {
        name: value
        for name, value in request.POST.items()
        if name not in ("csrfmiddlewaretoken", "direction")
    }
    form, register, status = _register(request, direction, params)
    if form is None:
        return _forbidden(request)
    if register is None:
        return _render_page(request, direction, form, register, status)
    try:
        job, created = registers.print_job_request(
            actor=user,
            unit=register.unit,
            direction=direction,
            period_params=form.query(),
            series=register.series,
        )
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return _render_page(
            request, direction, form, None, 404 if isinstance(exc, NotFound) else 400
        )
    if created:
        messages.success(
            request,
            f"Sổ có {job.total} văn bản; tệp PDF đang được tạo, bạn sẽ nhận thông báo khi xong.",
        )
    else:
        asked = timezone.localtime(job.created_at).strftime("%H:%M %d/%m/%Y")
        messages.info(
            request,
            f"Tệp PDF của sổ này đã được yêu cầu lúc {asked} và đang được tạo; bạn sẽ nhận "
            "thông báo khi xong.",
        )
    return redirect("documents:print_jobs")


@login_required
@require_http_methods(["GET", "POST"])
def print_jobs(request: HttpRequest) -> HttpResponse:
    """R17: the printed registers the person asked for, with their state and download links;
    POST asks for a new one (the register's parameters and `direction`)."""
    user = request_user(request)
    if not selectors.register_units(user=user).exists():
        return _forbidden(request)
    if request.method == "POST":
        return _print_job_create(request)
    jobs = registers.print_job_list(user=user)
    rows = [(job, registers.print_job_label(job)) for job in jobs]
    waiting = any(job.status in registers.ACTIVE_STATUSES for job in jobs)
    return render(
        request, "documents/registers/print_jobs.html", {"rows": rows, "waiting": waiting}
    )


@login_required
@require_GET
def print_job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The finished PDF for the person who asked for it (404 for anyone else); 409 with an
    explanation when the stored file is missing or no longer matches its SHA-256."""
    try:
        download = registers.print_job_download(
            actor=request_user(request), job_id=pk, ip=client_ip(request)
        )
    except files.FileUnavailable as exc:
        return download_unavailable(
            request, exc, template="documents/registers/print_job_unavailable.html"
        )
    return download_response(
        download.chunks,
        size=download.size,
        content_type="application/pdf",
        name=download.job.file_name,
        sandbox=False,
    )
