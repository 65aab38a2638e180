"""The whole path in a real browser (R15, R16, R18), each person in their own browser window.

The Sở Nội vụ asks the Sở Thông tin và Truyền thông for a report. The Sở's clerk registers the
scanned request and presents it to the director; the director reads it in the page's viewer,
directs and assigns a specialist with a deadline; the clerk forwards it for information to the
deputy director from the incoming list; the specialist records progress and completes her part.
She then drafts the reply in Word (DOCX), which the server converts to PDF/A-2b; the deputy
director checks its content, the chief of the office its format, the director reads the converted
PDF in the viewer, approves and signs it with his personal certificate (R11), and the clerk issues
it to the Sở Nội vụ with the Sở's organisation signature and seal. The Sở Nội vụ's clerk finds it
in the reception queue and registers it (arrival number 1) and sees both signatures verified; the
sender's page shows "đã vào sổ" for the Sở Nội vụ. The issued PDF is then checked by two
validators that are not ours: poppler's `pdfsig` and pyHanko's command line, trusting only the
test root.
"""

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import signing
from tests.e2e.login import sign_in
from tests.support.files import docx_bytes, pdf_bytes
from tests.support.libreoffice import require_soffice
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts import services
from vanban.accounts.models import Role, Unit, User
from vanban.documents.models import Direction, Document
from vanban.drafting.models import Draft, DraftStatus
from vanban.workflow.models import Processing, ProcessingStatus

pytestmark = pytest.mark.browser

REQUEST_SUBJECT = "Đề nghị báo cáo tình hình sử dụng văn bản điện tử năm 2026"
REPLY_SUBJECT = "Báo cáo tình hình sử dụng văn bản điện tử năm 2026"
DIRECTION = "Giao đồng chí Phương tổng hợp số liệu, dự thảo công văn trả lời Sở Nội vụ."


@dataclass
class People:
    stttt: Unit
    snv: Unit
    clerk: User  # văn thư of the Sở Thông tin và Truyền thông
    director: User  # directs the handling, signs the reply
    deputy: User  # head of the drafting unit: checks the reply's content
    office_chief: User  # checks the reply's format
    specialist: User  # handles the request and drafts the reply
    clerk_snv: User  # văn thư of the Sở Nội vụ
    admin: User  # unit admin of the Sở: registers its organisation certificate and seal


@pytest.fixture
def people(transactional_db, document_types) -> People:
    root, stttt = province_root_and_stttt()
    snv = services.unit_create(
        actor=None,
        name="Sở Nội vụ",
        symbol="SNV",
        abbreviation="snv",
        agency_code="000.00.05.H07",
        parent=root,
    )
    people = People(
        stttt=stttt,
        snv=snv,
        clerk=make_user(stttt, "Võ Thị Thu Trang", (Role.CLERK,), position="Văn thư"),
        director=make_user(stttt, "Phạm Minh Đức", (Role.LEADER,), position="Giám đốc"),
        deputy=make_user(stttt, "Lâm Quốc Hùng", (Role.LEADER,), position="Phó Giám đốc"),
        office_chief=make_user(stttt, "Trương Thị Mai", position="Chánh Văn phòng"),
        specialist=make_user(stttt, "Nguyễn Thu Phương", position="Chuyên viên"),
        clerk_snv=make_user(snv, "Đinh Văn Thư", (Role.CLERK,), position="Văn thư"),
        admin=make_user(stttt, "Lê Thị Hồng", (Role.UNIT_ADMIN,), position="Quản trị đơn vị"),
    )
    # The director's personal certificate (PKCS#12 of the test PKI) and signature image, the
    # Sở's organisation certificate and seal, registered through the services.
    signing.personal(people.director, label="ducpm")
    signing.organisation(stttt, people.admin)
    return people


@pytest.fixture
def window_for(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    """A browser window of its own for one person, signed in through the login page."""
    contexts = []

    def open_window(user: User) -> Page:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, user)
        expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()
        return page

    yield open_window
    for context in contexts:
        context.close()


def menu(page: Page, name: str) -> None:
    """Follow a menu item, whatever count its badge shows ("Việc của tôi 2")."""
    pattern = re.compile(rf"^{re.escape(name)}( \d+)?$")
    page.locator("nav.menu").get_by_role("link", name=pattern).click()


def read_in_viewer(page: Page, text: str) -> None:
    """The page's document viewer has drawn the first file's first page, with its text."""
    viewer = page.locator("#document-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    expect(viewer.locator(".viewer-page-box[data-page='1'] canvas")).to_be_visible()
    expect(viewer.locator(".viewer-page-box[data-page='1'] .textLayer")).to_contain_text(text)


def flash(page: Page, text: str) -> None:
    expect(page.locator("ul.messages").get_by_text(text, exact=True)).to_be_visible()


def test_request_handled_reply_issued_and_registered_by_the_recipient(
    people, window_for, tmp_path, settings
):
    settings.VANBAN_TSA_URL = signing.pki().tsa_url  # signatures get a time stamp
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=7)
    scan = tmp_path / "cong-van-245-snv.pdf"
    scan.write_bytes(pdf_bytes("SỞ NỘI VỤ TỈNH BẾN TRE", "Số 245/SNV-CCHC", REQUEST_SUBJECT))
    require_soffice()
    reply = docx_bytes(
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Kính gửi: Sở Nội vụ",
        REPLY_SUBJECT,
        "",
        "GIÁM ĐỐC",
        "",
        "",
        "",
        "Phạm Minh Đức",
    )
    reply_file = tmp_path / "cong-van-tra-loi-snv.docx"
    reply_file.write_bytes(reply)

    # 1. The clerk registers the scanned request of the Sở Nội vụ.
    clerk = window_for(people.clerk)
    menu(clerk, "Văn bản đến")
    clerk.get_by_role("link", name="Vào sổ").first.click()
    expect(clerk.get_by_role("heading", name="Vào sổ văn bản đến")).to_be_visible()
    clerk.select_option("#id_document_type", label="Công văn")
    clerk.fill("#id_code_number", "245")
    clerk.fill("#id_code_notation", "SNV-CCHC")
    clerk.fill("#id_issued_date", (today - dt.timedelta(days=2)).strftime("%d/%m/%Y"))
    clerk.select_option("#id_issuer_unit", label="Sở Nội vụ (000.00.05.H07)")
    clerk.fill("#id_signer_name", "Huỳnh Văn Nội")
    clerk.fill("#id_subject", REQUEST_SUBJECT)
    clerk.set_input_files("#id_main_file", str(scan))
    clerk.check("#id_sensitive_declared")
    clerk.locator("#register-form").get_by_role("button", name="Vào sổ", exact=True).click()
    flash(clerk, "Đã vào sổ đến số 1.")
    expect(clerk.locator("#arrival-number")).to_have_text("1")

    # ... and presents it to the director from its processing page.
    clerk.get_by_role("link", name="Xử lý văn bản").click()
    expect(clerk.locator("#processing-status-label")).to_have_text("Chờ trình")
    expect(clerk.get_by_text("Văn bản chưa được trình.")).to_be_visible()
    clerk.select_option("#id_present_leader", label="Phạm Minh Đức")
    clerk.fill("#id_present_note", "Kính trình Giám đốc cho ý kiến chỉ đạo.")
    clerk.get_by_role("button", name="Trình văn bản").click()
    flash(clerk, "Đã trình văn bản.")
    expect(clerk.locator("#processing-status-label")).to_have_text("Đã trình")
    steps = clerk.locator("#timeline-list > li")
    expect(steps).to_have_count(1)
    expect(steps.nth(0)).to_contain_text("Võ Thị Thu Trang – Trình văn bản")
    expect(steps.nth(0)).to_contain_text("Trình lãnh đạo Phạm Minh Đức.")

    # 2. The director finds it in "Việc của tôi", directs and assigns the specialist.
    director = window_for(people.director)
    menu(director, "Việc của tôi")
    waiting = director.locator("#to-direct")
    expect(waiting.get_by_text(REQUEST_SUBJECT)).to_be_visible()
    waiting.get_by_role("link", name="Công văn số 245/SNV-CCHC").click()
    expect(director.locator("#document-subject")).to_have_text(REQUEST_SUBJECT)
    # He reads the scan in the page's viewer, without downloading it.
    read_in_viewer(director, "245/SNV-CCHC")
    director.fill("#id_direct_direction", DIRECTION)
    director.select_option(
        "#id_direct_lead", label="Nguyễn Thu Phương – Sở Thông tin và Truyền thông"
    )
    director.fill("#id_direct_deadline", deadline.strftime("%d/%m/%Y"))
    director.get_by_role("button", name="Giao xử lý").click()
    flash(director, "Đã cho ý kiến chỉ đạo và giao xử lý.")
    expect(director.locator("#processing-status-label")).to_have_text("Đang xử lý")
    expect(director.locator("#processing-deadline")).to_have_text(f"{deadline:%d/%m/%Y}")
    expect(director.locator("#direction-text")).to_contain_text(DIRECTION)
    lead_row = director.locator("#assignment-table tbody tr").first
    expect(lead_row).to_contain_text("Chủ trì")
    expect(lead_row).to_contain_text("Nguyễn Thu Phương")
    expect(lead_row).to_contain_text(f"{deadline:%d/%m/%Y}")

    # 2b. The clerk forwards it for information to the deputy director, from the row's "Chuyển"
    # in the incoming list.
    menu(clerk, "Văn bản đến")
    row = clerk.locator("#document-table tbody tr").filter(has_text=REQUEST_SUBJECT)
    row.get_by_role("link", name="Chuyển", exact=True).click()
    share = clerk.locator("#share-form")
    share.locator("select").select_option(value=str(people.deputy.pk))
    share.get_by_role("button", name="Chuyển để biết").click()
    flash(clerk, "Đã chuyển văn bản cho Lâm Quốc Hùng để biết.")

    # 3. The specialist records progress and completes her part.
    specialist = window_for(people.specialist)
    menu(specialist, "Việc của tôi")
    assigned = specialist.locator("#assigned")
    expect(assigned.get_by_text(REQUEST_SUBJECT)).to_be_visible()
    expect(assigned).to_contain_text(f"{deadline:%d/%m/%Y}")
    assigned.get_by_role("link", name="Công văn số 245/SNV-CCHC").click()
    progress = specialist.locator("form[id^='progress-form-']")
    progress.locator("[name=text]").fill("Đã tổng hợp số liệu của các phòng.")
    progress.get_by_role("button", name="Lưu tiến độ").click()
    flash(specialist, "Đã cập nhật tiến độ.")
    specialist.get_by_text("Báo hoàn thành", exact=True).click()
    complete = specialist.locator("form[id^='complete-form-']")
    complete.locator("[name=result]").fill("Đã tổng hợp số liệu; dự thảo công văn trả lời.")
    complete.get_by_role("button", name="Hoàn thành").click()
    flash(specialist, "Đã báo hoàn thành.")
    expect(specialist.locator("#processing-status-label")).to_have_text("Hoàn thành")
    expect(specialist.locator("#processing-result")).to_have_text(
        "Đã tổng hợp số liệu; dự thảo công văn trả lời."
    )
    steps = specialist.locator("#timeline-list > li")
    expect(steps).to_have_count(4)
    for step, text in enumerate(
        (
            "Võ Thị Thu Trang – Trình văn bản",
            "Phạm Minh Đức – Cho ý kiến chỉ đạo",
            "Nguyễn Thu Phương – Cập nhật tiến độ",
            "Nguyễn Thu Phương – Hoàn thành",
        )
    ):
        expect(steps.nth(step)).to_contain_text(text)
    expect(steps.nth(1)).to_contain_text(
        f"Chủ trì: Nguyễn Thu Phương; hạn giải quyết: {deadline:%d/%m/%Y}."
    )
    expect(steps.nth(1)).to_contain_text(DIRECTION)
    expect(steps.nth(2)).to_contain_text("Đã tổng hợp số liệu của các phòng.")
    expect(steps.nth(3)).to_contain_text("văn bản hoàn thành xử lý")

    # 4. She drafts the reply in Word; the server converts it to PDF/A, which is what is
    # checked, approved and signed. She sends it for checking.
    menu(specialist, "Dự thảo")
    specialist.get_by_role("link", name="Soạn dự thảo mới").click()
    specialist.select_option("#id_issuing_unit", label="Sở Thông tin và Truyền thông")
    specialist.select_option("#id_document_type", label="Công văn")
    specialist.fill("#id_subject", REPLY_SUBJECT)
    specialist.locator("#id_recipient_units").get_by_label("Sở Nội vụ", exact=True).check()
    specialist.select_option(
        "#id_signer", label="Phạm Minh Đức – Giám đốc (Sở Thông tin và Truyền thông)"
    )
    specialist.fill("#id_signer_position", "Giám đốc")
    specialist.set_input_files("#id_content_file", str(reply_file))
    specialist.check("#id_sensitive_declared")
    specialist.get_by_role("button", name="Tạo dự thảo").click()
    flash(
        specialist,
        "Đã tạo dự thảo với phiên bản 1. Máy chủ đã chuyển tệp sang PDF/A; bản PDF này được "
        "kiểm tra, phê duyệt và ký số.",
    )
    expect(specialist.locator("#draft-status")).to_contain_text("Đang soạn thảo")
    expect(specialist.locator("#version-table")).to_contain_text("cong-van-tra-loi-snv.docx")
    expect(specialist.locator("#current-pdf")).to_contain_text(
        "cong-van-tra-loi-snv.pdf (phiên bản 1, máy chủ chuyển từ tệp cong-van-tra-loi-snv.docx "
        "sang PDF/A"
    )
    submit = specialist.locator("#submit-form")
    submit.locator("[name=submit-reviewer]").select_option(
        label="Lâm Quốc Hùng – Phó Giám đốc (Sở Thông tin và Truyền thông)"
    )
    submit.locator("[name=submit-checker]").select_option(
        label="Trương Thị Mai – Chánh Văn phòng (Sở Thông tin và Truyền thông)"
    )
    submit.get_by_role("button", name="Trình").click()
    flash(specialist, "Đã trình kiểm tra nội dung và thể thức.")
    expect(specialist.locator("#draft-status")).to_contain_text(
        "Đang kiểm tra nội dung và thể thức"
    )

    # 5. The deputy director checks the content.
    deputy = window_for(people.deputy)
    menu(deputy, "Việc của tôi")
    expect(deputy.locator("#shared-to-read")).to_contain_text(REQUEST_SUBJECT)
    menu(deputy, "Dự thảo")
    deputy.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    deputy.locator("#review-table").get_by_role("link", name=REPLY_SUBJECT).click()
    review = deputy.locator("#content-form")
    review.get_by_label("Đạt / đồng ý").check()
    review.get_by_role("button", name="Ghi kết quả kiểm tra nội dung").click()
    flash(deputy, "Đã ghi nhận. Dự thảo: đang kiểm tra nội dung và thể thức.")
    expect(deputy.locator("#draft-record")).to_contain_text("Lâm Quốc Hùng: Đạt")

    # 6. The chief of the office checks the format.
    office_chief = window_for(people.office_chief)
    menu(office_chief, "Dự thảo")
    office_chief.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    office_chief.locator("#check-table").get_by_role("link", name=REPLY_SUBJECT).click()
    check = office_chief.locator("#format-form")
    check.get_by_label("Đạt / đồng ý").check()
    check.get_by_role("button", name="Ghi kết quả kiểm tra thể thức").click()
    flash(office_chief, "Đã ghi nhận. Dự thảo: chờ phê duyệt.")
    expect(office_chief.locator("#draft-record")).to_contain_text("Trương Thị Mai: Đạt")

    # 7. The director approves.
    menu(director, "Dự thảo")
    director.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    director.locator("#approve-table").get_by_role("link", name=REPLY_SUBJECT).click()
    # The viewer shows the PDF/A made from the Word file: what he approves and signs.
    read_in_viewer(director, "Sở Nội vụ")
    approve = director.locator("#approve-form")
    approve.get_by_label("Đạt / đồng ý").check()
    approve.locator("[name=approve-note]").fill("Đồng ý ban hành.")
    approve.get_by_role("button", name="Ghi ý kiến phê duyệt").click()
    flash(director, "Đã ghi nhận. Dự thảo: đã phê duyệt, chờ ban hành.")
    expect(director.locator("#approval")).to_contain_text("Phạm Minh Đức phê duyệt phiên bản 1")

    # 7b. He signs the approved PDF with his personal certificate (PIN of the PKCS#12 key).
    sign = director.locator("#sign-form")
    sign.locator("[name=pin]").fill(signing.PIN)
    sign.get_by_role("button", name="Ký số").click()
    flash(
        director,
        "Đã ký số văn bản; chữ ký đã được kiểm tra và hợp lệ. Văn thư có thể phát hành.",
    )
    expect(director.locator("#signed-status")).to_contain_text("Đã ký số")

    # 8. The clerk gives it a number and issues it to the Sở Nội vụ.
    menu(clerk, "Dự thảo")
    clerk.get_by_role("link", name="Dự thảo chờ tôi xử lý").click()
    clerk.locator("#issue-table").get_by_role("link", name=REPLY_SUBJECT).click()
    issue = clerk.locator("#issue-form")
    issue.locator("[name=issued_amount]").fill("2")
    issue.locator("[name=pin]").fill(signing.PIN)
    issue.get_by_role("button", name="Cấp số, ký số và ban hành").click()
    expect(clerk.locator("ul.messages")).to_contain_text("Đã cấp số 01/STTTT")
    expect(clerk.locator("#draft-status")).to_contain_text("Đã ban hành – số, ký hiệu 01/STTTT")
    events = clerk.locator("#draft-timeline li")
    for step, text in enumerate(
        (
            "Nguyễn Thu Phương (Chuyên viên): Tạo dự thảo – phiên bản 1",
            "Nguyễn Thu Phương (Chuyên viên): Trình kiểm tra",
            "Lâm Quốc Hùng (Phó Giám đốc): Nội dung đạt",
            "Trương Thị Mai (Chánh Văn phòng): Thể thức đạt",
            "Phạm Minh Đức (Giám đốc): Phê duyệt – phiên bản 1",
            "Phạm Minh Đức (Giám đốc): Ký số (người có thẩm quyền)",
            "Võ Thị Thu Trang (Văn thư): Cấp số, vào sổ và ban hành",
        )
    ):
        expect(events.nth(step)).to_contain_text(text)
    expect(events).to_have_count(7)
    clerk.locator("#delivery-link").click()
    expect(
        clerk.get_by_role("heading", name="Tình trạng gửi, nhận văn bản số 01/STTTT")
    ).to_be_visible()
    snv_row = clerk.locator(f"#recipient-{people.snv.pk}")
    expect(snv_row.locator("td.status")).to_have_text("01 đã đến")

    # 9. The Sở Nội vụ's clerk finds it in the reception queue and registers it.
    clerk_snv = window_for(people.clerk_snv)
    menu(clerk_snv, "Tiếp nhận")
    queue = clerk_snv.locator("#queue-table")
    expect(queue.get_by_text("Sở Thông tin và Truyền thông")).to_be_visible()
    expect(queue.get_by_role("link", name=REPLY_SUBJECT)).to_be_visible()
    queue.get_by_role("link", name="01/STTTT").click()
    expect(clerk_snv.locator("#document-files")).to_contain_text("cong-van-tra-loi-snv.pdf")
    receive = clerk_snv.locator("#receive-form")
    receive.locator("[name=sensitive_declared]").check()
    receive.get_by_role("button", name="Vào sổ đến").click()
    flash(clerk_snv, "Đã vào sổ đến số 1.")
    expect(clerk_snv.locator("#arrival-number")).to_have_text("1")
    panel = clerk_snv.locator("#signature-verification")
    expect(panel).to_contain_text("Hợp lệ")
    expect(panel).to_contain_text("Phạm Minh Đức")
    expect(panel).to_contain_text("Sở Thông tin và Truyền thông")
    expect(panel).not_to_contain_text("Không hợp lệ")
    expect(panel.locator("tbody tr")).to_have_count(2)
    expect(clerk_snv.locator("#number-symbol")).to_have_text("01/STTTT")
    menu(clerk_snv, "Tiếp nhận")
    expect(clerk_snv.get_by_text("Không có văn bản nào chờ vào sổ.")).to_be_visible()

    # 10. The sender sees "đã vào sổ" (status 03) for the Sở Nội vụ.
    clerk.reload()
    expect(snv_row.get_by_role("cell", name="03 đã vào sổ", exact=True)).to_be_visible()
    expect(snv_row.locator("td.status")).to_have_text("03 đã vào sổ")

    # What the pages showed is what was stored.
    request = Document.objects.get(unit=people.stttt, direction=Direction.INCOMING)
    assert request.files.get().sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    processing = Processing.objects.get(document=request)
    assert (processing.status, processing.deadline) == (ProcessingStatus.DONE, deadline)
    draft = Draft.objects.get()
    assert draft.status == DraftStatus.ISSUED
    sent = draft.document
    assert (sent.number_symbol, sent.unit) == ("01/STTTT", people.stttt)
    sent_file = sent.files.get()
    sent_sha256 = sent_file.sha256
    signed = default_storage.open(sent_file.storage_name).read()
    assert hashlib.sha256(signed).hexdigest() == sent_sha256
    version = draft.current_version
    assert version.original_name == "cong-van-tra-loi-snv.docx"
    assert sent_file.original_name == "cong-van-tra-loi-snv.pdf"
    converted = default_storage.open(version.pdf_storage_name).read()
    assert hashlib.sha256(converted).hexdigest() == version.pdf_sha256
    assert signed.startswith(converted)  # the approved PDF/A, signatures appended
    received = Document.objects.get(unit=people.snv, direction=Direction.INCOMING)
    assert (received.register_number, received.number_symbol, received.issuer_unit) == (
        1,
        "01/STTTT",
        people.stttt,
    )
    assert received.files.get().sha256 == sent_sha256

    # Two validators that are not ours accept the personal signature and the seal.
    validators_accept(signed, tmp_path)


def validators_accept(signed: bytes, tmp_path: Path) -> None:
    pdf = tmp_path / "01-STTTT.pdf"
    pdf.write_bytes(signed)
    root = tmp_path / "root.pem"
    root.write_bytes(signing.pki().root_pem())
    pdfsig = shutil.which("pdfsig")
    pyhanko = Path(sys.executable).with_name("pyhanko")
    assert pdfsig and pyhanko.exists(), "pdfsig (poppler-utils) and pyhanko-cli are needed"
    report = subprocess.run(  # noqa: S603
        [pdfsig, "-nocert", str(pdf)], capture_output=True, text=True, check=False
    ).stdout
    assert report.count("Signature is Valid.") == 2, report
    assert "Phạm Minh Đức" in report and "Sở Thông tin và Truyền thông" in report
    validated = subprocess.run(  # noqa: S603
        [str(pyhanko), "sign", "validate", "--trust", str(root), "--pretty-print", str(pdf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout.count("The signer's certificate is trusted.") == 2, validated.stdout
    assert validated.stdout.count("The signature is judged VALID.") == 2, validated.stdout
