"""Refused fault reports and changes (R21): bad input gets a clear Vietnamese message and nothing
is saved, no file is left in storage, no notice is sent; a change the path does not allow is
refused and leaves the report as it was."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.oversight.support_faults import image, jpeg_bytes, png_bytes, report
from tests.support.clamd import MARKER
from tests.support.refusals import refused
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification
from vanban.documents.files import storage_walk
from vanban.oversight import faults
from vanban.oversight.models_faults import FaultReport, FaultReportChange, FaultStatus
from vanban.scanning.models import Detection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

NEW = "/giam-sat/bao-loi/moi/"


def nothing_saved() -> tuple:
    return (
        FaultReport.objects.count(),
        FaultReportChange.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action__startswith="fault.").count(),
        sorted(storage_walk(faults.SCREENSHOT_PREFIX)),
    )


def post(client, **fields):
    data = {"kind": "fault", "text": "Trang báo lỗi 500.", "page_url": "/"}
    data.update(fields)
    return client.post(NEW, data)


def _gif() -> SimpleUploadedFile:
    return SimpleUploadedFile("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")


def _text_named_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("anh.png", b"<html><script>alert(1)</script></html>", "image/png")


def _too_large() -> SimpleUploadedFile:
    data = png_bytes() + b"\x00" * (faults.SCREENSHOT_MAX_MB * 1024 * 1024)
    return SimpleUploadedFile("rat-lon.png", data, "image/png")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "Hãy mô tả lỗi, điều nghi ngờ hoặc việc cần hỗ trợ."),
        ({"text": "x" * 5001}, "Nội dung dài quá 5000 ký tự; hãy viết ngắn hơn."),
        ({"kind": "khac"}, "Hãy chọn loại báo lỗi."),
        (
            {"screenshot": _gif},
            "Ảnh chụp màn hình “anh.gif” không phải ảnh PNG hoặc JPEG; chỉ nhận hai định dạng này.",
        ),
        (
            {"screenshot": _text_named_png},
            "Ảnh chụp màn hình “anh.png” không phải ảnh PNG hoặc JPEG; chỉ nhận hai định dạng này.",
        ),
        (
            {"screenshot": _too_large},
            "Ảnh chụp màn hình “rat-lon.png” lớn hơn 5 MB; hãy chụp lại nhỏ hơn hoặc cắt bớt ảnh.",
        ),
    ],
    ids=["empty-text", "long-text", "bad-kind", "gif", "html-named-png", "too-large"],
)
def test_bad_input_is_refused_and_nothing_saved(province, client_for, fields, message):
    client = client_for(province.staff_stttt)
    before = nothing_saved()
    fields = {k: (v() if callable(v) else v) for k, v in fields.items()}
    answer = post(client, **fields)
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert "Chưa lưu gì" in answer.content.decode()
    assert nothing_saved() == before


def test_a_jpeg_screenshot_is_taken(province):
    made = report(
        province.staff_stttt, screenshot=SimpleUploadedFile("anh.jpg", jpeg_bytes(), "image/jpeg")
    )
    assert made.screenshot_type == "image/jpeg"
    assert made.screenshot_storage_name.endswith(".jpg")


def test_an_infected_screenshot_is_refused_and_quarantined(province, scanning):
    """With scanning on, the screenshot passes the scan of every upload (R20): refused, the
    report not saved, the file quarantined and the administrators told, as for any upload."""
    before = nothing_saved()
    refused(
        lambda: report(province.staff_stttt, screenshot=image(data=png_bytes(extra=MARKER))),
        ServiceError,
        "Tệp “man-hinh.png” chứa mã độc (Vanban.Test.Marker-1) nên không được nhận. Không có gì "
        "được lưu; quản trị đơn vị và quản trị tỉnh đã được báo.",
        "screenshot",
        state=lambda: nothing_saved()[:2] + nothing_saved()[4:],
    )
    assert nothing_saved()[0] == before[0]
    detection = Detection.objects.get(uploaded_by=province.staff_stttt)
    assert detection.source == "Báo lỗi (ảnh chụp màn hình)"


def test_a_clean_screenshot_passes_the_scan(province, scanning):
    made = report(province.staff_stttt, screenshot=image())
    assert default_storage.exists(made.screenshot_storage_name)


# ---------------------------------------------------------------- changes of status


def _state(made: FaultReport):
    made.refresh_from_db()
    return (
        made.status,
        made.duplicate_of_id,
        FaultReportChange.objects.filter(report=made).count(),
        Notification.objects.filter(recipient=made.reporter).count(),
        AuditEvent.objects.filter(action="fault.status_changed").count(),
    )


def _change(actor, made, to_status, note="", duplicate_of=None):
    return lambda: faults.fault_report_change(
        actor=actor, report_id=made.pk, to_status=to_status, note=note, duplicate_of=duplicate_of
    )


@pytest.mark.parametrize(
    ("start", "to_status", "message"),
    [
        (
            FaultStatus.NEW,
            FaultStatus.DEPARTMENT_FIXED,
            "đang ở trạng thái “Chờ xử lý”, không chuyển sang “Sở đã khắc phục” được.",
        ),
        (
            FaultStatus.FIXED,
            FaultStatus.ESCALATED,
            "đang ở trạng thái “Đơn vị đã khắc phục”, không chuyển sang “Đã chuyển Sở” được.",
        ),
        (
            FaultStatus.NEEDS_INFO,
            FaultStatus.ESCALATED,
            "đang ở trạng thái “Cần bổ sung thông tin”, không chuyển sang “Đã chuyển Sở” được.",
        ),
        (
            FaultStatus.ESCALATED,
            FaultStatus.FIXED,
            "đang ở trạng thái “Đã chuyển Sở”, không chuyển sang “Đơn vị đã khắc phục” được.",
        ),
    ],
    ids=["new-to-closed", "fixed-again", "unanswered-escalated", "escalated-back"],
)
def test_a_change_off_the_path_is_refused(province, start, to_status, message):
    made = report(province.staff_stttt)
    if start != FaultStatus.NEW:
        faults.fault_report_change(
            actor=province.admin_stttt, report_id=made.pk, to_status=start, note="Ghi chú."
        )
    refused(
        _change(province.province_admin, made, to_status, "Ghi chú."),
        ServiceError,
        f"Báo lỗi số {made.pk} {message}",
        "to_status",
        state=lambda: _state(made),
    )


@pytest.mark.parametrize("to_status", ["needs_info", "escalated"])
def test_a_note_is_needed_to_ask_or_escalate(province, to_status):
    made = report(province.staff_stttt)
    refused(
        _change(province.admin_stttt, made, to_status, "  "),
        ServiceError,
        "Hãy ghi chú cho lần chuyển trạng thái này.",
        "note",
        state=lambda: _state(made),
    )


def test_the_department_closes_with_a_note(province, client_for):
    made = report(province.staff_stttt)
    faults.fault_report_change(
        actor=province.admin_stttt, report_id=made.pk, to_status="escalated", note="Chuyển Sở."
    )
    before = _state(made)
    answer = client_for(province.province_admin).post(
        f"/giam-sat/bao-loi/{made.pk}/chuyen/", {"to_status": "wont_fix", "note": ""}
    )
    assert answer.status_code == 200
    assert "Hãy ghi chú cho lần chuyển trạng thái này." in answer.content.decode()
    assert _state(made) == before


def test_the_reporter_answers_with_words(province, client_for):
    made = report(province.staff_stttt)
    faults.fault_report_change(
        actor=province.admin_stttt, report_id=made.pk, to_status="needs_info", note="Trang nào?"
    )
    before = _state(made)
    answer = client_for(province.staff_stttt).post(
        f"/giam-sat/bao-loi/{made.pk}/bo-sung/", {"note": ""}
    )
    assert answer.status_code == 200
    assert "Hãy ghi thông tin bổ sung." in answer.content.decode()
    assert _state(made) == before


def test_duplicates_name_an_original_the_person_sees(province):
    made = report(province.staff_stttt)
    foreign = report(province.staff_snv)
    copy = report(province.leader_stttt)
    faults.fault_report_change(
        actor=province.admin_stttt,
        report_id=copy.pk,
        to_status="duplicate",
        duplicate_of=made.pk,
    )
    for number, message in [
        (None, "Hãy nhập số của báo lỗi mà báo lỗi này trùng với."),
        (made.pk, "Một báo lỗi không trùng với chính nó."),
        (foreign.pk, f"Không có báo lỗi số {foreign.pk} trong các báo lỗi bạn xem được."),
        (
            copy.pk,
            f"Báo lỗi số {copy.pk} cũng là bản trùng (của báo lỗi số {made.pk}); hãy chọn báo "
            "lỗi gốc.",
        ),
    ]:
        refused(
            _change(province.admin_stttt, made, "duplicate", duplicate_of=number),
            ServiceError,
            message,
            "duplicate_of",
            state=lambda: _state(made),
        )


def test_an_unknown_status_is_refused_on_the_form(province, client_for):
    made = report(province.staff_stttt)
    before = _state(made)
    answer = client_for(province.admin_stttt).post(
        f"/giam-sat/bao-loi/{made.pk}/chuyen/", {"to_status": "xoa", "note": "x"}
    )
    assert answer.status_code == 200 and "Hãy chọn cách xử lý." in answer.content.decode()
    assert _state(made) == before


def test_the_reporter_cannot_triage_her_own_report(province):
    made = report(province.staff_stttt)
    refused(
        _change(province.staff_stttt, made, "fixed"),
        AccessDenied,
        faults.MSG_NOT_IT,
        state=lambda: _state(made),
    )
