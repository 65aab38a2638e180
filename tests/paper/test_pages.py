"""The scan intake's pages (R13, R16): who may open them, the queue's SQL pinned, the upload with
its refusals named per file, the confirm page prefilled and marked, registering one scan after
another, a refused form keeping the item, the secrecy override, discarding, the page images."""

import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from tests.support.documents import doc_type
from tests.support.files import upload
from tests.support.scan_pages import queued_scan, scanned_decision
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.paper.models import ScanItem

pytestmark = pytest.mark.django_db

QUEUE = "/van-ban/den/ban-quet/"
DECLARATION = "Tôi xác nhận văn bản không chứa nội dung nhạy cảm"
SECRET_REASON = "Chữ MẬT là một phần tên đơn vị, không phải dấu chỉ độ mật."


@pytest.fixture(autouse=True)
def _own_storage(own_storage):
    """Each test counts the files it stored."""


def confirm_url(item: ScanItem) -> str:
    return f"{QUEUE}{item.pk}/"


def make_item(office, *, status=ScanItem.Status.READY, proposal=None, marks=()):
    return queued_scan(
        office.province.stttt, office.clerk, status=status, proposal=proposal, marks=marks
    )


PROPOSAL = {
    "code_number": {"value": "15", "read": "Số: 15/QĐ-UBND", "note": ""},
    "code_notation": {"value": "QĐ-UBND", "read": "Số: 15/QĐ-UBND", "note": ""},
    "issued_date": {"value": "20/11/2026", "read": "ngày 20 tháng 11 năm 2026", "note": ""},
    "issuer_name": {"value": "Ủy ban nhân dân tỉnh Bến Tre", "read": "ỦY BAN NHÂN DÂN", "note": ""},
    "subject": {
        "value": "Về việc ban hành Quy chế quản lý văn bản điện tử",
        "read": "Về việc ban hành Quy chế quản lý văn bản điện tử",
        "note": "",
    },
    "signer_name": {"value": "Trần Ngọc Tam", "read": "Trần Ngọc Tam", "note": ""},
}


def form_data(item: ScanItem, **overrides) -> dict:
    data = {
        "unit": item.unit_id,
        "document_type": doc_type("Quyết định").pk,
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": "20/11/2026",
        "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
        "subject": "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "signer_name": "Trần Ngọc Tam",
        "urgency": "0",
        "sensitive_declared": "on",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- who may open them


@pytest.mark.parametrize("who", ["anonymous", "staff", "other_clerk", "clerk"])
def test_only_the_clerks_of_the_unit_reach_the_queue_and_its_scans(office, client_for, who):
    item = make_item(office)
    person = {
        "staff": office.province.staff_stttt,
        "other_clerk": office.clerk_snv,
        "clerk": office.clerk,
    }.get(who)
    client = client_for(person) if person else Client()
    queue = client.get(QUEUE)
    confirm = client.get(confirm_url(item))
    page = client.get(f"{confirm_url(item)}trang/1/")
    discard = client.post(f"{confirm_url(item)}bo/")
    expected = {
        "anonymous": (302, 302, 302, 302),
        "staff": (403, 403, 403, 403),
        "other_clerk": (200, 404, 404, 404),
        "clerk": (200, 200, 200, 302),
    }[who]
    got = (queue.status_code, confirm.status_code, page.status_code, discard.status_code)
    assert got == expected
    if who == "other_clerk":
        assert "quyet-dinh-15.pdf" not in queue.content.decode()
    item.refresh_from_db()
    assert item.status == (ScanItem.Status.DISCARDED if who == "clerk" else ScanItem.Status.READY)


def test_the_queue_costs_the_same_sql_for_two_scans_or_twenty(
    office, client_for, django_assert_max_num_queries
):
    client = client_for(office.clerk)
    for _ in range(2):
        make_item(office, proposal=PROPOSAL)
    client.get(QUEUE)
    with django_assert_max_num_queries(14) as two:
        response = client.get(QUEUE)
    for _ in range(18):
        make_item(office, proposal=PROPOSAL)
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(QUEUE)
    html = response.content.decode()
    assert html.count("15/QĐ-UBND") == 20
    assert "Hàng chờ vào sổ (20)" in html
    assert "hx-trigger" not in html  # nothing waits to be read: no refreshing


def test_the_queue_refreshes_itself_while_a_scan_waits_to_be_read(office, client_for):
    make_item(office, status=ScanItem.Status.WAITING)
    html = client_for(office.clerk).get(QUEUE).content.decode()
    assert 'hx-trigger="every 5s" hx-select="#queue"' in html
    assert "Chờ đọc" in html


# ---------------------------------------------------------------- uploading


def test_the_upload_names_each_refused_file_and_says_ocr_is_off(
    office, client_for, django_capture_on_commit_callbacks
):
    client = client_for(office.clerk)
    page = client.get(QUEUE).content.decode()
    assert "Chưa đọc được chữ trên bản quét" in page
    assert "multiple" in page and "Tách theo trang trắng" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            QUEUE,
            {
                "unit": office.province.stttt.pk,
                "files": [
                    upload("quyet-dinh.pdf", scanned_decision(), "application/pdf"),
                    upload("rong.pdf", b"", "application/pdf"),
                ],
            },
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã nhận 1 văn bản vào hàng chờ." in html
    assert "<strong>rong.pdf</strong>: Tệp “rong.pdf” rỗng." in html
    item = ScanItem.objects.get()
    # OCR is off: the item says so, in the queue and on its page.
    assert item.status == ScanItem.Status.FAILED
    assert item.error in html
    confirm = client.get(confirm_url(item)).content.decode()
    assert "Không đọc được chữ trên bản quét" in confirm and item.error in confirm


def test_the_incoming_pages_link_to_the_scan_intake(office, client_for):
    client = client_for(office.clerk)
    for url in ("/van-ban/den/", "/van-ban/den/vao-so/"):
        assert f'href="{QUEUE}"' in client.get(url).content.decode()


# ---------------------------------------------------------------- confirming


def test_the_confirm_page_is_prefilled_and_marks_every_proposed_field(office, client_for):
    item = make_item(office, proposal=PROPOSAL)
    html = client_for(office.clerk).get(confirm_url(item)).content.decode()
    for name, proposed in PROPOSAL.items():
        field = re.search(rf'<(input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'aria-describedby="proposed-{name}"' in field
        assert f'id="proposed-{name}"' in html
        assert proposed["value"] in html
    assert html.count("Đề xuất từ bản quét</span>") == len(PROPOSAL)
    assert 'value="15"' in html
    # The cursor starts in the first field; the page shows the scan.
    assert re.search(r'<select[^>]*name="document_type"[^>]*autofocus', html)
    assert f'src="{confirm_url(item)}trang/1/"' in html


def test_registering_goes_straight_to_the_next_ready_scan_then_to_the_queue(office, client_for):
    first = make_item(office, proposal=PROPOSAL)
    make_item(office, status=ScanItem.Status.FAILED)
    second = make_item(office, proposal=PROPOSAL)
    client = client_for(office.clerk)
    response = client.post(confirm_url(first), form_data(first))
    assert response.status_code == 302 and response["Location"] == confirm_url(second)
    first.refresh_from_db()
    assert first.status == ScanItem.Status.REGISTERED
    document = Document.objects.get()
    assert first.document == document and document.register_number == 1
    response = client.post(confirm_url(second), form_data(second, code_number="16"))
    assert response["Location"] == QUEUE
    assert Document.objects.count() == 2
    # A registered scan's page leads to its document.
    assert client.get(confirm_url(first))["Location"] == f"/van-ban/{document.pk}/"


def test_bad_input_keeps_the_scan_and_shows_the_errors(office, client_for):
    item = make_item(office, proposal=PROPOSAL)
    client = client_for(office.clerk)
    events = AuditEvent.objects.count()
    response = client.post(
        confirm_url(item), form_data(item, issued_date="31/02/2026", sensitive_declared="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa lưu gì" in html
    assert Document.objects.count() == 0
    assert AuditEvent.objects.count() == events
    item.refresh_from_db()
    assert item.status == ScanItem.Status.READY and default_storage.exists(item.storage_name)


def test_skipping_opens_the_next_ready_scan_and_keeps_this_one(office, client_for):
    first = make_item(office)
    second = make_item(office)
    html = client_for(office.clerk).get(confirm_url(first)).content.decode()
    assert f'href="{confirm_url(second)}" id="skip"' in html


def test_a_secret_scan_states_the_reason_and_registers_only_with_the_clerks_reason(
    office, client_for
):
    item = make_item(office, proposal=PROPOSAL, marks=["MẬT"])
    client = client_for(office.clerk)
    html = client.get(confirm_url(item)).content.decode()
    assert (
        "Bản quét có dấu chỉ độ mật “MẬT”: văn bản mật không được đưa vào hệ thống (Quy chế, "
        "Điều 4)" in html
    )
    assert re.search(r'<textarea[^>]*name="override_reason"[^>]*autofocus', html)
    for reason in ("", "không mật"):
        response = client.post(confirm_url(item), form_data(item, override_reason=reason))
        assert response.status_code == 200
        assert Document.objects.count() == 0
    assert "ít nhất 15 ký tự" in response.content.decode()
    response = client.post(confirm_url(item), form_data(item, override_reason=SECRET_REASON))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.override_reason) == (ScanItem.Status.REGISTERED, SECRET_REASON)
    assert AuditEvent.objects.filter(action="paper.secrecy_override").count() == 1


def test_discarding_removes_the_files_and_opens_the_next_scan(
    office, client_for, django_capture_on_commit_callbacks
):
    first = make_item(office)
    second = make_item(office)
    client = client_for(office.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{confirm_url(first)}bo/")
    assert response["Location"] == confirm_url(second)
    first.refresh_from_db()
    assert first.status == ScanItem.Status.DISCARDED
    assert default_storage.listdir("paper/test")[1] == [second.storage_name.rsplit("/", 1)[1]]


def test_a_page_of_the_scan_is_shown_as_an_image(office, client_for):
    item = make_item(office)
    client = client_for(office.clerk)
    response = client.get(f"{confirm_url(item)}trang/1/")
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert client.get(f"{confirm_url(item)}trang/2/").status_code == 404
