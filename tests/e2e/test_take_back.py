"""A take-back inside the deployment in a real browser, at 1366 px (QĐ 28/2018 status 13, 15;
R12, R15, R18; docs/drafting.md "Exchange inside the deployment").

The Sở Thông tin và Truyền thông issues a Quyết định its recipients keep permanently to the Sở
Nội vụ (built through the services: issuing is not the point here). The Sở Nội vụ's clerk sees
that a paper copy comes with it, registers it and presents it; the director gives it to a
specialist. The sender takes it back; the clerk agrees (15). The specialist, whose page still
shows the progress form, is refused with the reason, and finds the notice that the document was
taken back.
"""

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.login import sign_in
from tests.e2e.test_whole_path import flash, menu
from tests.support.documents import DECLARED, doc_type
from tests.support.files import pdf_upload
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts import services as account_services
from vanban.accounts.models import Role, User
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.documents.services import DocumentInput
from vanban.exchange import delivery
from vanban.exchange.models import Delivery, RecallStatus
from vanban.workflow.models import AssignmentStatus, Processing, ProcessingStatus
from vanban.workflow.services import MSG_WITHDRAWN

pytestmark = pytest.mark.browser

SUBJECT = "Quyết định phê duyệt Đề án chuyển đổi số giai đoạn 2026-2030"


@pytest.fixture
def window_for(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    """A window of its own for one person, 1366 px wide, signed in through the login page."""
    contexts = []

    def open_window(user: User) -> Page:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, user)
        expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()
        return page

    yield open_window
    for context in contexts:
        context.close()


def test_a_take_back_accepted_ends_the_handlers_work(transactional_db, document_types, window_for):
    root, stttt = province_root_and_stttt()
    snv = account_services.unit_create(
        actor=None,
        name="Sở Nội vụ",
        symbol="SNV",
        abbreviation="snv",
        agency_code="000.00.05.H07",
        parent=root,
    )
    clerk = make_user(stttt, "Võ Thị Thu Trang", (Role.CLERK,), position="Văn thư")
    clerk_snv = make_user(snv, "Đinh Văn Thư", (Role.CLERK,), position="Văn thư")
    director_snv = make_user(snv, "Châu Văn Lãnh", (Role.LEADER,), position="Giám đốc")
    specialist = make_user(snv, "Trần Thị Lan", position="Chuyên viên")

    # Unit A's issued Quyết định, kept permanently by its recipients (R12), sent to unit B.
    sent = document_services.outgoing_register(
        actor=clerk,
        unit=stttt,
        data=DocumentInput(
            document_type=doc_type("Quyết định"),
            subject=SUBJECT,
            code_number="15",
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload("quyet-dinh-15.pdf", SUBJECT),
    )
    Document.objects.filter(pk=sent.pk).update(needs_paper_copy=True)
    (copy,) = delivery.deliveries_create(actor=clerk, document=sent, units=[snv])
    deadline = timezone.localdate() + dt.timedelta(days=5)

    # 1. B's clerk sees the paper copy in the queue and on the document, and registers it.
    b_clerk = window_for(clerk_snv)
    menu(b_clerk, "Tiếp nhận")
    row = b_clerk.locator("#queue-table tbody tr", has_text=SUBJECT)
    expect(row.locator(".paper-copy")).to_have_text("Có bản giấy gửi kèm")
    row.get_by_role("link", name=sent.number_symbol).click()
    expect(b_clerk.locator("#paper-copy")).to_have_text(
        "Có bản giấy gửi kèm: cơ quan nhận lưu trữ vĩnh viễn văn bản này."
    )
    receive = b_clerk.locator("#receive-form")
    receive.locator("[name=sensitive_declared]").check()
    receive.get_by_role("button", name="Vào sổ đến").click()
    flash(b_clerk, "Đã vào sổ đến số 1.")
    expect(b_clerk.locator("#paper-copy")).to_contain_text("Có bản giấy gửi kèm")
    # ... and presents it to the director.
    b_clerk.get_by_role("link", name="Xử lý văn bản").click()
    b_clerk.select_option("#id_present_leader", label="Châu Văn Lãnh")
    b_clerk.get_by_role("button", name="Trình văn bản").click()
    flash(b_clerk, "Đã trình văn bản.")

    # 2. The director gives it to the specialist.
    director = window_for(director_snv)
    director.goto(b_clerk.url)
    director.fill("#id_direct_direction", "Giao đồng chí Lan triển khai.")
    director.select_option("#id_direct_lead", label="Trần Thị Lan – Sở Nội vụ")
    director.fill("#id_direct_deadline", deadline.strftime("%d/%m/%Y"))
    director.get_by_role("button", name="Giao xử lý").click()
    flash(director, "Đã cho ý kiến chỉ đạo và giao xử lý.")

    # 3. The specialist opens her work: the progress form is there.
    handler = window_for(specialist)
    menu(handler, "Việc của tôi")
    handler.locator("#assigned").get_by_role(
        "link", name=f"Quyết định số {sent.number_symbol}"
    ).click()
    progress = handler.locator("form[id^='progress-form-']")
    expect(progress).to_be_visible()

    # 4. A takes it back; B's clerk agrees.
    delivery.document_recall(actor=clerk, document=sent, reason="Ban hành chưa đúng thẩm quyền")
    menu(b_clerk, "Tiếp nhận")
    b_clerk.locator("#recall-table").get_by_role("link", name=sent.number_symbol).click()
    answer = b_clerk.locator("#recall-answer-form")
    answer.get_by_role("radio", name="Đồng ý thu hồi").check()
    answer.get_by_role("button", name="Trả lời").click()
    flash(b_clerk, "Đã đồng ý thu hồi văn bản.")

    # 5. Her page, still open, no longer takes progress: refused with the reason.
    progress.locator("[name=text]").fill("Đã xây dựng kế hoạch triển khai.")
    progress.get_by_role("button", name="Lưu tiến độ").click()
    expect(handler.get_by_text(MSG_WITHDRAWN).first).to_be_visible()
    expect(handler.locator("#processing-status-label")).to_have_text("Đã thu hồi")
    expect(handler.locator("form[id^='progress-form-']")).to_have_count(0)
    # ... and she was told.
    handler.goto(handler.url.split("/xu-ly/")[0] + "/thong-bao/")
    expect(
        handler.get_by_text(f"Văn bản đã bị nơi gửi thu hồi: Quyết định số {sent.number_symbol}")
    ).to_be_visible()

    # What the pages showed is what was stored.
    copy = Delivery.objects.get(pk=copy.pk)
    assert (copy.status, copy.recall_status) == ("04", RecallStatus.ACCEPTED)
    processing = Processing.objects.get(document=copy.incoming_document)
    assert processing.status == ProcessingStatus.WITHDRAWN
    assert {a.status for a in processing.assignments.all()} == {AssignmentStatus.CLOSED}
    assert not processing.progress.exists()
