"""A clerk registers paper documents from their scans in a real browser (R13, R16), at a desk
width and a phone width: two scans uploaded at once and read by real Tesseract, the form of the
first filled from what was read, one field corrected, Enter registering it; its body found by
words typed without diacritics; the scan stamped MẬT refused with the reason.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.login import sign_in
from tests.e2e.test_keyboard_registration import tab_to
from tests.support.ocr_tools import require_ocr
from tests.support.province import make_user, province_root_and_stttt
from tests.support.scan_pages import Decision, queued_scan, scanned_decision
from vanban.accounts.models import Role
from vanban.documents.models import Document, DocumentFile
from vanban.paper.models import ScanItem

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param((1366, 768), id="1366px"), pytest.param((390, 844), id="390px")]


@pytest.fixture
def clerk(transactional_db, document_types, settings, own_storage):
    require_ocr(settings)
    _root, unit = province_root_and_stttt()
    return make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))


@pytest.mark.parametrize("size", WIDTHS)
def test_a_clerk_registers_scans_with_what_was_read(
    live_server, browser, csp_violations, clerk, tmp_path, size
):
    root = clerk.unit.parent
    decision = tmp_path / "quyet-dinh-15.pdf"
    decision.write_bytes(scanned_decision())
    secret = tmp_path / "cong-van-mat.pdf"
    secret.write_bytes(scanned_decision(Decision(number="7/UBND-VP", stamp="MẬT")))
    width, height = size
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    context.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Content Security Policy" in m.text
            and csp_violations.append(m.text)
        ),
    )
    page = context.new_page()
    page.set_default_timeout(60000)  # two scans read by Tesseract during the upload
    try:
        sign_in(page, live_server.url, clerk)
        page.goto(f"{live_server.url}/van-ban/den/")
        page.get_by_role("link", name="Vào sổ từ bản quét").click()
        page.wait_for_url("**/van-ban/den/ban-quet/")
        page.set_input_files("#id_files", [str(decision), str(secret)])
        page.get_by_role("button", name="Tải lên").click()
        expect(page.get_by_text("Đã nhận 2 văn bản vào hàng chờ.")).to_be_visible()
        table = page.locator("#scan-table")
        expect(table).to_contain_text("Sẵn sàng")
        expect(table).to_contain_text("Có dấu mật")

        # The first ready scan: its page beside the form filled from what was read.
        page.get_by_role("link", name="Kiểm tra và vào sổ lần lượt").click()
        ready = ScanItem.objects.get(original_name="quyet-dinh-15.pdf")
        page.wait_for_url(f"**/van-ban/den/ban-quet/{ready.pk}/")
        expect(page.locator("#id_document_type")).to_be_focused()
        expect(page.get_by_role("img", name=re.compile("Trang 1 của bản quét"))).to_be_visible()
        number = page.locator("#id_code_number")
        expect(number).to_have_value("15")
        expect(number).to_have_accessible_description(re.compile("Đề xuất từ bản quét"))
        expect(page.locator("#proposed-code_number")).to_be_visible()

        expect(page.locator("#id_document_type option:checked")).to_have_text("Quyết định")
        expect(page.locator("#id_issued_date")).to_have_value("20/11/2026")
        expect(page.locator("#id_issuer_unit")).to_have_value(str(root.pk))
        expect(page.locator("#id_signer_name")).to_have_value("Trần Ngọc Tam")

        # She corrects one field and gives the subject in her words, then Enter registers.
        page.fill("#id_signer_position", "Chủ tịch Ủy ban nhân dân tỉnh")
        page.fill("#id_subject", "Quyết định ban hành Quy chế quản lý văn bản điện tử")
        page.check("#id_sensitive_declared")
        number.press("Enter")

        # No other scan is ready (the other is stamped): back to the queue.
        page.wait_for_url("**/van-ban/den/ban-quet/")
        expect(page.get_by_text("Đã vào sổ đến số 1")).to_be_visible()
        document = Document.objects.get()
        assert document.subject == "Quyết định ban hành Quy chế quản lý văn bản điện tử"
        assert (document.code_number, document.code_notation) == ("15", "QĐ-UBND")
        assert (document.issuer_unit, document.signer_name, document.signer_position) == (
            root,
            "Trần Ngọc Tam",
            "Chủ tịch Ủy ban nhân dân tỉnh",
        )
        main = document.files.get(role=DocumentFile.Role.MAIN)
        assert (main.original_name, main.sha256) == ("quyet-dinh-15.pdf", ready.sha256)

        # The stamped scan: the reason is stated and registering is refused.
        page.get_by_role("link", name="cong-van-mat.pdf").click()
        expect(page.locator("#secrecy")).to_contain_text(
            "Bản quét có dấu chỉ độ mật “MẬT”: văn bản mật không được đưa vào hệ thống "
            "(Quy chế, Điều 4)"
        )
        expect(page.locator("#id_override_reason")).to_be_focused()
        page.select_option("#id_document_type", label="Công văn")
        page.check("#id_sensitive_declared")
        page.get_by_role("button", name="Vào sổ", exact=True).last.click()
        expect(page.locator("#field-override_reason .errorlist")).to_contain_text(
            "Bản quét có dấu chỉ độ mật “MẬT”"
        )
        assert Document.objects.count() == 1
        assert ScanItem.objects.get(original_name="cong-van-mat.pdf").status == "secret"

        # The body of the registered scan, found by words typed without diacritics.
        page.goto(f"{live_server.url}/van-ban/tim-kiem/")
        page.fill("[name=q]", "dia ban tinh ap dung cho cac co quan")
        page.keyboard.press("Enter")
        expect(page.get_by_role("link", name="15/QĐ-UBND").first).to_be_visible()
    finally:
        context.close()


def test_skip_and_discard_are_reached_with_the_keyboard(live_server, page, clerk):
    unit = clerk.unit
    first, second, third = (
        queued_scan(unit, clerk, name=name) for name in ("mot.pdf", "hai.pdf", "ba.pdf")
    )
    sign_in(page, live_server.url, clerk)
    page.goto(f"{live_server.url}/van-ban/den/ban-quet/{first.pk}/")
    expect(page.locator("#id_document_type")).to_be_focused()
    tab_to(page, "skip")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/van-ban/den/ban-quet/{second.pk}/")
    tab_to(page, "discard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/van-ban/den/ban-quet/{third.pk}/")
    expect(page.get_by_text("Đã bỏ bản quét “hai.pdf”.")).to_be_visible()
    second.refresh_from_db()
    assert (second.status, second.storage_name) == (ScanItem.Status.DISCARDED, "")
    first.refresh_from_db()
    assert first.status == ScanItem.Status.READY
