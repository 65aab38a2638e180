"""Reading edXML packages: the exchange axis's real samples, the field package that is not
well-formed (recorded repair), and broken or hostile packages (a clear refusal, never a crash)."""

import datetime as dt
import hashlib
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from tests.support.edxml import DATA, NS, build_package, sample, zipped
from tests.support.files import pdf_bytes
from vanban.documents.files import detect_format, extract_text
from vanban.documents.models import DocumentPolicy
from vanban.exchange.edxml import EdxmlError, Organ, parse_package

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
# The PDF signed through the Government Cipher Committee's PKI that edoc.edxml carries, and that
# the SDK's other samples carry inside a zipped copy of edoc.edxml.
SIGNED_PDF = "GUIDE_INSTALL OPENVPN.SIGNED.PDF"
SIGNED_PDF_SHA256 = "61d6bc08ae7eae0deb74b6b3f6d27bcc2f059562ba97ce36a653373e087b3df7"
ZIPPED = "1896_QD-TTg_m_294779.doc"
SUBJECT = "V/v kết nối, liên thông phần mềm quản lý văn bản"
VPCP = "Văn phòng Chính phủ"


def parse(data: bytes, max_bytes: int = 50 * MB):
    return parse_package(data, max_bytes=max_bytes)


def assert_signed_pdf(attachment) -> None:
    assert attachment.name == SIGNED_PDF
    assert attachment.content_type == "application/pdf"
    assert attachment.data.startswith(b"%PDF-1.5")
    assert detect_format(attachment.data) == "pdf"
    assert hashlib.sha256(attachment.data).hexdigest() == SIGNED_PDF_SHA256
    assert extract_text(attachment.data, "pdf").startswith("HƯỚNG DẪN SỬ DỤNG VPN")


# ---------------------------------------------------------------- the axis's samples


def test_new_document_sample():
    package = parse(sample("edoc_new.edxml"))
    assert package.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert package.from_organ == Organ(
        "000.00.00.K19",
        VPCP,
        organ_add="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội",
        email="vpcp@gov.vn",
        telephone="8043100",
        fax="048989898789",
        website="vpcp.vn",
    )
    assert package.to_organs == [
        Organ(
            "000.00.50.H19",
            "Sở Thông tin truyền thông Hải Phòng",
            organ_add="số 62 - Võ Thị Sáu - Ngô Quyền - Hải Phòng",
            email="bxd@moc.gov.vn",
            telephone="(84-4) 3821 5137",
            fax="(023)37366617",
            website="www.haiphong.gov.vn",
        )
    ]
    assert (package.code_number, package.code_notation) == ("781622e22", "VPCP-TTĐT")
    assert package.number_symbol == "781622e22/VPCP-TTĐT"
    assert (package.promulgation_place, package.promulgation_date) == (
        "Hà Nội",
        dt.date(2018, 10, 19),
    )
    assert (package.type_code, package.type_name) == ("1", "Công văn")
    assert package.subject == SUBJECT
    assert package.content == SUBJECT
    assert (package.signer_name, package.signer_position, package.signer_competence) == (
        "Nguyen Thanh Phuc",
        "Cuc truong cuc ung dung cong nghe thong tin",
        "TL. BO TRUONG",
    )
    assert package.due_date == dt.date(2018, 9, 28)
    assert (package.priority, package.page_amount, package.steering_type) == (0, 22, 1)
    assert package.sphere == "Liên thông văn bản quốc gia"
    assert package.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert (package.business_type, package.business_reason) == (0, "Văn bản điện tử mới")
    # The attachment is a ZIP holding a copy of the field package, which holds the signed PDF.
    [attachment] = package.attachments
    assert_signed_pdf(attachment)
    assert attachment.container == f"{ZIPPED} › 32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml"
    assert package.notes == [
        f"Tệp đính kèm “{ZIPPED}” là tệp nén chứa gói edXML "
        "“32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml”; đã lấy 1 tệp từ gói đó."
    ]
    # The outer package is well-formed; the inner one needed the repair, recorded as such.
    assert len(package.repairs) == 2
    assert all(
        r.startswith("Gói “32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml” trong tệp")
        for r in package.repairs
    )
    assert package.xml == sample("edoc_new.edxml")
    assert package.xml_repaired is False


@pytest.mark.parametrize(
    ("name", "business_type", "reason", "refs"),
    [
        (
            "edoc_update.edxml",
            2,
            "Cập nhật văn bản điện tử",
            ["000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"],
        ),
        (
            "edoc_replacement.edxml",
            3,
            "Văn bản thay thế",
            ["000.00.00.G22,2014/01/30,7806/VPCP-TTĐT"],
        ),
        ("edoc_revocation.edxml", 1, "Thu hồi văn bản điện tử", []),
    ],
)
def test_update_replacement_and_revocation_samples(name, business_type, reason, refs):
    package = parse(sample(name))
    assert (package.business_type, package.business_reason, package.business_refs) == (
        business_type,
        reason,
        refs,
    )
    assert (package.from_organ.organ_id, package.from_organ.name) == ("000.00.00.G22", VPCP)
    assert [o.name for o in package.to_organs] == [
        "UBND Tỉnh Nghệ An",
        "UBND Tỉnh Cao Bằng",
        "Sở Thông tin truyền thông Hải Phòng",
    ]
    assert package.number_symbol == "7816/VPCP-TTĐT"
    assert package.promulgation_date == dt.date(2018, 9, 28)
    assert package.subject == SUBJECT
    [attachment] = package.attachments
    assert_signed_pdf(attachment)
    assert attachment.container.startswith(f"{ZIPPED} › ")


def test_field_package_with_an_undeclared_prefix_is_repaired_and_the_repair_recorded():
    original = sample("edoc.edxml")
    with pytest.raises(ET.ParseError, match="unbound prefix"):
        ET.fromstring(original)  # noqa: S314 – shows the sample is not well-formed XML
    assert detect_format(original) is None

    package = parse(original)
    assert package.repairs == [
        "Gói dùng tiền tố “xlink:” mà không khai báo (không đúng cú pháp XML); đã khai báo "
        "xlink = http://www.w3.org/1999/xlink ở phần tử gốc để đọc được gói.",
        "Gói dùng tiền tố “edXML:” mà không khai báo (không đúng cú pháp XML); đã khai báo "
        f"edXML = {NS} ở phần tử gốc để đọc được gói.",
    ]
    # Only the declarations were added, on the root element; the repaired package is an XML file
    # the file checks accept.
    added = f' xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:edXML="{NS}"'.encode()
    assert package.xml == original.replace(b"<edXML xmlns=", b"<edXML" + added + b" xmlns=", 1)
    assert detect_format(package.xml) == "xml"
    assert package.xml_repaired is True

    assert package.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert (package.from_organ.organ_id, package.from_organ.name) == (
        "14.00.W00",
        "Trung tâm test production 01",
    )
    assert package.from_organ.organ_add == "OrganAdd Tầng 2, tòa nhà DETECH, số 8 Tôn Thất Thuyết"
    assert [(o.organ_id, o.name, o.website) for o in package.to_organs] == [
        ("14.00.W00", "Đơn vị nội bộ chuẩn 2803 04", "http://www.ict-hanoi.gov.vn")
    ]
    assert package.number_symbol == "34E31/PRO-TEST-CASE1"
    assert package.type_name == "Thông tư"
    assert package.subject == "Văn bản liên thông chỉ đạo - 190701"
    assert package.content == "test gửi liên thông vpcp"
    assert (package.signer_name, package.signer_position) == ("Trương Minh Tuấn", "Bộ trưởng")
    assert (package.promulgation_date, package.due_date) == (
        dt.date(2018, 9, 27),
        dt.date(2018, 6, 25),
    )
    assert package.page_amount == 2
    assert package.business_type == 0  # no business information: a new document
    [attachment] = package.attachments
    assert_signed_pdf(attachment)
    assert attachment.container == ""


STATUS_LABELS = {
    "status.edxml": ("01", "Đã đến"),
    "status_inbox_01.edxml": ("01", "Đã đến"),
    "status_rejection_02.edxml": ("02", "Từ chối tiếp nhận"),
    "status_acceptance_03.edxml": ("03", "Đã tiếp nhận"),
    "status_assignment_04.edxml": ("04", "Đã phân công"),
    "status_processing_05.edxml": ("05", "Đang xử lý"),
    "status_finish_06.edxml": ("06", "Hoàn thành"),
    "status_cancellation_13.edxml": ("13", "Đề nghị lấy lại văn bản"),
    "status_change-acceptance_15.edxml": ("15", "Đồng ý cập nhật hoặc lấy lại"),
    "status_change-rejection_16.edxml": ("16", "Từ chối cập nhật hoặc lấy lại"),
}


@pytest.mark.parametrize("name", sorted(STATUS_LABELS))
def test_status_messages_are_not_documents(name):
    code, label = STATUS_LABELS[name]
    with pytest.raises(EdxmlError) as refused:
        parse(sample(name))
    assert refused.value.message == (
        f"Gói edXML này là thông điệp trạng thái “{label}” (mã {code}) của trục liên thông, "
        "không chứa văn bản để vào sổ."
    )


def test_every_sample_is_covered():
    """Each file in tests/exchange/data is read by a test above, as a document or a status."""
    documents = {"edoc.edxml", "edoc_new.edxml", "edoc_update.edxml", "edoc_replacement.edxml"}
    documents.add("edoc_revocation.edxml")
    assert {p.name for p in DATA.glob("*.edxml")} == documents | set(STATUS_LABELS)


# ---------------------------------------------------------------- packages built here


def test_a_built_package_reads_back_exactly_without_repairs():
    pdf = pdf_bytes("Kế hoạch triển khai")
    package = parse(
        build_package(
            attachments=(
                ("Kế hoạch.pdf", "application/pdf", pdf),
                ("phu-luc.zip", "application/zip", zipped(("Phụ lục.pdf", pdf))),
            )
        )
    )
    assert package.repairs == []
    assert package.number_symbol == "25/UBND-VP"
    assert (package.priority, package.page_amount, package.due_date) == (
        1,
        3,
        dt.date(2026, 12, 10),
    )
    assert [(a.name, a.container, a.data) for a in package.attachments] == [
        ("Kế hoạch.pdf", "", pdf),
        ("Phụ lục.pdf", "phu-luc.zip", pdf),
    ]
    assert package.notes == ["Tệp đính kèm “phu-luc.zip” là tệp nén: đã giải nén 1 tệp."]


def test_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Quyết định về việc thành lập Tổ công tác")
    package = parse(
        build_package(subject=decomposed, signer=unicodedata.normalize("NFD", "Lữ Quang Ngời"))
    )
    assert package.subject == "Quyết định về việc thành lập Tổ công tác"
    assert unicodedata.is_normalized("NFC", package.subject)
    assert package.signer_name == "Lữ Quang Ngời"


def test_values_out_of_range_are_left_out_with_a_note():
    package = parse(build_package(priority="7", promulgation_date="31/02/2026", page_amount="ba"))
    assert (package.priority, package.promulgation_date, package.page_amount) == (0, None, None)
    assert package.notes == [
        "Ngày ban hành “31/02/2026” trong gói không phải một ngày hợp lệ nên được bỏ qua.",
        "Độ khẩn “7” trong gói không hợp lệ nên được bỏ qua.",
        "Số trang “ba” trong gói không hợp lệ nên được bỏ qua.",
    ]


def test_an_unknown_undeclared_prefix_is_declared_too():
    data = build_package().replace(b"<edXML:SteeringType>", b'<edXML:SteeringType foo:kind="x">')
    package = parse(data)
    assert package.repairs == [
        "Gói dùng tiền tố “foo:” mà không khai báo (không đúng cú pháp XML); đã khai báo "
        "foo = urn:vanban:undeclared:foo ở phần tử gốc để đọc được gói."
    ]
    assert package.steering_type == 1


# ---------------------------------------------------------------- refusals


def refused(data: bytes, max_bytes: int = 50 * MB) -> str:
    with pytest.raises(EdxmlError) as error:
        parse_package(data, max_bytes=max_bytes)
    return error.value.message


@pytest.mark.parametrize(
    "prolog",
    [
        # "Billion laughs": entities that expand to gigabytes.
        '<!DOCTYPE edXML [<!ENTITY a "hahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        # XXE: an external entity reading a local file.
        '<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        # A parameter entity fetching a DTD from elsewhere.
        '<!DOCTYPE edXML [<!ENTITY % remote SYSTEM "http://203.0.113.9/x.dtd"> %remote;]>',
        '<!DOCTYPE edXML SYSTEM "http://203.0.113.9/edxml.dtd">',
    ],
    ids=["billion-laughs", "xxe", "parameter-entity", "external-dtd"],
)
def test_dtds_and_entities_are_refused(prolog):
    data = build_package(subject="&c;" if "ENTITY c" in prolog else "V/v thử")
    data = data.replace(b"<edXML xmlns", prolog.encode() + b"\n<edXML xmlns", 1)
    assert refused(data) == (
        "Gói edXML không hợp lệ: gói có khai báo DTD hoặc thực thể (<!DOCTYPE>, <!ENTITY>); vì an "
        "toàn hệ thống không nhận gói như vậy."
    )


def test_an_undeclared_entity_is_refused():
    data = build_package().replace(b"<edXML:Subject>", b"<edXML:Subject>&xxe;", 1)
    assert refused(data).startswith("Gói edXML không hợp lệ: dùng thực thể không khai báo (dòng ")


@pytest.mark.parametrize(
    "cut",
    [0.5, -len(b"</edXML>\r\n"), -3],
    ids=["inside-an-attachment", "before-the-last-tag", "inside-the-last-tag"],
)
def test_a_truncated_package_is_refused(cut):
    data = sample("edoc_new.edxml")
    end = int(len(data) * cut) if cut > 0 else len(data) + cut
    message = refused(data[:end])
    assert message.startswith("Gói edXML không hợp lệ: gói bị cắt cụt (thiếu phần cuối) (dòng ")


def test_an_empty_package_and_broken_xml_are_refused():
    assert refused(b"") == "Gói edXML không hợp lệ: gói rỗng."
    assert refused(b"   \n") == "Gói edXML không hợp lệ: gói rỗng."
    broken = build_package().replace(b"</edXML:Subject>", b"</edXML:Subjet>", 1)
    assert refused(broken).startswith(
        "Gói edXML không hợp lệ: thẻ đóng không khớp với thẻ mở (dòng "
    )
    assert refused(b"%PDF-1.7 not a package").startswith(
        "Gói edXML không hợp lệ: có ký tự hoặc cú pháp không hợp lệ (dòng 1, cột "
    )


def test_other_xml_is_not_a_package():
    assert refused(b'<?xml version="1.0"?><html><body/></html>') == (
        "Gói edXML không hợp lệ: phần tử gốc là “html”, không phải edXML."
    )
    other = build_package().replace(NS.encode(), b"urn:other", 1)
    assert refused(other).startswith("Gói edXML không hợp lệ: gói không thuộc chuẩn QCVN 102:2016")
    no_header = f'<?xml version="1.0"?><edXML xmlns="{NS}"><edXMLEnvelope/></edXML>'.encode()
    assert refused(no_header) == "Gói edXML không hợp lệ: thiếu phần MessageHeader."


def test_broken_attachments_are_refused():
    data = build_package(attachments=(("a.pdf", "application/pdf", b"%PDF-1.4 x"),))
    corrupt = data.replace(b"JVBERi0xLjQgeA==", b"JVBERi0x*LjQgeA==")
    assert refused(corrupt) == (
        "Gói edXML không hợp lệ: tệp đính kèm “a.pdf” không giải mã được (mã base64 hỏng)."
    )
    not_zip = b"PK\x03\x04" + b"\x00" * 40
    assert refused(build_package(attachments=(("a.zip", "application/zip", not_zip),))) == (
        "Gói edXML không hợp lệ: tệp nén “a.zip” bị hỏng."
    )


def test_a_package_over_the_size_limit_is_refused_unread():
    data = sample("edoc_new.edxml")
    assert refused(data, max_bytes=len(data) - 1) == (
        f"Gói edXML lớn hơn giới hạn {len(data) - 1} byte của một tệp."
    )
    policy = DocumentPolicy.current()
    policy.max_file_size_mb = 1
    policy.save()
    large = build_package(attachments=(("lon.pdf", "application/pdf", b"%PDF-1.7\n" + b"0" * MB),))
    with pytest.raises(EdxmlError) as error:
        parse_package(large)  # the limit of the province's file policy
    assert error.value.message == "Gói edXML lớn hơn giới hạn 1 MB của một tệp."
    assert error.value.field == "package"


def test_files_unzipped_beyond_the_limit_are_refused():
    """A small package whose ZIP expands past the limit ("zip bomb") is refused while unzipping."""
    bomb = zipped(("a.pdf", b"%PDF-1.7\n" + b"\x00" * (3 * MB)))
    data = build_package(attachments=(("nen.zip", "application/zip", bomb),))
    assert len(data) < 100_000
    assert refused(data, max_bytes=MB) == (
        "Gói edXML không hợp lệ: các tệp trong gói (đến tệp “a.pdf”) lớn hơn giới hạn 1 MB khi "
        "giải mã."
    )
