"""The clerk's pages driven as a browser would: lists, registering (R13, R14, R16), the record,
giving a document to a person, numbering series.

Every refused form asserts the Vietnamese reason next to its field and that nothing was stored:
no document, file row, file on disk, number taken or audit event.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import docx_bytes, pdf_bytes, pdf_upload, upload
from tests.support.province import make_user
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents import services
from vanban.documents.models import (
    Document,
    DocumentFile,
    DocumentPolicy,
    DocumentShare,
    RegisterSeries,
    Urgency,
)
from vanban.documents.services import DocumentInput

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VN)
INCOMING = "/van-ban/den/"
OUTGOING = "/van-ban/di/"
INCOMING_NEW = "/van-ban/den/vao-so/"
OUTGOING_NEW = "/van-ban/di/vao-so/"
SERIES = "/van-ban/so-van-ban/"
SERIES_NEW = "/van-ban/so-van-ban/mo-so/"
DECLARATION = (
    "Tôi xác nhận văn bản không chứa nội dung nhạy cảm chưa được cơ quan có thẩm quyền kết luận "
    "và không có nội dung độc hại"
)
REUPLOAD = "hãy chọn lại tệp văn bản chính"


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Everything happens on 25/11/2026, Vietnam time (accounts, registrations, pages)."""
    with clock.frozen(NOW):
        yield


# ---------------------------------------------------------------- helpers


def stored_files() -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists("documents"):
        walk("documents")
    return sorted(found)


def state() -> dict:
    """Everything a document page can write, including the files on disk."""
    return {
        "documents": list(Document.objects.order_by("pk").values_list("pk", "subject")),
        "files": DocumentFile.objects.count(),
        "shares": sorted(DocumentShare.objects.values_list("document_id", "user_id")),
        "series": list(
            RegisterSeries.objects.order_by("pk").values_list(
                "unit_id",
                "year",
                "direction",
                "document_type_id",
                "legal_normative",
                "next_number",
            )
        ),
        "audit": AuditEvent.objects.count(),
        "stored": stored_files(),
    }


def incoming_data(office, **overrides) -> dict:
    """The incoming form as a clerk fills it; an override of None leaves the field out."""
    data = {
        "unit": office.province.stttt.pk,
        "document_type": doc_type("Quyết định").pk,
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": "20/11/2026",
        "issuer_name": "Ủy ban nhân dân tỉnh Vĩnh Long",
        "issuer_code": "000.00.00.H62",
        "signer_name": "Trần Ngọc Tam",
        "signer_position": "Chủ tịch",
        "subject": "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "urgency": "0",
        "due_date": "",
        "page_amount": "3",
        "to_places": "Phòng Bưu chính – Viễn thông",
        "description": "",
        "secrecy": "",
        "sensitive_declared": "on",
        "main_file": pdf_upload("ban-quet.pdf", "QUYẾT ĐỊNH", "Về việc ban hành Quy chế"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def outgoing_data(office, type_name: str = "Quyết định", **overrides) -> dict:
    data = {
        "unit": office.province.stttt.pk,
        "document_type": doc_type(type_name).pk,
        "drafting_symbol": "",
        "subject": f"{type_name} về việc triển khai hệ thống quản lý văn bản",
        "signer_name": "Phạm Minh Đức",
        "signer_position": "Giám đốc",
        "urgency": "0",
        "recipients": "Các sở, ban, ngành tỉnh;\nLưu: VT, VP.",
        "archive_holder": "Văn phòng Sở",
        "issued_amount": "20",
        "page_amount": "2",
        "due_date": "",
        "description": "",
        "secrecy": "",
        "sensitive_declared": "on",
        "main_file": pdf_upload("quyet-dinh.pdf", "QUYẾT ĐỊNH", "Về việc triển khai"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register_incoming(office, *, at: dt.datetime = NOW, **overrides) -> Document:
    overrides.setdefault("issued_date", at.date())
    with clock.frozen(at):
        return services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(**overrides),
            refusals=DECLARED,
            main_file=scan(),
        )


def register_outgoing(office, *, at: dt.datetime = NOW, **overrides) -> Document:
    values = {
        "document_type": doc_type("Quyết định"),
        "subject": "Quyết định thử nghiệm",
        "recipients": "Các sở, ban, ngành tỉnh",
        "signer_name": "Phạm Minh Đức",
    }
    values.update(overrides)
    with clock.frozen(at):
        return services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=DocumentInput(**values),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )


class _Table(HTMLParser):
    """Cell texts of the rows of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.depth = table_id, False, 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if not self.inside:
            return
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(html)
    return parser.rows


def field_errors(response, name: str, form: str = "form") -> list[str]:
    return list(response.context[form].errors.get(name, []))


def assert_refused(response, field: str, message: str, before: dict, form: str = "form") -> None:
    """The page is shown again with the reason next to the field, and nothing was stored."""
    assert response.status_code == 200
    errors = field_errors(response, field, form)
    assert any(message in e for e in errors), (field, errors, response.context[form].errors)
    html = response.content.decode()
    block = re.search(rf'id="field-{field}">(.*?)</div>', html, re.DOTALL)
    assert block is not None and message in block.group(1), field
    assert state() == before


# ---------------------------------------------------------------- registering incoming documents


MAIN_FILE_REQUIRED = (
    "Văn bản đến phải có tệp văn bản chính: bản quét của văn bản giấy hoặc tệp văn bản điện tử."
)
FOCUSABLE = re.compile(r"<(a|button|input|select|textarea)\b[^>]*>")


def autofocused(html: str) -> list[str]:
    """The names of the fields that take the cursor when the page opens."""
    return [
        re.search(r'name="([^"]+)"', tag.group(0)).group(1)  # type: ignore[union-attr]
        for tag in FOCUSABLE.finditer(html)
        if re.search(r"\sautofocus\b", tag.group(0))
    ]


def register_form(html: str) -> str:
    start = html.index('id="register-form"')
    return html[start : html.index("</form>", start)]


def test_enter_registers_the_document_never_reads_a_package(office, client_for):
    """R16: Enter in a field presses the form's default button, the first submit button in tree
    order; it is "Vào sổ" (no name), not "Đọc gói edXML" (name read_package)."""
    html = client_for(office.clerk).get(INCOMING_NEW).content.decode()
    buttons = re.findall(r"<button\b[^>]*>[^<]*</button>", register_form(html))
    first = buttons[0]
    assert 'type="submit"' in first and "Vào sổ" in first and "name=" not in first
    assert 'tabindex="-1"' in first and 'aria-hidden="true"' in first
    assert any('name="read_package"' in b for b in buttons[1:])


def test_the_cursor_starts_in_the_first_field_then_in_the_first_refused_one(office, client_for):
    client = client_for(office.clerk)
    assert autofocused(client.get(INCOMING_NEW).content.decode()) == ["unit"]
    before = state()
    response = client.post(INCOMING_NEW, incoming_data(office, subject="", issuer_code="H07"))
    assert set(response.context["form"].errors) == {"subject"}  # the service stops at the first
    assert autofocused(response.content.decode()) == ["subject"]
    response = client.post(INCOMING_NEW, incoming_data(office, document_type="", subject=""))
    assert autofocused(response.content.decode()) == ["document_type"]
    assert state() == before
    assert autofocused(client.get(OUTGOING_NEW).content.decode()) == ["unit"]


def test_an_incoming_document_needs_its_main_file(office, client_for):
    """R16, Art. 22: the scan of the paper document or the electronic file; nothing is stored
    without it, the attachments included."""
    client = client_for(office.clerk)
    before = state()
    response = client.post(
        INCOMING_NEW,
        incoming_data(office, main_file=None, attachments=pdf_upload("phu-luc.pdf", "Phụ lục")),
    )
    assert_refused(response, "main_file", MAIN_FILE_REQUIRED, before)
    assert "Bắt buộc: bản quét" in response.content.decode()


def test_long_texts_are_counted_never_cut(office, client_for):
    """The browser gets no maxlength (it cuts pasted text silently): long texts carry their
    limit for the counter script, and the server refuses past it keeping what was typed."""
    client = client_for(office.clerk)
    for url, limits in (
        (INCOMING_NEW, {"subject": 500, "description": 500, "to_places": 1000}),
        (OUTGOING_NEW, {"subject": 500, "description": 500, "recipients": 1000}),
    ):
        html = client.get(url).content.decode()
        assert "maxlength=" not in html.replace("data-maxlength=", ""), url
        for name, limit in limits.items():
            assert re.search(rf'<textarea name="{name}"[^>]*data-maxlength="{limit}"', html), name
        assert '<script src="/static/documents/char-counter.js" defer>' in html
    long_subject = ("Về việc triển khai kế hoạch chuyển đổi số năm 2027 " * 16)[:778] + "."
    assert len(long_subject) == 779
    before = state()
    response = client.post(INCOMING_NEW, incoming_data(office, subject=long_subject))
    assert_refused(
        response,
        "subject",
        "Trích yếu dài 779 ký tự, quá giới hạn 500 ký tự; hãy rút gọn.",
        before,
    )
    assert f"\n{long_subject}</textarea>" in response.content.decode()  # kept whole
    response = client.post(OUTGOING_NEW, outgoing_data(office, recipients="x" * 1001))
    assert_refused(
        response,
        "recipients",
        "Nơi nhận dài 1001 ký tự, quá giới hạn 1000 ký tự; hãy rút gọn.",
        before,
    )


def test_the_form_shows_every_field_and_the_declaration(office, client_for):
    response = client_for(office.clerk).get(INCOMING_NEW)
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Loại văn bản",
        "Số",
        "Ký hiệu",
        "Ngày văn bản",
        "Cơ quan ban hành trong hệ thống",
        "Tên cơ quan ban hành bên ngoài",
        "Người ký",
        "Chức vụ người ký",
        "Trích yếu",
        "Độ khẩn",
        "Hạn xử lý",
        "Số trang",
        "Đơn vị hoặc người nhận",
        "Ghi chú",
        "Văn bản điện tử",
        "Tệp văn bản chính",
        "Tệp đính kèm",
        "Độ mật",
        "Đơn thư khiếu nại, tố cáo",
        DECLARATION,
    ):
        assert f"{label}</label>" in html, label
    for option in (
        "Thường",
        "Khẩn",
        "Thượng khẩn",
        "Hỏa tốc",
        "Hỏa tốc hẹn giờ",
        "Không",
        "Mật",
        "Tối mật",
        "Tuyệt mật",
        "Quyết định",
        "Công văn",
    ):
        assert f">{option}</option>" in html, option
    assert 'enctype="multipart/form-data"' in html
    assert 'name="attachments" multiple' in html
    # The clerk of one unit has it chosen; no other unit is offered.
    assert (
        re.findall(r'<select name="unit"[^>]*>(.*?)</select>', html, re.DOTALL)[0].count("<option")
        == 1
    )
    assert "Ngày đến và số đến do hệ thống điền" in html
    assert 'name="confirm_duplicate"' not in html


def test_clerk_registers_an_incoming_document_with_its_files(office, client_for):
    client = client_for(office.clerk)
    response = client.post(
        INCOMING_NEW,
        incoming_data(
            office,
            urgency=str(Urgency.VERY_URGENT),
            due_date="2026-12-05",
            is_electronic="on",
            main_file=pdf_upload("Quyết định 15.pdf", "QUYẾT ĐỊNH", "Ban hành Quy chế"),
            attachments=[
                pdf_upload("phu-luc.pdf", "Phụ lục I"),
                upload("du-thao.docx", docx_bytes("Dự thảo quy chế")),
            ],
        ),
        follow=True,
    )
    document = Document.objects.get()
    assert response.redirect_chain == [(f"/van-ban/{document.pk}/", 302)]
    html = response.content.decode()
    assert "Đã vào sổ đến số 1." in html
    assert (document.direction, document.register_number, document.year) == ("in", 1, 2026)
    assert document.arrival_date == NOW
    assert document.number_symbol == "15/QĐ-UBND"
    assert document.issued_date == dt.date(2026, 11, 20)
    assert (document.issuer_name, document.issuer_code, document.issuer_unit) == (
        "Ủy ban nhân dân tỉnh Vĩnh Long",
        "000.00.00.H62",
        None,
    )
    assert document.urgency == Urgency.VERY_URGENT
    assert document.due_date == dt.date(2026, 12, 5)
    assert (document.page_amount, document.is_electronic) == (3, True)
    assert document.to_places == "Phòng Bưu chính – Viễn thông"
    assert document.registered_by == office.clerk
    files = list(document.files.order_by("pk"))
    assert [(f.role, f.original_name, f.file_format) for f in files] == [
        ("main", "Quyết định 15.pdf", "pdf"),
        ("attachment", "phu-luc.pdf", "pdf"),
        ("attachment", "du-thao.docx", "docx"),
    ]
    assert all(default_storage.exists(f.storage_name) for f in files)
    event = AuditEvent.objects.get(action="document.register_in")
    assert event.data["sensitive_declared"] is True
    # The record shows the arrival number and links every file to its download.
    assert re.search(r'id="arrival-number">1<', html)
    assert "Thượng khẩn" in html
    for f in files:
        assert f'href="/van-ban/tep/{f.pk}/tai-xuong/">{f.original_name}</a>' in html

    second = client.post(INCOMING_NEW, incoming_data(office, code_number="16"), follow=True)
    assert "Đã vào sổ đến số 2." in second.content.decode()


def test_the_issuing_body_can_be_a_unit_of_the_deployment(office, client_for):
    root = office.province.root
    response = client_for(office.clerk).post(
        INCOMING_NEW, incoming_data(office, issuer_unit=root.pk, issuer_name="", issuer_code="")
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.issuer_unit, document.issuer_name, document.issuer_code) == (
        root,
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
    )


def test_the_issuing_body_is_either_a_unit_or_an_external_body(office, client_for):
    client = client_for(office.clerk)
    before = state()
    response = client.post(INCOMING_NEW, incoming_data(office, issuer_unit=office.province.root.pk))
    assert_refused(response, "issuer_name", "không cả hai", before)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"secrecy": "mat"}, "secrecy", "độ mật “Mật” không được đưa vào hệ thống"),
        ({"secrecy": "toi_mat"}, "secrecy", "độ mật “Tối mật”"),
        ({"secrecy": "tuyet_mat"}, "secrecy", "độ mật “Tuyệt mật”"),
        ({"complaint": "on"}, "complaint", "Đơn thư khiếu nại, tố cáo không được đưa vào"),
        ({"sensitive_declared": None}, "sensitive_declared", "Hãy xác nhận văn bản không có"),
        ({"main_file": "stamp MẬT"}, "main_file", "có dấu chỉ độ mật “MẬT”"),
        ({"main_file": "stamp TỐI MẬT"}, "main_file", "có dấu chỉ độ mật “TỐI MẬT”"),
        ({"attachments": "stamp TUYỆT MẬT"}, "attachments", "có dấu chỉ độ mật “TUYỆT MẬT”"),
    ],
    ids=[
        "mat",
        "toi-mat",
        "tuyet-mat",
        "complaint",
        "no-declaration",
        "stamp-main",
        "stamp-main-toi-mat",
        "stamp-attachment",
    ],
)
def test_refused_documents_store_nothing(office, client_for, overrides, field, message):
    """R13 through the page: the reason is shown and nothing is stored, not even the files."""
    client = client_for(office.clerk)
    register_incoming(office, code_number="1")  # the register is not empty
    before = state()
    data = incoming_data(office, main_file=pdf_upload("van-ban.pdf", "Quyết định số 15"))
    for key, value in overrides.items():
        if isinstance(value, str) and value.startswith("stamp "):
            stamp = value.removeprefix("stamp ")
            value = upload("scan.pdf", pdf_bytes("ỦY BAN NHÂN DÂN", stamp, "Quyết định số 12"))
        data[key] = value
    data = {k: v for k, v in data.items() if v is not None}

    response = client.post(INCOMING_NEW, data)

    assert_refused(response, field, message, before)
    html = response.content.decode()
    assert "Không có gì được lưu" in html or field == "sensitive_declared"
    assert REUPLOAD in html  # the browser cannot keep the chosen files


def test_secret_outgoing_documents_are_refused_too(office, client_for):
    client = client_for(office.clerk)
    before = state()
    response = client.post(OUTGOING_NEW, outgoing_data(office, secrecy="mat"))
    assert_refused(response, "secrecy", "độ mật “Mật”", before)
    response = client.post(
        OUTGOING_NEW,
        outgoing_data(office, main_file=upload("qd.pdf", pdf_bytes("QUYẾT ĐỊNH", "TUYỆT MẬT"))),
    )
    assert_refused(response, "main_file", "dấu chỉ độ mật “TUYỆT MẬT”", before)


def test_a_duplicate_needs_the_clerks_confirmation(office, client_for):
    client = client_for(office.clerk)
    first = client.post(INCOMING_NEW, incoming_data(office, main_file=pdf_upload()))
    assert first.status_code == 302
    before = state()

    # Same number, symbol and issuing body, typed with other case and without diacritics.
    data = incoming_data(
        office,
        code_notation="qđ-ubnd",
        issuer_name="Uy ban nhan dan tinh Vinh Long",
        main_file=pdf_upload(),
    )
    response = client.post(INCOMING_NEW, data)
    assert_refused(response, "confirm_duplicate", "đã được vào sổ đến số 1 ngày 25/11/2026", before)
    html = response.content.decode()
    assert "Vẫn vào sổ (đây là văn bản khác)" in html
    assert 'name="confirm_duplicate"' in html
    assert REUPLOAD in html

    data["main_file"] = pdf_upload()
    response = client.post(INCOMING_NEW, {**data, "confirm_duplicate": "on"}, follow=True)
    assert "Đã vào sổ đến số 2." in response.content.decode()
    assert Document.objects.count() == 2
    event = AuditEvent.objects.filter(action="document.register_in").latest("pk")
    assert event.data["duplicate_confirmed"] is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"document_type": ""}, "document_type", "Hãy chọn loại văn bản."),
        ({"document_type": "999999"}, "document_type", "Hãy chọn loại văn bản."),
        ({"subject": ""}, "subject", "Trích yếu không được để trống."),
        (
            {"subject": "x" * 501},
            "subject",
            "Trích yếu dài 501 ký tự, quá giới hạn 500 ký tự; hãy rút gọn.",
        ),
        ({"code_number": "12a"}, "code_number", "Số văn bản chỉ gồm chữ số"),
        (
            {"code_number": "123456789012"},
            "code_number",
            "Số văn bản dài 12 ký tự, quá giới hạn 11 ký tự; hãy rút gọn.",
        ),
        ({"code_notation": "QĐ UBND?"}, "code_notation", "Ký hiệu chỉ gồm chữ, số"),
        (
            {"code_notation": "Q" * 31},
            "code_notation",
            "Ký hiệu dài 31 ký tự, quá giới hạn 30 ký tự; hãy rút gọn.",
        ),
        ({"issued_date": ""}, "issued_date", "Hãy nhập ngày tháng văn bản."),
        ({"issued_date": "31/02/2026"}, "issued_date", "Ngày 31/02/2026 không có trên lịch"),
        ({"issued_date": "26/11/2026"}, "issued_date", "không thể sau ngày hôm nay"),
        ({"issuer_name": ""}, "issuer_name", "Cơ quan ban hành không được để trống."),
        (
            {"issuer_name": "x" * 201},
            "issuer_name",
            "Cơ quan ban hành dài 201 ký tự, quá giới hạn 200 ký tự; hãy rút gọn.",
        ),
        ({"issuer_code": "H07"}, "issuer_code", "V1V2V3.Z1Z2.Y1Y2.H##"),
        ({"issuer_unit": "999999", "issuer_name": ""}, "issuer_unit", "Không tìm thấy đơn vị."),
        (
            {"signer_name": "x" * 51},
            "signer_name",
            "Người ký dài 51 ký tự, quá giới hạn 50 ký tự; hãy rút gọn.",
        ),
        (
            {"signer_position": "x" * 101},
            "signer_position",
            "Chức vụ người ký dài 101 ký tự, quá giới hạn 100",
        ),
        ({"urgency": "9"}, "urgency", "Độ khẩn không hợp lệ."),
        ({"due_date": "2024-01-01"}, "due_date", "Hạn xử lý không hợp lệ."),
        (
            {"due_date": "hôm nay"},
            "due_date",
            "Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/12/2026.",
        ),
        ({"page_amount": "1000"}, "page_amount", "Số trang phải từ 1 đến 999."),
        ({"page_amount": "ba"}, "page_amount", "Số trang phải là một số."),
        (
            {"to_places": "x" * 1001},
            "to_places",
            "Đơn vị hoặc người nhận dài 1001 ký tự, quá giới hạn 1000",
        ),
        (
            {"description": "x" * 501},
            "description",
            "Ghi chú dài 501 ký tự, quá giới hạn 500 ký tự; hãy rút gọn.",
        ),
        ({"secrecy": "bi_mat"}, "secrecy", "Độ mật không hợp lệ."),
    ],
)
def test_each_field_is_checked(office, client_for, overrides, field, message):
    client = client_for(office.clerk)
    before = state()
    response = client.post(INCOMING_NEW, incoming_data(office, **overrides))
    assert_refused(response, field, message, before)


def test_another_units_register_is_not_offered(office, client_for):
    """A crafted post for a unit the clerk does not keep the register of changes nothing."""
    client = client_for(office.clerk_snv)
    before = state()
    response = client.post(INCOMING_NEW, incoming_data(office, unit=office.province.stttt.pk))
    assert_refused(response, "unit", "Hãy chọn một đơn vị bạn làm văn thư.", before)


@pytest.mark.parametrize(
    ("files", "field", "message"),
    [
        (
            {"main_file": ("van-ban.pdf", b"MZ\x90\x00 executable")},
            "main_file",
            "“van-ban.pdf” không thuộc định dạng được phép",
        ),
        ({"main_file": ("anh.png", b"GIF89a....")}, "main_file", "không thuộc định dạng"),
        ({"attachments": ("rong.pdf", b"")}, "attachments", "Tệp “rong.pdf” rỗng."),
        (
            {"main_file": ("lon.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))},
            "main_file",
            "lớn hơn giới hạn 1 MB",
        ),
    ],
    ids=["executable", "gif-named-png", "empty", "too-large"],
)
def test_files_are_checked_by_content_and_size(office, client_for, files, field, message):
    policy = DocumentPolicy.current()
    policy.max_file_size_mb = 1
    policy.save()
    client = client_for(office.clerk)
    before = state()
    data = incoming_data(office, **{key: upload(*value) for key, value in files.items()})
    response = client.post(INCOMING_NEW, data)
    assert_refused(response, field, message, before)


def test_too_many_attachments_are_refused(office, client_for):
    policy = DocumentPolicy.current()
    policy.max_attachments = 1
    policy.save()
    client = client_for(office.clerk)
    before = state()
    data = incoming_data(office, attachments=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    response = client.post(INCOMING_NEW, data)
    assert_refused(response, "attachments", "Tối đa 1 tệp đính kèm.", before)


# ---------------------------------------------------------------- registering outgoing documents


def test_clerk_registers_outgoing_documents_and_sees_their_numbers(office, client_for):
    client = client_for(office.clerk)
    response = client.get(OUTGOING_NEW)
    html = response.content.decode()
    for label in (
        "Văn bản quy phạm pháp luật",
        "Đơn vị soạn thảo",
        "Nơi nhận",
        "Đơn vị, người nhận bản lưu",
        "Số lượng bản",
        "Hạn trả lời",
        DECLARATION,
    ):
        assert f"{label}</label>" in html, label

    response = client.post(
        OUTGOING_NEW,
        outgoing_data(
            office,
            urgency=str(Urgency.FLASH),
            attachments=[upload("ke-hoach.docx", docx_bytes("x"))],
        ),
        follow=True,
    )
    decision = Document.objects.get()
    assert response.redirect_chain == [(f"/van-ban/{decision.pk}/", 302)]
    html = response.content.decode()
    assert "Đã cấp số 01/QĐ-STTTT." in html
    assert (decision.issued_date, decision.issuer_code) == (NOW.date(), "000.00.12.H07")
    assert (decision.recipients, decision.archive_holder, decision.issued_amount) == (
        "Các sở, ban, ngành tỉnh;\nLưu: VT, VP.",
        "Văn phòng Sở",
        20,
    )
    assert decision.files.count() == 2
    assert re.search(r'id="number-symbol">01/QĐ-STTTT<', html)
    assert AuditEvent.objects.filter(action="document.register_out").count() == 1

    letter = client.post(
        OUTGOING_NEW, outgoing_data(office, "Công văn", drafting_symbol="vp"), follow=True
    )
    assert "Đã cấp số 02/STTTT-VP." in letter.content.decode()
    normative = client.post(OUTGOING_NEW, outgoing_data(office, legal_normative="on"), follow=True)
    assert "Đã cấp số 01/2026/QĐ-STTTT." in normative.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"main_file": None}, "main_file", "Văn bản đi phải có tệp văn bản chính."),
        ({"recipients": ""}, "recipients", "Nơi nhận không được để trống."),
        ({"subject": ""}, "subject", "Trích yếu không được để trống."),
        ({"drafting_symbol": "V P?"}, "drafting_symbol", "chỉ gồm chữ và số"),
        ({"drafting_symbol": "x" * 11}, "drafting_symbol", "dài 11 ký tự, quá giới hạn 10 ký tự"),
        ({"issued_amount": "0"}, "issued_amount", "Số lượng bản phải từ 1 đến 999."),
        ({"archive_holder": "x" * 201}, "archive_holder", "dài 201 ký tự, quá giới hạn 200 ký tự"),
        ({"document_type": ""}, "document_type", "Hãy chọn loại văn bản."),
        ({"sensitive_declared": None}, "sensitive_declared", "Hãy xác nhận"),
        ({"complaint": "on"}, "complaint", "khiếu nại, tố cáo"),
    ],
)
def test_outgoing_fields_are_checked(office, client_for, overrides, field, message):
    client = client_for(office.clerk)
    before = state()
    response = client.post(OUTGOING_NEW, outgoing_data(office, **overrides))
    assert_refused(response, field, message, before)


# ---------------------------------------------------------------- lists


def test_incoming_list_puts_urgent_documents_first_and_marks_them(office, client_for):
    register_incoming(
        office, code_number="1", subject="Văn bản thường cũ", at=NOW - dt.timedelta(days=3)
    )
    register_incoming(
        office,
        code_number="2",
        subject="Văn bản khẩn",
        urgency=Urgency.URGENT,
        at=NOW - dt.timedelta(days=2),
    )
    register_incoming(
        office,
        code_number="3",
        subject="Văn bản hỏa tốc",
        urgency=Urgency.FLASH,
        at=NOW - dt.timedelta(days=4),
    )
    register_incoming(
        office, code_number="4", subject="Văn bản thường mới", at=NOW - dt.timedelta(hours=1)
    )
    response = client_for(office.clerk).get(INCOMING)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "<th>Số đến</th><th>Ngày đến</th><th>Số ký hiệu</th><th>Ngày văn bản</th>"
        "<th>Cơ quan ban hành</th><th>Trích yếu</th><th>Độ khẩn</th>"
    ) in html
    # The last column, "Chọn": the row's checkbox and "Chuyển" (docs/workflow.md).
    assert [row[:-1] for row in table_rows(html, "document-table")] == [
        [
            "3",
            "21/11/2026",
            "03/QĐ-UBND",
            "21/11/2026",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Văn bản hỏa tốc",
            "Hỏa tốc",
        ],
        [
            "2",
            "23/11/2026",
            "02/QĐ-UBND",
            "23/11/2026",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Văn bản khẩn",
            "Khẩn",
        ],
        [
            "4",
            "25/11/2026",
            "04/QĐ-UBND",
            "25/11/2026",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Văn bản thường mới",
            "Thường",
        ],
        [
            "1",
            "22/11/2026",
            "01/QĐ-UBND",
            "22/11/2026",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Văn bản thường cũ",
            "Thường",
        ],
    ]
    assert html.count('<tr class="urgent">') == 2
    assert '<span class="badge badge-urgency urgency-3">Hỏa tốc</span>' in html
    assert '<span class="badge badge-urgency urgency-1">Khẩn</span>' in html
    assert "4 văn bản" in html
    # Links to search, the printed register and registering.
    assert 'href="/van-ban/tim-kiem/"' in html
    assert 'href="/van-ban/so/den/">In sổ</a>' in html  # the register page's default period
    assert f'href="{INCOMING_NEW}"' in html


def test_outgoing_list_columns(office, client_for):
    register_outgoing(
        office,
        subject="Kế hoạch chuyển đổi số",
        urgency=Urgency.FLASH_SCHEDULED,
        document_type=doc_type("Kế hoạch"),
        signer_name="Phạm Minh Đức",
    )
    register_outgoing(office, subject="Quyết định thành lập tổ công tác")
    register_incoming(office, subject="Văn bản đến không thuộc danh sách đi")
    html = client_for(office.leader).get(OUTGOING).content.decode()
    assert (
        "<th>Số ký hiệu</th><th>Ngày</th><th>Loại</th><th>Trích yếu</th><th>Người ký</th>"
        "<th>Nơi nhận</th>"
    ) in html
    assert table_rows(html, "document-table") == [
        [
            "01/KH-STTTT",
            "25/11/2026",
            "Kế hoạch",
            "Hỏa tốc hẹn giờ Kế hoạch chuyển đổi số",
            "Phạm Minh Đức",
            "Các sở, ban, ngành tỉnh",
        ],
        [
            "02/QĐ-STTTT",
            "25/11/2026",
            "Quyết định",
            "Quyết định thành lập tổ công tác",
            "Phạm Minh Đức",
            "Các sở, ban, ngành tỉnh",
        ],
    ]
    # The leader reads the registers but does not register.
    assert 'href="/van-ban/so/di/' in html
    assert OUTGOING_NEW not in html


def test_lists_filter_by_year_and_unit(office, client_for):
    register_incoming(
        office,
        code_number="1",
        subject="Văn bản năm trước",
        at=dt.datetime(2025, 12, 30, 8, 0, tzinfo=VN),
    )
    register_incoming(office, code_number="2", subject="Văn bản năm nay")
    client = client_for(office.clerk)

    def subjects(params: dict) -> list[str]:
        response = client.get(INCOMING, params)
        assert response.status_code == 200
        return [row[5] for row in table_rows(response.content.decode(), "document-table")]

    assert subjects({}) == ["Văn bản năm nay"]  # the current year by default
    assert subjects({"year": "2025"}) == ["Văn bản năm trước"]
    assert subjects({"year": ""}) == ["Văn bản năm nay", "Văn bản năm trước"]
    assert subjects({"year": "", "unit": office.province.stttt.pk}) == [
        "Văn bản năm nay",
        "Văn bản năm trước",
    ]

    html = client.get(INCOMING, {"year": "2025", "unit": office.province.stttt.pk}).content.decode()
    unit = office.province.stttt.pk
    assert f'href="/van-ban/so/den/?unit={unit}&amp;period=year&amp;year=2025">In sổ' in html

    # Another unit's register looks like a unit that does not exist.
    response = client.get(INCOMING, {"unit": office.province.snv.pk})
    assert response.status_code == 404
    assert "Không tìm thấy đơn vị." in response.content.decode()
    assert table_rows(response.content.decode(), "document-table") == [
        ["Không có văn bản đến phù hợp."]
    ]
    response = client.get(INCOMING, {"year": "năm nay"})
    assert response.status_code == 400
    assert "Năm không hợp lệ." in response.content.decode()


def test_lists_show_only_what_the_reader_may_see(office, client_for):
    shared = register_incoming(office, code_number="1", subject="Văn bản được chuyển")
    register_incoming(office, code_number="2", subject="Văn bản chưa chuyển")
    services.document_share(actor=office.clerk, document=shared, user=office.province.staff_stttt)
    with clock.frozen(NOW):
        services.incoming_register(
            actor=office.clerk_snv,
            unit=office.province.snv,
            refusals=DECLARED,
            data=incoming_input(subject="Văn bản của Sở Nội vụ", issued_date=NOW.date()),
            main_file=scan(),
        )

    def subjects(user) -> list[str]:
        html = client_for(user).get(INCOMING, {"year": ""}).content.decode()
        return sorted(
            row[5] if len(row) > 1 else row[0] for row in table_rows(html, "document-table")
        )

    assert subjects(office.clerk) == ["Văn bản chưa chuyển", "Văn bản được chuyển"]
    assert subjects(office.leader) == ["Văn bản chưa chuyển", "Văn bản được chuyển"]
    assert subjects(office.province.staff_stttt) == ["Văn bản được chuyển"]
    assert subjects(office.clerk_snv) == ["Văn bản của Sở Nội vụ"]
    assert subjects(office.province.admin_stttt) == ["Không có văn bản đến phù hợp."]
    # Staff keep no register: no unit filter, no "In sổ".
    html = client_for(office.province.staff_stttt).get(INCOMING).content.decode()
    assert 'name="unit"' not in html
    assert "In sổ" not in html


def test_lists_are_paginated_by_fifty(office, client_for):
    for number in range(1, 52):
        register_incoming(office, code_number=str(number), subject=f"Văn bản số {number}")
    client = client_for(office.clerk)
    first = client.get(INCOMING).content.decode()
    assert len(table_rows(first, "document-table")) == 50
    assert "Trang 1/2" in first
    assert "51 văn bản" in first
    second = client.get(INCOMING, {"page": "2"}).content.decode()
    assert [row[0] for row in table_rows(second, "document-table")] == ["1"]


@pytest.mark.parametrize(
    ("url", "register"), [(INCOMING, register_incoming), (OUTGOING, register_outgoing)]
)
def test_list_query_count_does_not_grow(
    office, client_for, django_assert_num_queries, url, register
):
    client = client_for(office.clerk)
    for number in range(1, 4):
        register(office, code_number=str(number), urgency=number % 3)
    services.document_share(
        actor=office.clerk, document=Document.objects.first(), user=office.province.staff_stttt
    )
    queries = LIST_QUERIES + (LIST_ACTION_QUERIES if url == INCOMING else 0)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(table_rows(response.content.decode(), "document-table")) == 3
    for number in range(4, 61):
        register(office, code_number=str(number), urgency=number % 3)
    with django_assert_num_queries(queries):
        response = client.get(url)
    html = response.content.decode()
    assert len(table_rows(html, "document-table")) == 50
    if url == INCOMING:  # every row has its checkbox, at no cost per row
        assert html.count('name="documents"') == 50


# session, user, roles, unread notifications, unit filter choices; the documents given to the
# reader outside the unit (their ids: none here, so half 2 of the visibility rule is not read);
# count and page rows of half 1 (the unit's documents)
LIST_QUERIES = 8
# The incoming list's actions on ticked documents (registered by the processing): the reader's
# delegations, and for a clerk the leaders to present to.
LIST_ACTION_QUERIES = 2


# ---------------------------------------------------------------- the record and giving it


def test_the_record_shows_every_field(office, client_for):
    document = register_incoming(
        office,
        urgency=Urgency.URGENT,
        due_date=dt.date(2026, 12, 1),
        page_amount=4,
        to_places="Phòng Văn thư",
        description="Bản chính đến qua bưu điện",
    )
    html = client_for(office.leader).get(f"/van-ban/{document.pk}/").content.decode()
    for text in (
        "Văn bản đến",
        "Sở Thông tin và Truyền thông",
        "Sổ đăng ký văn bản đến (2026)",
        "Số đến",
        "25/11/2026 09:30",
        "Quyết định",
        "15/QĐ-UBND",
        "25/11/2026",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "(mã định danh 000.00.00.H07)",
        "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "Trần Ngọc Tam",
        "Chủ tịch",
        "Khẩn",
        "01/12/2026",
        "Phòng Văn thư",
        "Bản chính đến qua bưu điện",
        "Võ Thị Thu Trang",
        "Đã xác nhận",
        "ban-quet.pdf",
        "Chưa chuyển cho ai.",
    ):
        assert text in html, text
    for label in (
        "Ngày đến",
        "Hạn xử lý",
        "Số trang",
        "Đơn vị hoặc người nhận",
        "Văn bản điện tử",
        "Người vào sổ",
        "Thời điểm vào sổ",
    ):
        assert f"<th>{label}</th>" in html, label
    outgoing = register_outgoing(office)
    html = client_for(office.clerk).get(f"/van-ban/{outgoing.pk}/").content.decode()
    for label in (
        "Nơi nhận",
        "Đơn vị, người nhận bản lưu",
        "Số lượng bản",
        "Hạn trả lời",
        "Văn bản quy phạm pháp luật",
    ):
        assert f"<th>{label}</th>" in html, label
    assert "Số đến" not in html


def test_clerk_gives_a_document_to_a_person_of_the_unit(office, client_for):
    document = register_incoming(office)
    staff = office.province.staff_stttt
    staff_client = client_for(staff)
    assert staff_client.get(f"/van-ban/{document.pk}/").status_code == 404

    client = client_for(office.clerk)
    page = client.get(f"/van-ban/{document.pk}/").content.decode()
    assert f'action="/van-ban/{document.pk}/chuyen/"' in page
    options = re.search(r'<select name="user".*?</select>', page, re.DOTALL).group(0)
    assert staff.full_name in options
    assert office.province.staff_snv.full_name not in options  # only people of the unit

    response = client.post(f"/van-ban/{document.pk}/chuyen/", {"user": staff.pk}, follow=True)
    html = response.content.decode()
    assert f"Đã chuyển văn bản cho {staff.full_name} để biết." in html
    assert re.search(rf"<td>{staff.full_name}</td><td>Võ Thị Thu Trang</td><td>25/11/2026", html)
    assert DocumentShare.objects.filter(document=document, user=staff).exists()
    assert AuditEvent.objects.filter(action="document.share").count() == 1
    # Given once: the person is no longer offered.
    options = re.search(r'<select name="user".*?</select>', html, re.DOTALL).group(0)
    assert staff.full_name not in options

    # The person now reads it, but may not pass it on.
    page = staff_client.get(f"/van-ban/{document.pk}/").content.decode()
    assert "Quyết định về việc ban hành Quy chế" in page
    assert "/chuyen/" not in page
    before = state()
    response = staff_client.post(
        f"/van-ban/{document.pk}/chuyen/", {"user": office.province.admin_stttt.pk}
    )
    assert response.status_code == 403
    assert "Chỉ văn thư hoặc lãnh đạo đơn vị được chuyển văn bản." in response.content.decode()
    assert state() == before


def test_a_document_is_given_only_to_active_people_of_its_unit(office, client_for):
    document = register_incoming(office)
    client = client_for(office.leader)
    before = state()
    for person in (office.province.staff_snv.pk, 999999, ""):
        response = client.post(f"/van-ban/{document.pk}/chuyen/", {"user": person})
        assert response.status_code == 200
        errors = response.context["share_form"].errors["user"]
        assert errors in (
            ["Chỉ chuyển văn bản cho cán bộ đang hoạt động của đơn vị."],
            ["Hãy chọn người nhận."],
        )
        assert errors[0] in response.content.decode()
    assert state() == before


def test_detail_query_count_does_not_grow(office, client_for, django_assert_num_queries):
    small = register_incoming(office, code_number="1")
    with clock.frozen(NOW):
        big = services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            refusals=DECLARED,
            data=incoming_input(code_number="2", issued_date=NOW.date()),
            main_file=pdf_upload(),
            attachments=[pdf_upload(f"{i}.pdf") for i in range(4)],
        )
    for i in range(4):
        person = make_user(office.province.stttt, f"Cán Bộ Nhận {chr(65 + i)}")
        services.document_share(actor=office.clerk, document=big, user=person)
    client = client_for(office.clerk)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(f"/van-ban/{small.pk}/")
    with django_assert_num_queries(DETAIL_QUERIES):
        html = client.get(f"/van-ban/{big.pk}/").content.decode()
    assert html.count('<a href="/van-ban/tep/') == 5  # the file table
    assert html.count('class="secondary viewer-file"') == 5  # the viewer's choice of file
    assert html.split('id="discussion"')[0].count("Cán Bộ Nhận") == 4  # above the thread


# session, user, roles, unread notifications, document, the reader's share marked opened, the
# reader's parts for information marked read, the processing's rule (status, leaders), files,
# shares, share choices, latest signature verification reports; the discussion thread: its
# posts, the people they name, who may see the document, those of them who may be named; the
# dossiers the document belongs to that the reader may read ("Thuộc hồ sơ", records); the past
# identities of its unit and issuing unit (their names and codes of the document's time)
DETAIL_QUERIES = 19


# ---------------------------------------------------------------- numbering series


def test_series_page_lists_the_units_series_with_next_numbers(office, client_for):
    register_incoming(office, code_number="1")
    register_incoming(office, code_number="2")
    register_outgoing(office)
    html = client_for(office.leader).get(SERIES).content.decode()
    assert "Theo quyết định của thủ trưởng: một sổ chung hay mỗi loại một sổ" in html
    assert table_rows(html, "series-table") == [
        [
            "2026",
            "Văn bản đến",
            "Sổ đăng ký văn bản đến",
            "Mọi loại văn bản",
            "2",
            "3",
            "Đang dùng",
        ],
        ["2026", "Văn bản đi", "Sổ đăng ký văn bản đi", "Mọi loại văn bản", "1", "2", "Đang dùng"],
    ]
    html = client_for(office.leader).get(SERIES, {"year": "2027"}).content.decode()
    assert "Chưa có sổ nào" in html


def test_opening_a_series_per_type_changes_the_numbering(office, client_for):
    client = client_for(office.clerk)
    register_outgoing(office)  # 01/QĐ-STTTT in the shared series
    response = client.post(
        SERIES_NEW,
        {
            "unit": office.province.stttt.pk,
            "year": "2026",
            "direction": "out",
            "scope": "type",
            "document_type": doc_type("Công văn").pk,
            "name": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Đã mở “Sổ đăng ký văn bản đi – Công văn” năm 2026." in html
    assert [
        "2026",
        "Văn bản đi",
        "Sổ đăng ký văn bản đi – Công văn",
        "Riêng cho Công văn",
        "0",
        "1",
        "Đang dùng",
    ] in table_rows(html, "series-table")
    letter = client.post(
        OUTGOING_NEW, outgoing_data(office, "Công văn", drafting_symbol="VP"), follow=True
    )
    assert "Đã cấp số 01/STTTT-VP." in letter.content.decode()

    response = client.post(
        SERIES_NEW,
        {
            "unit": office.province.stttt.pk,
            "year": "2026",
            "direction": "out",
            "scope": "legal",
            "document_type": doc_type("Quyết định").pk,
            "name": "Sổ quyết định quy phạm",
        },
        follow=True,
    )
    assert "Đã mở “Sổ quyết định quy phạm” năm 2026." in response.content.decode()
    assert RegisterSeries.objects.filter(
        legal_normative=True, name="Sổ quyết định quy phạm", document_type=doc_type("Quyết định")
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scope": "type", "document_type": ""}, "document_type", "phải gắn với một loại"),
        ({"scope": "legal", "document_type": ""}, "document_type", "phải gắn với một loại"),
        ({"direction": "in", "scope": "type"}, "document_type", "một sổ chung cho mọi loại"),
        ({"year": "2029"}, "year", "Năm của sổ phải trong khoảng 2025–2027."),
        ({"year": ""}, "year", "Hãy nhập năm."),
        ({"direction": "x"}, "direction", "Loại sổ không hợp lệ."),
        ({"unit": "snv"}, "unit", "Hãy chọn một đơn vị bạn được thiết lập sổ văn bản."),
    ],
)
def test_series_creation_is_checked(office, client_for, overrides, field, message):
    register_outgoing(office)  # the shared outgoing series of 2026 exists
    data = {
        "unit": office.province.stttt.pk,
        "year": "2026",
        "direction": "out",
        "scope": "type",
        "document_type": doc_type("Tờ trình").pk,
        "name": "",
    }
    data.update(overrides)
    if data["unit"] == "snv":
        data["unit"] = office.province.snv.pk
    client = client_for(office.clerk)
    before = state()
    response = client.post(SERIES_NEW, data)
    assert_refused(response, field, message, before, form="create_form")
