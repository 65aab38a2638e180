"""Registering documents through the services: numbers, symbols, refusals (R13), files."""

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import docx_bytes, pdf_upload, upload
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import services
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.documents.services import DocumentInput, DuplicateDocument, Refusals

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))


def state() -> tuple[int, int, int, list[int]]:
    return (
        Document.objects.count(),
        DocumentFile.objects.count(),
        AuditEvent.objects.count(),
        list(RegisterSeries.objects.values_list("next_number", flat=True)),
    )


def stored_files() -> list[str]:
    found = []

    def walk(path):
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists("documents"):
        walk("documents")
    return found


def register_in(office, **kwargs):
    kwargs.setdefault("data", incoming_input())
    kwargs.setdefault("refusals", DECLARED)
    kwargs.setdefault("main_file", scan())
    with clock.frozen(NOW):
        return services.incoming_register(actor=office.clerk, unit=office.province.stttt, **kwargs)


def test_incoming_documents_get_consecutive_arrival_numbers(office):
    first = register_in(office, main_file=pdf_upload())
    second = register_in(office, data=incoming_input(code_number="16"))
    assert (first.register_number, second.register_number) == (1, 2)
    assert first.arrival_date == NOW
    assert first.number_symbol == "15/QĐ-UBND"
    assert first.arrival_number == "1"
    file = first.files.get()
    assert file.file_format == "pdf"
    assert file.sha256 == hashlib.sha256(default_storage.open(file.storage_name).read()).hexdigest()
    assert "quyet dinh ve viec ban hanh quy che" in first.search_text
    assert (
        AuditEvent.objects.filter(action="document.register_in", target_id=str(first.pk))
        .get()
        .data["sensitive_declared"]
    )


def test_numbers_below_ten_are_written_with_a_leading_zero(office):
    document = register_in(office, data=incoming_input(code_number="5"))
    assert document.number_symbol == "05/QĐ-UBND"


def test_numbers_restart_at_one_each_calendar_year(office):
    register_in(office)
    with clock.frozen(timezone.make_aware(dt.datetime(2027, 1, 1, 0, 5))):
        document = services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            refusals=DECLARED,
            data=incoming_input(code_number="99"),
            main_file=scan(),
        )
    assert (document.year, document.register_number) == (2027, 1)


def test_duplicate_needs_confirmation(office):
    register_in(office)
    before = state()
    with pytest.raises(DuplicateDocument, match="đã được vào sổ đến số 1"):
        register_in(office, data=incoming_input(code_notation="qđ-ubnd"))
    assert state() == before
    again = register_in(office, confirm_duplicate=True)
    assert again.register_number == 2


@pytest.mark.parametrize(
    ("refusals", "message"),
    [
        (Refusals(secrecy="mat", sensitive_declared=True), "độ mật “Mật”"),
        (Refusals(secrecy="toi_mat", sensitive_declared=True), "độ mật “Tối mật”"),
        (Refusals(secrecy="tuyet_mat", sensitive_declared=True), "độ mật “Tuyệt mật”"),
        (Refusals(complaint=True, sensitive_declared=True), "khiếu nại, tố cáo"),
        (Refusals(), "nội dung nhạy cảm"),
    ],
)
def test_refused_documents_leave_nothing(office, refusals, message):
    before, files = state(), stored_files()
    with pytest.raises(ServiceError, match=message):
        register_in(office, refusals=refusals, main_file=pdf_upload())
    assert state() == before
    assert stored_files() == files


@pytest.mark.parametrize("stamp", ["MẬT", "TỐI MẬT", "TUYỆT MẬT"])
def test_a_secrecy_stamp_in_the_file_blocks_registration(office, stamp):
    before, files = state(), stored_files()
    with pytest.raises(ServiceError, match=f"dấu chỉ độ mật “{stamp}”"):
        register_in(
            office, main_file=pdf_upload("scan.pdf", "ỦY BAN NHÂN DÂN", stamp, "Quyết định số 12")
        )
    with pytest.raises(ServiceError, match=f"dấu chỉ độ mật “{stamp}”"):
        register_in(office, main_file=upload("du-thao.docx", docx_bytes("Số: 12", stamp)))
    assert state() == before
    assert stored_files() == files


def test_the_word_mat_inside_a_sentence_is_not_a_stamp(office):
    document = register_in(
        office,
        main_file=pdf_upload("a.pdf", "Bảo đảm bí mật thông tin cá nhân", "Giữ MẬT KHẨU an toàn"),
    )
    assert document.files.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("van-ban.pdf", b"MZ\x90\x00 this is an executable", "không thuộc định dạng được phép"),
        ("anh.png", b"GIF89a....", "không thuộc định dạng được phép"),
        ("rong.pdf", b"", "rỗng"),
    ],
)
def test_file_format_comes_from_content(office, name, data, message):
    before = state()
    with pytest.raises(ServiceError, match=message):
        register_in(office, main_file=upload(name, data))
    assert state() == before


def test_a_pdf_named_docx_is_stored_as_pdf(office):
    document = register_in(office, main_file=upload("bao-cao.docx", pdf_upload().read()))
    assert document.files.get().file_format == "pdf"


def test_only_the_units_clerk_registers(office):
    before = state()
    for actor in (
        office.leader,
        office.province.staff_stttt,
        office.clerk_snv,
        office.province.admin_stttt,
    ):
        with pytest.raises(AccessDenied), clock.frozen(NOW):
            services.incoming_register(
                actor=actor,
                unit=office.province.stttt,
                data=incoming_input(),
                refusals=DECLARED,
                main_file=scan(),
            )
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": ""}, "Trích yếu không được để trống"),
        ({"subject": "x" * 501}, "Trích yếu dài 501 ký tự, quá giới hạn 500 ký tự; hãy rút gọn."),
        ({"code_number": "12a"}, "chỉ gồm chữ số"),
        ({"code_number": "123456789012"}, "dài 12 ký tự, quá giới hạn 11"),
        ({"code_notation": "QĐ UBND?"}, "Ký hiệu chỉ gồm"),
        ({"issuer_name": ""}, "Cơ quan ban hành không được để trống"),
        ({"issuer_code": "H07"}, "V1V2V3.Z1Z2.Y1Y2.H##"),
        ({"issued_date": None}, "ngày tháng văn bản"),
        ({"issued_date": dt.date(2026, 12, 1)}, "không thể sau ngày hôm nay"),
        ({"signer_name": "x" * 51}, "dài 51 ký tự, quá giới hạn 50"),
        ({"page_amount": 1000}, "Số trang"),
    ],
)
def test_record_fields_are_checked(office, overrides, message):
    before = state()
    with pytest.raises(ServiceError, match=message):
        register_in(office, data=incoming_input(**overrides))
    assert state() == before


def outgoing(office, type_name: str, **overrides):
    values = {
        "document_type": doc_type(type_name),
        "subject": f"{type_name} thử nghiệm",
        "recipients": "Các sở, ban, ngành tỉnh",
        "signer_name": "Phạm Minh Đức",
        "signer_position": "Giám đốc",
    }
    values.update(overrides)
    with clock.frozen(NOW):
        return services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=DocumentInput(**values),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )


def test_outgoing_symbols_follow_the_rules(office):
    decision = outgoing(office, "Quyết định")
    letter = outgoing(office, "Công văn", drafting_symbol="VP")
    normative = outgoing(office, "Quyết định", legal_normative=True)
    report = outgoing(office, "Tờ trình")
    assert decision.number_symbol == "01/QĐ-STTTT"
    assert letter.number_symbol == "02/STTTT-VP"
    assert normative.number_symbol == "01/2026/QĐ-STTTT"  # its own series
    assert report.number_symbol == "03/TTr-STTTT"
    assert decision.issued_date == NOW.date()
    assert decision.issuer_code == "000.00.12.H07"


def test_one_series_per_type_when_the_head_decides(office):
    services.series_create(
        actor=office.leader,
        unit=office.province.stttt,
        year=2026,
        direction="out",
        document_type=doc_type("Quyết định"),
    )
    first_decision = outgoing(office, "Quyết định")
    letter = outgoing(office, "Công văn")
    second_decision = outgoing(office, "Quyết định")
    assert [first_decision.code_number, letter.code_number, second_decision.code_number] == [
        "01",
        "01",
        "02",
    ]


def test_series_management_is_refused_to_staff_and_other_units(office):
    before = state()
    for actor in (office.province.staff_stttt, office.clerk_snv):
        with pytest.raises(AccessDenied), clock.frozen(NOW):
            services.series_create(
                actor=actor,
                unit=office.province.stttt,
                year=2026,
                direction="out",
                document_type=doc_type("Quyết định"),
            )
    assert state() == before


def test_outgoing_needs_a_main_file_and_recipients(office):
    before = state()
    with pytest.raises(ServiceError, match="Nơi nhận không được để trống"):
        outgoing(office, "Quyết định", recipients="")
    with pytest.raises(ServiceError, match="tệp văn bản chính"), clock.frozen(NOW):
        services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            refusals=DECLARED,
            data=DocumentInput(document_type=doc_type("Quyết định"), subject="x", recipients="y"),
        )
    assert state() == before


@pytest.mark.parametrize("type_name", [None, "Quyết định"])
def test_a_series_cannot_be_opened_twice(office, type_name):
    kwargs = {
        "actor": office.leader,
        "unit": office.province.stttt,
        "year": 2026,
        "direction": "out",
        "document_type": doc_type(type_name) if type_name else None,
    }
    with clock.frozen(NOW):
        services.series_create(**kwargs)
        before = state()
        with pytest.raises(ServiceError, match="đã có sổ này"):
            services.series_create(**kwargs)
    assert state() == before


def test_an_incoming_document_needs_its_main_file(office):
    """R16, Art. 22: a document registered by hand comes with its scan or electronic file;
    refused without it, nothing stored, the attachments included."""
    before = state()
    with pytest.raises(ServiceError) as refused:
        register_in(office, main_file=None, attachments=[pdf_upload("phu-luc.pdf")])
    assert (refused.value.field, refused.value.message) == (
        "main_file",
        "Văn bản đến phải có tệp văn bản chính: bản quét của văn bản giấy hoặc tệp văn bản "
        "điện tử.",
    )
    assert state() == before


def test_a_received_document_keeps_the_files_it_came_with(office):
    """A package or the reception queue may bring no main file: registered with what came."""
    document = register_in(
        office, main_file=None, attachments=[pdf_upload("phu-luc.pdf")], received_files=True
    )
    assert list(document.files.values_list("role", flat=True)) == [DocumentFile.Role.ATTACHMENT]
