"""Lists that act, in a real browser at 1366 px (R18): a clerk ticks two documents in "Việc của
tôi" and presents them at once; the leader picks one of their direction templates, which fills
the direction field through the static script (no inline script, CSP)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.login import sign_in
from tests.support.documents import build_office
from tests.support.province import build_province
from tests.support.workflow import build_work, register
from vanban.workflow import services
from vanban.workflow.models import Processing, ProcessingStatus

pytestmark = pytest.mark.browser

TEMPLATE = "Giao phòng Kế hoạch – Tài chính chủ trì, tham mưu, báo cáo trước hạn."


def test_a_clerk_presents_two_documents_and_the_leader_fills_the_direction_from_a_template(
    transactional_db, document_types, live_server, browser, csp_violations
):
    work = build_work(build_office(build_province()))
    first = register(work, code_number="1", subject="Về việc chuyển đổi số")
    second = register(work, code_number="2", subject="Về việc cải cách hành chính")
    services.direction_template_add(actor=work.director, text=TEMPLATE)

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    context.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Content Security Policy" in m.text
            and csp_violations.append(m.text)
        ),
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, work.clerk)
        page.goto(f"{live_server.url}/xu-ly/viec-cua-toi/")
        for document in (first, second):
            page.check(f'input[name="documents"][value="{document.pk}"]')
        page.select_option("#bulk-leader", label=work.director.full_name)
        page.get_by_role("button", name="Trình các văn bản đã chọn").click()
        expect(page.locator("#bulk-summary")).to_have_text(
            "Đã làm xong 2 văn bản; 0 văn bản không làm được."
        )
        assert set(Processing.objects.values_list("status", flat=True)) == {
            ProcessingStatus.PRESENTED
        }
        context.clear_cookies()

        sign_in(page, live_server.url, work.director)
        page.goto(f"{live_server.url}/xu-ly/van-ban/{first.pk}/")
        direction = page.locator("#id_direct_direction")
        direction.fill("Đồng ý.")
        page.select_option("#id_direct_direction_template", label=TEMPLATE)
        expect(direction).to_have_value(f"Đồng ý.\n{TEMPLATE}")
        expect(direction).to_be_focused()
        expect(page.locator("#id_direct_direction_template")).to_have_value("")
    finally:
        context.close()
    assert not csp_violations, csp_violations
