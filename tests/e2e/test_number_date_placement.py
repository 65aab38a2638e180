"""The clerk places the number box and the date box by dragging on the preview of a scanned first
page (NĐ 30/2020 Art. 15, Appendix I); the script fills in the millimetre inputs and the issued
PDF shows the number and the date where the boxes were drawn."""

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect

from tests import signing
from tests.drafting.test_number_date import scanned_pdf, text_of
from tests.e2e.login import sign_in
from tests.support.drafting import create_draft, organisation_key, to_approved, to_signed

pytestmark = pytest.mark.browser


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A drag on the page image, from and to fractions of its width and height."""
    image = page.locator("#placement-image")
    image.scroll_into_view_if_needed()
    box = image.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=5)
    page.mouse.up()


def value(page: Page, name: str) -> float:
    return float(page.locator(f"[name='{name}']").input_value())


def test_the_clerk_drags_the_boxes_on_the_page_and_issues(live_server, page, document_types, team):
    draft = create_draft(team, content=scanned_pdf())
    to_approved(team, draft)
    to_signed(team, draft)
    key = organisation_key(team)

    sign_in(page, live_server.url, team.clerk)
    page.goto(f"{live_server.url}/du-thao/{draft.pk}/")
    placement = page.locator("#number-date-placement")
    expect(placement.locator("#placement-needed")).to_contain_text("không tự tìm được chỗ")
    expect(placement.locator(".placement-tools")).to_be_visible()
    page.wait_for_function("document.getElementById('placement-image').naturalWidth > 0")

    # The number box: 10 % to 40 % of the width, 12 % to 15 % of the height (A4: 210 × 297 mm).
    drag(page, (0.10, 0.12), (0.40, 0.15))
    assert value(page, "number_x") == pytest.approx(21, abs=1.5)
    assert value(page, "number_y") == pytest.approx(35.6, abs=1.5)
    assert value(page, "number_width") == pytest.approx(63, abs=1.5)
    assert value(page, "number_height") == pytest.approx(8.9, abs=1.5)
    expect(placement.locator(".placement-number")).to_be_visible()
    # After the number box the date box is the one drawn next.
    expect(placement.locator("input[name='placement-target'][value='date']")).to_be_checked()
    drag(page, (0.52, 0.12), (0.95, 0.15))
    assert value(page, "date_x") == pytest.approx(109.2, abs=1.5)
    expect(placement.locator(".placement-date")).to_be_visible()

    page.get_by_label("Chứng thư số tổ chức").select_option(str(key.certificate.pk))
    page.get_by_label("Mã PIN").fill(signing.PIN)
    page.get_by_role("button", name="Cấp số, ký số và ban hành").click()
    expect(page.locator("body")).to_contain_text("Đã cấp số 01/KH-STTTT")
    expect(page.locator("body")).not_to_contain_text("Không tự ghi được")

    draft.refresh_from_db()
    main = draft.document.files.get(role="main")
    text = text_of(default_storage.open(main.storage_name).read())
    assert "Số: 01/KH-STTTT" in text and "ngày" in text and "năm 20" in text
