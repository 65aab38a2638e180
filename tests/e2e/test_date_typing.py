"""A date typed day first in an English-language browser is stored as typed (R16).

The browser's own date box follows the browser's language: in English it reads 05/11 as 11 May.
The registration form's date is a text box of ours, so 05/11/2025 is 5 November in any browser.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.login import sign_in
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.files import pdf_bytes
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts.models import Role
from vanban.documents.models import Document

pytestmark = pytest.mark.browser


@pytest.fixture
def clerk(transactional_db, document_types):
    _root, unit = province_root_and_stttt()
    return make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))


@pytest.fixture
def english_page(browser, csp_violations):
    """A page of a second Chromium started in English (--lang=en-US), through the session's
    Playwright (a second sync Playwright cannot start in the same thread)."""
    english = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=en-US"]
    )
    context = english.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
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
    assert page.evaluate("navigator.language") == "en-US"
    yield page
    english.close()
    assert not csp_violations, csp_violations


def test_a_day_first_date_is_stored_right_in_an_english_browser(
    live_server, english_page, clerk, tmp_path
):
    page = english_page
    day = dt.date(timezone.localdate().year - 1, 11, 5)  # 5 November: month-first would be May
    scan = tmp_path / "cong-van.pdf"
    scan.write_bytes(pdf_bytes("Công văn số 7"))
    sign_in(page, live_server.url, clerk)
    page.goto(f"{live_server.url}/van-ban/den/vao-so/")
    box = page.locator("#id_issued_date")
    expect(box).to_have_attribute("type", "text")
    expect(box).to_have_attribute("placeholder", "dd/mm/yyyy")
    page.select_option("#id_document_type", label="Công văn")
    page.fill("#id_code_number", "7")
    page.fill("#id_code_notation", "UBND-VP")
    page.fill("#id_issuer_name", "Ủy ban nhân dân tỉnh Bến Tre")
    page.fill("#id_subject", "Về việc chuyển đổi số")
    page.set_input_files("#id_main_file", str(scan))
    page.check("#id_sensitive_declared")

    # A day the calendar lacks passes the box's pattern and is refused by the server in
    # Vietnamese, keeping what was typed.
    box.click()
    page.keyboard.type(f"31/02/{day.year}")
    page.get_by_role("button", name="Vào sổ").last.click()
    expect(page.get_by_text(f"Ngày 31/02/{day.year} không có trên lịch")).to_be_visible()
    assert not Document.objects.exists()
    expect(box).to_have_value(f"31/02/{day.year}")

    # Something else than a date is stopped by the box itself, in the browser.
    box.fill("")
    box.click()
    page.keyboard.type("Nov 5")
    assert page.evaluate("document.querySelector('#id_issued_date').validity.patternMismatch")

    box.fill("")
    box.click()
    page.keyboard.type(day.strftime("%d/%m/%Y"))
    page.set_input_files("#id_main_file", str(scan))
    page.check("#id_sensitive_declared")
    page.get_by_role("button", name="Vào sổ").last.click()
    expect(page.get_by_text("Đã vào sổ đến số 1.")).to_be_visible()
    assert Document.objects.get().issued_date == day
