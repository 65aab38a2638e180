"""A clerk's day in a real browser: register an incoming PDF, find it, print the register."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.files import pdf_bytes
from tests.support.province import PASSWORD, make_user, province_root_and_stttt
from vanban.accounts.models import Role
from vanban.documents.models import Document

pytestmark = pytest.mark.browser


@pytest.fixture
def clerk(transactional_db, document_types):
    _root, unit = province_root_and_stttt()
    return make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))


def test_clerk_registers_finds_and_prints(live_server, page, clerk, tmp_path):
    scan = tmp_path / "quyet-dinh-15.pdf"
    scan.write_bytes(pdf_bytes("ỦY BAN NHÂN DÂN TỈNH BẾN TRE", "Quyết định số 15/QĐ-UBND"))
    today = timezone.localdate()

    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên tài khoản").fill(clerk.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào, Võ Thị Thu Trang")).to_be_visible()

    page.get_by_role("link", name="Văn bản đến").first.click()
    page.get_by_role("link", name="Vào sổ").first.click()
    page.select_option("#id_document_type", label="Quyết định")
    page.fill("#id_code_number", "15")
    page.fill("#id_code_notation", "QĐ-UBND")
    page.fill("#id_issued_date", (today - dt.timedelta(days=1)).strftime("%d/%m/%Y"))
    page.fill("#id_issuer_name", "Ủy ban nhân dân tỉnh Bến Tre")
    page.fill("#id_signer_name", "Trần Ngọc Tam")
    page.fill("#id_subject", "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử")
    page.select_option("#id_urgency", label="Khẩn")
    page.set_input_files("#id_main_file", str(scan))
    page.check("#id_sensitive_declared")
    page.get_by_role("button", name="Vào sổ").last.click()

    expect(page.get_by_text("Đã vào sổ đến số 1.")).to_be_visible()
    document = Document.objects.get()
    assert (document.register_number, document.urgency) == (1, 1)
    assert document.files.get().original_name == "quyet-dinh-15.pdf"

    # Found by the subject typed without diacritics.
    page.get_by_role("link", name="Tìm kiếm").first.click()
    page.fill("[name=q]", "quy che quan ly van ban dien tu")
    page.keyboard.press("Enter")
    result = page.get_by_role("link", name="15/QĐ-UBND").first
    expect(result).to_be_visible()

    # The quarter's incoming register, printed.
    page.get_by_role("link", name="Sổ văn bản").first.click()
    expect(
        page.get_by_text("Quyết định về việc ban hành Quy chế quản lý văn bản điện tử")
    ).to_be_visible()
    with page.expect_download() as download_info:
        page.click("#register-pdf")
    download = download_info.value
    assert download.suggested_filename.startswith("so-van-ban-den-stttt-")
    path = tmp_path / "so.pdf"
    download.save_as(path)
    reader = PdfReader(path)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "Quy chế quản lý văn bản điện tử" in text
    box = reader.pages[1].mediabox
    assert box.width > box.height  # A4 landscape
