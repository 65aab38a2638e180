"""verify.verify_pdf on PDFs signed by pdfsign.sign with keys of the test PKI: every reason a
signature is refused, and where the signatures appear on the page (Appendix I, NĐ 30/2020)."""

import datetime as dt
import io
import re
import shutil
import subprocess
from functools import cache
from zoneinfo import ZoneInfo

import pytest
import weasyprint
from asn1crypto import pem, x509
from pypdf import PdfReader

from tests.signing import PIN, pki, seal_png, signature_png
from tests.support.files import pdf_bytes
from vanban.signatures import pdfsign, verify

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNED_AT = dt.datetime(2026, 11, 25, 9, 30, 5, tzinfo=VN)
TITLE = "PHÓ GIÁM ĐỐC"
NAME = "Phạm Minh Đức"
PERSONAL = "ChuKyNguoiCoThamQuyen"
SEAL = "ChuKyCoQuan"
SEAL_MM = 36


@cache
def document() -> bytes:
    """Two A4 pages; the signer block (authority, title, room for the signature, name) at the
    lower right of the last one, as a WeasyPrint rendering of an outgoing document."""
    body = "".join(f"<p>Điều {n}. Nội dung quy định thứ {n} của kế hoạch.</p>" for n in range(1, 9))
    html = f"""
    <html><head><style>
      @page {{ size: A4; margin: 20mm 15mm 20mm 30mm; }}
      body {{ font-family: serif; font-size: 13pt; }}
      table {{ width: 100%; margin-top: 10mm; }}
      td {{ vertical-align: top; width: 50%; }}
      .block {{ text-align: center; font-weight: bold; }}
      .room {{ height: 28mm; }}
    </style></head><body>
      <h1>KẾ HOẠCH</h1>{body}
      <p style="page-break-before: always">Điều 9. Tổ chức thực hiện.</p>
      <table><tr>
        <td><i>Nơi nhận:</i><br>- Như trên;<br>- Lưu: VT.</td>
        <td class="block"><p>KT. GIÁM ĐỐC<br>{TITLE}</p><div class="room"></div><p>{NAME}</p></td>
      </tr></table>
    </body></html>"""
    return weasyprint.HTML(string=html).write_pdf()


def holder(label: str) -> pdfsign.KeyHolder:
    return pdfsign.load_pkcs12(pki().p12(label), PIN)


def root() -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(pki().root_pem())[2])


def embedding() -> object:
    """Validation data to embed (PAdES B-LT), fetched from the test PKI's OCSP/CRL services."""
    return verify.context([root()])


def personal(
    pdf: bytes,
    label: str = "nguoi-ky",
    *,
    tsa: bool = False,
    embed: bool = True,
) -> bytes:
    box = pdfsign.personal_box(pdf, NAME, title=TITLE)
    return pdfsign.sign(
        pdf,
        holder(label),
        field_name=PERSONAL,
        appearance=pdfsign.Appearance(box, image_png=signature_png()),
        signing_time=SIGNED_AT,
        reason="Người có thẩm quyền ký ban hành",
        tsa_url=pki().tsa_url if tsa else None,
        validation_context=embedding() if embed else None,  # type: ignore[arg-type]
    )


def organisation(pdf: bytes) -> bytes:
    boxes = dict(pdfsign.signature_boxes(pdf))
    return pdfsign.sign(
        pdf,
        holder("to-chuc"),
        field_name=SEAL,
        appearance=pdfsign.Appearance(
            pdfsign.seal_box(boxes[PERSONAL], diameter_mm=SEAL_MM), image_png=seal_png()
        ),
        signing_time=SIGNED_AT,
        validation_context=embedding(),  # type: ignore[arg-type]
    )


@cache
def signed_both() -> bytes:
    return organisation(personal(document()))


@cache
def signed_without_validation_data() -> bytes:
    return personal(document(), embed=False)


def check(pdf: bytes, roots: list[x509.Certificate] | None = None, **options) -> verify.Report:  # type: ignore[no-untyped-def]
    return verify.verify_pdf(
        pdf,
        [root()] if roots is None else roots,
        revocation=options.pop("revocation", "hard-fail"),
        **options,
    )


# ---------------------------------------------------------------- valid signatures


def test_personal_and_organisation_signatures_are_valid():
    report = check(signed_both())
    assert (report.status, report.label, report.reasons()) == (verify.VALID, "Hợp lệ", [])
    first, second = report.signatures
    assert (first.field, first.signer, first.organisation_unit) == (
        PERSONAL,
        "Nguyễn Văn Ký",
        "Sở Thông tin và Truyền thông",
    )
    assert (second.field, second.signer) == (SEAL, "Sở Thông tin và Truyền thông")
    for sig in report.signatures:
        assert sig.intact and sig.trusted and sig.valid
        assert sig.issuer == "CA phục vụ các cơ quan Nhà nước (thử nghiệm)"
        assert sig.signing_time == "2026-11-25T09:30:05+07:00"
        assert sig.timestamp_time is None
    # The seal and the validation data come after the personal signature: allowed changes.
    assert not first.covers_whole_file
    assert first.notes == [
        "Sau chữ ký này tệp có thêm chữ ký hoặc dữ liệu xác thực (được phép, đã kiểm tra)."
    ]


def test_embedded_validation_data_is_enough_without_network():
    """PAdES B-LT: with OCSP/CRL embedded when signing, a hard-fail check needs no fetching."""
    report = check(signed_both(), allow_fetching=False)
    assert (report.status, report.reasons()) == (verify.VALID, [])


def test_a_time_stamped_signature_reports_the_time_stamp():
    report = check(personal(document(), tsa=True))
    assert report.status == verify.VALID
    [sig] = report.signatures
    assert sig.signing_time == "2026-11-25T09:30:05+07:00"
    assert sig.timestamp_time is not None
    stamped = dt.datetime.fromisoformat(sig.timestamp_time)
    assert stamped.utcoffset() == dt.timedelta(hours=7)
    assert sig.notes == [
        "Sau chữ ký này tệp có thêm chữ ký hoặc dữ liệu xác thực (được phép, đã kiểm tra)."
    ]


# ---------------------------------------------------------------- refused signatures


def test_a_changed_byte_in_the_signed_range_is_reported_as_tampering():
    data = bytearray(signed_both())
    start, length = (int(v) for v in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data).groups())  # type: ignore[union-attr]
    where = data.index(b"WeasyPrint")  # the producer, inside the first signed range
    assert start <= where < start + length
    data[where] = ord("X")
    report = check(bytes(data))
    assert report.status == verify.INVALID
    assert report.label == "Không hợp lệ"
    for sig in report.signatures:
        assert not sig.intact and not sig.valid
        assert verify.REASON_TAMPERED in sig.reasons


def test_an_expired_certificate_is_refused_with_its_expiry_date():
    # pyHanko refuses to embed validation data for an expired certificate: sign without.
    report = check(personal(document(), "het-han", embed=False))
    assert report.status == verify.INVALID
    [sig] = report.signatures
    assert sig.signer == "Trần Văn Hết Hạn"
    assert verify.REASON_EXPIRED.format(date="30/06/2025") in sig.reasons
    assert "Chứng thư số đã hết hạn tại thời điểm ký (hết hạn 30/06/2025)." in sig.reasons


def test_a_revoked_certificate_is_refused_with_the_revocation_date():
    report = check(personal(document(), "thu-hoi", embed=False))
    assert report.status == verify.INVALID
    [sig] = report.signatures
    assert sig.signer == "Lê Thị Thu Hồi"
    assert sig.reasons == ["Chứng thư số đã bị thu hồi từ 01/06/2026."]
    assert not sig.valid


def test_a_certificate_of_another_ca_is_untrusted():
    report = check(personal(document(), "la", embed=False))
    assert report.status == verify.INVALID
    [sig] = report.signatures
    assert sig.intact and not sig.trusted
    assert sig.reasons == [verify.REASON_UNTRUSTED]
    assert sig.issuer == "CA khác (không được tin cậy)"


def test_without_trust_roots_nothing_is_trusted():
    report = check(signed_both(), roots=[])
    assert report.status == verify.INVALID
    for sig in report.signatures:
        assert sig.intact and not sig.trusted
        assert sig.reasons == [verify.REASON_UNTRUSTED]


def test_revocation_unknown_fails_only_in_hard_fail_mode():
    """No validation data in the file and no network: the revocation status is unknown."""
    pdf = signed_without_validation_data()
    hard = check(pdf, revocation="hard-fail", allow_fetching=False)
    assert hard.status == verify.INVALID
    assert hard.reasons() == [verify.REASON_REVOCATION_UNKNOWN]
    soft = check(pdf, revocation="soft-fail", allow_fetching=False)
    assert (soft.status, soft.reasons()) == (verify.VALID, [])
    # With the OCSP responder reachable, the hard-fail check fetches the status itself.
    fetched = check(pdf, revocation="hard-fail", allow_fetching=True)
    assert (fetched.status, fetched.reasons()) == (verify.VALID, [])


def test_an_unsigned_pdf_and_garbage():
    unsigned = check(pdf_bytes("Kế hoạch chuyển đổi số"))
    assert (unsigned.status, unsigned.label, unsigned.signatures) == (
        verify.UNSIGNED,
        "Không có chữ ký số",
        [],
    )
    damaged = check(b"PK\x03\x04 not a PDF at all" * 50)
    assert (damaged.status, damaged.label, damaged.signatures) == (
        verify.DAMAGED,
        "Tệp PDF bị hỏng",
        [],
    )
    assert damaged.detail.startswith("Không đọc được tệp PDF")


# ---------------------------------------------------------------- where the signatures appear


def test_the_personal_signature_lies_between_the_title_and_the_name_on_the_last_page():
    pdf = document()
    last = len(pdfsign.page_sizes(pdf)) - 1
    assert last == 1
    boxes = dict(pdfsign.signature_boxes(signed_both()))
    box = boxes[PERSONAL]
    _title_x, title_y, _ = pdfsign.find_line(pdf, TITLE, last)  # type: ignore[misc]
    name_x, name_y, name_size = pdfsign.find_line(pdf, NAME, last)  # type: ignore[misc]
    assert box.page == last
    assert name_y + name_size <= box.y1 < box.y2 <= title_y
    # Horizontally over the name (centred in the right column).
    name_right = name_x + len(NAME) * name_size * 0.5
    assert box.x1 < name_right and box.x2 > name_x
    page_w = pdfsign.page_sizes(pdf)[last][0]
    assert box.x1 > page_w / 2 - 10


def test_the_seal_covers_the_left_third_of_the_signature_at_real_size():
    boxes = dict(pdfsign.signature_boxes(signed_both()))
    personal_box, seal = boxes[PERSONAL], boxes[SEAL]
    assert seal.page == personal_box.page
    left_third = personal_box.x1 + personal_box.width / 3
    assert seal.x1 < left_third and seal.x2 > personal_box.x1
    assert seal.y1 < personal_box.y2 and seal.y2 > personal_box.y1
    assert abs(seal.width - SEAL_MM * pdfsign.PT_PER_MM) <= 1
    assert abs(seal.height - SEAL_MM * pdfsign.PT_PER_MM) <= 1
    page_w, page_h = pdfsign.page_sizes(signed_both())[seal.page]
    assert seal.x1 >= 0 and seal.x2 <= page_w
    assert seal.y1 >= 0 and seal.y2 <= page_h


@cache
def signed_attachment() -> bytes:
    pdf = pdf_bytes("Phụ lục: Danh mục nhiệm vụ chuyển đổi số")
    return pdfsign.sign(
        pdf,
        holder("to-chuc"),
        field_name=SEAL,
        appearance=pdfsign.Appearance(pdfsign.attachment_box(pdf), text="%(number)s\n%(ts)s"),
        signing_time=SIGNED_AT,
        text_params={"number": "15/KH-STTTT"},
        validation_context=embedding(),  # type: ignore[arg-type]
    )


def test_the_attachment_stamp_is_text_at_the_top_right_of_page_one():
    pdf = signed_attachment()
    assert check(pdf).status == verify.VALID
    [(name, box)] = pdfsign.signature_boxes(pdf)
    page_w, page_h = pdfsign.page_sizes(pdf)[0]
    assert (name, box.page) == (SEAL, 0)
    assert box.x1 > page_w / 2 and box.x2 <= page_w
    assert box.y1 > page_h * 0.85 and box.y2 <= page_h
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the stamp text is not read")
    area = [
        "-x", str(int(box.x1) - 2), "-y", str(int(page_h - box.y2) - 2),
        "-W", str(int(box.width) + 4), "-H", str(int(box.height) + 4),
    ]  # fmt: skip
    text = subprocess.run(  # noqa: S603
        [pdftotext, "-f", "1", "-l", "1", *area, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == ["15/KH-STTTT", "25/11/2026 09:30:05 +07:00"]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} \+07:00", lines[1])


def _text_sizes(form, scale: float = 1.0) -> list[float]:
    """The size at which each font selection (Tf) of an appearance stream writes on the page:
    the font size times the scale of the transformations (cm, form matrices) around it."""
    from pypdf.generic import ContentStream

    form = form.get_object()
    matrix = form.get("/Matrix")
    if matrix is not None:
        scale *= float(matrix[3])
    stack, current, sizes = [], scale, []
    for operands, operator in ContentStream(form, None).operations:
        if operator == b"q":
            stack.append(current)
        elif operator == b"Q":
            current = stack.pop()
        elif operator == b"cm":
            current *= float(operands[3])
        elif operator == b"Tf":
            sizes.append(round(float(operands[1]) * current, 2))
        elif operator == b"Do":
            inner = form["/Resources"]["/XObject"][operands[0]]
            sizes += _text_sizes(inner, current)
    return sizes


def test_the_attachment_stamp_is_written_at_10_points():
    """Appendix I of NĐ 30/2020: the number and time on an attachment in 10 pt, not shrunk."""
    reader = PdfReader(io.BytesIO(signed_attachment()))
    annot = next(
        a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/FT") == "/Sig"
    )
    sizes = _text_sizes(annot["/AP"]["/N"])
    assert sizes and set(sizes) == {10.0}, sizes


def test_the_stamp_font_is_embedded():
    reader = PdfReader(io.BytesIO(signed_attachment()))
    annot = next(
        a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/FT") == "/Sig"
    )
    fonts = []

    def walk(xobject) -> None:  # type: ignore[no-untyped-def]
        resources = xobject.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            fonts.append(font.get_object())
        for inner in (resources.get("/XObject") or {}).values():
            walk(inner.get_object())

    walk(annot["/AP"]["/N"].get_object())
    assert fonts
    for font in fonts:
        descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        for d in descendants:
            descriptor = d["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font
            assert "DejaVuSerif" in str(font["/BaseFont"])


def test_an_installed_intermediate_completes_the_chain_offline():
    """A file whose signature does not carry the issuing CA (as the national sample of 2018):
    with only the root installed, and no network, the chain is not found; with the intermediate
    CA installed too, it is, without fetching anything."""
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    full = holder("nguoi-ky")
    bare = SimpleSigner(
        signing_cert=full.signing_cert,
        signing_key=full.signing_key,  # type: ignore[attr-defined]
        cert_registry=SimpleCertificateStore.from_certs([full.signing_cert]),
    )
    pdf = document()
    box = pdfsign.personal_box(pdf, NAME, title=TITLE)
    signed = pdfsign.sign(
        pdf,
        bare,
        field_name=PERSONAL,
        appearance=pdfsign.Appearance(box, image_png=signature_png()),
        signing_time=SIGNED_AT,
    )
    sub = x509.Certificate.load(pem.unarmor(pki().sub_ca_pem())[2])
    alone = verify.verify_pdf(signed, [root()], allow_fetching=False)
    [check] = alone.signatures
    assert check.reasons == [verify.REASON_UNTRUSTED] and not check.trusted
    completed = verify.verify_pdf(signed, [root()], allow_fetching=False, intermediates=[sub])
    [check] = completed.signatures
    assert (completed.status, check.trusted, check.reasons) == (verify.VALID, True, [])
    # The intermediate is no anchor: without the root nothing is trusted.
    [check] = verify.verify_pdf(signed, [], allow_fetching=False, intermediates=[sub]).signatures
    assert check.reasons == [verify.REASON_UNTRUSTED]
