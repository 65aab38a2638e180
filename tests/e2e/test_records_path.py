"""The records path in a real browser (R19; NĐ 30/2020 Art. 28-31; docs/records.md), each person
in their own window at 1366 px.

The office (văn thư) of the Sở drafts this year's dossier list with a heading and a planned dossier
in charge of a specialist and submits it; the head approves it. The specialist opens the dossier
from the list, adds to it, from their own pages, the incoming document she handled, the version of
her reply draft and the issued reply, sees them numbered 1-3 and closes the dossier with the day the
work ended. The unit administrator opens the agency's fonds. Thirty days before the dossier is due
for hand-over the daily notice reaches the office, which follows it to the due list, makes the
hand-over list and sends it to the agency archive; the archivist accepts it from the queue, and the
dossier is read-only for the unit. The archivist downloads the archival package; `vanban archive
verify` finds it intact, and names the file when one byte of it is changed. A shorter part runs on a
390 px phone: the specialist opens the dossier from the folded menu and adds a document to it.

What is not the point is set up through the services: the accounts, the certificates, the
incoming document registered and processed to done, the reply drafted, signed and issued
(issuing gives it to its drafter). The retention schedule is the one data migration 0003 seeds.
"""

import datetime as dt
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import signing
from tests.e2e.phone_world import open_menu_link, page_width
from tests.records.support_package import members, rewrite
from tests.support import drafting
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import Team
from tests.support.files import pdf_upload
from tests.support.province import make_user
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.models import Notification
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.drafting.models import Draft, DraftVersion
from vanban.records import handover, lists, rules
from vanban.records.models import (
    Dossier,
    DossierList,
    DossierStatus,
    HandOver,
    HandOverStatus,
    ListStatus,
    RetentionItem,
    RetentionKind,
)
from vanban.records.package.build import ACTION_EXPORT
from vanban.workflow import services as workflow_services
from vanban.workflow.models import Assignment, Processing, ProcessingStatus

pytestmark = pytest.mark.browser

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SRC = Path(__file__).resolve().parents[2] / "src"
INCOMING_SUBJECT = "Đề nghị báo cáo kết quả chuyển đổi số năm 2026"
DOSSIER_TITLE = "Hồ sơ báo cáo kết quả chuyển đổi số năm 2026"


@dataclass
class Office:
    team: Team
    clerk: User  # văn thư: the office of the Sở
    head: User  # Giám đốc: the head
    specialist: User  # the person in charge of the dossier
    ten_years: RetentionItem
    incoming: Document


@dataclass
class Story(Office):
    archivist: User  # lưu trữ cơ quan of the Sở
    draft: Draft
    version: DraftVersion
    reply: Document


@pytest.fixture
def agency(province, document_types, settings, tmp_path) -> Office:
    # Transactional tests flush every table: the schedule of migration 0003, seeded again.
    import_module("vanban.records.migrations.0003_retention_seed").seed_schedule(apps, None)
    drafting.own_storage(settings, tmp_path / "storage")
    team = drafting.make_team(province)
    head = team.signer
    head.position = "Giám đốc"
    head.save(update_fields=["position"])
    # The incoming request, registered, directed to the specialist and processed to done.
    incoming = document_services.incoming_register(
        actor=team.clerk,
        unit=province.stttt,
        data=incoming_input(code_number="245", subject=INCOMING_SUBJECT),
        refusals=DECLARED,
        main_file=pdf_upload("de-nghi-bao-cao.pdf"),
    )
    workflow_services.processing_present(actor=team.clerk, document=incoming, leader=head)
    workflow_services.processing_direct(
        actor=head,
        document=incoming,
        direction="Giao đồng chí Phương tổng hợp, dự thảo báo cáo.",
        lead_user=team.drafter,
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    workflow_services.assignment_complete(
        actor=team.drafter,
        assignment=Assignment.objects.get(document=incoming, assignee_user=team.drafter),
        result="Đã dự thảo báo cáo trả lời.",
    )
    ten_years = (
        RetentionItem.objects.filter(kind=RetentionKind.YEARS, years=10).order_by("pk").first()
    )
    assert ten_years is not None, "the retention schedule of migration 0003 is there"
    return Office(
        team=team,
        clerk=team.clerk,
        head=head,
        specialist=team.drafter,
        ten_years=ten_years,
        incoming=incoming,
    )


@pytest.fixture
def story(agency, province, settings) -> Story:
    settings.VANBAN_TSA_URL = signing.pki().tsa_url  # signatures and packages get time stamps
    team = agency.team
    archivist = make_user(province.stttt, "Huỳnh Thị Lưu", (Role.ARCHIVIST,), position="Lưu trữ")
    # The reply: drafted by the specialist, approved, signed by the director, issued by the
    # clerk with the Sở's organisation signature.
    draft, reply = drafting.issued(team)
    # Issuing gives the reply to the specialist who drafted it (R14): she files it herself.
    return Story(
        **vars(agency),
        archivist=archivist,
        draft=draft,
        version=draft.versions.order_by("number").first(),
        reply=reply,
    )


def menu(page: Page, name: str) -> None:
    open_menu_link(page, name)


def records_nav(page: Page, name: str) -> None:
    page.locator("nav.records-nav").get_by_role("link", name=name, exact=True).click()


def flash(page: Page, text: str) -> None:
    expect(page.locator("ul.messages")).to_contain_text(text)


def add_to_dossier(page: Page, code: str) -> None:
    """On a document's or a draft's page: "Thêm vào hồ sơ", choose the open dossier, add."""
    page.get_by_role("link", name="Thêm vào hồ sơ").first.click()
    expect(page.get_by_role("heading", name="Thêm vào hồ sơ")).to_be_visible()
    form = page.locator("#add-form")
    form.get_by_label(code, exact=False).check()
    form.get_by_role("button", name="Thêm vào hồ sơ").click()


def verify(package: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "vanban.settings",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "vanban", "archive", "verify", str(package)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_list_dossier_hand_over_and_package(story, live_server, window_at, tmp_path):
    today = timezone.localdate()
    year = today.year

    # 1. The office drafts this year's dossier list, a heading and a planned dossier.
    clerk = window_at(story.clerk, WIDE)
    menu(clerk, "Hồ sơ")
    expect(clerk.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    records_nav(clerk, "Danh mục hồ sơ")
    expect(clerk.get_by_role("heading", name="Danh mục hồ sơ", exact=True)).to_be_visible()
    clerk.get_by_label("Năm").fill(str(year))
    clerk.get_by_role("button", name="Lập danh mục hồ sơ của năm").click()
    flash(clerk, f"Đã tạo danh mục hồ sơ năm {year}.")
    expect(clerk.get_by_role("heading", name=f"Danh mục hồ sơ năm {year}")).to_be_visible()
    clerk.get_by_role("link", name="Thêm đề mục").click()
    clerk.get_by_label("Tên đề mục").fill("Văn phòng")
    clerk.get_by_label("Chữ viết tắt (ví dụ: TCCB)").fill("VP")
    clerk.get_by_role("button", name="Lưu").click()
    flash(clerk, "Đã thêm đề mục.")
    heading = clerk.locator("#list-table tr.list-heading").filter(has_text="Văn phòng (VP)")
    expect(heading).to_contain_text("I")
    heading.get_by_role("link", name="Thêm hồ sơ").click()
    expect(clerk.get_by_text("Đề mục: Văn phòng (VP)")).to_be_visible()
    clerk.get_by_label("Tiêu đề hồ sơ").fill(DOSSIER_TITLE)
    clerk.get_by_label("Thời hạn bảo quản").select_option(value=str(story.ten_years.pk))
    clerk.get_by_label("Người lập hồ sơ").select_option(label="Nguyễn Thu Phương")
    clerk.get_by_role("button", name="Lưu").click()
    flash(clerk, "Đã thêm hồ sơ 01.VP vào danh mục.")
    entry = clerk.locator("#list-table tr.list-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("01.VP")
    expect(entry).to_contain_text(DOSSIER_TITLE)
    expect(entry).to_contain_text("10 năm")
    expect(entry).to_contain_text("Nguyễn Thu Phương")
    clerk.get_by_role("button", name="Trình thủ trưởng phê duyệt").click()
    flash(clerk, "Đã trình thủ trưởng phê duyệt danh mục hồ sơ.")
    expect(clerk.locator("#list-status")).to_contain_text("Trạng thái: Chờ thủ trưởng phê duyệt")

    # 2. The head approves it.
    head = window_at(story.head, WIDE)
    menu(head, "Hồ sơ")
    records_nav(head, "Danh mục hồ sơ")
    head.get_by_role("link", name=f"Danh mục hồ sơ năm {year}").click()
    head.get_by_role("button", name="Phê duyệt", exact=True).click()
    flash(head, "Đã phê duyệt danh mục hồ sơ.")
    expect(head.locator("#list-status")).to_contain_text(
        f"Giám đốc Phạm Minh Đức phê duyệt ngày {today:%d/%m/%Y}"
    )
    assert DossierList.objects.get().status == ListStatus.APPROVED

    # 3. The specialist opens the planned dossier and adds what she worked on.
    specialist = window_at(story.specialist, WIDE)
    menu(specialist, "Hồ sơ")
    specialist.locator("#open-link").click()
    expect(specialist.locator("#entry-list")).to_contain_text(f"01.VP {DOSSIER_TITLE}")
    opening = specialist.locator("#entry-form")
    opening.get_by_label("Hồ sơ trong danh mục").select_option(index=0)
    opening.get_by_role("button", name="Mở hồ sơ").click()
    flash(specialist, "Đã mở hồ sơ 01.VP.")
    expect(specialist.get_by_role("heading", name=f"Hồ sơ 01.VP: {DOSSIER_TITLE}")).to_be_visible()
    dossier = Dossier.objects.get()
    expect(specialist.locator("#file-code")).to_have_text(f"000.00.12.H07.{year}.01.VP")
    expect(specialist.locator("#maintenance")).to_have_text("10 năm")
    # The incoming document she handled, from "Văn bản đến".
    menu(specialist, "Văn bản đến")
    specialist.locator("#document-table").get_by_role("link", name=INCOMING_SUBJECT).click()
    add_to_dossier(specialist, "01.VP")
    flash(specialist, "Đã thêm vào hồ sơ 01.VP (thứ tự 1).")
    # The draft page, from the list of drafts: its version table has the link.
    menu(specialist, "Dự thảo")
    specialist.get_by_role("link", name=drafting.SUBJECT).first.click()
    specialist.locator("#version-table").get_by_role("link", name="Thêm vào hồ sơ").click()
    expect(specialist.locator("#add-target")).to_contain_text(drafting.SUBJECT)
    specialist.locator("#add-form").get_by_label("01.VP", exact=False).check()
    specialist.locator("#add-form").get_by_role("button", name="Thêm vào hồ sơ").click()
    flash(specialist, "Đã thêm vào hồ sơ 01.VP (thứ tự 2).")
    # The issued reply, from "Văn bản đi".
    menu(specialist, "Văn bản đi")
    specialist.locator("#document-table").get_by_role("link", name=drafting.SUBJECT).click()
    add_to_dossier(specialist, "01.VP")
    flash(specialist, "Đã thêm vào hồ sơ 01.VP (thứ tự 3).")
    # From the dossier to the reply's page, which now says which dossier it belongs to.
    specialist.locator("#item-table tbody tr").nth(2).get_by_role("link").click()
    expect(specialist.locator("#number-symbol")).to_have_text(story.reply.number_symbol)
    specialist.locator("#document-dossiers").get_by_role(
        "link", name=f"01.VP {DOSSIER_TITLE}"
    ).click()
    rows = specialist.locator("#item-table tbody tr")
    expect(rows).to_have_count(3)
    for ordinal, text in enumerate((INCOMING_SUBJECT, drafting.SUBJECT, drafting.SUBJECT), start=1):
        expect(rows.nth(ordinal - 1).get_by_label("Số thứ tự")).to_have_value(str(ordinal))
        expect(rows.nth(ordinal - 1)).to_contain_text(text)
    expect(rows.nth(0)).to_contain_text("245/QĐ-UBND")
    expect(rows.nth(2)).to_contain_text(story.reply.number_symbol)
    expect(specialist.locator("#doc-total")).to_have_text("3")

    # She closes it, ticking every point of the completeness check shown, if any.
    specialist.get_by_role("link", name="Kết thúc hồ sơ").click()
    expect(specialist.get_by_role("heading", name="Kết thúc hồ sơ 01.VP")).to_be_visible()
    for box in specialist.locator("#close-form input[name=confirmed]").all():
        box.check()
    specialist.get_by_label("Ngày kết thúc công việc").fill(today.strftime("%d/%m/%Y"))
    specialist.locator("#close-form").get_by_role("button", name="Kết thúc hồ sơ").click()
    due = rules.add_months(today, 12)  # one year after the work ended (Art. 31)
    flash(specialist, f"Đã kết thúc hồ sơ 01.VP. Hạn nộp lưu: {due:%d/%m/%Y}.")
    expect(specialist.locator("#dossier-status")).to_contain_text("Đã kết thúc")
    expect(specialist.locator("#handover-due")).to_have_text(f"{due:%d/%m/%Y}")
    expect(specialist.locator("#close-link")).to_have_count(0)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.work_ended_on, dossier.handover_due_on) == (
        DossierStatus.CLOSED,
        today,
        due,
    )

    # 4. The unit administrator opens the agency's fonds (phông lưu trữ), once for its life;
    # he signs in with his second factor, enrolled at this first login.
    admin = window_at(story.team.province.admin_stttt, WIDE)
    menu(admin, "Hồ sơ")
    records_nav(admin, "Nộp lưu")
    admin.get_by_role("link", name="Phông lưu trữ").click()
    expect(admin.locator("#no-fonds")).to_have_text("Chưa có phông lưu trữ nào.")
    admin.get_by_role("link", name="Mở phông lưu trữ").click()
    admin.get_by_label("Cơ quan").select_option(label="Sở Thông tin và Truyền thông")
    admin.get_by_label("Tên phông").fill("Phông Sở Thông tin và Truyền thông tỉnh Bến Tre")
    admin.get_by_label("Mã phông").fill("STTTT")
    admin.get_by_label("Ngày mở phông").fill("01/04/2008")
    admin.get_by_role("button", name="Mở phông").click()
    flash(admin, "Đã mở phông lưu trữ.")

    # Thirty days before the dossier is due, the daily job notices the office.
    notice_day = due - dt.timedelta(days=30)
    with clock.frozen(dt.datetime.combine(notice_day, dt.time(7, 15), tzinfo=VN)):
        run = handover.handover_notices_send()
        assert (run.ahead, run.overdue) == (1, 0)
        assert Notification.objects.filter(
            recipient=story.clerk, title="Hồ sơ sắp đến hạn nộp lưu"
        ).exists()
        menu(clerk, "Thông báo")
        notice = clerk.locator(".card > div").filter(has_text="Hồ sơ sắp đến hạn nộp lưu")
        expect(notice).to_contain_text(
            f"Hồ sơ {year}.01.VP “{DOSSIER_TITLE}” của Sở Thông tin và Truyền thông đến hạn "
            f"nộp lưu ngày {due:%d/%m/%Y} (còn 30 ngày)."
        )
        notice.get_by_role("link", name="Xem").click()
        expect(clerk.get_by_role("heading", name="Hồ sơ đến hạn nộp lưu")).to_be_visible()
        row = clerk.locator(f"#due-{dossier.pk}")
        expect(row).to_contain_text("Sắp đến hạn")
        row.get_by_label(f"Chọn hồ sơ {year}.01.VP").check()
        clerk.get_by_role("button", name="Lập mục lục nộp lưu với các hồ sơ đã chọn").click()
        expect(
            clerk.get_by_role("heading", name="Mục lục hồ sơ, tài liệu nộp lưu số")
        ).to_be_visible()
        hand_over = HandOver.objects.get()
        flash(clerk, f"Đã lập mục lục nộp lưu số {hand_over.pk} gồm 1 hồ sơ.")
        items = clerk.locator("#items-table tbody tr")
        expect(items).to_have_count(1)
        expect(items.first).to_contain_text(f"000.00.12.H07.{year}.01.VP")
        clerk.get_by_role("button", name="Gửi lưu trữ cơ quan").click()
        flash(clerk, "Đã gửi mục lục nộp lưu cho lưu trữ cơ quan")
        expect(clerk.locator("#handover-status")).to_contain_text("Chờ lưu trữ kiểm tra")

        # The archivist finds it in the queue and accepts it.
        archivist = window_at(story.archivist, WIDE)
        menu(archivist, "Hồ sơ")
        records_nav(archivist, "Lưu trữ cơ quan")
        queue = archivist.locator("#queue-table tbody tr")
        expect(queue).to_have_count(1)
        expect(queue.first).to_contain_text("Sở Thông tin và Truyền thông")
        queue.first.get_by_role("link", name=str(hand_over.pk)).click()
        archivist.get_by_role("button", name="Tiếp nhận và lập biên bản").click()
        flash(archivist, "Đã tiếp nhận hồ sơ nộp lưu và lập biên bản giao nhận.")
        expect(archivist.locator("#minutes")).to_contain_text("Biên bản giao nhận số 1.")
        hand_over.refresh_from_db()
        assert hand_over.status == HandOverStatus.ACCEPTED

        # The dossier is now read-only for the unit.
        menu(clerk, "Hồ sơ")
        records_nav(clerk, "Hồ sơ của cơ quan")
        clerk.get_by_role("link", name=DOSSIER_TITLE).click()
        expect(clerk.locator("#dossier-status")).to_contain_text("Đã nộp lưu")
        expect(clerk.locator("#frozen-message")).to_have_text(
            f"Hồ sơ đã kết thúc ngày {today:%d/%m/%Y}, không thay đổi được."
        )
        expect(clerk.locator("#dossier-actions")).to_have_count(0)
        expect(clerk.get_by_role("link", name="Kết thúc hồ sơ")).to_have_count(0)
        expect(clerk.get_by_role("link", name="Sửa thông tin")).to_have_count(0)
        expect(clerk.get_by_role("button", name="Bỏ khỏi hồ sơ")).to_have_count(0)
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.ARCHIVED

    # 5. The archivist downloads the archival package of the hand-over.
    archivist.reload()
    with archivist.expect_download(timeout=180_000) as download:
        archivist.get_by_role("link", name="Tải gói lưu trữ (ZIP)").click()
    package = tmp_path / "goi-nop-luu.zip"
    download.value.save_as(package)
    assert zipfile.is_zipfile(package)
    export = AuditEvent.objects.get(action=ACTION_EXPORT)
    assert (export.actor, export.target_id) == (story.archivist, str(hand_over.pk))
    result = verify(package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kết luận: gói lưu trữ toàn vẹn" in result.stdout
    reply_pdf = "dossiers/01/003/files/01-tep-chinh.pdf"
    assert f"[đạt] Chữ ký số: {reply_pdf} — 2 chữ ký hợp lệ" in result.stdout
    assert "[đạt] Dấu thời gian của danh mục mã băm: manifest-sha256.txt" in result.stdout
    for ordinal in ("001", "002", "003"):
        assert f"dossiers/01/{ordinal}/document.xml" in result.stdout

    # One byte of one file changed: the verdict says so and names the file.
    files = members(package)
    pdf = reply_pdf
    data = bytearray(files[pdf])
    data[len(data) // 2] ^= 0x01
    files[pdf] = bytes(data)
    tampered = rewrite(package, files, tmp_path / "goi-bi-sua.zip")
    result = verify(tampered)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"[không đạt] Mã băm SHA-256: {pdf} — mã băm của tệp khác giá trị ghi" in (result.stdout)
    assert f"[không đạt] Chữ ký số: {pdf}" in result.stdout
    assert "Kết luận: gói lưu trữ toàn vẹn" not in result.stdout
    assert Processing.objects.get(document=story.incoming).status == ProcessingStatus.DONE


def test_on_a_phone_the_specialist_opens_the_dossier_and_adds_a_document(
    agency, live_server, window_at
):
    """The shorter part at 390 px: the approved list is there; the specialist opens the planned
    dossier from the folded menu and adds the incoming document from its page."""
    year = timezone.localdate().year
    found = lists.list_create(actor=agency.clerk, unit=agency.team.province.stttt, year=year)
    heading = lists.heading_add(
        actor=agency.clerk, dossier_list=found, data=lists.HeadingInput("Văn phòng", "VP")
    )
    lists.entry_add(
        actor=agency.clerk,
        heading=heading,
        data=lists.EntryInput(
            title=DOSSIER_TITLE, retention_item=agency.ten_years, person_in_charge=agency.specialist
        ),
    )
    lists.list_submit(actor=agency.clerk, dossier_list=found)
    lists.list_approve(actor=agency.head, dossier_list=found)

    phone = window_at(agency.specialist, PHONE)
    menu(phone, "Hồ sơ")
    expect(phone.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    assert page_width(phone) <= PHONE["width"]
    phone.locator("#open-link").click()
    expect(phone.locator("#entry-list")).to_contain_text(f"01.VP {DOSSIER_TITLE} – 10 năm")
    opening = phone.locator("#entry-form")
    opening.get_by_label("Hồ sơ trong danh mục").select_option(index=0)
    opening.get_by_role("button", name="Mở hồ sơ").tap()
    flash(phone, "Đã mở hồ sơ 01.VP.")
    expect(phone.get_by_text("Hồ sơ chưa có văn bản.", exact=False)).to_be_visible()
    assert page_width(phone) <= PHONE["width"]

    menu(phone, "Văn bản đến")
    phone.locator("#document-table").get_by_role("link", name=INCOMING_SUBJECT).tap()
    phone.get_by_role("link", name="Thêm vào hồ sơ").first.tap()
    form = phone.locator("#add-form")
    expect(form.get_by_label("01.VP", exact=False)).to_be_checked()
    form.get_by_role("button", name="Thêm vào hồ sơ").tap()
    flash(phone, "Đã thêm vào hồ sơ 01.VP (thứ tự 1).")
    rows = phone.locator("#item-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(INCOMING_SUBJECT)
    expect(rows.first).to_contain_text("245/QĐ-UBND")
    expect(phone.locator("#doc-total")).to_have_text("1")
    assert page_width(phone) <= PHONE["width"]
    dossier = Dossier.objects.get()
    assert (dossier.handler, dossier.items.get().document) == (agency.specialist, agency.incoming)
