"""The document viewer in a real browser (docs/files.md "Viewer"), at 1366 px and on a 390 px
phone: PDF.js, served by the site, draws the pages of a real three-page PDF on canvases with a text
layer; thumbnails, page number, previous and next, zoom and "fit width" work; the download button
gives the very file; a DOCX without a PDF made from it says so; the leader reads the document on
the processing page. The Content-Security-Policy stays as it is and the browser reports no
violation (console and `securitypolicyviolation` events, the worker included)."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import weasyprint
from django.core.files.storage import default_storage
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.e2e.login import sign_in
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import fixed_clock, issued, make_team
from tests.support.files import docx_bytes, upload
from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.documents import services as document_services
from vanban.exchange.models import Delivery
from vanban.workflow import services as workflow_services

pytestmark = pytest.mark.browser

PAGES = 3
PDF = weasyprint.HTML(
    string="<html><head><style>section { break-after: page; } h1 { font-size: 40pt; }"
    "</style></head><body>"
    + "".join(
        f"<section><h1>Trang {n} của quyết định</h1><p>Điều {n}. Nội dung điều {n}.</p></section>"
        for n in range(1, PAGES + 1)
    )
    + "</body></html>"
).write_pdf()
NAME = "Quyết định 15.pdf"
SCREENSHOTS = os.environ.get("VANBAN_SCREENSHOTS")  # a folder, to look at the viewer

# Records what the browser reports as a policy violation, before any page script runs (an init
# script is not subject to the page's policy).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

# Share of the canvas's pixels that are not white: a drawn page has text on it.
INKED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) inked += 1;
  }
  return inked / (data.length / 4);
}"""


# Whether page 1, drawn again at the new zoom, is wider than the viewer (`wider`) or not.
FIRST_PAGE_WIDER = """(wider) => {
  const canvas = document.querySelector(".viewer-page-box[data-page='1'] canvas");
  const pages = document.querySelector(".viewer-pages");
  return canvas !== null && (canvas.getBoundingClientRect().width > pages.clientWidth) === wider;
}"""


@pytest.fixture
def registered(office):
    document = document_services.incoming_register(
        actor=office.clerk,
        unit=office.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload(NAME, PDF, "application/pdf"),
        attachments=[upload("Phụ lục.docx", docx_bytes("Danh sách đơn vị"))],
    )
    workflow_services.processing_present(
        actor=office.clerk, document=document, leader=office.leader
    )
    return document


@pytest.fixture
def window_for(
    browser: Browser, live_server, csp_violations
) -> Iterator[Callable[[User, int], Page]]:
    """A window of `width` px for one person, signed in; console policy errors and page errors
    are collected for the end of the test."""
    contexts = []
    errors: list[str] = []

    def open_window(user: User, width: int) -> Page:
        context = browser.new_context(
            locale="vi-VN",
            viewport={"width": width, "height": 800},
            accept_downloads=True,
            device_scale_factor=1,
        )
        contexts.append(context)
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(20000)

        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                csp_violations.append(f"{page.url}: {message.text}")

        context.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("worker", lambda worker: worker.on("console", on_console))
        sign_in(page, live_server.url, user)
        return page

    yield open_window
    for context in contexts:
        context.close()
    assert not errors, errors
    assert not csp_violations, csp_violations


def assert_no_violation(page: Page) -> None:
    assert page.evaluate("window.__violations") == []


def check_viewer(page: Page, width: int) -> None:
    """The PDF in the viewer: pages drawn, text layer, thumbnails, navigation, zoom."""
    viewer = page.locator("#document-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    expect(viewer.locator(".viewer-status")).to_have_text(f"{PAGES} trang")
    expect(viewer.locator(".viewer-count")).to_have_text(str(PAGES))
    expect(viewer.locator(".viewer-page-box")).to_have_count(PAGES)
    expect(viewer.locator(".viewer-thumb")).to_have_count(PAGES)
    # PDF.js parses in its own worker, loaded from the site (not the main-thread fallback).
    assert any("/static/vanban/vendor/pdfjs/pdf.worker" in w.url for w in page.workers)

    first = viewer.locator(".viewer-page-box[data-page='1'] canvas")
    expect(first).to_be_visible()
    assert first.evaluate(INKED) > 0.002  # text is drawn, the page is not blank
    # The text layer: the words of the page can be selected and found.
    expect(viewer.locator(".viewer-page-box[data-page='1'] .textLayer")).to_contain_text(
        "Nội dung điều 1."
    )
    # Fit width: the page fills the viewer's width, never wider than the screen.
    pages_width = viewer.locator(".viewer-pages").evaluate("e => e.clientWidth")
    canvas_width = first.evaluate("e => e.getBoundingClientRect().width")
    assert 0.8 * pages_width <= canvas_width <= pages_width, (canvas_width, pages_width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Thumbnails are drawn too.
    thumb = viewer.locator(".viewer-thumb").first.locator("canvas")
    expect(viewer.locator(".viewer-thumb").first).to_have_attribute("data-rendered", "true")
    assert thumb.evaluate(INKED) > 0.002
    expect(viewer.locator(".viewer-thumb").first).to_have_attribute("aria-current", "page")

    # Next, a thumbnail, previous, a typed number.
    page_input = viewer.get_by_label("Số trang")
    viewer.get_by_role("button", name="Trang sau").click()
    expect(page_input).to_have_value("2")
    second = viewer.locator(".viewer-page-box[data-page='2']")
    expect(second).to_have_attribute("data-rendered", "true")
    assert second.locator("canvas").evaluate(INKED) > 0.002
    expect(second.locator(".textLayer")).to_contain_text("Nội dung điều 2.")
    viewer.locator(".viewer-thumb").nth(2).click()
    expect(page_input).to_have_value("3")
    expect(viewer.locator(".viewer-thumb").nth(2)).to_have_attribute("aria-current", "page")
    expect(viewer.locator(".viewer-page-box[data-page='3']")).to_have_attribute(
        "data-rendered", "true"
    )
    viewer.get_by_role("button", name="Trang trước").click()
    expect(page_input).to_have_value("2")
    page_input.fill("1")
    page_input.press("Enter")
    expect(page_input).to_have_value("1")
    expect(viewer.locator(".viewer-thumb").first).to_have_attribute("aria-current", "page")

    # Zoom in makes the page wider than the viewer; "fit width" brings it back.
    viewer.get_by_role("button", name="Phóng to").click()
    expect(viewer.locator(".viewer-fit")).to_have_attribute("aria-pressed", "false")
    page.wait_for_function(FIRST_PAGE_WIDER, arg=True)
    viewer.get_by_role("button", name="Vừa khổ rộng").click()
    expect(viewer.locator(".viewer-fit")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(FIRST_PAGE_WIDER, arg=False)

    # Small enough for every page to be in view: the last page asked for stays the current one.
    for _ in range(6):
        viewer.get_by_role("button", name="Thu nhỏ").click()
    viewer.locator(".viewer-thumb").nth(PAGES - 1).click()
    expect(page_input).to_have_value(str(PAGES))
    page.wait_for_timeout(400)
    expect(page_input).to_have_value(str(PAGES))
    viewer.get_by_role("button", name="Vừa khổ rộng").click()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_document_page_shows_the_pdf_and_downloads_it(
    transactional_db,
    document_types,
    office,
    registered,
    window_for,
    live_server,
    width,
    tmp_path: Path,
):
    page = window_for(office.clerk, width)
    page.goto(f"{live_server.url}{reverse('documents:document_detail', args=[registered.pk])}")
    viewer = page.locator("#document-viewer")
    expect(viewer.get_by_role("heading", name="Xem văn bản")).to_be_visible()
    check_viewer(page, width)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/document-{width}.png", full_page=True)

    # The download button gives the very file, as an attachment.
    with page.expect_download() as info:
        viewer.get_by_role("link", name="Tải xuống").click()
    download = info.value
    assert download.suggested_filename == NAME
    target = tmp_path / "downloaded.pdf"
    download.save_as(target)
    assert target.read_bytes() == PDF

    # The DOCX attachment has no PDF to show yet: the viewer says so and offers its download.
    viewer.get_by_role("button", name="Tệp đính kèm: Phụ lục.docx").click()
    expect(viewer.locator(".viewer-missing")).to_be_visible()
    expect(viewer.locator(".viewer-missing")).to_contain_text("Chưa có bản PDF để xem")
    expect(viewer.locator(".viewer-page-box")).to_have_count(0)
    docx = registered.files.get(role="attachment")
    expect(viewer.get_by_role("link", name="Tải xuống")).to_have_attribute(
        "href", f"/van-ban/tep/{docx.pk}/tai-xuong/"
    )
    # ... and back to the PDF, from its first page (it was left on another).
    viewer.get_by_role("button", name=f"Tệp chính: {NAME}").click()
    expect(viewer).to_have_attribute("data-state", "ready")
    expect(viewer.locator(".viewer-page-box[data-page='1']")).to_have_attribute(
        "data-rendered", "true"
    )
    expect(viewer.get_by_label("Số trang")).to_have_value("1")

    # The viewer read the file through the download, recorded as viewed.
    main = registered.files.get(role="main")
    views = AuditEvent.objects.filter(action="document.file_download", data__viewed=True)
    assert views.filter(data__file=main.pk).exists()
    assert_no_violation(page)


def test_the_leader_reads_the_document_on_the_processing_page_of_a_phone(
    transactional_db, document_types, office, registered, window_for, live_server
):
    page = window_for(office.leader, 390)
    page.goto(f"{live_server.url}{reverse('workflow:document', args=[registered.pk])}")
    expect(page.get_by_role("heading", name="Xem văn bản")).to_be_visible()
    check_viewer(page, 390)
    if SCREENSHOTS:
        page.locator("#document-viewer").screenshot(path=f"{SCREENSHOTS}/viewer-390.png")
    assert_no_violation(page)


def test_the_clerk_reads_a_document_in_the_reception_queue(
    transactional_db, document_types, province, window_for, live_server
):
    """Before registering, the recipient's clerk reads the signed PDF in the queue item."""
    team = make_team(province)
    with fixed_clock():
        _draft, document = issued(team)
    queued = Delivery.objects.get(document=document)
    page = window_for(team.clerk_snv, 1366)
    page.goto(f"{live_server.url}{reverse('exchange:delivery_detail', args=[queued.pk])}")
    viewer = page.locator("#document-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    stored = queued.sent_document.files.get(role="main")
    with default_storage.open(stored.storage_name) as handle:
        pages = len(PdfReader(handle).pages)
    expect(viewer.locator(".viewer-status")).to_have_text(f"{pages} trang")
    expect(viewer.locator(".viewer-page-box")).to_have_count(pages)
    first = viewer.locator(".viewer-page-box[data-page='1']")
    expect(first).to_have_attribute("data-rendered", "true")
    assert first.locator("canvas").evaluate(INKED) > 0.002
    expect(first.locator(".textLayer")).to_contain_text("Kế hoạch")
    assert_no_violation(page)


def test_a_file_gone_from_storage_is_explained_and_recorded(
    transactional_db, document_types, office, registered, window_for, live_server
):
    """The viewer's copy is refused like a download (409): the viewer says why, in Vietnamese,
    keeps the download button, and the refusal is in the audit trail."""
    main = registered.files.get(role="main")
    default_storage.delete(main.storage_name)
    page = window_for(office.clerk, 1366)
    page.goto(f"{live_server.url}{reverse('documents:document_detail', args=[registered.pk])}")
    viewer = page.locator("#document-viewer")
    expect(viewer).to_have_attribute("data-state", "error")
    expect(viewer.locator(".viewer-status")).to_have_text(
        "Tệp lưu trữ đã mất hoặc đã bị thay đổi (mã SHA-256 không khớp), không hiển thị được. "
        "Hãy báo văn thư của đơn vị."
    )
    expect(viewer.locator(".viewer-page-box")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Tải xuống")).to_be_visible()
    refused = AuditEvent.objects.filter(action="document.file_download_refused")
    assert refused.filter(data__file=main.pk, data__viewed=True).count() == 1
    assert_no_violation(page)
