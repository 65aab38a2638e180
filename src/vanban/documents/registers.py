"""The incoming and outgoing registers of a unit for a period, as rows of Appendix IV (R17).

NĐ 30/2020 Appendix IV fixes the columns of the printed registers; a register kept in the system is
still printed with all of them each quarter and bound each year. The rows are built here once, as
text, so the web table and the PDF show exactly the same thing.

WeasyPrint needs about 10 ms and 0.25 MB a row, so a year's register of a busy unit cannot be
printed within a web request: such registers are printed by a worker (print jobs, at the end).
"""

import contextlib
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import fold, format_date_vi
from vanban.reports.pdf import render_pdf
from vanban.reports.periods import REPORT_TZ, Period

from . import selectors
from .files import FileUnavailable, file_discard, file_stream_verified, file_verify
from .models import Direction, Document, DocumentShare, PrintJob, RegisterSeries
from .services import format_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    header: str
    # In the printed register: A4 landscape less the margins leaves 257 mm for the columns.
    width_mm: int
    centered: bool = False


INCOMING_COLUMNS = (
    Column("Ngày đến", 22, centered=True),
    Column("Số đến", 12, centered=True),
    Column("Tác giả", 30),
    Column("Số, ký hiệu văn bản", 28, centered=True),
    Column("Ngày tháng văn bản", 22, centered=True),
    Column("Tên loại và trích yếu nội dung văn bản", 56),
    Column("Đơn vị hoặc người nhận", 30),
    Column("Ngày chuyển", 22, centered=True),
    Column("Ký nhận", 16),
    Column("Ghi chú", 19),
)
OUTGOING_COLUMNS = (
    Column("Số, ký hiệu văn bản", 28, centered=True),
    Column("Ngày tháng văn bản", 22, centered=True),
    Column("Tên loại và trích yếu nội dung văn bản", 56),
    Column("Người ký", 24),
    Column("Nơi nhận văn bản", 34),
    Column("Đơn vị, người nhận bản lưu", 24),
    Column("Số lượng bản", 13, centered=True),
    Column("Ngày chuyển", 22, centered=True),
    Column("Ký nhận", 16),
    Column("Ghi chú", 18),
)
COLUMNS = {Direction.INCOMING: INCOMING_COLUMNS, Direction.OUTGOING: OUTGOING_COLUMNS}
TITLES = {
    Direction.INCOMING: "Sổ đăng ký văn bản đến",
    Direction.OUTGOING: "Sổ đăng ký văn bản đi",
}
# Only the fields the columns need: `search_text` holds the text of every file and is large.
_ROW_FIELDS = (
    "series",
    "register_number",
    "document_type",
    "document_type__name",
    "code_number",
    "code_notation",
    "issued_date",
    "issuer_name",
    "subject",
    "description",
    "signer_name",
    "arrival_date",
    "to_places",
    "recipients",
    "archive_holder",
    "issued_amount",
    "withdrawn_at",
    "replaced_by",
)


@dataclass(frozen=True)
class RegisterRow:
    series_id: int
    series_name: str
    cells: tuple[str, ...]  # in the order of the register's columns


@dataclass(frozen=True)
class SeriesSpan:
    """The part of one numbering series that falls in the period."""

    series_id: int
    name: str
    count: int
    first_number: str
    last_number: str


@dataclass
class Register:
    """A unit's register of one direction for a period, optionally limited to one series."""

    unit: Unit
    direction: str
    period: Period
    series: RegisterSeries | None
    spans: list[SeriesSpan]
    documents: QuerySet[Document] = field(repr=False)

    @property
    def title(self) -> str:
        return TITLES[Direction(self.direction)]

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS[Direction(self.direction)]

    @property
    def total(self) -> int:
        return sum(span.count for span in self.spans)

    @property
    def year(self) -> int:
        return self.period.first.year

    @property
    def number_lines(self) -> list[str]:
        """The cover's "Từ số ... đến số ...": one line, or one per series when several."""
        if not self.spans:
            return ["Từ số .......... đến số .........."]
        if len(self.spans) == 1:
            span = self.spans[0]
            return [f"Từ số {span.first_number} đến số {span.last_number}"]
        return [
            f"{span.name}: từ số {span.first_number} đến số {span.last_number}"
            for span in self.spans
        ]

    @property
    def series_names(self) -> dict[int, str]:
        return {span.series_id: span.name for span in self.spans}

    def rows(self, documents: Iterable[Document] | None = None) -> list[RegisterRow]:
        """The rows of `documents` (a page of `self.documents`), or of the whole register."""
        build = _incoming_cells if self.direction == Direction.INCOMING else _outgoing_cells
        names = self.series_names
        return [
            RegisterRow(
                series_id=document.series_id,
                series_name=names.get(document.series_id, ""),
                cells=build(document),
            )
            for document in (self.documents if documents is None else documents)
        ]


def access_register_unit(*, user: User, unit_id: int) -> Unit:
    """A unit whose registers the person may read (its clerks and leaders); else "not found"."""
    unit = selectors.register_units(user=user).select_related("parent").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def register_build(
    *,
    user: User,
    unit: Unit,
    direction: str,
    period: Period,
    series: RegisterSeries | None = None,
) -> Register:
    """R17: the documents a unit entered in its incoming or outgoing register during a period.

    Without `series`: every document of that direction in the period, by series then number.
    Raises NotFound when the person is not a clerk or leader of the unit, or the series is not the
    unit's series of that direction.
    """
    # The person's roles are read once per request (`User.role_pairs`): the unit given is
    # checked against them, as `access_register_unit` would with a query.
    if not (user.is_authenticated and user.is_active) or not (
        {(unit.pk, Role.CLERK), (unit.pk, Role.LEADER)} & user.role_pairs()
    ):
        raise NotFound("Không tìm thấy đơn vị.")
    if direction not in Direction.values:
        raise NotFound("Không tìm thấy sổ văn bản.")
    if series is not None and (series.unit_id != unit.pk or series.direction != direction):
        raise NotFound("Không tìm thấy sổ văn bản.")
    # The person reads every document of the unit (clerk or leader: Document.visible_to), so the
    # register is taken from the unit directly; joining the shares would only repeat rows.
    base = Document.objects.filter(
        unit=unit,
        direction=direction,
        year=period.first.year,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )
    if series is not None:
        base = base.filter(series=series)
    spans = [
        SeriesSpan(
            series_id=item["series_id"],
            name=item["series__name"],
            count=item["count"],
            first_number=_number(direction, item["first"]),
            last_number=_number(direction, item["last"]),
        )
        for item in base.values("series_id", "series__name")
        .annotate(count=Count("id"), first=Min("register_number"), last=Max("register_number"))
        .order_by("series__name", "series_id")
    ]
    shares = DocumentShare.objects.select_related("user").order_by("granted_at", "id")
    documents = (
        base.select_related("document_type")
        .only(*_ROW_FIELDS)
        .prefetch_related(
            Prefetch("shares", queryset=shares.only("document", "granted_at", "user__full_name"))
        )
        .order_by("series__name", "series_id", "register_number")
    )
    return Register(
        unit=unit,
        direction=direction,
        period=period,
        series=series,
        spans=spans,
        documents=documents,
    )


# ---------------------------------------------------------------- cells


def _number(direction: str, number: int) -> str:
    return str(number) if direction == Direction.INCOMING else format_number(number)


def _local_date(moment: dt.datetime | None) -> str:
    return format_date_vi(timezone.localtime(moment, REPORT_TZ)) if moment else ""


def type_and_subject(document: Document) -> str:
    """The column "Tên loại và trích yếu": "Quyết định về việc ..."; a subject that already
    starts with the type's name is not prefixed with it twice."""
    type_name = document.document_type.name
    if fold(document.subject).startswith(fold(type_name)):
        return document.subject
    return f"{type_name} {document.subject}"


def register_note(document: Document) -> str:
    """The column "Ghi chú": the clerk's note, and whether the document was taken back by its
    sender (15) or replaced; its number stays in the register (no gaps)."""
    parts = [document.description] if document.description else []
    if document.withdrawn_at is not None:
        parts.append(f"Đã thu hồi ngày {_local_date(document.withdrawn_at)}")
    if document.replaced_by_id is not None:
        parts.append("Đã bị thay thế")
    return "; ".join(parts)


def _shares(document: Document) -> list[DocumentShare]:
    return list(document.shares.all())  # prefetched, in order of handing over


def _incoming_cells(document: Document) -> tuple[str, ...]:
    shares = _shares(document)
    receivers = document.to_places or ", ".join(share.user.full_name for share in shares)
    return (
        _local_date(document.arrival_date),
        str(document.register_number),
        document.issuer_name,
        document.number_symbol,
        format_date_vi(document.issued_date),
        type_and_subject(document),
        receivers,
        _local_date(shares[0].granted_at) if shares else "",
        "",  # Ký nhận: signed by hand on the printed register
        register_note(document),
    )


def _outgoing_cells(document: Document) -> tuple[str, ...]:
    shares = _shares(document)
    return (
        document.number_symbol,
        format_date_vi(document.issued_date),
        type_and_subject(document),
        document.signer_name,
        document.recipients,
        document.archive_holder,
        str(document.issued_amount) if document.issued_amount else "",
        _local_date(shares[0].granted_at) if shares else "",
        "",  # Ký nhận: signed by hand on the printed register
        register_note(document),
    )


# ---------------------------------------------------------------- the printed register

FILE_SLUGS = {Direction.INCOMING: "den", Direction.OUTGOING: "di"}


def register_file_name(register: Register) -> str:
    """The file name: direction, unit, period, and the series when only one is printed
    ("so-van-ban-den-stttt-2026-q4.pdf", "so-van-ban-di-stttt-2026-so7.pdf")."""
    series = f"-so{register.series.pk}" if register.series is not None else ""
    return (
        f"so-van-ban-{FILE_SLUGS[Direction(register.direction)]}-{register.unit.abbreviation}-"
        f"{register.period.slug}{series}.pdf"
    )


def register_pdf(register: Register) -> bytes:
    """The printed register: a cover, then the Appendix IV table on A4 landscape pages."""
    return render_pdf(
        "documents/registers/register_pdf.html",
        {
            "register": register,
            "unit": register.unit,
            "rows": register.rows(),
            "several_series": len(register.spans) > 1,
        },
    )


# ---------------------------------------------------------------- print jobs

PRINT_JOBS_PREFIX = "print-jobs"
ACTIVE_STATUSES = (PrintJob.Status.QUEUED, PrintJob.Status.RUNNING)
# A job still waiting or running after this long was lost by a stopped worker: asking again
# replaces it, and a worker may take it over.
STALE_AFTER = dt.timedelta(hours=2)
PERIOD_KEYS = ("period", "year", "quarter", "month")
_PARAM_ERRORS = {
    "year": "Năm không hợp lệ.",
    "quarter": "Quý phải từ 1 đến 4.",
    "month": "Tháng phải từ 1 đến 12.",
}


def period_from_params(params: Any) -> Period:
    """The period of stored parameters {"period": "quarter", "year": 2026, "quarter": 4};
    ServiceError when they do not name one."""
    if not isinstance(params, dict):
        raise ServiceError("Kỳ không hợp lệ.", field="period")

    def number(name: str) -> int:
        value = params.get(name)
        if type(value) is not int:  # neither a bool nor a text
            raise ServiceError(_PARAM_ERRORS[name], field=name)
        return value

    kind = params.get("period")
    if kind == "year":
        return Period.year(number("year"))
    if kind == "quarter":
        return Period.quarter(number("year"), number("quarter"))
    if kind == "month":
        return Period.month(number("year"), number("month"))
    raise ServiceError("Kỳ không hợp lệ.", field="period")


def _job_key(register: Register) -> str:
    series = register.series.pk if register.series is not None else ""
    return f"{register.unit.pk}:{register.direction}:{series}:{register.period.slug}"


def _stale(now: dt.datetime) -> Q:
    cutoff = now - STALE_AFTER
    return Q(status=PrintJob.Status.QUEUED, created_at__lt=cutoff) | Q(
        status=PrintJob.Status.RUNNING, started_at__lt=cutoff
    )


def print_job_label(job: PrintJob) -> str:
    """What a job prints: "Sổ đăng ký văn bản đến – Sở Thông tin và Truyền thông – Năm 2026"."""
    known = job.direction in Direction.values
    parts = [TITLES[Direction(job.direction)] if known else "Sổ văn bản", job.unit.name]
    if job.series is not None:
        parts.append(job.series.name)
    with contextlib.suppress(ServiceError):  # a job whose parameters name no period
        parts.append(period_from_params(job.params).name)
    return " – ".join(parts)


def print_job_active(*, user: User, register: Register) -> PrintJob | None:
    """The person's job for this register that is still waiting or running, if any."""
    return (
        PrintJob.objects.filter(
            requested_by=user, key=_job_key(register), status__in=ACTIVE_STATUSES
        )
        .exclude(_stale(clock.now()))
        .first()
    )


def print_job_list(*, user: User, limit: int = 100) -> list[PrintJob]:
    """The person's latest print jobs, of the units whose registers they still read."""
    return list(
        PrintJob.objects.filter(requested_by=user, unit__in=selectors.register_units(user=user))
        .select_related("unit", "series")
        .order_by("-created_at", "-id")[:limit]
    )


def print_job_request(
    *,
    actor: User,
    unit: Unit,
    direction: str,
    period_params: dict[str, Any],
    series: RegisterSeries | None = None,
) -> tuple[PrintJob, bool]:
    """R17: a register too long to print within a web request is printed by a worker.

    The same readers as the register (NotFound otherwise). A person has at most one job waiting
    or running for the same register (a partial unique constraint, so two clicks at once still
    make one): asking again returns that job with created False. A job lost by a stopped worker
    (older than STALE_AFTER) is marked failed and replaced. The task is queued after commit.
    """
    unit = access_register_unit(user=actor, unit_id=unit.pk)
    params = {name: period_params[name] for name in PERIOD_KEYS if name in period_params}
    register = register_build(
        user=actor,
        unit=unit,
        direction=direction,
        period=period_from_params(params),
        series=series,
    )
    key, now = _job_key(register), clock.now()
    mine = PrintJob.objects.filter(requested_by=actor, key=key)
    with transaction.atomic():
        mine.filter(_stale(now)).update(
            status=PrintJob.Status.FAILED,
            error="Tệp không được tạo xong trong thời gian cho phép; đã có yêu cầu tạo lại.",
            finished_at=now,
        )
        existing = mine.filter(status__in=ACTIVE_STATUSES).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                job = PrintJob.objects.create(
                    requested_by=actor,
                    unit=unit,
                    direction=direction,
                    params=params,
                    series=series,
                    key=key,
                    total=register.total,
                    file_name=register_file_name(register),
                    created_at=now,
                )
        except IntegrityError:  # the same request, committed a moment earlier
            return mine.get(status__in=ACTIVE_STATUSES), False
        audit_record(
            actor=actor,
            action="register.print_request",
            unit=unit,
            target=job,
            data={"key": key, "total": register.total, "file": job.file_name},
        )
        from .tasks import render_register_task  # the task module imports this one

        transaction.on_commit(lambda: render_register_task.enqueue(job.pk))
    return job, True


def _job_pdf(job: PrintJob) -> tuple[bytes, int]:
    register = register_build(
        user=job.requested_by,
        unit=job.unit,
        direction=job.direction,
        period=period_from_params(job.params),
        series=job.series,
    )
    return register_pdf(register), register.total


def _job_fail(job: PrintJob, *, started_at: dt.datetime, error: str) -> str:
    with transaction.atomic():
        failed = PrintJob.objects.filter(
            pk=job.pk, status=PrintJob.Status.RUNNING, started_at=started_at
        ).update(status=PrintJob.Status.FAILED, error=error[:500], finished_at=clock.now())
        if failed:
            notification_send(
                recipients=[job.requested_by],
                title=f"Không tạo được tệp PDF: {print_job_label(job)}"[:255],
                body=error,
                link=reverse("documents:print_jobs"),
            )
    return PrintJob.Status.FAILED


def print_job_render(*, job_id: int) -> str:
    """Print the register of a job (the worker's side) and tell the person who asked.

    Idempotent: only a waiting job (or one lost by a stopped worker) is taken, so a job already
    done, failed or being printed elsewhere is left as it is. The PDF is stored under
    `print-jobs/YYYY/MM/` with its SHA-256 before the job is marked done; a refused or broken
    print marks the job failed with the reason. Returns the job's status.
    """
    now = clock.now()
    claimable = Q(status=PrintJob.Status.QUEUED) | Q(
        status=PrintJob.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = PrintJob.objects.filter(claimable, pk=job_id).update(
        status=PrintJob.Status.RUNNING, started_at=now
    )
    job = (
        PrintJob.objects.select_related("requested_by", "unit", "series").filter(pk=job_id).first()
    )
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    try:
        pdf, total = _job_pdf(job)
    except ServiceError as exc:
        return _job_fail(job, started_at=now, error=f"Không tạo được tệp PDF: {exc.message}")
    except Exception:  # the person is told, and the worker goes on with the next task
        logger.exception("Print job %s failed", job_id)
        return _job_fail(
            job,
            started_at=now,
            error="Không tạo được tệp PDF do lỗi hệ thống. Hãy yêu cầu lại sau ít phút; nếu "
            "vẫn lỗi, hãy báo quản trị hệ thống.",
        )
    month = timezone.localtime(clock.now(), REPORT_TZ)
    name = f"{PRINT_JOBS_PREFIX}/{month:%Y/%m}/{uuid.uuid4().hex}.pdf"
    stored = default_storage.save(name, ContentFile(pdf))
    try:
        with transaction.atomic():
            done = PrintJob.objects.filter(
                pk=job.pk, status=PrintJob.Status.RUNNING, started_at=now
            ).update(
                status=PrintJob.Status.DONE,
                storage_name=stored,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
                total=total,
                finished_at=clock.now(),
            )
            if done:
                notification_send(
                    recipients=[job.requested_by],
                    title=f"Đã tạo xong tệp PDF: {print_job_label(job)}"[:255],
                    body=f"Sổ có {total} văn bản. Tệp “{job.file_name}” đã sẵn sàng để tải xuống.",
                    link=reverse("documents:print_job_download", args=[job.pk]),
                )
    except BaseException:
        file_discard(stored)
        raise
    if not done:  # taken over by another worker meanwhile: its file is the one kept
        file_discard(stored)
        return PrintJob.objects.get(pk=job.pk).status
    return PrintJob.Status.DONE


@dataclass
class PrintDownload:
    job: PrintJob
    size: int
    chunks: Iterator[bytes]


def print_job_download(*, actor: User, job_id: int, ip: str | None = None) -> PrintDownload:
    """The PDF of a finished print job, only for the person who asked while they still read the
    unit's registers (NotFound for anyone else). The stored bytes are hashed before anything is
    sent: a missing or changed file is refused (FileUnavailable) and the refusal audited."""
    job = (
        PrintJob.objects.filter(
            pk=job_id,
            requested_by=actor,
            status=PrintJob.Status.DONE,
            unit__in=selectors.register_units(user=actor),
        )
        .select_related("unit")
        .first()
    )
    if job is None:
        raise NotFound("Không tìm thấy tệp in sổ.")
    try:
        size = file_verify(job.storage_name, job.sha256)
    except FileUnavailable as exc:
        audit_record(
            actor=actor,
            action="register.print_download_refused",
            unit=job.unit,
            target=job,
            ip=ip,
            data={"file": job.file_name, "sha256": job.sha256, "reason": exc.reason},
        )
        message = (
            "Tệp PDF không còn trong kho lưu trữ nên không tải xuống được."
            if exc.reason == "missing"
            else "Tệp PDF trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với lúc "
            "tạo tệp) nên không tải xuống."
        )
        raise FileUnavailable(
            f"{message} Hãy báo quản trị hệ thống và yêu cầu tạo lại tệp từ trang sổ.",
            reason=exc.reason,
        ) from exc
    return PrintDownload(
        job=job, size=size, chunks=file_stream_verified(job.storage_name, job.sha256, size)
    )
