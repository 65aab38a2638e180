"""Registering an incoming document with the keyboard only (R16; NĐ 30/2020 Art. 22), in a real
browser at a desk width and a phone width: the skip link, the cursor in the first field, the file
chooser opened from the keyboard, Enter registering the document (never "Đọc gói edXML"), the
character counter of long texts.
"""

import re

import pytest
from playwright.sync_api import FileChooser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.login import sign_in
from tests.support.files import pdf_bytes
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts.models import Role
from vanban.documents.models import Document

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param((1366, 768), id="1366px"), pytest.param((390, 844), id="390px")]
SUBJECT = "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử"


@pytest.fixture
def clerk(transactional_db, document_types):
    _root, unit = province_root_and_stttt()
    return make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))


def focused(page: Page) -> str:
    """The id of the element that has the focus ("" for none)."""
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def open_file_chooser(page: Page) -> FileChooser:
    """Space on the focused file input opens the chooser. Headless Chromium sometimes drops the
    first key press on a file input under load (no user activation yet): the press is repeated,
    the chooser is still only ever opened from the keyboard."""
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            expect(page.locator("#id_main_file")).to_be_focused()
    raise AssertionError("unreachable")


def tab_to(page: Page, element_id: str, *, back: bool = False, most: int = 60) -> None:
    """Press Tab (Shift+Tab with `back`) until `element_id` has the focus."""
    for _ in range(most):
        if focused(page) == element_id:
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{element_id} never got the focus")


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)


@pytest.mark.parametrize("size", WIDTHS)
def test_a_clerk_registers_an_incoming_document_with_the_keyboard_only(
    live_server, browser, csp_violations, clerk, tmp_path, size
):
    scan = tmp_path / "quyet-dinh-15.pdf"
    scan.write_bytes(pdf_bytes("ỦY BAN NHÂN DÂN TỈNH BẾN TRE", "Quyết định số 15/QĐ-UBND"))
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
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, clerk)
        page.goto(f"{live_server.url}/van-ban/den/")

        # The first Tab stop is the skip link, shown when it has the focus; it leads past the
        # menu to the main content.
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Bỏ qua menu, đến nội dung chính")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        assert focused(page) == "main"
        page.keyboard.press("Tab")
        for _ in range(40):
            if page.evaluate("document.activeElement.textContent.trim()") == "Vào sổ văn bản đến":
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == (
            "/van-ban/den/vao-so/"
        )
        page.keyboard.press("Enter")
        page.wait_for_url("**/van-ban/den/vao-so/")

        # The cursor is in the first field of the record.
        expect(page.locator("#id_unit")).to_be_focused()
        tab_to(page, "id_document_type")
        page.keyboard.type("Quyết")  # the select's own type-ahead
        expect(page.locator("#id_document_type option:checked")).to_have_text("Quyết định")
        type_into(page, "id_code_number", "15")
        type_into(page, "id_code_notation", "QĐ-UBND")
        type_into(page, "id_issued_date", "20/11/2026")
        type_into(page, "id_subject", SUBJECT)
        expect(page.locator("#id_subject-counter")).to_have_text(f"{len(SUBJECT)}/500 ký tự")
        type_into(page, "id_signer_name", "Trần Ngọc Tam")
        type_into(page, "id_issuer_name", "Ủy ban nhân dân tỉnh Bến Tre")
        tab_to(page, "id_main_file")
        open_file_chooser(page).set_files(str(scan))
        tab_to(page, "id_sensitive_declared")
        page.keyboard.press("Space")
        expect(page.locator("#id_sensitive_declared")).to_be_checked()
        # Back to a line of the record, then Enter registers the document.
        tab_to(page, "id_issuer_code", back=True)
        page.keyboard.type("000.00.00.H07")
        page.keyboard.press("Enter")

        page.wait_for_url(re.compile(r"/van-ban/\d+/$"))
        expect(page.get_by_text("Đã vào sổ đến số 1.")).to_be_visible()
        document = Document.objects.get()
        assert (document.code_number, document.subject) == ("15", SUBJECT)
        assert document.issued_date.isoformat() == "2026-11-20"
        assert [f.original_name for f in document.files.all()] == ["quyet-dinh-15.pdf"]
    finally:
        context.close()


def test_enter_in_a_field_registers_never_reads_a_package(live_server, page, clerk, tmp_path):
    """Enter presses the form's default button, "Vào sổ"; "Đọc gói edXML" stays for the mouse.
    Enter in the subject (a text area) starts a new line and sends nothing."""
    scan = tmp_path / "cong-van.pdf"
    scan.write_bytes(pdf_bytes("Công văn số 7"))
    sign_in(page, live_server.url, clerk)
    page.goto(f"{live_server.url}/van-ban/den/vao-so/")
    page.select_option("#id_document_type", label="Công văn")
    page.fill("#id_code_number", "7")
    page.fill("#id_code_notation", "UBND-VP")
    page.fill("#id_issued_date", "20/11/2026")
    page.fill("#id_issuer_name", "Ủy ban nhân dân tỉnh Bến Tre")
    page.set_input_files("#id_main_file", str(scan))
    page.check("#id_sensitive_declared")
    page.focus("#id_subject")
    page.keyboard.type("Về việc chuyển đổi số")
    page.keyboard.press("Enter")
    page.keyboard.type("năm 2027")
    assert page.url.endswith("/van-ban/den/vao-so/")
    page.focus("#id_signer_name")
    page.keyboard.type("Trần Ngọc Tam")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/van-ban/\d+/$"))
    expect(page.get_by_text("Đã vào sổ đến số 1.")).to_be_visible()
    assert Document.objects.get().subject == "Về việc chuyển đổi số\r\nnăm 2027"  # as posted


def test_a_long_subject_is_counted_and_refused_never_cut(live_server, page, clerk, tmp_path):
    """A 779-character subject pasted whole: the counter says it is too long, the server
    refuses it with its length and the text comes back as typed."""
    long_subject = ("Về việc triển khai kế hoạch chuyển đổi số năm 2027 " * 16)[:778] + "."
    scan = tmp_path / "cong-van.pdf"
    scan.write_bytes(pdf_bytes("Công văn số 8"))
    sign_in(page, live_server.url, clerk)
    page.goto(f"{live_server.url}/van-ban/den/vao-so/")
    page.select_option("#id_document_type", label="Công văn")
    page.fill("#id_code_number", "8")
    page.fill("#id_issued_date", "20/11/2026")
    page.fill("#id_issuer_name", "Ủy ban nhân dân tỉnh Bến Tre")
    page.set_input_files("#id_main_file", str(scan))
    page.check("#id_sensitive_declared")
    page.focus("#id_subject")
    page.keyboard.insert_text(long_subject)  # as a paste inserts it, in one input event
    assert page.input_value("#id_subject") == long_subject
    counter = page.locator("#id_subject-counter")
    expect(counter).to_have_text("779/500 ký tự — quá 279 ký tự, hãy rút gọn")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    page.focus("#id_code_number")
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    expect(
        page.get_by_text("Trích yếu dài 779 ký tự, quá giới hạn 500 ký tự; hãy rút gọn.")
    ).to_be_visible()
    assert page.input_value("#id_subject") == long_subject
    expect(page.locator("#id_subject")).to_be_focused()
    assert not Document.objects.exists()
