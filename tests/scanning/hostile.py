"""A corpus of hostile files, built by the tests from a real PDF (WeasyPrint) and DOCX (R20)."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

from tests.support.clamd import EICAR, MARKER
from tests.support.files import docx_bytes, pdf_bytes

# A few bytes that start like a Windows program: enough to be "an embedded .exe" for the check.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def _writer(*lines: str) -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(*(lines or ("Tờ trình số 5",))))))


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def clean_pdf() -> bytes:
    return _bytes(_writer("Tờ trình số 5"))


def pdf_with_attachment(name: str, data: bytes) -> bytes:
    """The file embedded compressed (FlateDecode), as PDF writers do: not visible as plain bytes."""
    writer = _writer()
    writer.add_attachment(name, data)
    for index, item in enumerate(writer._objects):
        if isinstance(item, StreamObject) and item.get("/Type") == "/EmbeddedFile":
            writer._objects[index] = item.flate_encode()
    pdf = _bytes(writer)
    assert data not in pdf
    return pdf


def pdf_with_eicar() -> bytes:
    return pdf_with_attachment("eicar.com", EICAR)


def pdf_with_exe() -> bytes:
    return pdf_with_attachment("setup.exe", EXE)


def pdf_with_open_action_js() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('xin chao');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def pdf_with_launch() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = action  # direct, not a reference
    return _bytes(writer)


def pdf_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "xin chao")
    return clean_pdf() + archive.getvalue()


def pdf_then_html() -> bytes:
    return b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def docx_with_eicar() -> bytes:
    buffer = io.BytesIO(docx_bytes("Báo cáo tháng 5"))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/media/eicar.com", EICAR)
    return buffer.getvalue()


def pdf_with_marker() -> bytes:
    """A clean-looking PDF whose metadata carries our own signature's marker."""
    writer = _writer("Kế hoạch năm 2026")
    writer.add_metadata({"/Title": f"Ke hoach {MARKER.decode()}"})  # ASCII: kept as written
    return _bytes(writer)


def docx_with_marker() -> bytes:
    """A DOCX whose text carries our own signature's marker (found inside the ZIP)."""
    return docx_bytes("Kế hoạch năm 2026", MARKER.decode())
