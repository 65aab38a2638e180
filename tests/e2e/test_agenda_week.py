"""The weekly work calendar in a real browser (docs/agenda.md): the office types an entry with
the date as dd/mm/yyyy and the time as HH:MM, a leader publishes the week, and a member of staff
opens "Lịch công tác" from the menu, on a desktop and on a phone, without breaking the
Content-Security-Policy (the `page` fixture fails on a violation)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.login import open_menu, sign_in, sign_out
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts.models import Role
from vanban.agenda import services
from vanban.agenda.models import AgendaWeek

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    _root, unit = province_root_and_stttt()
    return {
        "clerk": make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,)),
        "leader": make_user(unit, "Phạm Minh Đức", (Role.LEADER,), position="Giám đốc"),
        "staff": make_user(unit, "Nguyễn Thu Phương"),
    }


def sign_out_and_wait(page: Page) -> None:
    sign_out(page)
    page.wait_for_url("**/dang-nhap/**")


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_office_drafts_the_leader_publishes_and_staff_read_the_week(
    live_server, page, people, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    today = timezone.localdate()
    sign_in(page, live_server.url, people["clerk"])
    open_menu(page)
    page.locator("nav.menu").get_by_role("link", name="Lịch công tác", exact=True).click()
    expect(page.get_by_role("heading", name="Lịch công tác tuần", exact=False)).to_be_visible()
    page.get_by_role("link", name="Thêm nội dung").click()
    page.get_by_label("Ngày (dd/mm/yyyy)").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu (HH:MM)").fill("25:00")
    page.get_by_label("Nội dung").fill("Họp giao ban lãnh đạo Sở")
    page.get_by_label("Địa điểm").fill("Phòng họp số 1")
    page.get_by_label("Phạm Minh Đức (Giám đốc)").check()
    page.get_by_role("button", name="Lưu").click()
    # The bad time is refused next to its field; what was typed stays.
    expect(page.get_by_text("Giờ bắt đầu “25:00” không hợp lệ", exact=False)).to_be_visible()
    page.get_by_label("Giờ bắt đầu (HH:MM)").fill("14:00")
    page.get_by_label("Giờ kết thúc (nếu có)").fill("16:30")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã thêm nội dung vào lịch tuần.")).to_be_visible()
    page.get_by_role("button", name="Trình lãnh đạo duyệt").click()
    expect(page.get_by_text("Đã trình lãnh đạo duyệt lịch tuần.")).to_be_visible()
    sign_out_and_wait(page)

    sign_in(page, live_server.url, people["leader"])
    open_menu(page)
    page.locator("nav.menu").get_by_role("link", name="Lịch công tác", exact=True).click()
    page.get_by_role("button", name="Duyệt và công bố").click()
    expect(page.get_by_text("Đã duyệt và công bố lịch tuần", exact=False)).to_be_visible()
    assert AgendaWeek.objects.get().revision == 1
    sign_out_and_wait(page)

    sign_in(page, live_server.url, people["staff"])
    # The home page has this week's calendar.
    expect(page.get_by_text("14:00 – 16:30: Họp giao ban lãnh đạo Sở")).to_be_visible()
    open_menu(page)
    page.locator("nav.menu").get_by_role("link", name="Lịch công tác", exact=True).click()
    day = page.locator(f"#day-{today:%Y-%m-%d}")
    expect(day).to_contain_text("(hôm nay)")
    expect(day.get_by_role("heading", name="Chiều")).to_be_visible()
    expect(day).to_contain_text("14:00 – 16:30")
    expect(day).to_contain_text("Họp giao ban lãnh đạo Sở")
    expect(day).to_contain_text("Phòng họp số 1")
    expect(day).to_contain_text("Phạm Minh Đức, Giám đốc")
    expect(page.locator(".agenda-day")).to_have_count(7)
    expect(page.get_by_role("link", name="Thêm nội dung")).to_have_count(0)
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Next week and back.
    page.get_by_role("link", name="Tuần sau »").click()
    expect(page.get_by_text("chưa được công bố", exact=False)).to_be_visible()
    page.get_by_role("link", name="« Tuần trước").click()
    expect(page.locator(f"#day-{today:%Y-%m-%d}")).to_contain_text("Họp giao ban lãnh đạo Sở")
    assert services.week_of(today) == (
        AgendaWeek.objects.get().iso_year,
        AgendaWeek.objects.get().iso_week,
    )
