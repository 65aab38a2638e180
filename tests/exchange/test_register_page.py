"""Registering an incoming electronic document from an edXML package, as a clerk does it on
/van-ban/den/vao-so/: choose the package, "Đọc gói edXML", check the prefilled form, "Vào sổ".

Every refusal asserts the Vietnamese reason and that nothing was stored: no document, file row,
file in storage, number taken or audit event (and, where the package was refused, no kept package).
"""

import datetime as dt
import hashlib
import html as html_lib
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.support.documents import doc_type
from tests.support.edxml import build_package, sample
from tests.support.files import pdf_bytes
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents.models import Document, DocumentFile, DocumentPolicy, RegisterSeries
from vanban.exchange.staging import EXPIRED_TICKET, INVALID_TICKET, TEMP_PREFIX

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VN)
PAGE = "/van-ban/den/vao-so/"
SIGNED_PDF = "GUIDE_INSTALL OPENVPN.SIGNED.PDF"
SIGNED_PDF_SHA256 = "61d6bc08ae7eae0deb74b6b3f6d27bcc2f059562ba97ce36a653373e087b3df7"


@pytest.fixture(autouse=True)
def _fixed_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture(autouse=True)
def _no_kept_packages():
    """Storage is shared by the whole test run: start each test without kept packages."""
    for name in walk(TEMP_PREFIX):
        default_storage.delete(name)


# ---------------------------------------------------------------- helpers


def walk(prefix: str) -> list[str]:
    found: list[str] = []
    if not default_storage.exists(prefix):
        return found
    directories, names = default_storage.listdir(prefix)
    found.extend(f"{prefix}/{name}" for name in names)
    for directory in directories:
        found.extend(walk(f"{prefix}/{directory}"))
    return sorted(found)


def state() -> dict:
    return {
        "documents": list(Document.objects.values_list("pk", flat=True)),
        "files": DocumentFile.objects.count(),
        "series": list(RegisterSeries.objects.values_list("pk", "next_number")),
        "audit": list(AuditEvent.objects.values_list("action", flat=True)),
        "stored": walk("documents"),
    }


def kept_packages() -> list[str]:
    return walk(TEMP_PREFIX)


def read_package(client, data: bytes, name: str = "goi.edxml", **fields):
    package = SimpleUploadedFile(name, data, content_type="application/xml")
    return client.post(PAGE, {"read_package": "1", "package": package, **fields})


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert tag is not None, name
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html_lib.unescape(value.group(1)) if value else None


def is_checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert tag is not None, name
    return " checked" in tag.group(0)


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert match is not None, name
    return html_lib.unescape(match.group(1)).strip()


def selected(html: str, name: str) -> list[str]:
    match = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert match is not None, name
    return re.findall(r"<option[^>]*\bselected[^>]*>([^<]*)</option>", match.group(1))


def field_block(html: str, name: str) -> str:
    match = re.search(rf'id="field-{name}">(.*?)</div>', html, re.DOTALL)
    assert match is not None, name
    return html_lib.unescape(match.group(1))


def token_of(html: str) -> str:
    token = input_value(html, "package_token")
    assert token, "no ticket on the page"
    return token


def final_post(office, token: str, **overrides) -> dict:
    """The prefilled form as the clerk sends it after checking it."""
    data = {
        "unit": office.province.stttt.pk,
        "document_type": doc_type("Công văn").pk,
        "code_number": "7816",
        "code_notation": "VPCP-TTĐT",
        "issued_date": "2018-10-19",
        "issuer_name": "Văn phòng Chính phủ",
        "issuer_code": "000.00.00.K19",
        "signer_name": "Nguyen Thanh Phuc",
        "signer_position": "Cuc truong cuc ung dung cong nghe thong tin",
        "subject": "V/v kết nối, liên thông phần mềm quản lý văn bản",
        "urgency": "0",
        "page_amount": "22",
        "due_date": "",
        "is_electronic": "on",
        "secrecy": "",
        "sensitive_declared": "on",
        "package_token": token,
        # The samples' PDF is signed by a certificate the province does not trust (R11): the
        # clerk confirms with a reason (tests/signatures/test_receipt_confirmation.py).
        "confirm_signatures": "on",
        "signature_reason": "Đã xác minh với cơ quan gửi.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def stored_sha256(file: DocumentFile) -> str:
    with default_storage.open(file.storage_name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# ---------------------------------------------------------------- the whole flow


def test_clerk_registers_the_document_of_a_package(
    office, client_for, django_capture_on_commit_callbacks
):
    client = client_for(office.clerk)
    data = sample("edoc_new.edxml")
    response = read_package(client, data, name="edoc_new.edxml")
    assert response.status_code == 200
    html = response.content.decode()

    # Prefilled from the package; the clerk sees and may change every field.
    assert selected(html, "document_type") == ["Công văn"]
    assert input_value(html, "code_number") == "781622e22"
    assert input_value(html, "code_notation") == "VPCP-TTĐT"
    assert input_value(html, "issued_date") == "19/10/2018"
    assert selected(html, "issuer_unit") == ["— Cơ quan ngoài hệ thống (nhập tên bên dưới) —"]
    assert input_value(html, "issuer_name") == "Văn phòng Chính phủ"
    assert input_value(html, "issuer_code") == "000.00.00.K19"
    assert input_value(html, "signer_name") == "Nguyen Thanh Phuc"
    assert input_value(html, "signer_position") == (
        "TL. BO TRUONG, Cuc truong cuc ung dung cong nghe thong tin"
    )
    # What the package says beyond the form: place, competence, sender's contact, the clerk there.
    for text in (
        '<table id="package-facts">',
        '<tr id="package-place"><th>Địa danh</th><td>Hà Nội</td></tr>',
        '<tr id="package-competence"><th>Thẩm quyền ký</th><td>TL. BO TRUONG</td></tr>',
        "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội",
        "Nguyễn Thị Ngọc Trâm – Văn thư văn phòng",
        "Công văn về việc kết nối, liên thông phần mềm quản lý văn bản",
    ):
        assert text in html, text
    assert textarea(html, "subject") == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert selected(html, "urgency") == ["Thường"]
    assert input_value(html, "page_amount") == "22"
    assert input_value(html, "due_date") is None  # 28/09/2018: too old, left out with a note
    assert is_checked(html, "is_electronic")
    assert not is_checked(html, "sensitive_declared")  # the clerk declares for this document
    text = html_lib.unescape(html)
    assert "Hạn xử lý trong gói (28/09/2018) đã qua từ lâu nên không được điền" in text
    assert "Số “781622e22” trong gói không chỉ gồm chữ số" in text
    # The files found, with their role, and the repair of the package zipped inside.
    files = re.search(r'<table id="package-files">(.*?)</table>', text, re.DOTALL).group(1)
    assert re.search(
        rf"<td>{re.escape(SIGNED_PDF)}</td>\s*<td>Tệp chính</td>\s*<td>PDF</td>", files
    )
    assert re.search(
        r"<td>edoc_new.edxml.xml</td>\s*<td>Gói văn bản điện tử</td>\s*<td>XML</td>", files
    )
    assert "1896_QD-TTg_m_294779.doc › 32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml" in files
    assert "đã khai báo xlink = http://www.w3.org/1999/xlink" in text
    assert "được lưu kèm văn bản ở dạng đã sửa" not in text  # the outer package is well-formed
    # The package is kept for the final post; nothing is registered yet.
    [kept] = kept_packages()
    with default_storage.open(kept, "rb") as handle:
        assert handle.read() == data
    assert not Document.objects.exists()
    read_event = AuditEvent.objects.get(action="exchange.package_read")
    assert read_event.actor == office.clerk
    assert read_event.data["package"]["sha256"] == hashlib.sha256(data).hexdigest()

    # The clerk corrects the number and registers.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, final_post(office, token_of(html)), follow=True)
    document = Document.objects.get()
    assert response.redirect_chain == [(f"/van-ban/{document.pk}/", 302)]
    assert "Đã vào sổ đến số 1." in response.content.decode()
    assert (document.register_number, document.is_electronic) == (1, True)
    assert document.number_symbol == "7816/VPCP-TTĐT"
    assert (document.issuer_name, document.issuer_code) == ("Văn phòng Chính phủ", "000.00.00.K19")
    assert document.issued_date == dt.date(2018, 10, 19)
    assert document.page_amount == 22
    assert document.arrival_date == NOW
    files = list(document.files.order_by("pk"))
    assert [(f.role, f.original_name, f.file_format) for f in files] == [
        ("main", SIGNED_PDF, "pdf"),
        ("attachment", "edoc_new.edxml.xml", "xml"),
    ]
    assert [f.sha256 for f in files] == [SIGNED_PDF_SHA256, hashlib.sha256(data).hexdigest()]
    assert [stored_sha256(f) for f in files] == [f.sha256 for f in files]
    assert "huong dan su dung vpn" in document.search_text  # the PDF's text is searchable
    assert kept_packages() == []  # the kept package is removed once registered
    event = AuditEvent.objects.get(action="exchange.package_register")
    assert event.target_id == str(document.pk)
    assert event.data["package"] == {
        "name": "edoc_new.edxml",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert event.data["document_id"] == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    register_event = AuditEvent.objects.get(action="document.register_in")
    assert register_event.data["files"] == [f.sha256 for f in files]


def test_the_field_package_is_stored_repaired_and_its_repair_recorded(
    office, client_for, django_capture_on_commit_callbacks
):
    client = client_for(office.clerk)
    original = sample("edoc.edxml")
    html = html_lib.unescape(read_package(client, original, name="edoc.edxml").content.decode())
    assert "Gói không đúng chuẩn và đã được sửa để đọc" in html
    assert "Gói dùng tiền tố “xlink:” mà không khai báo" in html
    assert "Gói gốc không đúng cú pháp XML nên được lưu kèm văn bản ở dạng đã sửa" in html
    assert "Loại văn bản “Thông tư” trong gói không có trong danh mục loại văn bản" in html
    # 14.00.W00 has the 3-group form of the national exchange's agencies: well-formed.
    assert "Cơ quan gửi: Mã định danh" not in html
    assert selected(html, "document_type") == ["— Chọn loại văn bản —"]
    assert input_value(html, "issuer_name") == "Trung tâm test production 01"
    assert input_value(html, "issuer_code") == "14.00.W00"

    post = final_post(
        office,
        token_of(html),
        document_type=doc_type("Thông báo").pk,
        code_number="34",
        code_notation="TB-TTTEST",
        issued_date="2018-09-27",
        issuer_name="Trung tâm test production 01",
        issuer_code="",
        subject="Văn bản liên thông chỉ đạo - 190701",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, post)
    assert response.status_code == 302
    document = Document.objects.get()
    main, package_file = document.files.order_by("pk")
    assert (main.original_name, main.sha256) == (SIGNED_PDF, SIGNED_PDF_SHA256)
    # The package is stored as read: the original plus the two declarations.
    with default_storage.open(package_file.storage_name, "rb") as handle:
        stored = handle.read()
    assert stored != original
    assert (
        stored.replace(
            b' xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:edXML="http://www.mic.gov.vn/TBT/'
            b'QCVN_102_2016"',
            b"",
            1,
        )
        == original
    )
    assert (package_file.file_format, package_file.sha256) == (
        "xml",
        hashlib.sha256(stored).hexdigest(),
    )
    event = AuditEvent.objects.get(action="exchange.package_register")
    assert event.data["package"]["sha256"] == hashlib.sha256(original).hexdigest()
    assert len(event.data["repairs"]) == 2
    assert kept_packages() == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("K19", "chỉ có mã cấp 1 “K19”"),
        ("000.00.00.h19", "có chữ thường"),
        ("000.00.0.H19", "nhóm thứ 3 “0” phải gồm 2 chữ số"),
    ],
)
def test_a_malformed_sender_code_is_noted_and_not_filled(office, client_for, code, reason):
    """A clerk may still register a package read from a file whose sender code is malformed
    (QĐ 20/2020/QĐ-TTg): the code is not filled in and the note says why."""
    client = client_for(office.clerk)
    data = build_package(from_id=code, from_name="Văn phòng Chính phủ")
    html = html_lib.unescape(read_package(client, data).content.decode())
    assert f"Cơ quan gửi: Mã định danh “{code}” không đúng dạng: {reason}" in html
    assert "Mã này không được điền." in html
    assert input_value(html, "issuer_name") == "Văn phòng Chính phủ"
    assert input_value(html, "issuer_code") is None


def test_a_package_of_a_unit_of_the_deployment_and_a_typed_symbol(office, client_for):
    """The sender is a unit of the deployment (chosen in the list); the type comes from the
    symbol's abbreviation when the package names none; the urgency from its code."""
    root = office.province.root
    data = build_package(
        type_name=None,
        code_notation="QĐ-UBND",
        from_id=root.agency_code,
        from_name=root.name,
        priority="3",
        due_date="2026/12/10",
    )
    html = read_package(client_for(office.clerk), data).content.decode()
    assert selected(html, "document_type") == ["Quyết định"]
    assert selected(html, "issuer_unit") == [f"{root.name} ({root.agency_code})"]
    assert input_value(html, "issuer_name") is None
    assert selected(html, "urgency") == ["Hỏa tốc"]
    assert input_value(html, "due_date") == "10/12/2026"
    assert input_value(html, "issued_date") == "20/11/2026"
    # No file in this package: only the package itself will be stored.
    files = re.search(r'<table id="package-files">(.*?)</table>', html, re.DOTALL).group(1)
    assert re.findall(r"<tr>\s*<td>([^<]*)</td>", files) == ["goi.edxml.xml"]
    assert "Gói không có tệp văn bản" in html_lib.unescape(html)


def test_a_refused_final_post_keeps_the_package_without_choosing_it_again(
    office, client_for, django_capture_on_commit_callbacks
):
    client = client_for(office.clerk)
    html = read_package(client, sample("edoc_new.edxml"), name="edoc_new.edxml").content.decode()
    token = token_of(html)
    before = state()
    response = client.post(PAGE, final_post(office, token, sensitive_declared=None))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hãy xác nhận văn bản không có nội dung nhạy cảm" in field_block(
        page, "sensitive_declared"
    )
    assert state() == before
    # The ticket and the list of the package's files are still on the page.
    assert token_of(page) == token
    assert SIGNED_PDF in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, final_post(office, token))
    assert response.status_code == 302
    assert Document.objects.get().files.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"secrecy": "toi_mat"}, "secrecy", "Văn bản có độ mật “Tối mật” không được đưa vào"),
        ({"complaint": "on"}, "complaint", "Đơn thư khiếu nại, tố cáo không được đưa vào"),
        ({"code_number": "781622e22"}, "code_number", "Số văn bản chỉ gồm chữ số"),
    ],
    ids=["secret", "complaint", "number"],
)
def test_the_record_rules_still_apply(office, client_for, overrides, field, message):
    client = client_for(office.clerk)
    html = read_package(client, sample("edoc_update.edxml")).content.decode()
    assert "Loại nghiệp vụ của gói: Cập nhật văn bản" in html
    before = state()
    response = client.post(PAGE, final_post(office, token_of(html), **overrides))
    assert response.status_code == 200
    assert message in field_block(response.content.decode(), field)
    assert state() == before
    assert len(kept_packages()) == 1


# ---------------------------------------------------------------- tickets


def _forged(token: str) -> str:
    payload, _, signature = token.rpartition(":")
    return f"{payload}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize("kind", ["forged", "made-up", "another-clerk", "expired"])
def test_a_bad_ticket_is_refused_and_nothing_stored(office, client_for, kind):
    client = client_for(office.clerk)
    html = read_package(client, sample("edoc_new.edxml")).content.decode()
    token = token_of(html)
    message = INVALID_TICKET
    at = NOW
    if kind == "forged":
        token = _forged(token)
    elif kind == "made-up":
        token = "eyJ1IjoxfQ:1vXyZa:bm90LWEtc2lnbmF0dXJl"
    elif kind == "another-clerk":
        colleague = make_user(office.province.stttt, "Trần Thị Văn Thư", (Role.CLERK,))
        client = client_for(colleague)
    else:
        at, message = NOW + dt.timedelta(minutes=61), EXPIRED_TICKET
    before = state()
    with clock.frozen(at):
        response = client.post(PAGE, final_post(office, token))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in field_block(page, "package")
    assert input_value(page, "package_token") is None  # the bad ticket is not offered again
    assert state() == before
    # An expired ticket also removes the package it named; others leave it for its reader.
    assert len(kept_packages()) == (0 if kind == "expired" else 1)


def test_a_ticket_is_honoured_for_one_hour(office, client_for, django_capture_on_commit_callbacks):
    client = client_for(office.clerk)
    token = token_of(read_package(client, sample("edoc_new.edxml")).content.decode())
    with (
        clock.frozen(NOW + dt.timedelta(minutes=59)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(PAGE, final_post(office, token))
    assert response.status_code == 302
    assert Document.objects.get().register_number == 1


def test_a_changed_kept_package_is_refused(office, client_for):
    client = client_for(office.clerk)
    token = token_of(read_package(client, sample("edoc_new.edxml")).content.decode())
    [kept] = kept_packages()
    default_storage.delete(kept)
    default_storage.save(kept, SimpleUploadedFile("x", sample("edoc_update.edxml")))
    before = state()
    response = client.post(PAGE, final_post(office, token))
    assert "không còn nguyên trong kho tạm" in field_block(response.content.decode(), "package")
    assert state() == before


# ---------------------------------------------------------------- refused packages


def test_a_package_with_a_secret_file_is_refused_and_nothing_kept(office, client_for):
    secret = pdf_bytes("MẬT", "Kế hoạch bảo vệ mục tiêu trọng điểm")
    data = build_package(attachments=(("ke-hoach.pdf", "application/pdf", secret),))
    client = client_for(office.clerk)
    before = state()
    response = read_package(client, data)
    assert response.status_code == 200
    block = field_block(response.content.decode(), "package")
    assert "Tệp “ke-hoach.pdf” có dấu chỉ độ mật “MẬT”" in block
    assert "Không có gì được lưu." in block
    assert state() == before
    assert kept_packages() == []
    assert input_value(response.content.decode(), "package_token") is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("status_inbox_01.edxml", "là thông điệp trạng thái “Đã đến” (mã 01)"),
        ("edoc_revocation.edxml", "là yêu cầu thu hồi văn bản số 7816/VPCP-TTĐT"),
        ("truncated", "Gói edXML không hợp lệ: gói bị cắt cụt (thiếu phần cuối)"),
        ("dtd", "Gói edXML không hợp lệ: gói có khai báo DTD hoặc thực thể"),
        ("too-large", "Gói edXML lớn hơn giới hạn 1 MB của một tệp."),
        ("not-allowed", "“bang-tinh.xls” không thuộc định dạng được phép"),
        ("none", "Hãy chọn tệp gói edXML (.edxml)"),
    ],
)
def test_a_refused_package_is_named_and_nothing_kept(office, client_for, name, message):
    policy = DocumentPolicy.current()
    policy.max_file_size_mb = 1
    policy.save()
    if name == "truncated":
        data = sample("edoc_new.edxml")[:150_000]
    elif name == "dtd":
        data = build_package().replace(
            b"<edXML xmlns",
            b'<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML xmlns',
        )
    elif name == "too-large":
        data = build_package(
            attachments=(("a.pdf", "application/pdf", b"%PDF-1.7\n" + b"0" * 1024 * 1024),)
        )
    elif name == "not-allowed":
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
        data = build_package(attachments=(("bang-tinh.xls", "application/vnd.ms-excel", ole),))
    elif name != "none":
        data = sample(name)
    client = client_for(office.clerk)
    before = state()
    if name == "none":
        response = client.post(PAGE, {"read_package": "1", "subject": "Đã nhập trước"})
    else:
        response = read_package(client, data, subject="Đã nhập trước", sensitive_declared="on")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in field_block(page, "package")
    assert state() == before
    assert kept_packages() == []
    # What the clerk typed stays, except the R13 declaration.
    assert textarea(page, "subject") == "Đã nhập trước"
    assert not is_checked(page, "sensitive_declared")


def test_only_clerks_read_packages(office, client_for):
    response = read_package(client_for(office.leader), sample("edoc_new.edxml"))
    assert response.status_code == 403
    assert kept_packages() == []
    assert not AuditEvent.objects.filter(action="exchange.package_read").exists()


def test_the_page_offers_the_package_reader(office, client_for):
    html = client_for(office.clerk).get(PAGE).content.decode()
    assert "Gói văn bản điện tử (edXML)</label>" in html
    assert re.search(r'<input type="file" name="package" accept=".edxml,.xml"', html)
    assert re.search(
        r'<button type="submit" name="read_package" value="1"[^>]*formnovalidate', html
    )
    assert 'name="package_token"' in html
    assert 'id="package-summary"' not in html


def test_a_package_chosen_without_reading_it_is_read_not_registered(office, client_for):
    """Choosing a package and pressing "Vào sổ" at once shows it read, for checking first."""
    client = client_for(office.clerk)
    package = SimpleUploadedFile("edoc_new.edxml", sample("edoc_new.edxml"))
    response = client.post(PAGE, {**final_post(office, ""), "package": package})
    assert response.status_code == 200
    html = response.content.decode()
    assert input_value(html, "code_number") == "781622e22"
    assert token_of(html)
    assert not Document.objects.exists()
    assert len(kept_packages()) == 1


def test_the_clerk_may_add_attachments_but_not_another_main_file(
    office, client_for, django_capture_on_commit_callbacks
):
    client = client_for(office.clerk)
    token = token_of(read_package(client, sample("edoc_new.edxml")).content.decode())
    extra = SimpleUploadedFile("phieu-chuyen.pdf", pdf_bytes("Phiếu chuyển"))
    before = state()
    main = SimpleUploadedFile("khac.pdf", pdf_bytes("Văn bản khác"))
    response = client.post(PAGE, final_post(office, token, main_file=main))
    assert "dùng tệp văn bản chính trong gói edXML" in html_lib.unescape(response.content.decode())
    assert state() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, final_post(office, token, attachments=[extra]))
    assert response.status_code == 302
    names = list(
        Document.objects.get().files.order_by("pk").values_list("original_name", flat=True)
    )
    assert names == [SIGNED_PDF, "goi.edxml.xml", "phieu-chuyen.pdf"]


def test_packages_never_registered_are_removed_later(office, client_for):
    """A package read and abandoned is removed when another is read more than 2 hours later."""
    client = client_for(office.clerk)
    read_package(client, sample("edoc_new.edxml"))
    [abandoned] = kept_packages()
    later = timezone.now() + dt.timedelta(hours=2, minutes=1)
    with clock.frozen(later):
        read_package(client, sample("edoc_update.edxml"))
    [kept] = kept_packages()
    assert kept != abandoned
