"""The filter box of a long unit picker in a real browser (docs/accounts.md, "Unit pickers"): a
clerk types part of a name without diacritics, or part of an agency code, and only the matching
units stay in the list; on a desktop and on a phone, without breaking the Content-Security-Policy
(the `page` fixture fails on a violation)."""

import pytest
from playwright.sync_api import Page, expect

from tests.support.province import PASSWORD, add_districts, make_user, province_root_and_stttt
from vanban.accounts.models import Role

pytestmark = pytest.mark.browser

DISTRICTS = ["Châu Thành", "Ba Tri", "Bình Đại", "Giồng Trôm", "Mỏ Cày Nam", "Thạnh Phú"]


@pytest.fixture
def clerk(transactional_db, document_types):
    root, unit = province_root_and_stttt()
    add_districts(root, DISTRICTS)  # 2 + 3 × 6 units: the issuer picker is long
    return make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))


def shown(page: Page, select: str) -> list[str]:
    """Labels of the options the filter leaves in the list (the empty choice aside)."""
    return page.eval_on_selector(
        select,
        "s => Array.from(s.options)"
        ".filter(o => !o.hidden && !(o.parentElement.tagName === 'OPTGROUP'"
        " && o.parentElement.hidden) && o.value !== '').map(o => o.text)",
    )


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_clerk_filters_the_issuer_units_by_name_or_code(
    live_server, page, clerk, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên tài khoản").fill(clerk.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào, Võ Thị Thu Trang")).to_be_visible()
    page.goto(f"{live_server.url}/van-ban/den/vao-so/")

    everything = shown(page, "#id_issuer_unit")
    assert len(everything) == 2 + 3 * len(DISTRICTS)
    box = page.get_by_label("Lọc danh sách Cơ quan ban hành trong hệ thống")
    expect(box).to_be_visible()
    # The short list of the clerk's own unit gets no filter box.
    expect(page.locator("#id_unit_filter")).to_have_count(0)

    # Part of the name, without diacritics, in any case: "Phòng Nội vụ – UBND huyện Châu Thành".
    box.fill("noi vu CHAU THANH")
    assert shown(page, "#id_issuer_unit") == [
        "Phòng Nội vụ – UBND huyện Châu Thành (000.01.40.H07)"
    ]
    expect(page.get_by_text("1 đơn vị phù hợp")).to_be_visible()

    # Part of the agency code: the district office of Ba Tri (the second district, 41).
    box.fill("000.02.41")
    assert shown(page, "#id_issuer_unit") == [
        "Văn phòng HĐND và UBND – UBND huyện Ba Tri (000.02.41.H07)"
    ]
    # "đ" is typed as "d": every unit of Bình Đại, and only those.
    box.fill("binh dai")
    assert shown(page, "#id_issuer_unit") == [
        "UBND huyện Bình Đại (000.00.42.H07)",
        "Phòng Nội vụ – UBND huyện Bình Đại (000.01.42.H07)",
        "Văn phòng HĐND và UBND – UBND huyện Bình Đại (000.02.42.H07)",
    ]
    # The filtered list is still the form's select: choosing works as before.
    page.select_option(
        "#id_issuer_unit", label="Phòng Nội vụ – UBND huyện Bình Đại (000.01.42.H07)"
    )
    assert page.eval_on_selector("#id_issuer_unit", "s => s.selectedOptions[0].dataset.code") == (
        "000.01.42.H07"
    )
    # Enter in the box filters; it does not send the form.
    box.press("Enter")
    assert page.url.endswith("/van-ban/den/vao-so/")
    box.fill("")
    assert shown(page, "#id_issuer_unit") == everything

    # The box fits the screen: nothing sticks out to the right on the phone.
    right = page.eval_on_selector("#id_issuer_unit_filter", "e => e.getBoundingClientRect().right")
    assert right <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
