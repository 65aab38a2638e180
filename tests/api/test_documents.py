"""Registering documents through the API: multipart forms with real files, numbers, refusals (R13),
duplicates, outgoing symbols, and the OpenAPI document."""

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.support.api import ApiClient, token_for
from tests.support.documents import doc_type
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.province import Province, make_user
from tests.support.refusals import refused_answer as refused
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents.models import Document, DocumentFile, RegisterSeries

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
SUBJECT = "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử"
ONLY_CLERK = "Chỉ văn thư của đơn vị được vào sổ văn bản."


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(NOW):
        yield


# ---------------------------------------------------------------- helpers, shared with the reads


@dataclass
class Desk:
    """The people of the document matrix, each with an API token."""

    province: Province
    clerk: User
    leader: User
    staff: User
    clerk_snv: User
    tokens: dict[str, str]


def make_desk(province: Province) -> Desk:
    clerk = make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    clerk_snv = make_user(province.snv, "Đinh Văn Thư", (Role.CLERK,))
    return Desk(
        province=province,
        clerk=clerk,
        leader=province.leader_stttt,
        staff=province.staff_stttt,
        clerk_snv=clerk_snv,
        tokens={
            "clerk": token_for(clerk),
            "leader": token_for(province.leader_stttt),
            "staff": token_for(province.staff_stttt),
            "clerk_snv": token_for(clerk_snv),
        },
    )


@pytest.fixture
def desk(province) -> Desk:
    return make_desk(province)


def pdf_file(name: str = "Quyết định 15.pdf", *lines: str):
    return upload(name, pdf_bytes(*(lines or (SUBJECT,))), "application/pdf")


def incoming_fields(**overrides: Any) -> dict[str, Any]:
    values = {
        "document_type_id": doc_type("Quyết định").pk,
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": "2026-11-20",
        "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
        "issuer_code": "000.00.00.H07",
        "subject": SUBJECT,
        "signer_name": "Trần Ngọc Tam",
        "signer_position": "Chủ tịch",
        "sensitive_declared": "true",
    }
    values.update(overrides)
    return values


def outgoing_fields(type_name: str = "Quyết định", **overrides: Any) -> dict[str, Any]:
    values = {
        "document_type_id": doc_type(type_name).pk,
        "subject": f"{type_name} thử nghiệm",
        "recipients": "Các sở, ban, ngành tỉnh",
        "signer_name": "Phạm Minh Đức",
        "signer_position": "Giám đốc",
        "sensitive_declared": "true",
    }
    values.update(overrides)
    return values


def post_form(api: ApiClient, path: str, token: str | None, fields: dict[str, Any], **files: Any):  # type: ignore[no-untyped-def]
    """A multipart/form-data request, as `curl -F` sends it."""
    data = {key: value for key, value in fields.items() if value is not None}
    data.update({key: value for key, value in files.items() if value is not None})
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post(f"/api/v1/documents{path}", data=data, headers=headers)


def stored_files() -> list[str]:
    root = str(settings.MEDIA_ROOT)
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def state() -> dict[str, Any]:
    """Everything a registration could change, the storage directory included."""
    return {
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "audit": AuditEvent.objects.count(),
        "series": list(RegisterSeries.objects.order_by("pk").values_list("pk", "next_number")),
        "stored": stored_files(),
    }


# ---------------------------------------------------------------- incoming


def test_incoming_with_a_pdf_gets_arrival_numbers_one_and_two(desk, api):
    pdf = pdf_bytes(SUBJECT)
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(urgency="1", to_places="Phòng Bưu chính"),
        main_file=upload("Quyết định 15.pdf", pdf, "application/pdf"),
        attachments=[upload("Phụ lục.docx", docx_bytes("Phụ lục danh mục"))],
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    document = Document.objects.get()
    assert body["id"] == document.pk
    assert (body["register_number"], body["arrival_number"]) == (1, "1")
    assert body["number_symbol"] == "15/QĐ-UBND"
    assert body["direction"] == "in"
    assert body["unit_id"] == desk.province.stttt.pk
    assert body["arrival_date"] == "2026-11-25T02:30:00Z"
    assert (body["urgency"], body["urgency_label"]) == (1, "Khẩn")
    assert body["document_type_name"] == "Quyết định"
    assert body["series_name"] == "Sổ đăng ký văn bản đến"
    assert body["registered_by"] == desk.clerk.username
    main, attachment = body["files"]
    stored = DocumentFile.objects.get(role="main")
    assert main == {
        "id": stored.pk,
        "name": "Quyết định 15.pdf",
        "role": "main",
        "format": "pdf",
        "content_type": "application/pdf",
        "size": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "uploaded_at": "2026-11-25T02:30:00Z",
        "download_url": f"/api/v1/documents/files/{stored.pk}/download",
    }
    assert default_storage.open(stored.storage_name).read() == pdf
    assert (attachment["name"], attachment["role"], attachment["format"]) == (
        "Phụ lục.docx",
        "attachment",
        "docx",
    )
    event = AuditEvent.objects.get(action="document.register_in")
    assert event.actor == desk.clerk
    assert event.data["sensitive_declared"] is True

    second = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(code_number="16"),
        main_file=pdf_file(),
    ).json()
    assert (second["arrival_number"], second["number_symbol"]) == ("2", "16/QĐ-UBND")
    assert [f["role"] for f in second["files"]] == ["main"]


def test_the_issuer_may_be_a_unit_of_the_deployment(desk, api):
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(issuer_unit_id=desk.province.snv.pk, issuer_name="", issuer_code=""),
        main_file=pdf_file(),
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["issuer_unit_id"] == desk.province.snv.pk
    assert (body["issuer_name"], body["issuer_code"]) == ("Sở Nội vụ", "000.00.05.H07")


SECRET = (
    "Văn bản có độ mật “{}” không được đưa vào hệ thống (Quy chế, Điều 4); hãy xử lý theo quy "
    "định về bảo vệ bí mật nhà nước. Không có gì được lưu."
)
STAMP = (
    "Tệp “{}” có dấu chỉ độ mật “{}”: văn bản mật không được đưa vào hệ thống (Quy chế, "
    "Điều 4). Không có gì được lưu."
)


@pytest.mark.parametrize(
    ("overrides", "files", "detail", "field"),
    [
        ({"secrecy": "mat"}, {}, SECRET.format("Mật"), "secrecy"),
        ({"secrecy": "toi_mat"}, {}, SECRET.format("Tối mật"), "secrecy"),
        ({"secrecy": "tuyet_mat"}, {}, SECRET.format("Tuyệt mật"), "secrecy"),
        (
            {"complaint": "true"},
            {},
            "Đơn thư khiếu nại, tố cáo không được đưa vào hệ thống (Quy chế, Điều 4); hãy "
            "chuyển bộ phận tiếp công dân xử lý theo quy định. Không có gì được lưu.",
            "complaint",
        ),
        (
            {"sensitive_declared": "false"},
            {},
            "Hãy xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm quyền kết "
            "luận và không có nội dung độc hại (Quy chế, Điều 4).",
            "sensitive_declared",
        ),
        (
            {},
            {"main_file": ("scan.pdf", ("ỦY BAN NHÂN DÂN TỈNH", "MẬT", "Quyết định số 12"))},
            STAMP.format("scan.pdf", "MẬT"),
            "files",
        ),
        (
            {},
            {"attachments": ("phu-luc.docx", ("Số: 12", "TUYỆT MẬT"))},
            STAMP.format("phu-luc.docx", "TUYỆT MẬT"),
            "files",
        ),
    ],
    ids=["mat", "toi_mat", "tuyet_mat", "complaint", "undeclared", "pdf_stamp", "docx_stamp"],
)
def test_r13_refusals_store_nothing(desk, api, overrides, files, detail, field):
    # A document registered first, so the series exists and its counter must not move.
    assert (
        post_form(
            api, "/incoming", desk.tokens["clerk"], incoming_fields(), main_file=pdf_file()
        ).status_code
        == 201
    )
    before = state()
    uploads: dict[str, Any] = {"main_file": pdf_file()}
    for key, (name, lines) in files.items():
        data = pdf_bytes(*lines) if name.endswith(".pdf") else docx_bytes(*lines)
        uploads[key] = upload(name, data)
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(code_number="77", **overrides),
        **uploads,
    )
    refused(response, 400, detail, field)
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "detail", "field"),
    [
        ({"urgency": 7}, "urgency: phải là một trong: 0, 1, 2, 3, 4", "urgency"),
        ({"subject": "x" * 501}, "subject: dài quá 500 ký tự", "subject"),
        ({"issued_date": "1899-12-31"}, "issued_date: phải từ 01/01/1900 trở lên", "issued_date"),
        ({"page_amount": 1000}, "page_amount: phải không quá 999", "page_amount"),
        ({"unit_id": 2**63}, f"unit_id: phải không quá {2**63 - 1}", "unit_id"),
    ],
)
def test_fields_outside_the_declared_bounds_are_422_and_store_nothing(
    desk, api, overrides, detail, field
):
    before = state()
    response = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(**overrides), main_file=pdf_file()
    )
    refused(response, 422, f"Dữ liệu gửi lên không hợp lệ: {detail}.", field)
    assert state() == before


def test_an_incoming_document_without_its_main_file_is_400_and_stores_nothing(desk, api):
    """R16: the scan of the paper document or the electronic file comes with the record."""
    before = state()
    attachment = pdf_file("phu-luc.pdf", "Phụ lục")
    response = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(), attachments=attachment
    )
    refused(
        response,
        400,
        "Văn bản đến phải có tệp văn bản chính: bản quét của văn bản giấy hoặc tệp văn bản "
        "điện tử.",
        "main_file",
    )
    assert state() == before


def test_a_subject_past_its_limit_is_refused_never_cut(desk, api):
    """A 779-character subject is refused with the limit; 500 characters are kept whole."""
    before = state()
    long_subject = ("Về việc triển khai kế hoạch chuyển đổi số " * 19)[:779]
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(subject=long_subject),
        main_file=pdf_file(),
    )
    refused(response, 422, "Dữ liệu gửi lên không hợp lệ: subject: dài quá 500 ký tự.", "subject")
    assert state() == before
    exact = long_subject[:499] + "x"
    response = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(subject=exact), main_file=pdf_file()
    )
    assert response.status_code == 201, response.content.decode()
    assert Document.objects.get().subject == exact


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        (
            "van-ban.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode.",
            "Tệp “van-ban.pdf” không thuộc định dạng được phép (PDF, DOCX, DOC, ODT, XLSX, ODS, "
            "JPEG, PNG, TIFF, XML); định dạng được xác định theo nội dung tệp, không theo tên tệp.",
        ),
        ("rong.pdf", b"", "Tệp “rong.pdf” rỗng."),
    ],
)
def test_the_format_comes_from_the_content(desk, api, name, data, detail):
    before = state()
    response = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(), main_file=upload(name, data)
    )
    refused(response, 400, detail, "files")
    assert state() == before


def test_a_pdf_named_docx_is_stored_as_a_pdf(desk, api):
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(),
        main_file=upload("bao-cao.docx", pdf_bytes(SUBJECT)),
    )
    assert response.status_code == 201, response.content.decode()
    (file,) = response.json()["files"]
    # The extension follows the real format, so the file opens in the right program.
    assert (file["name"], file["format"], file["content_type"]) == (
        "bao-cao.pdf",
        "pdf",
        "application/pdf",
    )


def test_a_duplicate_answers_409_then_registers_when_confirmed(desk, api):
    first = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(), main_file=pdf_file()
    ).json()
    before = state()
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(code_notation="qđ-ubnd", issuer_name="ỦY BAN NHÂN DÂN TỈNH BẾN TRE"),
        main_file=pdf_file(),
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Văn bản số 15/QĐ-UBND của Ủy ban nhân dân tỉnh Bến Tre đã được vào sổ đến số 1 "
        "ngày 25/11/2026. Nếu đúng là văn bản khác, hãy xác nhận để vào sổ.",
        "field": "code_number",
        "existing_id": first["id"],
        "existing_number_symbol": "15/QĐ-UBND",
        "existing_arrival_number": 1,
    }
    assert state() == before
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(confirm_duplicate="true"),
        main_file=pdf_file(),
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["arrival_number"] == "2"
    event = AuditEvent.objects.filter(action="document.register_in").order_by("seq").last()
    assert event.data["duplicate_confirmed"] is True


@pytest.mark.parametrize(
    ("overrides", "detail", "field"),
    [
        ({"document_type_id": 999999}, "Hãy chọn loại văn bản.", "document_type"),
        ({"code_number": "12a"}, "Số văn bản chỉ gồm chữ số (ví dụ: 15).", "code_number"),
        (
            {"issuer_code": "H07"},
            "Mã định danh cơ quan ban hành phải có dạng V1V2V3.Z1Z2.Y1Y2.H##.",
            "issuer_code",
        ),
        (
            {"issued_date": "2026-12-01"},
            "Ngày văn bản không thể sau ngày hôm nay.",
            "issued_date",
        ),
        ({"issuer_unit_id": 999999}, "Không tìm thấy cơ quan ban hành.", "issuer_unit_id"),
        ({"unit_id": 999999}, "Không tìm thấy đơn vị.", "unit_id"),
    ],
)
def test_bad_fields_are_400_and_store_nothing(desk, api, overrides, detail, field):
    before = state()
    response = post_form(
        api, "/incoming", desk.tokens["clerk"], incoming_fields(**overrides), main_file=pdf_file()
    )
    refused(response, 400, detail, field)
    assert state() == before


def test_missing_or_mistyped_fields_are_422_in_vietnamese(desk, api):
    before = state()
    fields = incoming_fields(issued_date="20/11/2026", page_amount="ba")
    del fields["subject"]
    response = post_form(api, "/incoming", desk.tokens["clerk"], fields, main_file=pdf_file())
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "Dữ liệu gửi lên không hợp lệ: subject: bắt buộc phải có; page_amount: phải là số "
        "nguyên; issued_date: phải là ngày dạng YYYY-MM-DD."
    )
    assert state() == before


def test_only_the_clerk_of_the_unit_registers(desk, api):
    before = state()
    for caller in ("leader", "staff", "clerk_snv"):
        for path, fields in (
            ("/incoming", incoming_fields(unit_id=desk.province.stttt.pk)),
            ("/outgoing", outgoing_fields(unit_id=desk.province.stttt.pk)),
        ):
            response = post_form(api, path, desk.tokens[caller], fields, main_file=pdf_file())
            refused(response, 403, ONLY_CLERK)
    # Without `unit_id`: the caller's own unit, where a leader is not a clerk either.
    refused(
        post_form(api, "/incoming", desk.tokens["leader"], incoming_fields(), main_file=pdf_file()),
        403,
        ONLY_CLERK,
    )
    response = post_form(api, "/incoming", None, incoming_fields(), main_file=pdf_file())
    assert response.status_code == 401
    assert state() == before


def test_a_clerk_registers_in_their_own_unit_by_default(desk, api):
    response = post_form(
        api, "/incoming", desk.tokens["clerk_snv"], incoming_fields(), main_file=pdf_file()
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["unit_id"] == desk.province.snv.pk
    assert response.json()["arrival_number"] == "1"


def test_a_clerk_of_two_units_must_name_the_unit(desk, api):
    from vanban.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=desk.clerk, unit=desk.province.snv, role=Role.CLERK)
    before = state()
    refused(
        post_form(api, "/incoming", desk.tokens["clerk"], incoming_fields(), main_file=pdf_file()),
        400,
        "Bạn là văn thư của nhiều đơn vị; hãy chọn đơn vị vào sổ (unit_id).",
        "unit_id",
    )
    assert state() == before
    response = post_form(
        api,
        "/incoming",
        desk.tokens["clerk"],
        incoming_fields(unit_id=desk.province.snv.pk),
        main_file=pdf_file(),
    )
    assert response.json()["unit_id"] == desk.province.snv.pk


# ---------------------------------------------------------------- outgoing


def test_outgoing_numbers_and_symbols_come_from_the_system(desk, api):
    token = desk.tokens["clerk"]
    decision = post_form(api, "/outgoing", token, outgoing_fields(), main_file=pdf_file())
    assert decision.status_code == 201, decision.content.decode()
    letter = post_form(
        api,
        "/outgoing",
        token,
        outgoing_fields("Công văn", drafting_symbol="vp", code_number="999"),
        main_file=pdf_file(),
    )
    normative = post_form(
        api, "/outgoing", token, outgoing_fields(legal_normative="true"), main_file=pdf_file()
    )
    body = decision.json()
    assert (body["number_symbol"], body["register_number"], body["arrival_number"]) == (
        "01/QĐ-STTTT",
        1,
        "",
    )
    assert (body["direction"], body["issued_date"]) == ("out", "2026-11-25")
    assert (body["issuer_name"], body["issuer_code"]) == (
        "Sở Thông tin và Truyền thông",
        "000.00.12.H07",
    )
    assert body["recipients"] == "Các sở, ban, ngành tỉnh"
    # The number is the system's, whatever the client sends.
    assert letter.json()["number_symbol"] == "02/STTTT-VP"
    assert normative.json()["number_symbol"] == "01/2026/QĐ-STTTT"
    assert AuditEvent.objects.filter(action="document.register_out").count() == 3


def test_outgoing_needs_a_main_file_and_recipients(desk, api):
    before = state()
    refused(
        post_form(api, "/outgoing", desk.tokens["clerk"], outgoing_fields()),
        400,
        "Văn bản đi phải có tệp văn bản chính.",
        "main_file",
    )
    refused(
        post_form(
            api,
            "/outgoing",
            desk.tokens["clerk"],
            outgoing_fields(recipients=" "),
            main_file=pdf_file(),
        ),
        400,
        "Nơi nhận không được để trống.",
        "recipients",
    )
    refused(
        post_form(
            api,
            "/outgoing",
            desk.tokens["clerk"],
            outgoing_fields(secrecy="mat"),
            main_file=pdf_file(),
        ),
        400,
        SECRET.format("Mật"),
        "secrecy",
    )
    assert state() == before


# ---------------------------------------------------------------- reference data and docs


def test_document_types_are_listed(desk, api):
    response = api.get("/documents/types", desk.tokens["staff"])
    assert response.status_code == 200
    types = {item["name"]: item["abbreviation"] for item in response.json()}
    assert len(types) == 29
    assert (types["Quyết định"], types["Tờ trình"], types["Công văn"]) == ("QĐ", "TTr", "")
    assert api.get("/documents/types").status_code == 401


DOCUMENT_PATHS = {
    "POST /documents/incoming",
    "POST /documents/outgoing",
    "GET /documents/types",
    "GET /documents",
    "GET /documents/search",
    "GET /documents/{document_id}",
    "GET /documents/files/{file_id}/download",
}


def test_the_openapi_document_lists_the_document_endpoints_in_vietnamese(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/documents")
        for method, operation in methods.items()
    }
    assert set(operations) == DOCUMENT_PATHS
    for operation in operations.values():
        assert operation["tags"] == ["Văn bản"]
        assert operation["summary"] and operation["description"]
        assert operation["security"] == [{"TokenAuth": []}]
    incoming = operations["POST /documents/incoming"]
    assert incoming["summary"] == "Vào sổ văn bản đến (văn thư)"
    form = incoming["requestBody"]["content"]["multipart/form-data"]["schema"]
    for name in ("main_file", "attachments", "secrecy", "complaint", "sensitive_declared"):
        assert name in form["properties"]
    assert "409" in incoming["responses"]
    download = operations["GET /documents/files/{file_id}/download"]
    assert "application/pdf" in download["responses"]["200"]["content"]
    assert "409" in download["responses"]
