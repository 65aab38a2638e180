"""The issued PDF shows its number and date (NĐ 30/2020 Art. 15, Appendix I): the clerk's issue
writes the register number before the "/" of the "Số:" line and the issue date into the gaps of
the "…, ngày … tháng … năm …" line, as form filling that the competent signer's signature allows;
a PDF without those lines is issued with a note telling the clerk."""

import base64
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
import weasyprint
from django.core.files.storage import default_storage
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pypdf import PdfReader

from tests import signing
from tests.support.drafting import (
    GAP,
    create_draft,
    issue,
    local_certificate,
    official_pdf,
    to_approved,
    to_signed,
)
from tests.support.files import pdf_bytes
from vanban.core.errors import ServiceError
from vanban.documents.models import Document
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import DraftAction, DraftStatus
from vanban.drafting.services import issuing
from vanban.drafting.services.issuing import number_date_note
from vanban.signatures import numberdate, pdfsign, verify
from vanban.signatures import services as signature_services

pytestmark = pytest.mark.django_db


def issued_pdf(team, content: bytes | None = None):  # type: ignore[no-untyped-def]
    draft = create_draft(team, content=content)
    to_approved(team, draft)
    to_signed(team, draft)
    document = issue(team, draft)
    draft.refresh_from_db()
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        return draft, document, handle.read()


def text_of(data: bytes) -> str:
    """The first page's text as poppler's pdftotext reads it (form field appearances included),
    whitespace collapsed."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("`pdftotext` is not installed (package poppler-utils)")
    result = subprocess.run(  # noqa: S603
        [pdftotext, "-l", "1", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


def field_values(data: bytes) -> dict[str, str]:
    fields = PdfReader(io.BytesIO(data)).get_fields() or {}
    return {name: str(f.get("/V", "")) for name, f in fields.items() if name in numberdate.FIELDS}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 6), ("06", "12", "2026")),
        (dt.date(2020, 1, 5), ("05", "01", "2020")),
        (dt.date(2026, 2, 28), ("28", "02", "2026")),
        (dt.date(2026, 3, 6), ("06", "3", "2026")),
        (dt.date(2026, 11, 25), ("25", "11", "2026")),
    ],
)
def test_date_parts_follow_the_decree(day, expected):
    """A day below 10 and the months 1 and 2 take a leading zero (NĐ 30/2020 Appendix I)."""
    parts = numberdate.date_parts(day)
    assert (parts[numberdate.DAY], parts[numberdate.MONTH], parts[numberdate.YEAR]) == expected


def test_the_reserved_lines_are_found_in_the_text_layer():
    places = {slot.field: slot for slot in numberdate.slots(official_pdf())}
    assert set(places) == set(numberdate.FIELDS)
    assert all(abs(slot.size - 13) < 0.5 for slot in places.values())  # the line's font size
    assert places[numberdate.YEAR].prefix == "20"  # "năm 20…": the century is written
    assert places[numberdate.DAY].x2 < places[numberdate.MONTH].x1 < places[numberdate.YEAR].x1
    assert numberdate.slots(signing.signature_png()) == []  # not a PDF
    assert numberdate.slots(pdf_bytes("Kế hoạch chuyển đổi số")) == []


def test_issue_writes_the_number_and_date_and_keeps_the_personal_signature_valid(team):
    draft, document, data = issued_pdf(team, official_pdf())
    assert document.number_symbol == "01/KH-STTTT" and document.issued_date == dt.date(2026, 11, 25)
    # Poppler reads the field appearances with the page: the number against the "/" of the
    # reserved line (a field's text is a word of its own, so a space may be read before "/"),
    # the day and the month in their gaps, the end of the year over the "…" after the written
    # "20" (read as a word of its own, since it overlaps the dots).
    text = text_of(data)
    assert re.search(r"Số: 01 ?/STTTT-CĐS", text), text
    assert "Bến Tre, ngày 25 tháng 11 năm 20" in text
    assert " 26 " in text
    assert field_values(data) == {
        numberdate.NUMBER: "01",
        numberdate.DAY: "25",
        numberdate.MONTH: "11",
        numberdate.YEAR: "2026",
    }
    assert draft.number_date_note == ""
    assert draft.events.get(action=DraftAction.ISSUED).text.endswith("trong hệ thống.")

    # Our verification: both signatures valid; the personal one says what came after it.
    report = signature_services.verify_bytes(data)
    assert report.status == verify.VALID
    personal, organisation = report.signatures
    assert personal.valid and organisation.valid
    assert verify.NOTE_NUMBER_DATE in personal.notes
    assert verify.NOTE_NUMBER_DATE not in organisation.notes

    # pyHanko's difference analysis: form filling after the personal signature, nothing else.
    reader = PdfFileReader(io.BytesIO(data))
    first = reader.embedded_signatures[0]
    status = validate_pdf_signature(first, signature_services.validation_context())
    assert status.intact and status.valid and status.docmdp_ok
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert set(numberdate.FIELDS) <= status.diff_result.changed_form_fields


def test_a_draft_signed_with_a_local_token_gets_the_room_too(team):
    draft = create_draft(team, content=official_pdf())
    to_approved(team, draft)
    certificate = local_certificate(team)
    request = draft_signing.draft_sign_request(
        actor=team.signer, draft=draft, certificate=certificate
    )
    data = draft_signing.signing_request_data(actor=team.signer, code=request.code)
    holder = signing.pki().p12("nguoi-ky")
    value = pdfsign.sign_raw(pdfsign.load_pkcs12(holder, signing.PIN), data.to_be_signed)
    draft_signing.signing_request_complete(
        actor=team.signer, code=request.code, signature_value=value
    )
    draft.refresh_from_db()
    signed = default_storage.open(draft.signed_storage_name).read()
    assert numberdate.reserved(signed) == list(numberdate.FIELDS)
    document = issue(team, draft)
    main = document.files.get(role="main")
    data_issued = default_storage.open(main.storage_name).read()
    assert field_values(data_issued)[numberdate.NUMBER] == document.code_number


def test_a_pdf_without_the_lines_is_issued_with_a_note_for_the_clerk(team):
    draft, document, data = issued_pdf(team)  # the plain test PDF: only the subject
    assert document.number_symbol == "01/KH-STTTT"
    assert field_values(data) == {}
    expected = number_date_note([])
    assert expected.startswith(
        "Không tự ghi được số văn bản và ngày tháng năm ban hành vào tệp PDF"
    )
    assert draft.number_date_note == expected
    report = signature_services.verify_bytes(data)
    assert report.status == verify.VALID and len(report.signatures) == 2
    assert all(verify.NOTE_NUMBER_DATE not in s.notes for s in report.signatures)


def test_the_note_names_what_is_missing():
    assert number_date_note(list(numberdate.FIELDS)) == ""
    only_number = number_date_note([numberdate.NUMBER])
    assert "Không tự ghi được ngày tháng năm ban hành vào tệp PDF" in only_number
    assert "số văn bản" not in only_number.split(":")[0]
    no_number = number_date_note([numberdate.DAY, numberdate.MONTH, numberdate.YEAR])
    assert no_number.startswith("Không tự ghi được số văn bản vào tệp PDF")


def test_a_signed_pdf_gets_no_new_field():
    """A field added after a signature would break it: `reserve` leaves such a file alone."""
    holder = signing.pki().p12("nguoi-ky")
    signed = pdfsign.sign(
        official_pdf(),
        pdfsign.load_pkcs12(holder, signing.PIN),
        field_name="ChuKyKhac",
        appearance=pdfsign.Appearance(pdfsign.Box(0, 300, 80, 500, 140), text="Đã ký số"),
        signing_time=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
    )
    assert numberdate.reserve(signed) == signed
    assert numberdate.fill(signed, number="01", day=dt.date(2026, 11, 25)) == (signed, [])


def html_pdf(body: str) -> bytes:
    pdf: bytes = weasyprint.HTML(
        string=f"<html><body style='font-size: 12pt'>{body}</body></html>"
    ).write_pdf()
    return pdf


def test_lines_already_written_are_left_alone():
    written = html_pdf("<p>Số: 15/QĐ-UBND</p><p>Bến Tre, ngày 05 tháng 01 năm 2020</p>")
    assert numberdate.slots(written) == []
    assert numberdate.reserve(written) == written


def test_a_dotted_date_line_at_the_end_of_the_page_gets_its_year():
    dotted = html_pdf(f"<p>Số: ……/KH-UBND</p><p>Ba Tri, ngày ….. tháng ….. năm ……{GAP}</p>")
    places = {slot.field: slot for slot in numberdate.slots(dotted)}
    assert set(places) == set(numberdate.FIELDS)
    assert places[numberdate.YEAR].prefix == ""
    assert places[numberdate.YEAR].x2 - places[numberdate.YEAR].x1 >= 12
    filled, written = numberdate.fill(
        numberdate.reserve(dotted), number="03", day=dt.date(2026, 2, 7)
    )
    assert written == list(numberdate.FIELDS)
    assert field_values(filled) == {
        numberdate.NUMBER: "03",
        numberdate.DAY: "07",
        numberdate.MONTH: "02",
        numberdate.YEAR: "2026",
    }


# ---------------------------------------------------------------- placed by the clerk


def scanned_pdf() -> bytes:
    """A first page with no text layer: the official page rendered to an image (a scan)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(official_pdf())
    image = document[0].render(scale=100 / 72).to_pil().convert("RGB")
    document.close()
    png = io.BytesIO()
    image.save(png, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    page = "<style>@page { size: A4; margin: 0 } img { width: 210mm; display: block }</style>"
    pdf: bytes = weasyprint.HTML(string=f"{page}<img src='{source}'>").write_pdf()
    return pdf


NUMBER_BOX = numberdate.Box(x=20, y=40, width=60, height=8)
DATE_BOX = numberdate.Box(x=110, y=40, width=85, height=8)


def signed_for_placement(team, content: bytes):  # type: ignore[no-untyped-def]
    draft = create_draft(team, content=content)
    to_approved(team, draft)
    to_signed(team, draft)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("content", ["scan", "plain"])
def test_the_clerk_places_the_number_and_date_on_a_page_without_reserved_lines(
    team, content, tmp_path, client_for
):
    from tests.signatures.test_independent import nss_db, pdfsig_report, run, tool

    pdf = scanned_pdf() if content == "scan" else pdf_bytes("Kế hoạch chuyển đổi số")
    assert numberdate.slots(pdf) == []
    draft = signed_for_placement(team, pdf)
    signed = default_storage.open(draft.signed_storage_name).read()
    assert numberdate.reserved(signed) == [] and numberdate.placeable(signed)
    assert issuing.placement_needed(draft=draft)
    document = issue(team, draft, placement=(NUMBER_BOX, DATE_BOX))
    draft.refresh_from_db()
    assert draft.number_date_note == ""
    data = default_storage.open(document.files.get(role="main").storage_name).read()

    text = text_of(data)
    assert "Số: 01/KH-STTTT" in text, text
    assert "ngày 25 tháng 11 năm 2026" in text, text
    values = {
        name: str(f.get("/V", ""))
        for name, f in (PdfReader(io.BytesIO(data)).get_fields() or {}).items()
    }
    assert values[numberdate.PLACED_NUMBER] == "Số: 01/KH-STTTT"
    assert values[numberdate.PLACED_DATE] == "ngày 25 tháng 11 năm 2026"

    # Our verification, with the allowed modification level of the personal signature.
    report = signature_services.verify_bytes(data)
    assert report.status == verify.VALID
    personal, organisation = report.signatures
    assert personal.valid and organisation.valid
    assert personal.modification_level == "FORM_FILLING"
    assert verify.NOTE_NUMBER_DATE in personal.notes

    # The document's verification panel shows the level of what came after each signature.
    from tests.signatures.test_pages import file_panel
    from tests.signatures.test_pages import text as page_text

    html = page_text(client_for(team.clerk).get(f"/van-ban/{document.pk}/"))
    shown = file_panel(html, document.files.get(role="main"))
    assert shown.count("mức thay đổi sau khi ký: Điền biểu mẫu, thêm chữ ký (được phép)") == 1
    # After the organisation signature only its validation data were embedded.
    assert organisation.modification_level == "LTA_UPDATES"
    assert shown.count("mức thay đổi sau khi ký: Chỉ thêm dữ liệu xác thực") == 1

    # pyHanko's difference analysis: form filling, the two placement fields changed.
    reader = PdfFileReader(io.BytesIO(data))
    status = validate_pdf_signature(
        reader.embedded_signatures[0], signature_services.validation_context()
    )
    assert status.intact and status.valid and status.docmdp_ok and status.bottom_line
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert set(numberdate.PLACED) <= status.diff_result.changed_form_fields

    # Independent validators: pyHanko's command line and poppler's pdfsig accept both.
    path = tmp_path / "ban-hanh.pdf"
    path.write_bytes(data)
    root = str(signing.pki().directory / "root.crt.pem")
    pretty = run(tool("pyhanko", "pyhanko-cli"), "sign", "validate", "--trust", root,
                 "--pretty-print", str(path))  # fmt: skip
    assert pretty.returncode == 0, pretty.stdout + pretty.stderr
    assert pretty.stdout.count("The signature is judged VALID.") == 2
    assert "FORM_FILLING" in pretty.stdout or "form filling" in pretty.stdout.lower()
    pdfsig = tool("pdfsig", "poppler-utils")
    certutil = shutil.which("certutil")
    db = nss_db(certutil, tmp_path / "nss", with_root=True) if certutil else None
    found = pdfsig_report(pdfsig, db, path)
    assert len(found) == 2
    assert all(s["Signature Validation"] == "Signature is Valid." for s in found)


def test_a_new_field_after_the_signature_would_break_it(team):
    """Why the placement fields are kept before the personal signature: a field added after it
    is a change pyHanko's difference analysis cannot explain."""
    holder = signing.pki().p12("nguoi-ky")
    signed = pdfsign.sign(
        pdf_bytes("Kế hoạch"),
        pdfsign.load_pkcs12(holder, signing.PIN),
        field_name="ChuKy",
        appearance=pdfsign.Appearance(pdfsign.Box(0, 300, 80, 500, 140), text="Đã ký số"),
        signing_time=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
    )
    # Force the fields in as reserve() would before signing, but after the signature.
    later = numberdate._add_fields(signed, numberdate._placement_slots(signed))
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(later)).embedded_signatures[0],
        signature_services.validation_context(),
    )
    assert status.intact and status.valid
    assert not status.bottom_line
    assert status.modification_level == ModificationLevel.OTHER


@pytest.mark.parametrize(
    ("number", "date", "message"),
    [
        (numberdate.Box(-1, 40, 60, 8), DATE_BOX, "không được có giá trị âm"),
        (NUMBER_BOX, numberdate.Box(110, 40, 150, 8), "nằm ngoài trang đầu"),
        (NUMBER_BOX, numberdate.Box(110, 400, 60, 8), "nằm ngoài trang đầu"),
        (NUMBER_BOX, numberdate.Box(60, 44, 60, 8), "không được chồng lên nhau"),
        (numberdate.Box(20, 40, 1, 8), DATE_BOX, "quá nhỏ"),
    ],
)
def test_boxes_that_do_not_fit_are_refused_and_nothing_changes(team, number, date, message):
    draft = signed_for_placement(team, pdf_bytes("Kế hoạch chuyển đổi số"))
    files_before = sorted(default_storage.listdir("")[1])
    with pytest.raises(ServiceError, match=message) as refused:
        issue(team, draft, placement=(number, date))
    assert refused.value.field == "placement"
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED and draft.document is None
    assert Document.objects.count() == 0
    assert sorted(default_storage.listdir("")[1]) == files_before


def test_boxes_on_a_file_with_reserved_lines_are_refused(team):
    draft = signed_for_placement(team, official_pdf())
    assert not issuing.placement_needed(draft=draft)
    with pytest.raises(ServiceError, match="không có trường dành để đặt số, ngày"):
        issue(team, draft, placement=(NUMBER_BOX, DATE_BOX))
    assert Document.objects.count() == 0


def test_without_boxes_the_clerk_is_told_after_issue(team):
    draft = signed_for_placement(team, pdf_bytes("Kế hoạch chuyển đổi số"))
    document = issue(team, draft)
    draft.refresh_from_db()
    assert draft.number_date_note == number_date_note([])
    data = default_storage.open(document.files.get(role="main").storage_name).read()
    assert "Số: 01" not in text_of(data)


def test_the_issue_page_tells_the_clerk_and_takes_the_boxes(team, client_for):
    from tests.drafting.test_services import state
    from tests.drafting.test_signing_pages import form_block
    from tests.support.drafting import organisation_key

    draft = signed_for_placement(team, scanned_pdf())
    key = organisation_key(team)
    clerk = client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/"
    block = form_block(clerk.get(url).content.decode(), "issue-form")
    assert 'id="placement-needed"' in block
    assert "không tự tìm được chỗ ghi số, ngày" in block
    # A4 in millimetres, with a decimal point for the script.
    assert 'data-page-width="210.00"' in block and 'data-page-height="297.00"' in block
    assert 'name="number_x"' in block and 'name="date_height"' in block
    assert "drafting/placement.js" in block

    # The first page as an image, for the clerk only.
    preview = clerk.get(f"{url}ban-hanh/trang-dau.png")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG")
    assert client_for(team.drafter).get(f"{url}ban-hanh/trang-dau.png").status_code == 404

    base = {"certificate": key.certificate.pk, "pin": signing.PIN}
    boxes = {
        "number_x": "20",
        "number_y": "40",
        "number_width": "60",
        "number_height": "8",
        "date_x": "110,5",  # a decimal comma
        "date_y": "40",
        "date_width": "85",
        "date_height": "8",
    }
    before = state()
    for wrong, message in (
        ({**boxes, "date_height": ""}, "Hãy nhập đủ vị trí và kích thước"),
        ({**boxes, "number_x": "-5"}, "Vị trí ô số văn bản không được có giá trị âm."),
        ({**boxes, "date_y": "295"}, "Ô ngày tháng năm nằm ngoài trang đầu"),
        ({**boxes, "date_x": "50"}, "không được chồng lên nhau"),
        ({**boxes, "date_x": "mười"}, "phải là một số (mm)"),
    ):
        response = clerk.post(f"{url}ban-hanh/", {**base, **wrong})
        assert response.status_code == 200, wrong
        assert message in form_block(response.content.decode(), "issue-form"), wrong
    assert state() == before

    response = clerk.post(f"{url}ban-hanh/", {**base, **boxes})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.number_date_note == ""
    data = default_storage.open(draft.document.files.get(role="main").storage_name).read()
    text = text_of(data)
    assert "Số: 01/KH-STTTT" in text and "ngày 25 tháng 11 năm 2026" in text
    # Issued: the page no longer offers the placement.
    assert 'id="placement-needed"' not in clerk.get(url).content.decode()


def test_the_page_does_not_offer_placement_when_the_lines_are_there(team, client_for):
    from tests.drafting.test_signing_pages import form_block

    draft = signed_for_placement(team, official_pdf())
    html = client_for(team.clerk).get(f"/du-thao/{draft.pk}/").content.decode()
    assert 'id="placement-needed"' not in form_block(html, "issue-form")
    assert (
        client_for(team.clerk).get(f"/du-thao/{draft.pk}/ban-hanh/trang-dau.png").status_code == 404
    )


def test_the_api_takes_the_boxes_too(team):
    from tests.drafting.test_api import Tokens, multipart
    from tests.drafting.test_services import state
    from tests.support.api import ApiClient
    from tests.support.drafting import organisation_key

    draft = signed_for_placement(team, scanned_pdf())
    key = organisation_key(team)
    api, tokens = ApiClient(), Tokens(team)
    assert tokens["clerk"]  # the token is made (and audited) before the count
    path = f"/drafts/{draft.pk}/issue"
    base = {"certificate_id": key.certificate.pk, "pin": signing.PIN}
    boxes = {
        "number_x": 20,
        "number_y": 40,
        "number_width": 60,
        "number_height": 8,
        "date_x": 110,
        "date_y": 40,
        "date_width": 85,
        "date_height": 8,
    }
    before = state()
    for wrong, message in (
        ({k: v for k, v in boxes.items() if k != "date_height"}, "Hãy nhập đủ vị trí"),
        ({**boxes, "date_x": 50}, "không được chồng lên nhau"),
        ({**boxes, "number_width": 500}, "Ô số văn bản nằm ngoài trang đầu"),
    ):
        refusal = multipart(api, path, tokens["clerk"], {**base, **wrong})
        assert refusal.status_code == 400, refusal.content
        assert message in refusal.json()["detail"], refusal.json()
    refusal = multipart(api, path, tokens["clerk"], {**base, **boxes, "date_y": "nan"})
    assert refusal.status_code == 422  # not a number: refused by the schema
    assert state() == before

    response = multipart(api, path, tokens["clerk"], {**base, **boxes})
    assert response.status_code == 201, response.content
    assert response.json()["number_date_note"] == ""
    draft.refresh_from_db()
    data = default_storage.open(draft.document.files.get(role="main").storage_name).read()
    assert "Số: 01/KH-STTTT" in text_of(data)
