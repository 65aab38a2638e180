"""OCR of scans with the real OCRmyPDF and Tesseract (docs/ocr.md): the engine, its caps and its
refusals. Each scan is one small page (tests/support/ocr_images.py)."""

import datetime as dt
import hashlib
import importlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.documents import DECLARED, doc_type, incoming_input
from tests.support.files import pdf_bytes, upload
from tests.support.ocr_images import FULL_LINES, pdf_page_texts, scan_bytes
from tests.support.ocr_tools import require_ocr
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.models import Notification
from vanban.documents import ocr, services
from vanban.documents.files import files_check, storage_walk
from vanban.documents.models import Document, DocumentFile
from vanban.documents.ocr import OcrFailed, OcrUnavailable, needs_ocr, ocr_problem, ocr_scan
from vanban.documents.ocr_store import ocr_attach, ocr_file

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def ocr_on(settings):
    require_ocr(settings)
    settings.VANBAN_OCRMYPDF = "ocrmypdf"
    return settings


def _read_well(result: ocr.OcrResult) -> None:
    words = " ".join(result.text.split())
    assert "QUYẾT ĐỊNH" in words
    assert "Nông nghiệp chủ trì" in words
    assert "phòng chống lụt bão năm 2026" in words
    assert result.confidence is not None and result.confidence > 80
    assert result.pdf.startswith(b"%PDF-")
    assert b"pdfaid" in result.pdf  # PDF/A identification in the XMP metadata
    layer = "\n".join(pdf_page_texts(result.pdf))
    assert "Nông nghiệp" in layer  # the text layer is Unicode Vietnamese, not garbled
    assert "QUYẾT ĐỊNH" in layer


@pytest.mark.parametrize("file_format", ["png", "jpeg"])
def test_a_one_page_scan_is_read(ocr_on, file_format):
    result = ocr_scan(scan_bytes(file_format), file_format)

    _read_well(result)
    assert result.page_count == 1
    assert len(result.pages) == 1
    words = [word.text for word in result.pages[0].words]
    assert "123/QĐ-UBND" in words
    assert result.seconds > 0
    assert result.text == result.text.strip()


def test_a_two_page_tiff_gives_two_pages(ocr_on):
    result = ocr_scan(scan_bytes("tiff", pages=2), "tiff")

    _read_well(result)
    assert result.page_count == 2
    layers = pdf_page_texts(result.pdf)
    assert len(layers) == 2
    assert "Trang 2" in layers[1] and "Trang 2" not in layers[0]
    assert "Trang 2" in result.pages[1].text


def test_a_page_scanned_sideways_is_turned(ocr_on):
    result = ocr_scan(scan_bytes("png", lines=FULL_LINES, size="a5", rotate=90), "png")

    _read_well(result)
    assert "Thủ trưởng" in " ".join(result.text.split())


def test_a_page_fed_askew_is_straightened(ocr_on):
    result = ocr_scan(scan_bytes("png", skew=3), "png")

    _read_well(result)


def test_images_and_empty_pdfs_need_ocr_born_digital_pdfs_do_not():
    assert needs_ocr("png", "")
    assert needs_ocr("jpeg", "anything")
    assert needs_ocr("tiff", "")
    assert needs_ocr("pdf", "")
    assert needs_ocr("pdf", "  Trang 1 \n 07/12/2026 ")  # a scanner's own line
    assert not needs_ocr("pdf", "Quyết định về việc ban hành quy chế công tác văn thư")
    assert not needs_ocr("docx", "")
    assert not needs_ocr("xml", "")


def test_switched_off_it_says_so_and_reads_nothing(settings):
    settings.VANBAN_OCR_ENABLED = False

    assert "đang tắt" in ocr_problem()
    with pytest.raises(OcrUnavailable) as caught:
        ocr_scan(scan_bytes("png"), "png")
    assert "VANBAN_OCR" in caught.value.message


def test_without_ocrmypdf_the_packages_are_named(ocr_on, tmp_path):
    ocr_on.VANBAN_OCRMYPDF = str(tmp_path / "ocrmypdf")

    problem = ocr_problem()
    assert "ocrmypdf" in problem and "tesseract-ocr-vie" in problem
    with pytest.raises(OcrUnavailable) as caught:
        ocr_scan(scan_bytes("png"), "png")
    assert caught.value.message == problem
    assert ocr_problem() == problem  # not cached as usable


def test_usable_here(ocr_on):
    assert ocr_problem() == ""


def test_time_cap_stops_the_run(ocr_on):
    with pytest.raises(OcrFailed) as caught:
        ocr_scan(scan_bytes("png"), "png", timeout=0.2)

    assert caught.value.reason == "timeout"
    assert "0.2 giây" in caught.value.message
    assert "tệp gốc vẫn được lưu nguyên vẹn" in caught.value.message


def test_memory_cap_stops_the_run(ocr_on):
    ocr_on.VANBAN_OCR_MEMORY_MB = 20

    with pytest.raises(OcrFailed) as caught:
        ocr_scan(scan_bytes("png"), "png")

    assert caught.value.reason == "memory"
    assert "giới hạn bộ nhớ" in caught.value.message


def test_a_broken_image_is_unreadable(ocr_on):
    data = scan_bytes("png")

    with pytest.raises(OcrFailed) as caught:
        ocr_scan(data[: len(data) // 3], "png")

    assert caught.value.reason in {"unreadable", "failed"}
    assert "tệp gốc vẫn được lưu nguyên vẹn" in caught.value.message


def test_a_format_that_is_not_a_scan_is_refused(ocr_on):
    with pytest.raises(OcrFailed) as caught:
        ocr_scan(b"PK\x03\x04", "docx")

    assert "DOCX" in caught.value.message


# ---------------------------------------------------------------- registered scans

INCOMING_NEW = "/van-ban/den/vao-so/"
SEARCH = "/van-ban/tim-kiem/"


def _form(office, main_file) -> dict:
    return {
        "unit": office.province.stttt.pk,
        "document_type": doc_type("Quyết định").pk,
        "code_number": "123",
        "code_notation": "QĐ-UBND",
        "issued_date": "20/11/2026",
        "issuer_name": "Ủy ban nhân dân tỉnh Vĩnh Long",
        "issuer_code": "000.00.00.H62",
        "signer_name": "Trần Ngọc Tam",
        "signer_position": "Chủ tịch",
        "subject": "Quyết định phê duyệt kế hoạch",
        "urgency": "0",
        "due_date": "",
        "page_amount": "1",
        "to_places": "",
        "description": "",
        "secrecy": "",
        "sensitive_declared": "on",
        "main_file": main_file,
    }


def _register_scan(office, data: bytes, name: str = "ban-quet.png", number="15", **kwargs):
    with clock.frozen(NOW):
        return services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(subject="Quyết định phê duyệt kế hoạch", code_number=number),
            refusals=DECLARED,
            main_file=upload(name, data),
            **kwargs,
        )


def _page(client, document) -> str:
    response = client.get(f"/van-ban/{document.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _stored(file: DocumentFile) -> bytes:
    with default_storage.open(file.storage_name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_a_scan_registered_on_the_clerk_page_is_read_and_found_without_diacritics(
    office, client_for, ocr_on, django_capture_on_commit_callbacks
):
    data = scan_bytes("png", keep_dpi=False)  # read at 200 dpi
    client = client_for(office.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INCOMING_NEW, _form(office, upload("Công văn quét.png", data)))
    assert response.status_code == 302
    document = Document.objects.get()

    original = document.files.get()  # the copy is not one of the document's files
    assert original.role == DocumentFile.Role.MAIN
    assert original.ocr_status == DocumentFile.OcrStatus.DONE
    assert original.ocr_confidence is not None and original.ocr_confidence > 80
    # The original is kept as it came: same bytes, same SHA-256.
    assert original.sha256 == hashlib.sha256(data).hexdigest()
    assert _stored(original) == data
    assert "Nông nghiệp" in original.text

    copy = DocumentFile.with_copies.get(ocr_of=original)
    assert (copy.role, copy.file_format, copy.document_id) == ("ocr", "pdf", document.pk)
    assert copy.original_name == "Công văn quét (OCR).pdf"
    pdf = _stored(copy)
    assert copy.sha256 == hashlib.sha256(pdf).hexdigest() and copy.size == len(pdf)
    assert "Nông nghiệp" in "\n".join(pdf_page_texts(pdf))
    assert original.ocr_copy == copy

    document.refresh_from_db()
    assert "nong nghiep chu tri" in document.search_text
    found = client.get(SEARCH, {"q": "nong nghiep chu tri thuc hien"}).content.decode()
    assert f'href="/van-ban/{document.pk}/"' in found
    event = AuditEvent.objects.get(action="document.ocr_done")
    assert event.data["copy_sha256"] == copy.sha256 and event.data["sha256"] == original.sha256

    html = _page(client, document)
    shown = re.search(r'id="ocr-status-\d+">(.*?)</td>', html, re.S).group(1)
    confidence = f"{original.ocr_confidence:.0f}"
    assert f"Nội dung tìm kiếm lấy từ nhận dạng chữ (OCR), độ tin cậy {confidence} %" in shown
    assert f'href="/van-ban/tep/{copy.pk}/tai-xuong/"' in shown
    downloaded = client.get(f"/van-ban/tep/{copy.pk}/tai-xuong/")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == pdf
    # The copy follows the document's permissions: a clerk of another unit sees neither.
    outsider = client_for(office.clerk_snv)
    assert outsider.get(f"/van-ban/tep/{copy.pk}/tai-xuong/").status_code == 404
    assert outsider.get(f"/van-ban/{document.pk}/").status_code == 404
    # No stamp on this scan: no flag.
    assert original.ocr_secrecy == "" and "ocr-secrecy" not in html
    assert not Notification.objects.filter(recipient=office.clerk).exists()


@pytest.mark.django_db
def test_the_copy_is_no_attachment_of_packages_checks_or_counts_but_is_checked_in_storage(
    office, ocr_on, django_capture_on_commit_callbacks
):
    from vanban.api.document_schemas import DocumentOut
    from vanban.exchange.partners.packages import package_files_in_order
    from vanban.signatures.services.verification import document_verify

    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, scan_bytes("png"))
    original = document.files.get()
    copy = original.ocr_copy

    assert package_files_in_order(document) == [original]  # edXML to partners
    assert DocumentOut.resolve_files(document) == [original]  # the API
    assert list(
        Document.objects.filter(pk=document.pk).prefetch_related("files")[0].files.all()
    ) == [original]
    assert document_verify(actor=None, document=document) == []  # no PDF of its own to check
    report = files_check()
    ours = {original.storage_name, copy.storage_name}
    assert not ours & {p.storage_name for p in report.missing + report.changed + report.orphans}
    # A copy changed in storage is caught like any file.
    with default_storage.open(copy.storage_name, "wb") as handle:
        handle.write(b"%PDF-1.7 changed")
    assert copy.pk in [p.file_id for p in files_check().changed]


@pytest.mark.django_db
def test_a_born_digital_pdf_is_not_read(office, ocr_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = _register_scan(
            office,
            pdf_bytes("Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026"),
            "quyet-dinh.pdf",
        )
    file = document.files.get()
    assert file.ocr_status == ""
    assert not DocumentFile.with_copies.filter(role=DocumentFile.Role.OCR).exists()
    assert callbacks == []  # nothing queued


@pytest.mark.django_db
def test_an_image_only_pdf_is_read(office, ocr_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, scan_bytes("pdf"), "ban-quet.pdf")
    file = document.files.get()
    assert file.ocr_status == "done"
    document.refresh_from_db()
    assert "phong chong lut bao" in document.search_text
    assert "Nông nghiệp" in "\n".join(pdf_page_texts(_stored(file.ocr_copy)))


@pytest.mark.django_db
def test_time_cap_leaves_the_document_whole_and_says_why(
    office, client_for, ocr_on, django_capture_on_commit_callbacks
):
    ocr_on.VANBAN_OCR_TIMEOUT = 0.2
    data = scan_bytes("png")
    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, data)

    file = document.files.get()
    assert file.ocr_status == DocumentFile.OcrStatus.FAILED
    assert "0.2 giây" in file.ocr_message
    assert _stored(file) == data and file.sha256 == hashlib.sha256(data).hexdigest()
    assert not DocumentFile.with_copies.filter(ocr_of=file).exists()
    html = _page(client_for(office.clerk), document)
    assert "Không nhận dạng xong chữ trên bản quét trong giới hạn 0.2 giây" in html


@pytest.mark.django_db
def test_ocr_not_installed_is_said_on_the_page(
    office, client_for, ocr_on, tmp_path, django_capture_on_commit_callbacks
):
    ocr_on.VANBAN_OCRMYPDF = str(tmp_path / "khong-co" / "ocrmypdf")
    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, scan_bytes("png"))

    file = document.files.get()
    assert file.ocr_status == DocumentFile.OcrStatus.UNAVAILABLE
    html = _page(client_for(office.clerk), document)
    shown = re.search(r'id="ocr-status-\d+">(.*?)</td>', html, re.S).group(1)
    assert "Máy chủ chưa cài OCRmyPDF" in shown
    assert "ocrmypdf, tesseract-ocr-vie" in shown


@pytest.mark.django_db
def test_registered_while_off_then_read_by_the_command(
    office, client_for, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_OCR_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = _register_scan(
            office, scan_bytes("tiff", pages=2, keep_dpi=False), "ban-quet.tif"
        )
    assert callbacks == []
    file = document.files.get()
    assert file.ocr_status == DocumentFile.OcrStatus.PENDING
    client = client_for(office.clerk)
    assert "nhận dạng chữ (OCR) đang tắt trên máy chủ" in _page(client, document)

    out = io.StringIO()
    with pytest.raises(CommandError, match="đang tắt"):
        call_command("ocr", "pending", stdout=out)

    require_ocr(settings)
    settings.VANBAN_OCRMYPDF = "ocrmypdf"
    call_command("ocr", "pending", stdout=out)
    assert "Đã nhận dạng chữ 1 bản quét; 0 không thành công, 0 chưa nhận dạng được." in (
        out.getvalue()
    )
    file.refresh_from_db()
    assert file.ocr_status == "done"
    assert len(pdf_page_texts(_stored(file.ocr_copy))) == 2
    assert "Nội dung tìm kiếm lấy từ nhận dạng chữ (OCR)" in _page(client, document)
    # Nothing is waiting any more: a second run reads nothing.
    out = io.StringIO()
    call_command("ocr", "pending", stdout=out)
    assert "Đã nhận dạng chữ 0 bản quét" in out.getvalue()


@pytest.mark.django_db
def test_attaching_twice_keeps_one_copy(office, ocr_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, scan_bytes("png"))
    original = document.files.get()
    copy = original.ocr_copy
    stored_before = storage_walk()

    again = ocr.OcrResult(pdf=b"%PDF-1.7 another reading", text="khác", confidence=50.0)
    assert ocr_attach(original=original, result=again) == copy
    assert ocr_file(file_id=original.pk) == "done"
    assert DocumentFile.with_copies.filter(ocr_of=original).count() == 1
    assert storage_walk() == stored_before  # nothing left behind
    assert AuditEvent.objects.filter(action="document.ocr_done").count() == 1


@pytest.mark.django_db
def test_a_secrecy_stamp_read_after_registration_is_flagged(
    office, client_for, ocr_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = _register_scan(office, scan_bytes("png", stamp="MẬT"))

    file = document.files.get()
    assert file.ocr_secrecy == "MẬT"
    event = AuditEvent.objects.get(action="document.ocr_secrecy_found")
    assert event.data["level"] == "MẬT"
    notice = Notification.objects.get(recipient=office.clerk)
    assert "MẬT" in notice.title and notice.link == f"/van-ban/{document.pk}/"
    html = _page(client_for(office.clerk), document)
    banner = re.search(r'id="ocr-secrecy-\d+"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Bản quét có dấu chỉ độ mật “MẬT”" in banner
    assert "xử lý theo Quy chế, Điều 4" in banner


@pytest.mark.django_db
def test_the_page_says_while_reading_and_its_queries_do_not_grow_with_scans(
    office, client_for, settings
):
    """Copies attached from results made of real PDFs (no Tesseract run): the page's files
    section costs the same number of queries for one scan as for three."""
    require_ocr(settings)
    one = _register_scan(office, scan_bytes("png"))
    three = _register_scan(
        office,
        scan_bytes("png"),
        number="16",
        attachments=[
            upload("phu-luc-1.png", scan_bytes("png")),
            upload("b.jpg", scan_bytes("jpeg")),
        ],
    )
    client = client_for(office.clerk)
    # Registered, queued, not read yet (the queue runs after the commit, which a rolled-back
    # test never reaches).
    assert "Đang nhận dạng chữ…" in _page(client, one)

    result = ocr.OcrResult(
        pdf=pdf_bytes("Kế hoạch phòng chống lụt bão"), text="Kế hoạch", confidence=91.4
    )
    for document in (one, three):
        for file in document.files.all():
            ocr_attach(original=file, result=result)

    def queries(document) -> int:
        with CaptureQueriesContext(connection) as captured:
            html = _page(client, document)
        assert html.count("độ tin cậy 91 %") == document.files.count()
        return len(captured)

    assert queries(three) == queries(one)


@pytest.mark.django_db
def test_scans_registered_before_ocr_existed_are_marked_waiting(office, settings):
    settings.VANBAN_OCR_ENABLED = False
    image = _register_scan(office, scan_bytes("png"), number="21").files.get()
    blank_pdf = _register_scan(office, pdf_bytes(), "trang.pdf", number="22").files.get()
    text_pdf = _register_scan(
        office,
        pdf_bytes("Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026"),
        "qd.pdf",
        number="23",
    ).files.get()
    # As before OCR existed: no file has a status.
    DocumentFile.objects.update(ocr_status="")

    migration = importlib.import_module("vanban.documents.migrations.0017_scans_waiting")
    migration.mark_scans(apps, None)

    waiting = set(DocumentFile.objects.filter(ocr_status="pending").values_list("pk", flat=True))
    assert waiting == {image.pk, blank_pdf.pk}
    assert DocumentFile.objects.get(pk=text_pdf.pk).ocr_status == ""


@pytest.mark.django_db
def test_a_scan_with_no_words_read_says_so(office, client_for, settings):
    settings.VANBAN_OCR_ENABLED = False
    document = _register_scan(office, scan_bytes("png"))
    blank = ocr.OcrResult(pdf=pdf_bytes(), text="", confidence=None)
    ocr_attach(original=document.files.get(), result=blank)

    html = _page(client_for(office.clerk), document)
    assert "không đọc được chữ nào trên bản quét" in html
    assert "độ tin cậy" not in html
