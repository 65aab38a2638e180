"""edXML records: every sample of the exchange axis is read and written back with the same
structure and content, in the samples' namespace layout, and passes our schema; packages and
status messages built in code pass it too; hostile or broken input is refused with a Vietnamese
reason."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from vanban.documents.models import DocumentPolicy
from vanban.exchange.edxml import (
    NAMESPACE,
    STATUS_CODES,
    Attachment,
    Bussiness,
    Code,
    DocumentType,
    EdxmlError,
    Manifest,
    MessageHeader,
    Organ,
    OtherInfo,
    Package,
    PromulgationInfo,
    Reference,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    TraceHeaderList,
    date_to_text,
    parse_tree,
    read_message,
    status_message,
    text_to_date,
    text_to_timestamp,
    timestamp_to_text,
    validate,
    write_message,
    write_package,
    write_status,
)

MB = 1024 * 1024
LIMIT = 50 * MB
XLINK = "http://www.w3.org/1999/xlink"
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
ROOT_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">\n'
)
ENVELOPE_OPEN = b'<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
CONTENT_OPEN = (
    b'<edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
)


def _samples() -> Path | None:
    """The axis's samples: $VANBAN_EDXML_SAMPLES, ../shared/interop/edxml next to the
    repository, or the byte-for-byte copy kept with the exchange tests."""
    here = Path(__file__).resolve()
    candidates = (
        [Path(os.environ["VANBAN_EDXML_SAMPLES"])] if os.environ.get("VANBAN_EDXML_SAMPLES") else []
    )
    candidates += [here.parents[3] / "shared/interop/edxml", here.parents[1] / "exchange/data"]
    return next((c for c in candidates if c.is_dir() and any(c.glob("*.edxml"))), None)


SAMPLES = _samples()
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.glob("*.edxml")) if SAMPLES else []
NO_SAMPLES = "no edXML samples: neither $VANBAN_EDXML_SAMPLES nor ../shared/interop/edxml exists"
every_sample = pytest.mark.parametrize(
    "name", SAMPLE_NAMES or [pytest.param("", marks=pytest.mark.skip(reason=NO_SAMPLES))]
)
needs_samples = pytest.mark.skipif(SAMPLES is None, reason=NO_SAMPLES)


def sample(name: str) -> bytes:
    assert SAMPLES is not None
    return (SAMPLES / name).read_bytes()


def read(data: bytes) -> Package | StatusMessage:
    return read_message(data, max_bytes=LIMIT)


def plain_tree(data: bytes):
    """What any XML parser makes of our output: no repair, no entities, no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def elements(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def compact(text: str | None) -> str:
    return "".join((text or "").split())


def assert_same_tree(left, right, path: str = "") -> None:
    """Same names (with namespaces) in the same order, same attributes, same text after
    stripping surrounding whitespace (base64 without any whitespace); comments aside."""
    where = f"{path}/{etree.QName(left).localname}"
    assert left.tag == right.tag, where
    assert dict(left.attrib) == dict(right.attrib), where
    if etree.QName(left).localname == "ContentTransferEncoded":
        assert compact(left.text) == compact(right.text), where
    else:
        assert (left.text or "").strip() == (right.text or "").strip(), where
    left_children, right_children = elements(left), elements(right)
    assert [c.tag for c in left_children] == [c.tag for c in right_children], where
    for a, b in zip(left_children, right_children, strict=True):
        assert (a.tail or "").strip() == (b.tail or "").strip(), where
        assert_same_tree(a, b, where)


def assert_vietnamese(error: EdxmlError) -> None:
    assert re.search(
        "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", error.message
    )


def assert_layout(out: bytes) -> None:
    assert out.startswith(ROOT_OPEN)
    assert b"\n  " + ENVELOPE_OPEN + b"\n" in out
    assert b"<edXML:edXMLHeader>" in out
    assert b"<edXML:MessageHeader>" in out
    assert out.endswith(b"</edXML>\n")


# ---------------------------------------------------------------- the samples, round trip


@every_sample
def test_sample_round_trip_keeps_structure_and_content(name):
    data = sample(name)
    message = read(data)
    out = write_message(message)

    source, _, repairs = parse_tree(data)
    assert bool(repairs) == (name == "edoc.edxml")  # the one sample that is not well-formed
    assert_same_tree(source, plain_tree(out))
    assert validate(out) == []
    assert_layout(out)
    assert message.notes == []
    # Written again from what was read back: the same bytes.
    assert write_message(read(out)) == out
    assert read(out) == message


@every_sample
def test_sample_prefix_layout(name):
    out = write_message(read(sample(name)))
    prefixes = set(re.findall(rb"<(?:/)?([A-Za-z_][\w.-]*):", out))
    assert prefixes <= {b"edXML"}
    if name.startswith("status"):
        assert b"TraceHeaderList" not in out and b"AttachmentEncoded" not in out
        return
    # AttachmentEncoded and its children unprefixed, the content prefixed and declared on itself.
    assert b"\n  <AttachmentEncoded>\n    <Attachment>\n      <ContentId>" in out
    assert out.count(CONTENT_OPEN) == out.count(b"<Attachment>") == 1
    assert b"<edXML:AttachmentEncoded" not in out


@every_sample
def test_sample_signature_is_kept_as_written(name):
    data = sample(name)
    message = read(data)
    if isinstance(message, StatusMessage):
        return
    assert message.signature is not None
    assert message.signature.startswith(b"<Signature")
    assert message.signature.endswith(b"</Signature>")
    assert message.signature in data  # the bytes of the element, not a re-serialization
    assert message.signature in write_package(message)


@needs_samples
def test_sample_status_messages_carry_their_code():
    for name in SAMPLE_NAMES:
        if not name.startswith("status"):
            continue
        message = read(sample(name))
        assert isinstance(message, StatusMessage)
        expected = re.search(r"_(\d\d)\.edxml$", name)
        assert message.status_code == (expected[1] if expected else "01")
        assert message.status_label == STATUS_CODES[message.status_code]
        assert message.from_organ.organ_id in ("000.00.00.H41", "000.00.00.G22")
        assert message.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
        assert message.time is not None and message.time.tzinfo is not None


@needs_samples
def test_sample_status_keeps_its_order():
    message = read(sample("status_inbox_01.edxml"))
    assert message.staff_info.order == ("Department", "Staff", "Mobile", "Email")
    out = write_status(message)
    staff = out[out.index(b"<edXML:StaffInfo>") :]
    assert staff.index(b"<edXML:Mobile>") < staff.index(b"<edXML:Email>")
    other = read(sample("status.edxml"))
    assert other.response_for.order == ("OrganId", "Code", "DocumentId", "PromulgationDate")
    assert other.response_for.date == dt.date(2018, 9, 28)


@needs_samples
def test_sample_new_document_records():
    package = read(sample("edoc_new.edxml"))
    header = package.message
    assert header.from_organ.organ_id == "000.00.00.K19"
    assert header.from_organ.name == "Văn phòng Chính phủ"
    assert [organ.organ_id for organ in header.to] == ["000.00.50.H19"]
    assert header.code.number_symbol == "781622e22/VPCP-TTĐT"
    assert header.promulgation_info.promulgation_date == "2018/10/19"
    assert header.promulgation_info.date == dt.date(2018, 10, 19)
    assert header.document_type.type_detail == "0"
    assert header.due == dt.date(2018, 9, 28)
    assert header.other_info.direction == "false"
    assert header.other_info.appendixes == [
        "Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"
    ]
    assert header.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert header.response_for == []
    assert package.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert package.business_type == 0
    assert package.bussiness.staff_info.staff == "Nguyễn Thị Ngọc Trâm"
    assert package.trace.trace_headers[0].timestamp == "2018/09/28 00:00:00"
    assert package.manifest.attributes == {"version": "1.0"}
    [reference] = package.manifest.references
    assert reference.order == ("ContentId", "ContentType", "Description", "AttachmentName")
    [attachment] = package.attachments
    assert attachment.content_id == reference.content_id == "cid:209"
    assert attachment.data.startswith(b"PK\x03\x04")  # the axis's SDK zips files


@needs_samples
def test_sample_update_replacement_revocation_records():
    update = read(sample("edoc_update.edxml"))
    assert update.business_type == 2
    info = update.bussiness.bussiness_document_info
    assert (info.document_info, info.document_receiver) == ("1", "1")
    assert [(r.organ_id, r.receiver_type) for r in info.receiver_list] == [
        ("000.00.00.H41", "0"),
        ("000.00.00.H14", "1"),
    ]

    replacement = read(sample("edoc_replacement.edxml"))
    assert replacement.business_type == 3
    assert replacement.bussiness.document_id is None  # absent, unlike the other packages
    replaced = replacement.bussiness.replacement_info_list
    assert [r.document_id for r in replaced] == ["000.00.00.G22,2014/01/30,7806/VPCP-TTĐT"] * 2
    assert replaced[0].organ_id_list == ["000.00.00.H41", "000.00.00.H14"]

    revocation = read(sample("edoc_revocation.edxml"))
    assert revocation.business_type == 1
    [answered] = revocation.message.response_for
    assert answered.document_id == "000.00.04.G14,2012/08/06,267/VPCP-TTĐT"
    assert answered.order == ("OrganId", "Code", "DocumentId", "PromulgationDate")


@needs_samples
def test_sample_not_well_formed_is_repaired_and_written_well_formed():
    """edoc.edxml uses xlink:href and edXML:AttachmentEncoded without declaring the prefixes:
    read with the recorded repair, written in the samples' layout that declares them."""
    data = sample("edoc.edxml")
    with pytest.raises(etree.XMLSyntaxError):
        plain_tree(data)
    assert validate(data)  # not what we produce: the undeclared prefixes are reported

    package = read(data)
    assert any("xlink" in repair for repair in package.repairs)
    assert any("“edXML:”" in repair for repair in package.repairs)
    [reference] = package.manifest.references
    assert reference.attributes == {f"{{{XLINK}}}href": ""}
    assert reference.content_type is None  # commented out in the sample
    [answered] = package.message.response_for
    assert (answered.organ_id, answered.code, answered.document_id) == ("", "", "")
    assert package.message.document_type.type_detail is None
    assert package.message.other_info.direction is None
    [attachment] = package.attachments
    assert attachment.data.startswith(b"%PDF-1.5")

    out = write_package(package)
    plain_tree(out)
    assert f'<edXML:Reference xmlns:xlink="{XLINK}" xlink:href="">'.encode() in out
    assert b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' in out
    assert validate(out) == []


# ---------------------------------------------------------------- built in code


def built_package() -> Package:
    sent = dt.datetime(2025, 3, 14, 2, 30, tzinfo=dt.UTC)
    return Package(
        message=MessageHeader(
            from_organ=Organ(
                organ_id="000.00.12.H53",
                organization_in_charge="UBND tỉnh Thái Nguyên",
                organ_name="Sở Nội vụ tỉnh Thái Nguyên",
                email="snv@thainguyen.gov.vn",
            ),
            to=[
                Organ(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ"),
                Organ(organ_id="000.00.00.H41", organ_name="UBND Tỉnh Nghệ An"),
            ],
            document_id="000.00.12.H53,2025/03/14,123/SNV-VP",
            code=Code(code_number="123", code_notation="SNV-VP"),
            promulgation_info=PromulgationInfo(
                place="Thái Nguyên", promulgation_date=date_to_text(dt.date(2025, 3, 14))
            ),
            document_type=DocumentType(type="1", type_detail="0", type_name="Công văn"),
            subject='V/v báo cáo <tình hình> & kết quả "cải cách" hành chính',
            content="Dòng thứ nhất\nDòng thứ hai",
            signer_info=SignerInfo(
                competence="KT. GIÁM ĐỐC", position="Phó Giám đốc", full_name="Nguyễn Văn An"
            ),
            due_date="2025/03/31",
            other_info=OtherInfo(priority="1", page_amount="2", direction="false", appendixes=[]),
            steering_type="1",
            to_places=["Như trên", "Lưu: VT, VP"],
        ),
        trace=TraceHeaderList(
            trace_headers=[
                TraceHeader(organ_id="000.00.12.H53", timestamp=timestamp_to_text(sent))
            ],
            bussiness=Bussiness(
                document_id="000.00.12.H53,2025/03/14,123/SNV-VP",
                bussiness_doc_type="0",
                bussiness_doc_reason="Văn bản điện tử mới",
                paper="0",
                staff_info=StaffInfo(department="Văn phòng", staff="Trần Thị Bình"),
            ),
        ),
        signature=f'<Signature xmlns="{XMLDSIG}"><SignedInfo/></Signature>'.encode(),
        manifest=Manifest(
            attributes={"version": "1.0"},
            references=[
                Reference(
                    content_id="cid:1",
                    content_type="application/pdf",
                    description="Công văn",
                    attachment_name="cong-van-123.pdf",
                )
            ],
        ),
        attachments=[
            Attachment.from_bytes(
                bytes(range(256)) * 4,
                content_id="cid:1",
                name="cong-van-123.pdf",
                content_type="application/pdf",
                description="Công văn",
            )
        ],
    )


def test_built_package_validates_and_reads_back():
    package = built_package()
    out = write_package(package)
    assert validate(out) == []
    assert_layout(out)
    assert out.count(CONTENT_OPEN) == 1
    assert b"\n        <edXML:From>\n          <edXML:OrganId>000.00.12.H53</edXML:OrganId>" in out
    assert "&lt;tình hình&gt; &amp; kết quả".encode() in out
    assert b"<edXML:Appendixes></edXML:Appendixes>" in out
    assert b"<edXML:Timestamp>2025/03/14 09:30:00</edXML:Timestamp>" in out  # Vietnam's time

    back = read(out)
    assert back == package
    assert back.message.subject == package.message.subject
    assert back.message.content == "Dòng thứ nhất\nDòng thứ hai"
    assert back.attachments[0].data == bytes(range(256)) * 4
    assert back.business_type == 0
    assert back.message.other_info.appendixes == []  # present but empty, not absent
    assert back.message.other_info.sphere_of_promulgation is None
    assert back.message.to_places == ["Như trên", "Lưu: VT, VP"]


def test_built_package_without_optional_parts():
    package = built_package()
    package.trace = package.signature = package.manifest = package.attachments = None
    out = write_package(package)
    assert validate(out) == []
    for absent in (b"TraceHeaderList", b"Signature", b"edXMLBody", b"AttachmentEncoded"):
        assert absent not in out
    assert read(out) == package


def test_built_status_messages_validate():
    organ = Organ(organ_id="000.00.12.H53", organ_name="Sở Nội vụ tỉnh Thái Nguyên")
    answered = ResponseFor(
        organ_id="000.00.00.G22",
        code="7816/VPCP-TTĐT",
        promulgation_date="2015/09/30",
        document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
    )
    staff = StaffInfo(department="Văn thư", staff="Trần Thị Bình", email="vt@tn.gov.vn")
    when = dt.datetime(2025, 3, 14, 2, 30, tzinfo=dt.UTC)
    assert sorted(STATUS_CODES) == ["01", "02", "03", "04", "05", "06", "13", "15", "16"]
    for code, label in STATUS_CODES.items():
        message = status_message(organ, answered, code, label, when, staff)
        out = write_status(message)
        assert validate(out) == []
        assert_layout(out)
        back = read(out)
        assert back == message
        assert back.timestamp == "2025/03/14 09:30:00"
        assert back.time == when
    without_staff = status_message(organ, answered, "02", "Sai thể thức", "2025/03/14 09:30:00")
    out = write_status(without_staff)
    assert validate(out) == []
    assert b"StaffInfo" not in out


def test_date_and_time_helpers():
    assert date_to_text(dt.date(2018, 10, 19)) == "2018/10/19"
    assert text_to_date("2018/10/19") == dt.date(2018, 10, 19)
    assert text_to_date("2018-10-19") == dt.date(2018, 10, 19)
    assert text_to_date("2018/09/28 00:00:00") == dt.date(2018, 9, 28)
    assert text_to_date("2014/02/30") is None  # in a sample's DocumentId; no such day
    assert text_to_date("") is None and text_to_date(None) is None
    moment = text_to_timestamp("2018/09/28 17:25:11")
    assert moment.utcoffset() == dt.timedelta(hours=7)
    assert timestamp_to_text(moment) == "2018/09/28 17:25:11"
    assert timestamp_to_text(dt.datetime(2018, 9, 28, 17, 25, 11)) == "2018/09/28 17:25:11"
    assert text_to_timestamp("không phải thời gian") is None


def test_signature_declared_on_the_root_is_written_with_its_declaration():
    """A Signature whose prefix is declared on the package's root is not well-formed where the
    writer puts it: it is kept as lxml writes it, with the declaration on the element."""
    out = write_package(built_package())
    tampered = out.replace(
        ROOT_OPEN.strip(),
        f'<edXML xmlns="{NAMESPACE}" xmlns:ds="{XMLDSIG}">'.encode(),
    ).replace(
        f'<Signature xmlns="{XMLDSIG}"><SignedInfo/></Signature>'.encode(),
        b"<ds:Signature><ds:SignedInfo/></ds:Signature>",
    )
    package = read(tampered)
    assert package.signature.startswith(f'<ds:Signature xmlns:ds="{XMLDSIG}"'.encode())
    again = write_package(package)
    assert validate(again) == []
    assert_same_tree(plain_tree(tampered), plain_tree(again))


def test_unknown_elements_are_left_out_and_noted():
    out = write_package(built_package())
    tampered = out.replace(
        b"<edXML:SteeringType>",
        b"<edXML:Extra>x</edXML:Extra><Other xmlns='urn:x'/><edXML:SteeringType>",
    )
    package = read(tampered)
    assert len(package.notes) == 2
    assert "MessageHeader/Extra" in package.notes[0]
    assert "urn:x" in package.notes[1]
    assert write_package(package) == out


# ---------------------------------------------------------------- what validate() reports


def test_validate_reports_what_the_schema_and_the_counts_refuse():
    out = write_package(built_package())
    without_from = re.sub(rb"\s*<edXML:From>.*?</edXML:From>", b"", out, flags=re.S)
    assert any("thiếu phần tử From" in p for p in validate(without_from))

    twice = out.replace(
        b"<edXML:SteeringType>",
        "<edXML:Subject>Lần hai</edXML:Subject><edXML:SteeringType>".encode(),
    )
    assert any("Subject xuất hiện 2 lần" in p for p in validate(twice))

    bad_date = out.replace(b"2025/03/31", b"31-03-2025")
    assert any("DueDate" in p for p in validate(bad_date))

    not_listed = out.replace(b"<ContentId>cid:1</ContentId>", b"<ContentId>cid:2</ContentId>")
    assert any("AttachmentInManifest" in p for p in validate(not_listed))

    broken_base64 = out.replace(CONTENT_OPEN, CONTENT_OPEN + b"@@@")
    [problem] = validate(broken_base64)
    assert "ContentTransferEncoded" in problem and len(problem) < 400

    status = write_status(
        status_message(Organ(organ_id="000.00.00.G22"), ResponseFor(document_id="X"), "03", "", "")
    )
    assert validate(status) == []
    assert validate(status.replace(b">03<", b">99<"))
    mixed = status.replace(
        b"<edXML:StatusCode>", b"<edXML:Subject>S</edXML:Subject><edXML:StatusCode>"
    )
    assert any("không được có phần tử Subject" in p for p in validate(mixed))
    assert validate(b"<edXML") and validate(b"")


# ---------------------------------------------------------------- refusals


def refused(data: bytes, **kwargs) -> EdxmlError:
    with pytest.raises(EdxmlError) as caught:
        read_message(data, **{"max_bytes": LIMIT, **kwargs})
    assert_vietnamese(caught.value)
    return caught.value


XXE = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>'
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE edXML SYSTEM "file:///etc/passwd">\n'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>'
)
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>'
)


def test_refuses_external_entities_and_dtds():
    assert "DTD" in refused(XXE).message
    assert "DTD" in refused(EXTERNAL_DTD).message
    assert "DTD" in refused(LAUGHS).message
    assert validate(XXE) and validate(LAUGHS)


def test_refuses_malformed_xml():
    out = write_package(built_package())
    assert "cắt cụt" in refused(out[: len(out) // 2]).message
    assert "không khớp" in refused(out.replace(b"</edXML:Subject>", b"</edXML:Subjec>")).message
    assert "rỗng" in refused(b"  \n").message
    assert "dãy byte" in refused("<edXML/>").message


def test_refuses_wrong_root_or_namespace():
    assert "phần tử gốc" in refused(f'<edXMLx xmlns="{NAMESPACE}"/>'.encode()).message
    other = write_package(built_package()).replace(b"QCVN_102_2016", b"QCVN_999_2099")
    assert "không gian tên" in refused(other).message
    assert "không gian tên “trống”" in refused(b"<edXML/>").message


def test_refuses_packages_missing_parts_or_ambiguous():
    out = write_package(built_package())
    no_header = re.sub(rb"<edXML:MessageHeader>.*</edXML:MessageHeader>", b"", out, flags=re.S)
    assert "MessageHeader" in refused(no_header).message
    twice = out.replace(
        b"<edXML:SteeringType>",
        "<edXML:Subject>Lần hai</edXML:Subject><edXML:SteeringType>".encode(),
    )
    assert "Subject xuất hiện hơn một lần" in refused(twice).message
    nested = out.replace(b"<edXML:Subject>", b"<edXML:Subject><edXML:Code/>")
    assert "chỉ chứa văn bản" in refused(nested).message


def test_refuses_status_with_an_unknown_code():
    organ, answered = Organ(organ_id="A"), ResponseFor(document_id="X")
    with pytest.raises(EdxmlError) as caught:
        status_message(organ, answered, "99", "Không rõ", "2025/03/14 09:30:00")
    assert "“99”" in caught.value.message
    assert_vietnamese(caught.value)
    with pytest.raises(EdxmlError):
        write_status(StatusMessage(from_organ=organ, response_for=answered, status_code="07"))
    out = write_status(status_message(organ, answered, "05", "Đang xử lý", "2025/03/14 09:30:00"))
    assert "“07”" in refused(out.replace(b">05<", b">07<")).message
    assert "“”" in refused(out.replace(b">05<", b"><")).message


def test_refuses_a_broken_signature_or_text_xml_cannot_hold():
    package = built_package()
    package.signature = b"<Signature><SignedInfo></Signature>"
    with pytest.raises(EdxmlError) as caught:
        write_package(package)
    assert_vietnamese(caught.value)
    package.signature = b"<Other/>"
    with pytest.raises(EdxmlError):
        write_package(package)
    package = built_package()
    package.message.subject = "Ký tự \x01 lạ"
    with pytest.raises(EdxmlError) as caught:
        write_package(package)
    assert_vietnamese(caught.value)


def test_refuses_broken_base64_when_decoding():
    package = read(write_package(built_package()))
    package.attachments[0].content_transfer_encoded = "@@@"
    with pytest.raises(EdxmlError) as caught:
        package.attachments[0].data  # noqa: B018
    assert "base64" in caught.value.message


def test_refuses_oversized_packages():
    out = write_package(built_package())
    assert "lớn hơn giới hạn" in refused(out, max_bytes=len(out) - 1).message
    read_message(out, max_bytes=len(out))


@pytest.mark.django_db
def test_size_limit_defaults_to_the_province_policy():
    policy = DocumentPolicy.current()
    policy.max_file_size_mb = 1
    policy.save()
    package = built_package()
    package.attachments = [
        Attachment.from_bytes(
            b"x" * MB, content_id="cid:1", name="a.pdf", content_type="application/pdf"
        )
    ]
    out = write_package(package)
    with pytest.raises(EdxmlError) as caught:
        read_message(out)
    assert "1 MB" in caught.value.message
    package.attachments = package.attachments[:0]
    assert isinstance(read_message(write_package(package)), Package)
