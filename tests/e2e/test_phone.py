"""The pages on a phone, 390 px wide (docs/deployment.md, "Phones"): the main menu folds behind a
"Menu" button, the document lists become cards that keep the trích yếu, choices of several people
or units are checkboxes ticked by touch, no page scrolls sideways for any role, and the director
directs a document, approves and signs a draft on his phone. On a desktop the menu and the tables
stay as they were."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import signing
from tests.e2e.login import sign_in
from tests.e2e.phone_world import (
    DESKTOP,
    LONG_SUBJECT,
    PHONE,
    PRESENTED_SUBJECT,
    World,
    open_menu_link,
    page_width,
)
from tests.support.drafting import SUBJECT as DRAFT_SUBJECT
from tests.support.province import add_districts, make_user
from vanban.accounts.models import Role
from vanban.drafting.models import DraftStatus
from vanban.workflow.models import Assignment, AssignmentRole, Processing, ProcessingStatus

pytestmark = pytest.mark.browser


def test_the_menu_folds_behind_a_button_on_a_phone_and_works_by_keyboard(
    live_server, page, province
):
    clerk = make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, clerk)
    toggle = page.get_by_role("button", name="Menu")
    menu = page.locator("nav#main-menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "main-menu")
    expect(menu).to_be_hidden()
    # Folded, the top bar is one line: the name of the system and the button.
    assert page.locator("header.topbar").bounding_box()["height"] < 100

    # Keyboard: the skip link, the name of the system, then the button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Trang chủ")).to_be_focused()
    # Escape closes it and gives the focus back to the button.
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    # Space opens it as well; a link of the open menu leads to its page.
    page.keyboard.press("Space")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="Văn bản đến", exact=True).click()
    expect(page.get_by_role("heading", name="Văn bản đến")).to_be_visible()
    expect(menu).to_be_hidden()  # a new page starts with the menu folded
    assert page_width(page) <= PHONE["width"]

    # On a desktop the menu is shown as before and the button is not there.
    page.set_viewport_size(DESKTOP)
    expect(toggle).to_be_hidden()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Việc của tôi")).to_be_visible()
    # Back to the phone: folded again.
    page.set_viewport_size(PHONE)
    expect(menu).to_be_hidden()


def test_no_main_page_scrolls_sideways_on_a_phone_for_any_role(
    world: World, window_at, live_server
):
    team, province = world.team, world.province
    document = world.presented.pk
    common = [
        reverse("portal:home"),
        reverse("workflow:my_work"),
        reverse("documents:incoming_list"),
        reverse("documents:outgoing_list"),
        reverse("documents:search") + "?q=van+ban",
        reverse("drafting:draft_list"),
        reverse("drafting:waiting"),
        reverse("signatures:mine"),
        reverse("core:notifications"),
        reverse("accounts:profile"),
        reverse("workflow:deadlines"),
        reverse("workflow:delegations"),
    ]
    pages = {
        team.clerk: [
            *common,
            reverse("documents:incoming_create"),
            reverse("documents:outgoing_create"),
            reverse("documents:document_detail", args=[document]),
            reverse("workflow:document", args=[document]),
            reverse("exchange:queue"),
            reverse("documents:register_incoming"),
            reverse("documents:series_list"),
            reverse("workflow:dashboard"),
        ],
        team.signer: [
            *common,
            reverse("workflow:document", args=[document]),
            reverse("drafting:draft_detail", args=[world.draft.pk]),
            reverse("drafting:draft_create"),
        ],
        team.drafter: [
            *common,
            reverse("workflow:document", args=[world.assigned.pk]),
            reverse("drafting:draft_detail", args=[world.draft.pk]),
        ],
        province.admin_stttt: [
            reverse("portal:home"),
            reverse("accounts:account_list"),
            reverse("accounts:unit_list"),
            reverse("reports:account_changes"),
            reverse("interop:monitor"),
            reverse("scanning:detection_list"),
        ],
        province.province_admin: [
            reverse("accounts:policy"),
            reverse("documents:document_policy"),
            reverse("interop:partner_list"),
        ],
    }
    too_wide = []
    seen = 0
    for person, urls in pages.items():
        window = window_at(person)
        for url in urls:
            response = window.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            seen += 1
            width = page_width(window)
            if width > PHONE["width"]:
                too_wide.append(f"{person.full_name} {url}: {width} px")
            for part in cut_at_the_right(window):
                too_wide.append(f"{person.full_name} {url}: {part}")
    assert seen == sum(len(urls) for urls in pages.values())
    assert not too_wide, "Pages wider than the phone:\n" + "\n".join(too_wide)


def cut_at_the_right(page: Page) -> list[str]:
    """What does not fit the screen's width though the page itself does not scroll: a list of
    documents scrolling inside its box, or anything reaching past the right edge outside a box
    that scrolls (a wide register may scroll inside its own box, .table-wrap)."""
    found: list[str] = page.evaluate(
        """() => {
          const out = [];
          const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (typeof e.className === 'string' && e.className
               ? '.' + e.className.split(' ').join('.') : '');
          for (const e of document.querySelectorAll('main *')) {
            if (e.offsetParent === null && getComputedStyle(e).position !== 'fixed') continue;
            const style = getComputedStyle(e);
            if (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1
                && e.querySelector('table.cards-narrow'))
              out.push(name(e) + ' scrolls inside: ' + e.scrollWidth + ' > ' + e.clientWidth);
            const r = e.getBoundingClientRect();
            if (r.width > 0 && r.right > window.innerWidth + 1 && !e.closest('.table-wrap'))
              out.push(name(e) + ' reaches ' + Math.round(r.right) + ' px');
          }
          return out.slice(0, 5);
        }"""
    )
    return found


def card_boxes(page: Page, table: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        f"{table} tbody tr",
        "rows => rows.map(r => { const b = r.getBoundingClientRect();"
        " return {left: b.left, right: b.right, height: b.height}; })",
    )


def test_lists_are_cards_with_the_subject_on_a_phone_and_tables_on_a_desktop(
    world: World, window_at, live_server
):
    clerk = window_at(world.team.clerk)
    open_menu_link(clerk, "Văn bản đến")
    table = clerk.locator("#document-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    # Each document is a card as wide as the screen, the trích yếu on its first line, whole.
    assert table.locator("thead").bounding_box()["height"] <= 1  # read out, not shown
    boxes = card_boxes(clerk, "#document-table")
    assert all(b["left"] >= 0 and b["right"] <= PHONE["width"] for b in boxes), boxes
    long_row = table.locator("tbody tr", has_text=LONG_SUBJECT)
    subject = long_row.locator("td.card-title")
    expect(subject).to_have_text(LONG_SUBJECT)
    expect(subject).to_be_visible()
    first_line = long_row.locator("td").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().top)"
    )
    assert min(first_line) == subject.bounding_box()["y"]
    # The number, the dates and the urgency follow, each named.
    expect(long_row.locator("td[data-label='Số ký hiệu']")).to_have_text("131/QĐ-UBND")
    assert (
        long_row.locator("td[data-label='Độ khẩn']").evaluate(
            "c => getComputedStyle(c, '::before').content"
        )
        == '"Độ khẩn: "'
    )
    expect(long_row.locator(".badge-urgency")).to_have_text("Khẩn")
    # Short documents take a small part of the screen: three or more fit in it.
    short = [b["height"] for b in boxes]
    assert sorted(short)[2] < PHONE["height"] / 3, short
    assert page_width(clerk) <= PHONE["width"]

    # "Việc của tôi" of the director: the document presented to him, with its deadline and
    # urgency, the link to its processing page.
    director = window_at(world.team.signer)
    open_menu_link(director, "Việc của tôi")
    row = director.locator("#to-direct tbody tr", has_text=PRESENTED_SUBJECT)
    expect(row.locator("td.card-title")).to_be_visible()
    expect(row.locator("td[data-label='Hạn ghi trên văn bản']")).to_be_visible()
    expect(row.get_by_role("link", name="Quyết định số 245/QĐ-UBND")).to_be_visible()
    expect(row.locator(".badge-urgency")).to_have_text("Khẩn")
    # The drafts he has to approve, and the search results, alike.
    card = director.locator("#drafts-waiting tbody tr").first
    expect(card.locator("td.card-title")).to_have_text(DRAFT_SUBJECT)
    open_menu_link(director, "Dự thảo")
    director.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    expect(
        director.locator("#approve-table td.card-title").get_by_role("link", name=DRAFT_SUBJECT)
    ).to_be_visible()
    director.goto(f"{live_server.url}{reverse('documents:search')}?q=ke+hoach")
    results = director.locator("#search-table")
    expect(results.locator("td.card-title").first).to_contain_text(LONG_SUBJECT)
    boxes = card_boxes(director, "#search-table")
    assert boxes and all(b["right"] <= PHONE["width"] for b in boxes), boxes
    assert page_width(director) <= PHONE["width"]

    # On a desktop the same list is a table with its header row.
    desktop = window_at(world.team.clerk, DESKTOP)
    open_menu_link(desktop, "Văn bản đến")
    expect(desktop.locator("#document-table thead")).to_be_visible()
    cells = (
        desktop.locator("#document-table tbody tr")
        .first.locator("td")
        .evaluate_all("cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    )
    assert len(set(cells)) == 1  # one line a document


def test_the_director_directs_approves_and_signs_on_his_phone(world: World, window_at):
    """The leader's path at 390 px (R15, R11): every field and button he needs is on the screen,
    the co-handler is ticked by touch, and what he did is stored."""
    team = world.team
    director = window_at(team.signer)
    open_menu_link(director, "Việc của tôi")
    director.locator("#to-direct").get_by_role("link", name="Quyết định số 245/QĐ-UBND").click()
    expect(director.locator("#document-subject")).to_have_text(PRESENTED_SUBJECT)
    form = director.locator("#direct-form")
    form.scroll_into_view_if_needed()
    director.fill("#id_direct_direction", "Giao Phòng Công nghệ thông tin chủ trì tham mưu.")
    director.select_option(
        "#id_direct_lead", label="Phòng Công nghệ thông tin – Sở Thông tin và Truyền thông"
    )
    # Co-handlers and readers: checkboxes, no "Ctrl" to hold.
    expect(form).not_to_contain_text("Ctrl")
    co = form.get_by_role("group", name="Phối hợp")
    expect(co.get_by_role("checkbox")).not_to_have_count(0)
    plan = co.get_by_label("Phòng Kế hoạch – Tài chính – Sở Thông tin và Truyền thông")
    plan.tap()
    expect(plan).to_be_checked()
    info = form.get_by_role("group", name="Nhận để biết")
    info.get_by_label(f"{team.checker.full_name} – Sở Thông tin và Truyền thông").tap()
    button = form.get_by_role("button", name="Giao xử lý")
    within_screen(director, "#direct-form")
    button.tap()
    expect(director.locator("ul.messages")).to_contain_text("Đã cho ý kiến chỉ đạo và giao xử lý.")
    expect(director.locator("#processing-status-label")).to_have_text("Đang xử lý")
    assert page_width(director) <= PHONE["width"]
    processing = Processing.objects.get(document=world.presented)
    assert processing.status == ProcessingStatus.IN_PROGRESS
    parts = {
        (a.role, a.assignee_unit_id, a.assignee_user_id)
        for a in Assignment.objects.filter(document=world.presented)
    }
    assert parts == {
        (AssignmentRole.LEAD, world.tech.pk, None),
        (AssignmentRole.CO, world.plan.pk, None),
        (AssignmentRole.INFO, None, team.checker.pk),
    }

    # The draft waiting for his approval: approve, then sign with the PIN of his key.
    open_menu_link(director, "Dự thảo")
    director.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    director.locator("#approve-table").get_by_role("link", name=DRAFT_SUBJECT).tap()
    approve = director.locator("#approve-form")
    within_screen(director, "#approve-form")
    approve.get_by_label("Đạt / đồng ý").tap()
    approve.locator("[name=approve-note]").fill("Đồng ý ban hành.")
    approve.get_by_role("button", name="Ghi ý kiến phê duyệt").tap()
    expect(director.locator("ul.messages")).to_contain_text(
        "Đã ghi nhận. Dự thảo: đã phê duyệt, chờ ban hành."
    )
    sign = director.locator("#sign-form")
    within_screen(director, "#sign-form")
    sign.locator("[name=pin]").fill(signing.PIN)
    sign.get_by_role("button", name="Ký số").tap()
    expect(director.locator("ul.messages")).to_contain_text("Đã ký số văn bản")
    expect(director.locator("#signed-status")).to_contain_text("Đã ký số")
    assert page_width(director) <= PHONE["width"]
    world.draft.refresh_from_db()
    assert world.draft.status == DraftStatus.APPROVED
    assert world.draft.is_signed and world.draft.signed_by == team.signer


def within_screen(page: Page, form: str) -> None:
    """Every field and button of the form lies inside the screen's width."""
    page.locator(form).scroll_into_view_if_needed()
    boxes = page.eval_on_selector_all(
        f"{form} input:not([type=hidden]), {form} select, {form} textarea, {form} button",
        "els => els.filter(e => e.offsetParent !== null).map(e => {"
        " const b = e.getBoundingClientRect();"
        " return [e.name || e.textContent, b.left, b.right]; })",
    )
    assert boxes
    outside = [b for b in boxes if b[1] < 0 or b[2] > PHONE["width"]]
    assert not outside, outside


def test_a_long_list_of_recipient_units_is_filtered_and_ticked_by_touch(
    live_server, page, province, document_types
):
    add_districts(province.root, ["Châu Thành", "Ba Tri", "Bình Đại", "Giồng Trôm", "Mỏ Cày"])
    staff = province.staff_stttt
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}{reverse('drafting:draft_create')}")
    units = page.get_by_role("group", name="Nơi nhận trong hệ thống")
    everything = units.get_by_role("checkbox").count()
    assert everything >= 3 * 5
    box = page.get_by_label("Lọc danh sách Nơi nhận trong hệ thống")
    box.fill("binh dai")
    shown = [t.strip() for t in units.locator("label:has(input):visible").all_inner_texts()]
    assert shown == [
        "UBND huyện Bình Đại",
        "Phòng Nội vụ – UBND huyện Bình Đại",
        "Văn phòng HĐND và UBND – UBND huyện Bình Đại",
    ]
    expect(page.get_by_text("3 đơn vị phù hợp")).to_be_visible()
    units.get_by_label("Phòng Nội vụ – UBND huyện Bình Đại", exact=True).click()
    box.fill("000.01.40")
    expect(units.get_by_label("Phòng Nội vụ – UBND huyện Châu Thành", exact=True)).to_be_visible()
    expect(units.get_by_label("Phòng Nội vụ – UBND huyện Bình Đại", exact=True)).to_be_hidden()
    # Hidden by the filter, still ticked.
    expect(units.get_by_label("Phòng Nội vụ – UBND huyện Bình Đại", exact=True)).to_be_checked()
    box.press("Enter")
    assert page.url.endswith(reverse("drafting:draft_create"))
    assert page_width(page) <= PHONE["width"]
