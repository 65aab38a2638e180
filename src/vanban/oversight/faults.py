"""Fault and misuse reports: who sees and changes a report, and every write (R20, R21; Art. 9.1.c,
9.2.đ, 9.2.e, 11.1.đ, 11.2.b of the provincial regulation; docs/oversight.md, "Fault and misuse
reports").

- Anyone signed in reports a fault, a suspected misuse or suspicious attachment, or asks for help,
  from any page ("Báo lỗi", core.page_tools). The page address, the time, the person's unit and
  roles and the browser are captured; a screenshot (PNG or JPEG) is optional and goes through the
  upload gate of every file (malware scan included).
- The unit's IT staff are its unit administrators and those of the units above it (R7): they see
  the reports of their units and every unit below, and triage them: duplicate of another report,
  needs information (the reporter answers, and the report comes back to triage), fixed by the
  unit, or escalated to the Department.
- The Department's administrators (the province administrators) see the whole province; they
  close an escalated report, fixed or not to be fixed, with a note.
- Every change is a history line (`FaultReportChange`) and an audit event, in one transaction; the
  reporter is told at each change (core.notifications, e-mailed when e-mail is on).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, RoleAssignment, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc
from vanban.documents.files import (
    PreparedFile,
    VerifiedStream,
    file_prepare,
    safe_file_name,
    verified_stream,
)
from vanban.scanning.models import Detection
from vanban.scanning.selectors import detection_list

from .models_faults import FaultKind, FaultReport, FaultReportChange, FaultStatus

SCREENSHOT_PREFIX = "faults"
SCREENSHOT_MAX_MB = 5
SCREENSHOT_FORMATS = {"png": "image/png", "jpeg": "image/jpeg"}
MAX_TEXT = 5000
MAX_NOTE = 2000
# Detections of the person's unit offered on the form, newest first.
DETECTION_CHOICES = 50

MSG_TEXT_EMPTY = "Hãy mô tả lỗi, điều nghi ngờ hoặc việc cần hỗ trợ."
MSG_TEXT_LONG = f"Nội dung dài quá {MAX_TEXT} ký tự; hãy viết ngắn hơn."
MSG_KIND = "Hãy chọn loại báo lỗi."
MSG_SCREENSHOT_FORMAT = (
    "Ảnh chụp màn hình “{name}” không phải ảnh PNG hoặc JPEG; chỉ nhận hai định dạng này."
)
MSG_SCREENSHOT_SIZE = (
    f"Ảnh chụp màn hình “{{name}}” lớn hơn {SCREENSHOT_MAX_MB} MB; hãy chụp lại nhỏ hơn hoặc "
    "cắt bớt ảnh."
)
MSG_DETECTION_KIND = "Chỉ chọn tệp bị cách ly khi báo nghi ngờ lạm dụng hoặc tệp đính kèm đáng ngờ."
MSG_DETECTION_UNIT = "Tệp bị cách ly đã chọn không thuộc đơn vị của bạn."
MSG_NOTE_REQUIRED = "Hãy ghi chú cho lần chuyển trạng thái này."
MSG_NOTE_LONG = f"Ghi chú dài quá {MAX_NOTE} ký tự."
MSG_DUPLICATE_MISSING = "Hãy nhập số của báo lỗi mà báo lỗi này trùng với."
MSG_DUPLICATE_SELF = "Một báo lỗi không trùng với chính nó."
MSG_DUPLICATE_UNKNOWN = "Không có báo lỗi số {number} trong các báo lỗi bạn xem được."
MSG_DUPLICATE_OF_DUPLICATE = (
    "Báo lỗi số {number} cũng là bản trùng (của báo lỗi số {original}); hãy chọn báo lỗi gốc."
)
MSG_NOT_IT = "Chỉ cán bộ công nghệ thông tin (quản trị) của đơn vị xử lý được báo lỗi này."
MSG_NOT_DEPARTMENT = "Chỉ quản trị của Sở (quản trị tỉnh) đóng được báo lỗi đã chuyển Sở."
MSG_NOT_REPORTER = "Chỉ người báo lỗi bổ sung được thông tin."
MSG_QUEUE_DENIED = "Chỉ quản trị đơn vị và quản trị tỉnh xem được danh sách báo lỗi của đơn vị."
MSG_DEPARTMENT_DENIED = "Chỉ quản trị của Sở (quản trị tỉnh) xem được danh sách báo lỗi chuyển Sở."

# Who moves a report from one status to another: the unit's IT staff ("it"), the reporter
# answering a question ("reporter"), the Department's administrators ("department").
TRANSITIONS: dict[tuple[str, str], str] = {
    (FaultStatus.NEW, FaultStatus.DUPLICATE): "it",
    (FaultStatus.NEW, FaultStatus.NEEDS_INFO): "it",
    (FaultStatus.NEW, FaultStatus.FIXED): "it",
    (FaultStatus.NEW, FaultStatus.ESCALATED): "it",
    (FaultStatus.NEEDS_INFO, FaultStatus.NEW): "reporter",
    (FaultStatus.ESCALATED, FaultStatus.DEPARTMENT_FIXED): "department",
    (FaultStatus.ESCALATED, FaultStatus.WONT_FIX): "department",
}
# The changes that need a note: the question asked, the answer, what the unit tried before
# escalating, the Department's decision.
NOTE_REQUIRED = frozenset(
    {
        FaultStatus.NEEDS_INFO,
        FaultStatus.ESCALATED,
        FaultStatus.DEPARTMENT_FIXED,
        FaultStatus.WONT_FIX,
    }
)
TRANSITION_DENIED = {
    "it": MSG_NOT_IT,
    "department": MSG_NOT_DEPARTMENT,
    "reporter": MSG_NOT_REPORTER,
}


# ---------------------------------------------------------------- who may do what


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def unit_chain_ids(unit: Unit) -> list[int]:
    """The unit and the units above it, from the unit up (at most four levels, R1); the
    parents must be loaded (`select_related`) or each costs a query."""
    ids: list[int] = []
    current: Unit | None = unit
    while current is not None and len(ids) < 10:
        ids.append(current.pk)
        current = current.parent
    return ids


def is_department(user: Any) -> bool:
    """The Department's administrators: the province administrators (R7)."""
    return _active(user) and bool(user.is_province_admin)


def is_unit_it(user: Any, report: FaultReport) -> bool:
    """The report's unit's IT staff: an administrator of its unit or of a unit above it, or a
    province administrator."""
    if not _active(user):
        return False
    managed = user.managed_unit_ids()
    return managed is None or bool(managed & set(unit_chain_ids(report.unit)))


def _subtree_q(managed: set[int], prefix: str = "unit") -> Q:
    """Reports whose unit is one of `managed` or lies below one of them (four levels, R1)."""
    query = Q()
    path = f"{prefix}_id"
    for _ in range(4):
        query |= Q(**{f"{path}__in": managed})
        path = path.removesuffix("_id") + "__parent_id"
    return query


def fault_reports_visible(*, user: Any) -> QuerySet[FaultReport]:
    """Reports `user` may see: their own, those of the units they administer and the units below
    them, every one for a province administrator."""
    reports = FaultReport.objects.all()
    if not _active(user):
        return reports.none()
    managed = user.managed_unit_ids()
    if managed is None:
        return reports
    return reports.filter(Q(reporter_id=user.pk) | _subtree_q(managed))


def access_fault_report(*, user: Any, pk: int, lock: bool = False) -> FaultReport:
    """The report if `user` may see it; NotFound for a missing one and a forbidden one alike."""
    reports = fault_reports_visible(user=user).select_related(
        "reporter", "unit__parent__parent__parent", "detection", "duplicate_of"
    )
    if lock:
        # Lock the report row only (PostgreSQL refuses FOR UPDATE on the nullable outer joins).
        reports = reports.select_for_update(of=("self",))
    report = reports.filter(pk=pk).first()
    if report is None:
        raise NotFound("Không tìm thấy báo lỗi.")
    return report


@dataclass(frozen=True)
class FaultActions:
    """What a person may do with a report now, for its page."""

    triage: bool  # duplicate, needs information, fixed, escalated
    answer: bool  # the reporter answers a question
    close: bool  # the Department closes an escalated report
    see_detections: bool  # the detections of the same file (administrators)


def fault_actions(*, user: Any, report: FaultReport) -> FaultActions:
    status = report.status
    it = is_unit_it(user, report)
    return FaultActions(
        triage=status == FaultStatus.NEW and it,
        answer=status == FaultStatus.NEEDS_INFO and report.reporter_id == user.pk,
        close=status == FaultStatus.ESCALATED and is_department(user),
        see_detections=it,
    )


# ---------------------------------------------------------------- lists


def fault_reports_mine(*, user: Any) -> QuerySet[FaultReport]:
    """ "Báo lỗi của tôi": the person's own reports, newest first."""
    return (
        FaultReport.objects.filter(reporter_id=user.pk)
        .select_related("unit")
        .order_by("-created_at", "-pk")
    )


def _filtered(
    reports: QuerySet[FaultReport], *, status: str = "", kind: str = ""
) -> QuerySet[FaultReport]:
    if status in FaultStatus.values:
        reports = reports.filter(status=status)
    if kind in FaultKind.values:
        reports = reports.filter(kind=kind)
    return reports.select_related("reporter", "unit").order_by("-created_at", "-pk")


def fault_queue_unit(*, user: Any, status: str = "", kind: str = "") -> QuerySet[FaultReport]:
    """The unit IT staff's queue: reports of the units the person administers and of every unit
    below them (all units for a province administrator); AccessDenied for anyone else."""
    managed = user.managed_unit_ids() if _active(user) else set()
    if managed is not None and not managed:
        raise AccessDenied(MSG_QUEUE_DENIED)
    reports = FaultReport.objects.all()
    if managed is not None:
        reports = reports.filter(_subtree_q(managed))
    return _filtered(reports, status=status, kind=kind)


DEPARTMENT_STATUSES = (FaultStatus.ESCALATED, FaultStatus.DEPARTMENT_FIXED, FaultStatus.WONT_FIX)


def fault_queue_department(*, user: Any, status: str = "", kind: str = "") -> QuerySet[FaultReport]:
    """The Department's queue: reports escalated from every unit of the province, and those it
    closed; AccessDenied for anyone but a province administrator."""
    if not is_department(user):
        raise AccessDenied(MSG_DEPARTMENT_DENIED)
    reports = FaultReport.objects.filter(status__in=DEPARTMENT_STATUSES)
    return _filtered(reports, status=status, kind=kind)


def fault_history(*, report: FaultReport) -> list[FaultReportChange]:
    return list(report.changes.select_related("actor").order_by("at", "pk"))


def detection_choices(*, user: Any) -> QuerySet[Detection]:
    """The quarantined files of the person's unit that a report may point at, newest first."""
    return Detection.objects.filter(unit_id=user.unit_id).order_by("-detected_at", "-pk")[
        :DETECTION_CHOICES
    ]


def fault_detections(*, user: Any, report: FaultReport) -> list[Detection]:
    """The detections of the same file (same SHA-256) as the report's quarantined file, among
    those the person administers (scanning.selectors.detection_list); none for others."""
    if report.detection is None or not is_unit_it(user, report):
        return []
    return list(detection_list(user=user).filter(sha256=report.detection.sha256)[:50])


# ---------------------------------------------------------------- reporting


def _clean_page_url(value: str) -> str:
    """Only an address of this site (a path), never another site's."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value[:500]


def _clean_text(value: str, *, required_message: str, limit: int, too_long: str, field: str) -> str:
    text = nfc((value or "").replace("\r\n", "\n")).strip()
    if not text:
        raise ServiceError(required_message, field=field)
    if len(text) > limit:
        raise ServiceError(too_long, field=field)
    return text


def _screenshot_prepare(upload: UploadedFile[bytes], *, actor: User) -> PreparedFile:
    """PNG or JPEG only, at most SCREENSHOT_MAX_MB, through the gate of every upload (malware
    scan when it is on, format from the content, no disguised file; R20)."""
    name = safe_file_name(upload.name or "")
    limit = SCREENSHOT_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ServiceError(MSG_SCREENSHOT_SIZE.format(name=name), field="screenshot")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        raise ServiceError(MSG_SCREENSHOT_FORMAT.format(name=name), field="screenshot")
    try:
        prepared = file_prepare(upload, actor=actor, source="Báo lỗi (ảnh chụp màn hình)")
    except ServiceError as exc:
        raise ServiceError(exc.message, field="screenshot") from exc
    if prepared.file_format not in SCREENSHOT_FORMATS or prepared.size > limit:
        raise ServiceError(MSG_SCREENSHOT_FORMAT.format(name=name), field="screenshot")
    return prepared


def _screenshot_store(prepared: PreparedFile) -> str:
    now = clock.now()
    extension = "png" if prepared.file_format == "png" else "jpg"
    return default_storage.save(
        f"{SCREENSHOT_PREFIX}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}",
        ContentFile(prepared.data),
    )


def _unit_it_staff(unit: Unit) -> list[User]:
    """Who is told of a new report: the administrators of the nearest unit, from the
    reporter's up, that has any; the province administrators when none has."""
    chain = unit_chain_ids(unit)
    admins = list(
        RoleAssignment.objects.filter(
            role=Role.UNIT_ADMIN, unit_id__in=chain, user__status=AccountStatus.ACTIVE
        ).values_list("user_id", "unit_id")
    )
    for unit_id in chain:
        ids = {pk for pk, admin_unit in admins if admin_unit == unit_id}
        if ids:
            return list(User.objects.filter(pk__in=ids))
    return _department_staff()


def _department_staff() -> list[User]:
    return list(
        User.objects.filter(
            status=AccountStatus.ACTIVE, role_assignments__role=Role.PROVINCE_ADMIN
        ).distinct()
    )


def _link(report: FaultReport) -> str:
    return reverse("oversight:fault_detail", args=[report.pk])


def fault_report_create(
    *,
    actor: User,
    kind: str,
    text: str,
    page_url: str = "",
    user_agent: str = "",
    screenshot: UploadedFile[bytes] | None = None,
    detection_id: int | None = None,
    ip: str | None = None,
) -> FaultReport:
    """A person reports a fault, a suspected misuse or a suspicious attachment, or asks for
    help (R20, R21; Art. 11.1.đ). The page address, the time, the unit, the roles and the
    browser are captured; a screenshot is checked and stored first, and removed if the report
    is not saved. The unit's IT staff are told. Refusals are Vietnamese; nothing is saved."""
    if not _active(actor):
        raise AccessDenied()
    if kind not in FaultKind.values:
        raise ServiceError(MSG_KIND, field="kind")
    body = _clean_text(
        text, required_message=MSG_TEXT_EMPTY, limit=MAX_TEXT, too_long=MSG_TEXT_LONG, field="text"
    )
    detection = None
    if detection_id is not None:
        if kind != FaultKind.MISUSE:
            raise ServiceError(MSG_DETECTION_KIND, field="detection")
        detection = Detection.objects.filter(pk=detection_id).first()
        if detection is None or detection.unit_id != actor.unit_id:
            raise ServiceError(MSG_DETECTION_UNIT, field="detection")
    prepared = _screenshot_prepare(screenshot, actor=actor) if screenshot is not None else None
    stored = _screenshot_store(prepared) if prepared is not None else ""
    try:
        with transaction.atomic():
            report = _create(
                actor=actor,
                kind=kind,
                text=body,
                page_url=page_url,
                user_agent=user_agent,
                detection=detection,
                prepared=prepared,
                stored=stored,
                ip=ip,
            )
    except BaseException:
        if stored:
            with contextlib.suppress(OSError):
                default_storage.delete(stored)
        raise
    return report


def _create(
    *,
    actor: User,
    kind: str,
    text: str,
    page_url: str,
    user_agent: str,
    detection: Detection | None,
    prepared: PreparedFile | None,
    stored: str,
    ip: str | None,
) -> FaultReport:
    now = clock.now()
    unit = Unit.objects.select_related("parent__parent__parent").get(pk=actor.unit_id)
    roles = sorted({role for _, role in actor.role_pairs()})
    report = FaultReport.objects.create(
        kind=kind,
        reporter=actor,
        unit=unit,
        roles=roles,
        page_url=_clean_page_url(page_url),
        user_agent=(user_agent or "")[:300],
        text=text,
        created_at=now,
        updated_at=now,
        detection=detection,
        screenshot_name=prepared.original_name if prepared else "",
        screenshot_storage_name=stored,
        screenshot_sha256=prepared.sha256 if prepared else "",
        screenshot_size=prepared.size if prepared else 0,
        screenshot_type=prepared.content_type if prepared else "",
    )
    FaultReportChange.objects.create(
        report=report, at=now, actor=actor, from_status="", to_status=FaultStatus.NEW
    )
    kind_label = FaultKind(kind).label
    notification_send(
        recipients=[u for u in _unit_it_staff(unit) if u.pk != actor.pk],
        title=f"Báo lỗi mới số {report.pk}: {kind_label}",
        body=f"{actor.full_name} ({unit.name}) báo: {text[:300]}",
        link=_link(report),
    )
    audit_record(
        actor=actor,
        action="fault.reported",
        unit=unit,
        target=report,
        ip=ip,
        data={
            "kind": kind,
            "page": report.page_url,
            "detection": detection.pk if detection else None,
            "screenshot_sha256": report.screenshot_sha256,
        },
    )
    return report


# ---------------------------------------------------------------- changes of status


def fault_report_change(
    *,
    actor: User,
    report_id: int,
    to_status: str,
    note: str = "",
    duplicate_of: int | None = None,
    ip: str | None = None,
) -> FaultReport:
    """Move a report on (R21; Art. 9.2.e): the unit's IT staff triage a new report (duplicate,
    needs information, fixed, escalated to the Department), the reporter answers a question
    (back to triage), the Department closes an escalated report (fixed, will not fix). The
    change is a history line and an audit event; the reporter is told, and the Department when
    a report is escalated. A change the table does not allow, or by the wrong person, is
    refused and changes nothing."""
    with transaction.atomic():
        report = access_fault_report(user=actor, pk=report_id, lock=True)
        current = report.status
        if to_status not in FaultStatus.values:
            raise ServiceError("Trạng thái không hợp lệ.", field="to_status")
        who = TRANSITIONS.get((current, to_status))
        if who is None:
            raise ServiceError(
                f"Báo lỗi số {report.pk} đang ở trạng thái “{FaultStatus(current).label}”, "
                f"không chuyển sang “{FaultStatus(to_status).label}” được.",
                field="to_status",
            )
        allowed = {
            "it": is_unit_it(actor, report),
            "reporter": report.reporter_id == actor.pk,
            "department": is_department(actor),
        }[who]
        if not allowed:
            raise AccessDenied(TRANSITION_DENIED[who])
        text = nfc((note or "").replace("\r\n", "\n")).strip()
        if to_status in NOTE_REQUIRED or who == "reporter":
            text = _clean_text(
                text,
                required_message=MSG_NOTE_REQUIRED,
                limit=MAX_NOTE,
                too_long=MSG_NOTE_LONG,
                field="note",
            )
        elif len(text) > MAX_NOTE:
            raise ServiceError(MSG_NOTE_LONG, field="note")
        original = None
        if to_status == FaultStatus.DUPLICATE:
            original = _original(actor=actor, report=report, number=duplicate_of)
        now = clock.now()
        report.status = to_status
        report.updated_at = now
        report.duplicate_of = original
        report.save(update_fields=["status", "updated_at", "duplicate_of"])
        FaultReportChange.objects.create(
            report=report, at=now, actor=actor, from_status=current, to_status=to_status, note=text
        )
        _tell(actor=actor, report=report, current=current, note=text)
        audit_record(
            actor=actor,
            action="fault.status_changed",
            unit=report.unit,
            target=report,
            ip=ip,
            data={
                "from": current,
                "to": to_status,
                "note": text,
                "duplicate_of": original.pk if original else None,
            },
        )
    return report


def _original(*, actor: User, report: FaultReport, number: int | None) -> FaultReport:
    if number is None:
        raise ServiceError(MSG_DUPLICATE_MISSING, field="duplicate_of")
    if number == report.pk:
        raise ServiceError(MSG_DUPLICATE_SELF, field="duplicate_of")
    original = fault_reports_visible(user=actor).filter(pk=number).first()
    if original is None:
        raise ServiceError(MSG_DUPLICATE_UNKNOWN.format(number=number), field="duplicate_of")
    if original.status == FaultStatus.DUPLICATE:
        raise ServiceError(
            MSG_DUPLICATE_OF_DUPLICATE.format(number=number, original=original.duplicate_of_id),
            field="duplicate_of",
        )
    return original


def _tell(*, actor: User, report: FaultReport, current: str, note: str) -> None:
    """The reporter at each change made by someone else; the unit's IT staff when the reporter
    answers; the Department when a report is escalated."""
    status_label = FaultStatus(report.status).label
    body = f"Trạng thái: {status_label}." + (f" Ghi chú: {note}" if note else "")
    link = _link(report)
    if report.reporter_id != actor.pk:
        notification_send(
            recipients=[report.reporter],
            title=f"Báo lỗi số {report.pk} của bạn: {status_label}",
            body=body,
            link=link,
        )
    if current == FaultStatus.NEEDS_INFO and report.status == FaultStatus.NEW:
        notification_send(
            recipients=[u for u in _unit_it_staff(report.unit) if u.pk != actor.pk],
            title=f"Báo lỗi số {report.pk} đã được bổ sung thông tin",
            body=body,
            link=link,
        )
    if report.status == FaultStatus.ESCALATED:
        notification_send(
            recipients=[u for u in _department_staff() if u.pk != actor.pk],
            title=f"Báo lỗi số {report.pk} được chuyển Sở ({report.unit.name})",
            body=body,
            link=link,
        )


# ---------------------------------------------------------------- the screenshot


def fault_screenshot(
    *, actor: User, report_id: int, ip: str | None = None
) -> tuple[FaultReport, VerifiedStream]:
    """The report's screenshot for whoever sees the report, checked against its SHA-256 and
    written to the audit trail like every stored file sent to a person (R10)."""
    report = access_fault_report(user=actor, pk=report_id)
    if not report.screenshot_storage_name:
        raise NotFound("Báo lỗi này không có ảnh chụp màn hình.")
    stream = verified_stream(
        actor=actor,
        storage_name=report.screenshot_storage_name,
        sha256=report.screenshot_sha256,
        action="fault.screenshot_view",
        unit=report.unit,
        target=report,
        data={"sha256": report.screenshot_sha256},
        ip=ip,
    )
    return report, stream
