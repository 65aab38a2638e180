"""The reorganisation of 1 July 2025 in a real browser, on the demo (docs/reorganisation.md): the
province administrator previews the communes' plan on a 390 px phone (no sideways scrolling),
applies both plans at 1366 px from Quản trị › Sắp xếp đơn vị and downloads the report; then the
clerk of the merged Sở signs in with her former account name, is told her new one, and finds the
documents of the Sở Thông tin và Truyền thông (ended on 30/06/2025) by the unit name of their
time, each showing that unit."""

import pytest
from playwright.sync_api import expect

from tests.e2e.login import open_menu
from tests.e2e.phone_world import page_width
from tests.support.province import PASSWORD
from vanban.accounts.models import Unit, User
from vanban.documents.models import Direction, Document
from vanban.portal.demo import demo_load
from vanban.reorganisation.models import PlanState, ReorganisationPlan

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("own_storage")]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
OLD_SO = "Sở Thông tin và Truyền thông"


@pytest.fixture
def demo(transactional_db, document_types, settings, tmp_path):
    settings.VANBAN_TESTPKI_DIR = tmp_path / "testpki"
    demo_load(lambda _line: None)
    for username in ("quannh.stttt", "trangvtt.stttt"):
        person = User.objects.get(username=username)
        person.set_password(PASSWORD)
        person.must_change_password = False
        person.save()
    return User.objects.get(username="quannh.stttt")


def _open_plans(page) -> None:  # type: ignore[no-untyped-def]
    open_menu(page)
    page.locator("summary", has_text="Quản trị").click()
    page.locator("nav.menu").get_by_role("link", name="Sắp xếp đơn vị").click()
    expect(page.get_by_role("heading", name="Sắp xếp đơn vị", exact=True)).to_be_visible()


def _apply(page, title: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#plan-table").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name="Xem trước")).to_be_visible()
    expect(page.locator("#conflicts")).to_have_count(0)
    page.locator("#apply-form input[name=confirm]").check()
    page.get_by_role("button", name="Áp dụng kế hoạch").click()
    expect(page.get_by_role("heading", name="Kết quả")).to_be_visible()
    expect(page.locator("#report-pdf")).to_be_visible()


def test_the_province_applies_the_plans_of_2025_and_the_clerk_finds_the_old_documents(
    demo, window_at, live_server, browser
):
    communes, province = ReorganisationPlan.objects.order_by("pk")
    outgoing = (
        Document.objects.filter(unit__name=OLD_SO, direction=Direction.OUTGOING)
        .select_related("document_type")
        .order_by("pk")
        .first()
    )
    assert outgoing is not None and outgoing.issuer_name == OLD_SO

    # The preview on a phone: the plan's tables fold into cards.
    phone = window_at(demo, PHONE)
    _open_plans(phone)
    phone.locator("#plan-table").get_by_role("link", name=communes.title).click()
    expect(phone.get_by_role("heading", name="Xem trước")).to_be_visible()
    expect(phone.locator("#created")).to_contain_text("Ủy ban nhân dân phường An Hội")
    expect(phone.locator("#ended")).to_contain_text("Ủy ban nhân dân huyện Châu Thành")
    assert page_width(phone) <= PHONE["width"]

    # Both plans applied at 1366 px, the communes' first.
    wide = window_at(demo, WIDE)
    _open_plans(wide)
    _apply(wide, communes.title)
    expect(wide.locator("main")).to_contain_text("Thành lập 12")
    wide.locator("#main").get_by_role("link", name="Sắp xếp đơn vị").click()
    _apply(wide, province.title)
    with wide.expect_download() as download:
        wide.locator("#report-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert set(ReorganisationPlan.objects.values_list("state", flat=True)) == {PlanState.APPLIED}
    assert not Unit.objects.filter(end_date__isnull=True, agency_code__endswith=".H07").exists()

    # The clerk signs in with her former name and is told the new one.
    context = browser.new_context(locale="vi-VN", viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên tài khoản").fill("trangvtt.stttt")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Tên tài khoản của bạn nay là trangvtt.skhcnvl")).to_be_visible()

    # She finds the ended Sở's documents by its name of the time, and each shows that unit.
    page.goto(f"{live_server.url}/van-ban/tim-kiem/")
    page.get_by_label("Tìm văn bản").fill(f'"{OLD_SO}"')
    page.get_by_label("Tìm văn bản").press("Enter")
    results = page.locator("main")
    expect(results).to_contain_text(outgoing.number_symbol)
    page.get_by_role("link", name=outgoing.number_symbol).first.click()
    expect(page.locator("main")).to_contain_text(OLD_SO)
    expect(page.locator("main")).to_contain_text(outgoing.subject)
    context.close()
