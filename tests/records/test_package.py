"""The archival package of a dossier and of a hand-over (R19; TT 05/2025/TT-BNV): its layout,
metadata, PREMIS events from the audit trail, the signed PDFs in their archival form (B-LTA,
time-stamped by the deployment's service), the refusals, and the audit event of the export."""

import hashlib
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader

from tests import signing
from tests.records.support_package import (
    archive_settings,
    closed_dossier,
    fonds_of,
    hand_over_of,
    members,
    signed_dossier,
)
from tests.support import drafting
from tests.support.documents import DECLARED, incoming_input
from tests.support.edxml import sample
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.libreoffice import require_soffice
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import services as document_services
from vanban.documents.files import file_read_verified
from vanban.exchange.edxml import parse_package
from vanban.exchange.staging import package_files
from vanban.records.models import DossierStatus
from vanban.records.package import (
    build_dossier_package,
    build_hand_over_package,
    verify_package,
)
from vanban.records.package.build import ACTION_EXPORT, MSG_NO_TSA
from vanban.records.package.layout import outside_manifest
from vanban.records.package.verify import SIGNATURE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("archive_env")]

LT = "{urn:vanban:luu-tru:1}"
METS = "{http://www.loc.gov/METS/}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture
def archive_env(settings, tmp_path):
    with archive_settings(settings, tmp_path):
        yield


def xml(files, name):  # type: ignore[no-untyped-def]
    return etree.fromstring(files[name])


def text(root, path: str) -> str:  # type: ignore[no-untyped-def]
    return root.findtext(path.replace("lt:", LT)) or ""


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION_EXPORT))


# ------------------------------------------------------------------ a dossier


def test_a_dossier_package_carries_structure_metadata_events_and_archival_pdfs(team, tmp_path):
    dossier = signed_dossier(team)
    document = dossier.items.get(ordinal=1).document
    path = build_dossier_package(dossier, team.drafter, out=tmp_path / "goi.zip", ip="10.0.0.7")
    files = members(path)
    assert sorted(files) == [
        "METS.xml",
        "dossiers/01/001/document.xml",
        "dossiers/01/001/events.xml",
        "dossiers/01/001/files/01-tep-chinh.pdf",
        "dossiers/01/002/document.xml",
        "dossiers/01/002/events.xml",
        "dossiers/01/002/files/01-du-thao-phien-ban-1.pdf",
        "dossiers/01/dossier.xml",
        "manifest-sha256.txt",
        "manifest-sha256.txt.tsr",
        *[n for n in files if n.startswith("manifest-validation/")],
        "metadata/fonds.xml",
        *[n for n in files if n.startswith("metadata/trust-roots/")],
        "schemas/premis-v3-subset.xsd",
        "schemas/vanban-luu-tru.xsd",
    ]
    assert len([n for n in files if n.startswith("metadata/trust-roots/")]) == 1
    validation = [n.split("/")[1].split("-")[0] for n in files if n.startswith("manifest-valid")]
    assert {"cert", "ocsp", "crl"} <= set(validation)

    # METS: fonds > dossier > documents > files, every file with its SHA-256.
    mets = xml(files, "METS.xml")
    fonds_div = next(mets.iter(f"{METS}div"))
    assert fonds_div.get("TYPE") == "Phông"
    assert fonds_div.get("LABEL") == "Phông Sở Thông tin và Truyền thông"
    [dossier_div] = fonds_div
    assert dossier_div.get("TYPE") == "Hồ sơ"
    assert [d.get("TYPE") for d in dossier_div] == ["Văn bản", "Văn bản"]
    for item in mets.iter(f"{METS}file"):
        href = item.find(f"{METS}FLocat").get(XLINK)
        assert item.get("CHECKSUM") == hashlib.sha256(files[href]).hexdigest()
        assert item.get("CHECKSUMTYPE") == "SHA-256"
    manifest = files["manifest-sha256.txt"].decode().splitlines()
    assert len(manifest) == len([n for n in files if not outside_manifest(n)])

    # The dossier (Appendix VI) and the fonds (TT 05/2025/TT-BNV).
    meta = xml(files, "dossiers/01/dossier.xml")
    assert text(meta, "lt:FileCode") == f"{team.province.stttt.agency_code}.2026.01.VP"
    assert text(meta, "lt:Title") == "Hồ sơ kế hoạch chuyển đổi số của tỉnh năm 2027"
    assert (text(meta, "lt:Maintenance"), text(meta, "lt:Rights")) == ("Vĩnh viễn", "Hạn chế")
    assert (text(meta, "lt:DocTotal"), text(meta, "lt:Language")) == ("2", "Tiếng Việt")
    assert int(text(meta, "lt:PageTotal")) >= 2
    fonds = xml(files, "metadata/fonds.xml")
    assert (text(fonds, "lt:FondsCode"), text(fonds, "lt:Status")) == ("STTTT", "Mở")
    assert text(fonds, "lt:OpenedOn") == "2008-04-01"
    assert text(fonds, "lt:DocTotal") == "2"

    # The outgoing document's record fields, its file with the original's hash.
    meta = xml(files, "dossiers/01/001/document.xml")
    assert text(meta, "lt:Kind") == "Văn bản đi"
    assert text(meta, "lt:DocOrdinal") == "1"
    assert text(meta, "lt:Subject") == drafting.SUBJECT
    assert text(meta, "lt:TypeName") == "Kế hoạch"
    assert text(meta, "lt:CodeNotation") == document.code_notation
    assert text(meta, "lt:SignerInfo/lt:Position") == document.signer_position
    [main] = document.files.all()
    [entry] = meta.iter(f"{LT}File")
    assert text(entry, "lt:OriginalSHA256") == main.sha256
    assert (text(entry, "lt:Signatures"), text(entry, "lt:ArchivalTimeStamp")) == ("2", "true")
    assert text(entry, "lt:ValidationNote") == ""
    packed = files["dossiers/01/001/files/01-tep-chinh.pdf"]
    original = file_read_verified(main.storage_name, main.sha256)
    assert packed.startswith(original) and len(packed) > len(original)
    reader = PdfFileReader(io.BytesIO(packed), strict=False)
    assert len(list(reader.embedded_regular_signatures)) == 2
    [stamp] = reader.embedded_timestamp_signatures
    assert stamp.field_name.startswith("DauThoiGianLuuTru-")
    dss = reader.root["/DSS"]
    assert len(dss["/OCSPs"]) + len(dss["/CRLs"]) > 0

    # The draft version as "Dự thảo".
    draft_meta = xml(files, "dossiers/01/002/document.xml")
    assert text(draft_meta, "lt:Kind") == "Dự thảo"
    assert text(draft_meta, "lt:Description") == "Dự thảo phiên bản 1"

    # PREMIS events from the audit trail of the document and its draft, chain fields kept.
    events = xml(files, "dossiers/01/001/events.xml")
    premis = "{http://www.loc.gov/premis/v3}"
    types = [e.findtext(f"{premis}eventType") for e in events.iter(f"{premis}event")]
    assert "draft.create" in types and any(t.startswith("draft.issue") for t in types)
    stored = {e.seq: e for e in AuditEvent.objects.all()}
    for chain in events.iter(f"{LT}Chain"):
        event = stored[int(text(chain, "lt:Seq"))]
        assert text(chain, "lt:Hash") == event.hash
        assert text(chain, "lt:PrevHash") == event.prev_hash

    # Recorded, last, with the package's hash.
    [export] = exports()
    assert (export.actor_id, export.target_type, export.target_id) == (
        team.drafter.pk,
        "records.dossier",
        str(dossier.pk),
    )
    assert export.data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (export.data["documents"], export.ip) == (2, "10.0.0.7")
    assert verify_package(path).intact


def test_a_hand_over_package_holds_every_dossier_of_its_list(team, tmp_path):
    draft, document = drafting.issued(team)
    first = closed_dossier(team, items=[document])
    second = closed_dossier(
        team, notation="02.VP", items=[draft.versions.order_by("number").first()]
    )
    for dossier in (first, second):
        dossier.status = DossierStatus.SUBMITTED
        dossier.save()
    hand_over = hand_over_of(team, [first, second])
    path = build_hand_over_package(hand_over, team.clerk, out=tmp_path / "nop-luu.zip")
    files = members(path)
    mets = xml(files, "METS.xml")
    fonds_div = next(mets.iter(f"{METS}div"))
    assert [d.get("LABEL")[-6:] for d in fonds_div] == ["m 2027", "m 2027"]
    assert [text(xml(files, f"dossiers/0{i}/dossier.xml"), "lt:FileNotation") for i in (1, 2)] == [
        "01.VP",
        "02.VP",
    ]
    fonds = xml(files, "metadata/fonds.xml")
    assert text(fonds, "lt:HandOver/lt:Identifier") == str(hand_over.pk)
    assert text(fonds, "lt:HandOver/lt:Status") == "Chờ lưu trữ kiểm tra"
    assert text(fonds, "lt:DocTotal") == "2"
    [export] = exports()
    assert (export.target_type, export.data["dossiers"]) == (
        "records.handover",
        [first.pk, second.pk],
    )
    report = verify_package(path)
    assert [c for c in report.checks if not c.ok] == []


# ------------------------------------------------------------------ refusals


def test_without_a_time_stamp_service_nothing_is_exported(team, tmp_path, settings):
    dossier = closed_dossier(team)
    settings.VANBAN_TSA_URL = ""
    with pytest.raises(ServiceError) as refused:
        build_dossier_package(dossier, team.drafter, out=tmp_path / "goi.zip")
    assert refused.value.message == MSG_NO_TSA
    assert "Chưa cấu hình dịch vụ cấp dấu thời gian (VANBAN_TSA_URL)" in MSG_NO_TSA
    assert list(tmp_path.glob("goi.zip*")) == []
    assert exports() == []


def test_an_unreachable_time_stamp_service_stops_the_export_naming_the_file(
    team, tmp_path, settings
):
    import socket

    with socket.socket() as sock:  # a loopback port with nothing behind it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _draft, document = drafting.issued(team)
    dossier = closed_dossier(team, items=[document])
    settings.VANBAN_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    with pytest.raises(ServiceError) as refused:
        build_dossier_package(dossier, team.drafter, out=tmp_path / "goi.zip")
    main = document.files.get()
    assert f"Không đóng được dấu thời gian lưu trữ cho tệp “{main.original_name}”" in (
        refused.value.message
    )
    assert "Gói lưu trữ không được tạo." in refused.value.message
    assert list(tmp_path.glob("goi.zip*")) == []
    assert exports() == []


def test_a_time_stamp_service_outside_the_trust_roots_stops_the_export(team, tmp_path):
    """No root installed: the time-stamp service's certificate leads nowhere the province
    trusts, and the export says so in words."""
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload("ban-quet.pdf", pdf_bytes("Bản quét"), "application/pdf"),
    )
    dossier = closed_dossier(team, items=[document])
    with pytest.raises(ServiceError) as refused:
        build_dossier_package(dossier, team.clerk, out=tmp_path / "goi.zip")
    assert "Không đóng được dấu thời gian lưu trữ cho tệp “ban-quet.pdf”" in refused.value.message
    assert "không dẫn tới gốc tin cậy nào của tỉnh" in refused.value.message
    assert exports() == []


def test_an_open_dossier_or_an_empty_hand_over_is_refused(team, tmp_path):
    dossier = closed_dossier(team)
    dossier.status = DossierStatus.OPEN
    dossier.save()
    with pytest.raises(ServiceError, match="đang lập: chỉ đóng gói lưu trữ hồ sơ đã kết thúc"):
        build_dossier_package(dossier, team.drafter, out=tmp_path / "goi.zip")
    with pytest.raises(ServiceError, match="chưa có hồ sơ nào để đóng gói"):
        build_hand_over_package(hand_over_of(team, []), team.clerk, out=tmp_path / "goi.zip")
    assert exports() == []


def test_a_person_who_cannot_read_the_dossier_cannot_export_it(team, tmp_path):
    dossier = closed_dossier(team)
    with pytest.raises(AccessDenied, match="không có quyền đóng gói lưu trữ hồ sơ này"):
        build_dossier_package(dossier, team.staff_snv, out=tmp_path / "goi.zip")
    hand_over = hand_over_of(team, [dossier])
    with pytest.raises(AccessDenied, match="không có quyền đóng gói lưu trữ lần nộp lưu"):
        build_hand_over_package(hand_over, team.colleague, out=tmp_path / "goi.zip")
    assert exports() == []


# ------------------------------------------------------------------ the command


def test_the_export_command_writes_the_package_and_records_the_console(team, tmp_path):
    signing.trust()
    dossier = closed_dossier(team, items=[])
    fonds_of(team)
    out = StringIO()
    call_command(
        "archive",
        "export",
        "--dossier",
        str(dossier.pk),
        "--out",
        str(tmp_path / "g.zip"),
        stdout=out,
    )
    assert f"Đã tạo gói lưu trữ {tmp_path / 'g.zip'}" in out.getvalue()
    [export] = exports()
    assert (export.actor_id, export.data["via"]) == (None, "console")
    assert verify_package(tmp_path / "g.zip").intact
    with pytest.raises(CommandError, match="Không có hồ sơ số 999999"):
        call_command("archive", "export", "--dossier", "999999", "--out", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="Không có lần nộp lưu số 999999"):
        call_command("archive", "export", "--hand-over", "999999", "--out", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command(
            "archive", "export", "--dossier", str(dossier.pk), "--out", "/khong/co/thu-muc/g.zip"
        )
    assert len(exports()) == 1


# ------------------------------------------------------------------ a received document


def test_the_real_2018_signature_and_a_word_attachment(team, tmp_path):
    """The national sample's PDF signed in 2018 by an official of the Ministry: its issuer is
    outside the province's trust roots and its OCSP/CRL services are out of reach here, so its
    validation data cannot be gathered; the package says why and `verify` fails its signature
    (and nothing else). Its Word attachment travels with a PDF/A made by LibreOffice."""
    require_soffice()
    signing.trust()
    parsed = parse_package(sample("edoc.edxml"), max_bytes=10**8)
    edxml_files, _notes = package_files(parsed, "edoc")
    [real] = [item.data for item in edxml_files if item.data[:5] == b"%PDF-"]
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload("cv-2018.pdf", real, "application/pdf"),
        attachments=[upload("Phụ lục.docx", docx_bytes("Danh sách đơn vị"))],
        signature_reason="Văn bản mẫu năm 2018, tiếp nhận để thử nghiệm lưu trữ.",
    )
    dossier = closed_dossier(team, items=[document])
    path = build_dossier_package(dossier, team.clerk, out=tmp_path / "goi.zip")
    files = members(path)
    meta = xml(files, "dossiers/01/001/document.xml")
    entries = {text(e, "lt:Path").rsplit("/", 1)[-1]: e for e in meta.iter(f"{LT}File")}
    assert sorted(entries) == [
        "01-tep-chinh.pdf",
        "02-tep-dinh-kem.docx",
        "03-tep-dinh-kem-pdfa.pdf",
    ]
    main = entries["01-tep-chinh.pdf"]
    assert text(main, "lt:Signatures") == "1"
    assert text(main, "lt:ValidationNote").startswith(
        "Chữ ký thứ 1: không thu thập được dữ liệu xác thực (chứng thư, OCSP, CRL)"
    )
    converted = entries["03-tep-dinh-kem-pdfa.pdf"]
    assert text(converted, "lt:ConvertedFrom") == "dossiers/01/001/files/02-tep-dinh-kem.docx"
    assert text(converted, "lt:Role") == "Bản PDF/A chuyển đổi"
    assert files["dossiers/01/001/files/03-tep-dinh-kem-pdfa.pdf"].startswith(b"%PDF-")
    assert text(meta, "lt:Kind") == "Văn bản đến"
    assert text(meta, "lt:ArrivalNumber") == str(document.register_number)

    report = verify_package(path)
    failed = [c for c in report.checks if not c.ok]
    assert [(c.group, c.file) for c in failed] == [
        (SIGNATURE, "dossiers/01/001/files/01-tep-chinh.pdf")
    ]
    assert "tổ chức chứng thực nằm trong danh sách tin cậy" in failed[0].detail
    assert "khi đóng gói: Chữ ký thứ 1: không thu thập được" in failed[0].detail


def test_an_unsigned_pdf_gets_the_archival_time_stamp_only(team, tmp_path):
    signing.trust()
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload("ban-quet.pdf", pdf_bytes("Bản quét"), "application/pdf"),
    )
    dossier = closed_dossier(team, items=[document])
    path = build_dossier_package(dossier, team.clerk, out=tmp_path / "goi.zip")
    files = members(path)
    [entry] = xml(files, "dossiers/01/001/document.xml").iter(f"{LT}File")
    assert (text(entry, "lt:Signatures"), text(entry, "lt:ArchivalTimeStamp")) == ("0", "true")
    report = verify_package(path)
    assert [c for c in report.checks if not c.ok] == []
    assert any(c.group == "Dấu thời gian lưu trữ" and c.ok for c in report.checks)
