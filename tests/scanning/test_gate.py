"""The upload gate's checks that need no scanner (R20): PDFs that must open and hold no active
content, polyglots and disguised files. Through `file_prepare`, the function every upload calls."""

from __future__ import annotations

import io
import zipfile

import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from tests import signing
from tests.scanning import hostile
from tests.support.files import upload
from vanban.core.errors import ServiceError
from vanban.documents.files import file_prepare

pytestmark = pytest.mark.django_db  # the size limit is province data (DocumentPolicy)


def prepare(name: str, data: bytes):  # type: ignore[no-untyped-def]
    return file_prepare(upload(name, data), actor=None)


def refused(name: str, data: bytes) -> str:
    with pytest.raises(ServiceError) as caught:
        prepare(name, data)
    return caught.value.message


def encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile.clean_pdf())))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_root_entry(key: str, value) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile.clean_pdf())))
    writer._root_object[NameObject(key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


def test_a_clean_pdf_with_links_is_accepted():
    pdf = weasyprint.HTML(
        string='<p>Xem <a href="https://vanban.gov.vn/">cổng thông tin</a></p>'
    ).write_pdf()
    prepared = prepare("lien-ket.pdf", pdf)
    assert prepared.file_format == "pdf" and "cổng thông tin" in prepared.text


def test_a_pdf_pdfium_cannot_open_is_refused():
    assert refused("hong.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n") == (
        "Tệp “hong.pdf” có phần đầu của tệp PDF nhưng không mở được như một tệp PDF (tệp hỏng, "
        "hoặc thực chất là định dạng khác) nên không được nhận."
    )


def test_a_pdf_behind_a_password_is_refused_an_owner_password_is_not():
    assert "là tệp PDF có mật khẩu mở" in refused("mat-khau.pdf", encrypted("123456"))
    assert prepare("chi-chu-so-huu.pdf", encrypted("")).text.startswith("Tờ trình số 5")


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        (
            "/AcroForm",
            DictionaryObject(
                {NameObject("/Fields"): DictionaryObject(), NameObject("/XFA"): NameObject("/x")}
            ),
            "biểu mẫu XFA",
        ),
        (
            "/AA",
            DictionaryObject(
                {NameObject("/WC"): DictionaryObject({NameObject("/S"): NameObject("/ImportData")})}
            ),
            "thao tác tự động khác",
        ),
        (
            "/Names",
            DictionaryObject(
                {
                    NameObject("/JavaScript"): DictionaryObject(
                        {NameObject("/Names"): DictionaryObject()}
                    )
                }
            ),
            "mã JavaScript",
        ),
    ],
    ids=["xfa", "import-data", "javascript-name-tree"],
)
def test_other_active_parts_are_refused(key, value, words):
    assert words in refused("a.pdf", with_root_entry(key, value))


def test_several_active_parts_are_named_together():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile.pdf_with_open_action_js())))
    writer.add_attachment("bang-tinh.xlsx", b"PK\x03\x04")
    out = io.BytesIO()
    writer.write(out)
    message = refused("b.pdf", out.getvalue())
    assert "chứa mã JavaScript, tệp nhúng bên trong:" in message


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        (
            "anh.png",
            signing.signature_png() + zip_bytes(),
            "vừa là tệp PNG vừa chứa một tệp nén ZIP",
        ),
        ("anh.jpg", b"\xff\xd8\xff\xe0<script>alert(1)</script>", "chứa mã trang web (HTML)"),
        ("a.pdf", hostile.clean_pdf() + zip_bytes(), "vừa là tệp PDF vừa chứa một tệp nén ZIP"),
    ],
    ids=["png-zip", "jpeg-html", "pdf-zip"],
)
def test_disguised_files_are_refused(name, data, words):
    message = refused(name, data)
    assert message.startswith(f"Tệp “{name}”") and words in message
