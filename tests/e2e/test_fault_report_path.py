"""A fault report's whole path in a real browser (R21; Art. 9.1.c, 9.2.e, 11.1.đ of the
provincial regulation; docs/oversight.md, "Fault and misuse reports").

On a 390 px phone a specialist reads a document given to her and follows "Báo lỗi" at the foot of
its page: the form knows the page she came from; she describes the fault and attaches a
screenshot of that page. Her unit's IT staff (the Sở's administrator) follow the notice to the
report and escalate it to the Department; the Department's administrator finds it in the
Department's queue and closes it as fixed, with a note. At 1366 px the specialist sees the notice,
follows it, and reads the closed status and the whole history.

What is not the point is set up through the services: the accounts and the registered document.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.phone_world import page_width
from tests.support import drafting
from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_upload
from vanban.documents import services as document_services
from vanban.documents.services.sharing import document_share
from vanban.oversight.models_faults import FaultReport, FaultStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}
SUBJECT = "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027"
FAULT = "Bấm “Tải xuống” tệp đính kèm thì trang báo lỗi và không tải được."


@pytest.fixture
def given(province, document_types, settings, tmp_path):
    drafting.own_storage(settings, tmp_path / "storage")
    team = drafting.make_team(province)
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=province.stttt,
        data=incoming_input(code_number="318", subject=SUBJECT),
        refusals=DECLARED,
        main_file=pdf_upload("ke-hoach-kiem-tra.pdf"),
    )
    document_share(actor=team.clerk, document=document, user=province.staff_stttt)
    return province, document


def _notice(page: Page, title: str) -> None:
    """Open the notices and follow the one titled `title`."""
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/thong-bao/")
    notice = page.locator("div.card > div").filter(has_text=title)
    expect(notice).to_have_count(1)
    notice.get_by_role("link", name="Xem").click()


def test_report_escalate_close_and_see_it_closed(given, live_server, window_at):
    province, document = given
    specialist = window_at(province.staff_stttt, PHONE)

    # On the phone: from the document's page to the form, which knows where she was.
    specialist.goto(f"{live_server.url}/van-ban/{document.pk}/")
    expect(specialist.get_by_role("heading", name="Quyết định số 318/QĐ-UBND")).to_be_visible()
    expect(specialist.get_by_text(SUBJECT).first).to_be_visible()
    shot = specialist.screenshot(full_page=False)
    specialist.locator("#fault-report-link").click()
    expect(specialist.get_by_role("heading", name="Báo lỗi", exact=True)).to_be_visible()
    expect(specialist.locator("#fault-page")).to_contain_text(f"/van-ban/{document.pk}/")
    assert page_width(specialist) <= PHONE["width"]
    specialist.get_by_label("Lỗi phần mềm").check()
    specialist.get_by_label("Nội dung").fill(FAULT)
    specialist.get_by_label("Ảnh chụp màn hình (không bắt buộc)").set_input_files(
        {"name": "man-hinh.png", "mimeType": "image/png", "buffer": shot}
    )
    specialist.get_by_role("button", name="Gửi báo lỗi").click()
    report = FaultReport.objects.get(reporter=province.staff_stttt)
    expect(specialist.locator(".messages")).to_contain_text(f"Đã gửi báo lỗi số {report.pk}")
    expect(specialist.locator("#fault-status")).to_have_text("Chờ xử lý")
    expect(specialist.locator("#fault-screenshot img")).to_be_visible()
    assert page_width(specialist) <= PHONE["width"]
    assert report.page_url == f"/van-ban/{document.pk}/"
    assert "Mobile" in report.user_agent or "Chrome" in report.user_agent

    # The unit's IT staff follow the notice and escalate the report to the Department.
    it = window_at(province.admin_stttt, WIDE)
    _notice(it, f"Báo lỗi mới số {report.pk}: Lỗi phần mềm")
    expect(it.locator("#fault-text")).to_contain_text(FAULT)
    expect(it.locator("#fault-page")).to_contain_text(f"/van-ban/{document.pk}/")
    it.get_by_label("Chuyển Sở xử lý").check()
    it.get_by_label("Ghi chú").fill("Lỗi ở máy chủ lưu trữ chung, đơn vị không tự khắc phục được.")
    it.get_by_role("button", name="Ghi nhận").click()
    expect(it.locator("#fault-status")).to_have_text("Đã chuyển Sở")

    # The Department's administrator closes it from the Department's queue.
    department = window_at(province.province_admin, WIDE)
    department.goto(f"{live_server.url}/giam-sat/bao-loi/so/")
    department.locator(f"#fault-{report.pk}").get_by_role("link", name=str(report.pk)).click()
    department.get_by_label("Sở đã khắc phục").check()
    department.get_by_label("Ghi chú").fill("Đã khôi phục dịch vụ lưu trữ lúc 10 giờ.")
    department.get_by_role("button", name="Ghi nhận").click()
    expect(department.locator("#fault-status")).to_have_text("Sở đã khắc phục")

    # At her desk, the specialist sees the notice and the closed report.
    desk = window_at(province.staff_stttt, WIDE)
    _notice(desk, f"Báo lỗi số {report.pk} của bạn: Sở đã khắc phục")
    expect(desk.locator("#fault-status")).to_have_text("Sở đã khắc phục")
    history = desk.locator("#fault-history-table tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(2)).to_contain_text("Đã khôi phục dịch vụ lưu trữ lúc 10 giờ.")
    desk.goto(f"{live_server.url}/giam-sat/bao-loi/")
    expect(desk.locator(f"#fault-{report.pk} .fault-status")).to_have_text("Sở đã khắc phục")
    report.refresh_from_db()
    assert report.status == FaultStatus.DEPARTMENT_FIXED
