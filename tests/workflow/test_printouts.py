"""The processing slip and the follow-up register, on the page and as PDF (read back with pypdf)."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.support.workflow import DIRECTION, TODAY, assignment, directed, present, register
from tests.workflow.test_pages import section
from vanban.core import clock
from vanban.workflow import printouts, services

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    """The reader and the text of every page without any spaces: text extraction adds or drops
    spaces where a table cell or a line ends, so the comparisons ignore them."""
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, "".join(text.split())


def squash(value: str) -> str:
    return "".join(value.split())


def test_the_processing_slip(work, client_for):
    document = directed(work, lead_user=None, lead_unit=work.plan, co_units=[work.tech])
    unit_part = assignment(document, role="lead")
    services.assignment_reassign(
        actor=work.plan_head,
        assignment=unit_part,
        lead_user=work.plan_staff,
        co_users=[work.plan_staff2],
        deadline=TODAY + dt.timedelta(days=5),
        note="Giao đồng chí Chủ dự thảo.",
    )
    child = assignment(document, parent=unit_part, role="lead")
    services.assignment_progress(
        actor=work.plan_staff, assignment=child, text="Đề xuất trả lời đồng ý với dự thảo."
    )
    response = client_for(work.clerk).get(f"/xu-ly/van-ban/{document.pk}/phieu/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="phieu-giai-quyet-so-den-1-2026.pdf"'
    )
    reader, text = pdf_text(response.content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    for expected in (
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
        "Số đến: 1, ngày đến 25/11/2026",
        "Quyết định số 15/QĐ-UBND ngày 20/11/2026",
        "1. Ý kiến chỉ đạo của lãnh đạo cơ quan",
        DIRECTION,
        "Đơn vị, người chủ trì: Phòng Kế hoạch – Tài chính",
        "Đơn vị, người phối hợp: Phòng Công nghệ thông tin",
        "Thời hạn giải quyết: 02/12/2026",
        "Ngày 25/11/2026 – Phạm Minh Đức",
        "2. Ý kiến của lãnh đạo đơn vị",
        "Phòng Kế hoạch – Tài chính (phần chủ trì): Chủ trì: Ngô Minh Chủ; Phối hợp: Đặng Thu Hà; "
        "thời hạn giải quyết 30/11/2026.",
        "Giao đồng chí Chủ dự thảo.",
        "Ngày 25/11/2026 – Trần Thị Kế Hoạch",
        "3. Ý kiến đề xuất của người giải quyết",
        "Đề xuất trả lời đồng ý với dự thảo.",
        "Ngày 25/11/2026 – Ngô Minh Chủ",
    ):
        assert squash(expected) in text, expected


def test_a_slip_before_any_direction(work, client_for):
    document = register(work)
    response = client_for(work.clerk).get(f"/xu-ly/van-ban/{document.pk}/phieu/")
    _reader, text = pdf_text(response.content)
    assert squash("Chưa có ý kiến chỉ đạo.") in text
    assert squash("Chưa có ý kiến đề xuất.") in text


@pytest.fixture
def quarter(work):
    """Four documents of the fourth quarter in each state, and one of the third quarter."""
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 9, 30, 16, 0))):
        register(work, code_number="9", issued_date=dt.date(2026, 9, 29))
    waiting = register(work, code_number="10", subject="Văn bản chờ trình")
    presented = register(work, code_number="11", subject="Văn bản đã trình")
    present(work, presented)
    running = directed(work, code_number="12", subject="Văn bản đang xử lý")
    services.assignment_progress(
        actor=work.plan_staff,
        assignment=assignment(running, role="lead"),
        text="Đã họp với các huyện.",
    )
    done = directed(work, code_number="13", subject="Văn bản đã xong")
    services.assignment_complete(
        actor=work.plan_staff,
        assignment=assignment(done, role="lead"),
        result="Đã trả lời.",
        reply_reference="125/STTTT-KHTC",
    )
    return {"waiting": waiting, "presented": presented, "running": running, "done": done}


def test_the_follow_up_register_page(work, client_for, quarter):
    page = client_for(work.clerk).get(
        f"/xu-ly/so-theo-doi/?unit={work.so.pk}&period=quarter&year=2026&quarter=4"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert section(html, "followup-total") == "4"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html.split('id="followup-table"')[1], re.S)[1:]
    cells = [
        [
            section(f"<td id='x'>{c}</td>".replace("'", '"'), "x")
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]
    assert [row[0] for row in cells] == ["2", "3", "4", "5"]
    by_number = {row[0]: row for row in cells}
    assert by_number["2"][4] == "Chờ trình"
    assert by_number["3"][4] == "Đã trình ngày 25/11/2026, chờ ý kiến chỉ đạo"
    assert by_number["4"][2] == "Chủ trì: Ngô Minh Chủ; Phối hợp: Phòng Công nghệ thông tin"
    assert by_number["4"][3] == "02/12/2026"
    assert by_number["4"][4] == "Đang xử lý. Đã họp với các huyện."
    assert by_number["5"][4] == "Hoàn thành ngày 25/11/2026 (đúng hạn)"
    assert by_number["5"][5] == "125/STTTT-KHTC"
    assert by_number["5"][1].startswith(
        "Quyết định số 13/QĐ-UBND ngày 20/11/2026 của Ủy ban nhân dân tỉnh Bến Tre. "
    )


def test_the_follow_up_register_pdf(work, client_for, quarter):
    response = client_for(work.director).get(
        f"/xu-ly/so-theo-doi/pdf/?unit={work.so.pk}&period=quarter&year=2026&quarter=4"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="so-theo-doi-giai-quyet-stttt-2026-q4.pdf"'
    )
    reader, text = pdf_text(response.content)
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for expected in (
        "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        "Quý IV năm 2026",
        "Số đến",
        "Thời hạn giải quyết",
        "Tiến độ giải quyết",
        "Chờ trình",
        "125/STTTT-KHTC",
        "Văn bản đang xử lý",
    ):
        assert squash(expected) in text, expected
    assert squash("13/QĐ-UBND") in text
    assert squash("09/QĐ-UBND") not in text  # registered in the third quarter


def test_a_period_too_long_to_print_is_refused_with_a_reason(
    work, client_for, quarter, monkeypatch
):
    monkeypatch.setattr(printouts, "FOLLOWUP_MAX_ROWS", 3)
    response = client_for(work.clerk).get(
        f"/xu-ly/so-theo-doi/pdf/?unit={work.so.pk}&period=quarter&year=2026&quarter=4"
    )
    assert response.status_code == 400
    assert "Kỳ đã chọn có 4 văn bản, quá 3 văn bản của một lần in" in response.content.decode()
