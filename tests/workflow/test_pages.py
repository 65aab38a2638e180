"""The incoming path through the pages, as the clerk, the director, the heads of department and
the staff do it; the timeline shows every step with names and the direction text."""

import datetime as dt
import hashlib
import html
import re

import pytest

from tests.support.files import pdf_bytes, pdf_upload
from tests.support.snapshots import snapshot
from tests.support.workflow import DIRECTION, NOW, TODAY, assignment, directed, register
from vanban.core import clock
from vanban.documents.models import Document
from vanban.workflow.models import (
    DeadlinePolicy,
    Delegation,
    ExtensionRequest,
    Processing,
    ProgressFile,
)

pytestmark = pytest.mark.django_db


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, element_id: str) -> str:
    """The text of the element with this id (up to the element's end tag of the same name)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, f"no #{element_id}"
    tag = match.group(1)
    depth, position = 1, match.end()
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", page[position:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return text_of(page[position : position + found.start()])
    raise AssertionError(f"#{element_id} is not closed")


def timeline(page: str) -> list[str]:
    return [text_of(item) for item in re.findall(r'<li class="trail-.*?</li>', page, re.S)]


def test_the_whole_incoming_path_through_the_pages(work, client_for):
    document = register(work)
    clerk = client_for(work.clerk)
    assert "Quyết định số 15/QĐ-UBND" in section(
        clerk.get("/xu-ly/viec-cua-toi/").content.decode(), "to-present"
    )
    page = clerk.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert 'id="present-form"' in page
    assert f'href="/van-ban/{document.pk}/"' in page  # back to the document's record
    response = clerk.post(
        f"/xu-ly/van-ban/{document.pk}/trinh/",
        {"leader": work.director.pk, "note": "Kính trình Giám đốc cho ý kiến."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/xu-ly/van-ban/{document.pk}/"

    director = client_for(work.director)
    assert "15/QĐ-UBND" in section(
        director.get("/xu-ly/viec-cua-toi/").content.decode(), "to-direct"
    )
    response = director.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {
            "direction": DIRECTION,
            "lead": f"user:{work.plan_staff.pk}",
            "co": [f"unit:{work.tech.pk}"],
            "info_users": [work.reader.pk],
            "deadline": "2026-12-02",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    # The assigned person now sees the document, its record and the work.
    handler = client_for(work.plan_staff)
    assert Document.objects.visible_to(work.plan_staff).filter(pk=document.pk).exists()
    assert handler.get(f"/van-ban/{document.pk}/").status_code == 200
    assert "Chủ trì" in section(handler.get("/xu-ly/viec-cua-toi/").content.decode(), "assigned")

    co_head = client_for(work.tech_head)
    co_part = assignment(document, role="co")
    assert "cần phân công" in section(
        co_head.get("/xu-ly/viec-cua-toi/").content.decode(), "assigned"
    )
    response = co_head.post(
        f"/xu-ly/viec/{co_part.pk}/phan-cong/",
        {"lead_user": work.tech_staff.pk, "note": "Đồng chí Tâm góp ý phần hạ tầng."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    lead = assignment(document, role="lead", parent=None)
    report = pdf_bytes("Báo cáo kết quả rà soát")
    response = handler.post(
        f"/xu-ly/viec/{lead.pk}/tien-do/",
        {
            "text": "Đã dự thảo báo cáo, gửi kèm.",
            "result_files": [pdf_upload("bao-cao-ket-qua.pdf", "Báo cáo kết quả rà soát")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = ProgressFile.objects.get()
    assert stored.sha256 == hashlib.sha256(report).hexdigest()
    download = handler.get(f"/xu-ly/tep/{stored.pk}/tai-xuong/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == report

    tech_staff = client_for(work.tech_staff)
    co_lead = assignment(document, parent=co_part)
    assert (
        tech_staff.post(
            f"/xu-ly/viec/{co_lead.pk}/hoan-thanh/", {"result": "Đã góp ý phần hạ tầng."}
        ).status_code
        == 302
    )
    reader = client_for(work.reader)
    info = assignment(document, role="info")
    assert reader.post(f"/xu-ly/viec/{info.pk}/hoan-thanh/", {}).status_code == 302
    response = handler.post(
        f"/xu-ly/viec/{lead.pk}/hoan-thanh/",
        {"result": "Đã trình UBND tỉnh báo cáo.", "reply_reference": "125/STTTT-KHTC"},
    )
    assert response.status_code == 302
    assert Processing.objects.get(document=document).status == "done"

    page = director.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert section(page, "processing-status-label") == "Hoàn thành"
    assert section(page, "reply-reference") == "125/STTTT-KHTC"
    steps = timeline(page)
    expected = [
        ("Võ Thị Thu Trang – Trình văn bản", "Trình lãnh đạo Phạm Minh Đức."),
        ("Phạm Minh Đức – Cho ý kiến chỉ đạo", DIRECTION),
        ("Bùi Quốc Công – Phân công trong đơn vị", "Đồng chí Tâm góp ý phần hạ tầng."),
        ("Ngô Minh Chủ – Cập nhật tiến độ", "bao-cao-ket-qua.pdf"),
        ("Lý Thanh Tâm – Hoàn thành", "Đã góp ý phần hạ tầng."),
        ("Hồ Thị Biết – Đã xem", "Đã xem văn bản (nhận để biết)."),
        ("Ngô Minh Chủ – Hoàn thành", "văn bản trả lời số 125/STTTT-KHTC"),
    ]
    assert len(steps) == len(expected)
    for step, (who_what, detail) in zip(steps, expected, strict=True):
        assert step.startswith("09:30 25/11/2026 " + who_what), step
        assert detail in step, step
    assert "Kính trình Giám đốc cho ý kiến." in steps[0]
    assert "Chủ trì: Ngô Minh Chủ; phối hợp: Phòng Công nghệ thông tin" in steps[1]


def test_a_refused_step_shows_the_reason_and_changes_nothing(work, client_for):
    document = register(work)
    director = client_for(work.director)
    before = snapshot()
    response = director.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {"direction": DIRECTION, "lead": f"user:{work.plan_staff.pk}"},
    )
    assert response.status_code == 400
    assert section(response.content.decode(), "workflow-error") == (
        "Văn bản chưa được trình lãnh đạo."
    )
    assert snapshot() == before


def test_form_errors_are_shown_next_to_the_field(work, client_for):
    document = register(work)
    client_for(work.clerk).post(
        f"/xu-ly/van-ban/{document.pk}/trinh/", {"leader": work.director.pk}
    )
    director = client_for(work.director)
    before = snapshot()
    response = director.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {"direction": "", "lead": f"user:{work.plan_staff.pk}", "info_users": [work.plan_staff.pk]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Hãy nhập ý kiến chỉ đạo." in section(page, "field-direct_direction")
    assert snapshot() == before
    response = director.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {
            "direction": "Giao xử lý.",
            "lead": f"user:{work.plan_staff.pk}",
            "info_users": [work.plan_staff.pk],
        },
    )
    assert response.status_code == 400
    assert "Ngô Minh Chủ đã được giao xử lý, không cần chọn nhận để biết." in section(
        response.content.decode(), "field-direct_info_users"
    )
    assert snapshot() == before


def test_delegation_through_the_pages(work, client_for):
    document = register(work)
    client_for(work.clerk).post(
        f"/xu-ly/van-ban/{document.pk}/trinh/", {"leader": work.director.pk}
    )
    director = client_for(work.director)
    response = director.post(
        "/xu-ly/uy-quyen/",
        {
            "unit": work.so.pk,
            "deputy": work.deputy.pk,
            "starts_at": "2026-11-25T08:00",
            "ends_at": "2026-11-28T17:00",
            "note": "Đi công tác.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.deputy) == (work.director, work.deputy)
    deputy = client_for(work.deputy)
    my_work = deputy.get("/xu-ly/viec-cua-toi/").content.decode()
    assert "Phạm Minh Đức ủy quyền" in section(my_work, "acting-for")
    assert "thay mặt Phạm Minh Đức" in section(my_work, "to-direct")
    page = deputy.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert "thay mặt Phạm Minh Đức" in section(page, "direct-form")
    response = deputy.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {"direction": DIRECTION, "lead": f"user:{work.plan_staff.pk}", "deadline": "2026-12-01"},
    )
    assert response.status_code == 302
    steps = timeline(deputy.get(f"/xu-ly/van-ban/{document.pk}/").content.decode())
    assert steps[-1].startswith(
        "09:30 25/11/2026 Lê Văn Phó (thay mặt Phạm Minh Đức, theo ủy quyền) – Cho ý kiến chỉ đạo"
    )
    # The leader ends it; the deputy is refused afterwards.
    assert director.post(f"/xu-ly/uy-quyen/{delegation.pk}/ket-thuc/").status_code == 302
    lead = assignment(document, role="lead")
    before = snapshot()
    response = deputy.post(f"/xu-ly/viec/{lead.pk}/don-doc/", {"text": "Khẩn trương."})
    assert response.status_code == 403
    assert "Chỉ lãnh đạo đơn vị giao việc" in response.content.decode()
    assert snapshot() == before


def test_extension_and_reminder_through_the_pages(work, client_for):
    document = directed(work)
    lead = assignment(document, role="lead")
    handler = client_for(work.plan_staff)
    response = handler.post(
        f"/xu-ly/viec/{lead.pk}/gia-han/",
        {"requested_deadline": "2026-12-10", "reason": "Chờ số liệu của các huyện."},
    )
    assert response.status_code == 302
    director = client_for(work.director)
    assert "Chờ số liệu của các huyện." in section(
        director.get("/xu-ly/viec-cua-toi/").content.decode(), "extensions-to-decide"
    )
    request = ExtensionRequest.objects.get()
    page = director.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert f'id="decide-form-{request.pk}"' in page
    response = director.post(
        f"/xu-ly/gia-han/{request.pk}/quyet-dinh/", {"decision": "grant", "reason": ""}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.deadline == dt.date(2026, 12, 10)
    response = director.post(f"/xu-ly/viec/{lead.pk}/don-doc/", {"text": "Đề nghị báo cáo sớm."})
    assert response.status_code == 302
    page = director.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert "Đang xử lý 1 Phạm Minh Đức" in section(page, f"assignment-{lead.pk}")
    assert "Đôn đốc Ngô Minh Chủ (lần thứ 1)." in timeline(page)[-1]


def test_deadline_policy_page(work, client_for):
    director = client_for(work.director)
    page = director.get("/xu-ly/quy-dinh-han/").content.decode()
    assert 'value="10"' in page
    response = director.post(
        "/xu-ly/quy-dinh-han/",
        {
            "unit": work.so.pk,
            "normal_days": 7,
            "urgent_days": 3,
            "very_urgent_days": 2,
            "flash_days": 1,
            "remind_before_days": 2,
        },
    )
    assert response.status_code == 302
    assert DeadlinePolicy.objects.get(unit=work.so).normal_days == 7
    before = snapshot()
    response = director.post(
        "/xu-ly/quy-dinh-han/",
        {
            "unit": work.so.pk,
            "normal_days": 0,
            "urgent_days": 3,
            "very_urgent_days": 2,
            "flash_days": 1,
            "remind_before_days": 2,
        },
    )
    assert response.status_code == 400
    assert "Số ngày phải từ 1 đến 365." in response.content.decode()
    assert snapshot() == before


def test_deadline_lists_and_dashboard(work, client_for):
    overdue = directed(work, code_number="40", deadline=TODAY + dt.timedelta(days=1))
    directed(work, code_number="41", deadline=TODAY + dt.timedelta(days=2))
    directed(work, code_number="42", deadline=TODAY + dt.timedelta(days=30))
    later = NOW + dt.timedelta(days=2)
    with clock.frozen(later):
        director = client_for(work.director)
        page = director.get("/xu-ly/han-xu-ly/").content.decode()
        assert section(page, "overdue-count") == "2"  # the lead person and the co unit of 40
        assert section(page, "due-soon-count") == "2"  # both parts of 41; 42 is far off
        assert "Quá hạn 1 ngày" in page
        by_unit = director.get("/xu-ly/han-xu-ly/?theo=don-vi", headers={"HX-Request": "true"})
        fragment = by_unit.content.decode()
        assert fragment.startswith('<div id="deadline-groups" data-by="don-vi">')
        assert "Phòng Công nghệ thông tin" in fragment and "<html" not in fragment
        by_leader = director.get("/xu-ly/han-xu-ly/?theo=lanh-dao").content.decode()
        assert "Phạm Minh Đức" in by_leader
        board = director.get("/xu-ly/tong-hop/").content.decode()
        assert section(board, "status-in_progress") == "Đang xử lý 3"
        assert section(board, "status-overdue") == "Văn bản quá hạn giải quyết 1"
        assert section(board, "total-all") == "6"
        assert "Phòng Công nghệ thông tin" in section(board, "unit-table")
        assert '<rect class="bar-overdue" x="0.0" width="' in board
    assert overdue.pk


def test_a_changed_result_file_is_not_sent(work, client_for):
    from django.core.files.storage import default_storage

    from vanban.audit.models import AuditEvent

    document = directed(work)
    client = client_for(work.plan_staff)
    client.post(
        f"/xu-ly/viec/{assignment(document, role='lead').pk}/tien-do/",
        {"text": "Kèm báo cáo.", "result_files": [pdf_upload("bao-cao.pdf")]},
    )
    stored = ProgressFile.objects.get()
    with default_storage.open(stored.storage_name, "wb") as handle:
        handle.write(b"%PDF-1.7 changed")
    response = client.get(f"/xu-ly/tep/{stored.pk}/tai-xuong/")
    assert response.status_code == 409
    assert "mã băm SHA-256 không khớp" in response.content.decode()
    event = AuditEvent.objects.get(action="workflow.file_download_refused")
    assert (event.actor, event.data["reason"]) == (work.plan_staff, "changed")


def test_a_result_file_is_read_in_the_viewer_by_whoever_may_see_the_document(work, client_for):
    """The processing page offers the result file to the viewer; its viewer copy is the download,
    inline and recorded as viewed; a person who may not see the document gets the 404 page and
    nothing is recorded (docs/files.md "Viewer")."""
    from vanban.audit.models import AuditEvent

    document = directed(work)
    handler = client_for(work.plan_staff)
    handler.post(
        f"/xu-ly/viec/{assignment(document, role='lead').pk}/tien-do/",
        {"text": "Kèm báo cáo.", "result_files": [pdf_upload("bao-cao.pdf")]},
    )
    stored = ProgressFile.objects.get()
    url = f"/xu-ly/tep/{stored.pk}/tai-xuong/"
    page = client_for(work.director).get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert f'data-name="bao-cao.pdf" data-download="{url}" data-pdf="{url}?xem=1"' in page

    viewed = handler.get(f"{url}?xem=1")
    assert viewed.status_code == 200
    assert viewed["Content-Disposition"].startswith('inline; filename="bao-cao.pdf"')
    assert b"".join(viewed.streaming_content) == stored_bytes(stored)
    event = AuditEvent.objects.filter(action="workflow.file_download").latest("pk")
    assert (event.actor, event.data["viewed"]) == (work.plan_staff, True)

    outsider = client_for(work.outsider)
    before = AuditEvent.objects.count()
    refused = outsider.get(f"{url}?xem=1")
    assert refused.status_code == 404
    assert "Không tìm thấy" in refused.content.decode()
    assert AuditEvent.objects.count() == before


def stored_bytes(stored: ProgressFile) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(stored.storage_name) as handle:
        return handle.read()
