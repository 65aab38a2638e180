"""Files: format from content, size limit, safe names, text, secrecy stamps (R10, R13)."""

import datetime as dt
import io
import struct
import time
import unicodedata
import zipfile

import pytest
import weasyprint
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from tests.support.documents import DECLARED, incoming_input
from tests.support.files import docx_bytes, pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import files, services
from vanban.documents.models import Document, DocumentFile, DocumentPolicy

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


# ---------------------------------------------------------------- real files, built here


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(main: str, part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    )


def word_xml(root: str, *paragraphs: str) -> str:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return f'<?xml version="1.0" encoding="UTF-8"?><w:{root} xmlns:w="{W_NS}">{body}</w:{root}>'


def full_docx(*paragraphs: str, header: str = "", main: str = DOCX_MAIN, **extra) -> bytes:
    members = {
        "[Content_Types].xml": content_types(main, "word/document.xml"),
        "word/document.xml": word_xml("document", *paragraphs),
    }
    if header:
        members["word/header1.xml"] = word_xml("hdr", header)
    members.update(extra)
    return zip_bytes(members)


def xlsx_bytes(main: str = XLSX_MAIN) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": content_types(main, "xl/workbook.xml"),
            "xl/workbook.xml": '<?xml version="1.0"?><workbook/>',
        }
    )


def odf_bytes(mimetype: str, *paragraphs: str, header: str = "") -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    )
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    return zip_bytes(
        {
            "mimetype": mimetype,
            "content.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>",
            "styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ns}>'
            f"<office:master-styles><style:master-page><style:header><text:p>{header}</text:p>"
            "</style:header></style:master-page></office:master-styles></office:document-styles>",
            "META-INF/manifest.xml": '<?xml version="1.0"?><manifest/>',
        }
    )


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, kind)
    return buffer.getvalue()


FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def ole_bytes(*streams: str, shift: int = 9, loop: bool = False) -> bytes:
    """A minimal OLE2 compound file (MS-CFB): header, one FAT sector, directory sectors chained
    through the FAT (the last stream name sits in the last directory sector)."""
    size = 1 << shift
    per_sector = size // 128
    entries = [("Root Entry", 5)] + [(name, 2) for name in streams]
    dir_sectors = -(-len(entries) // per_sector)
    header = bytearray(size)
    header[:8] = files.OLE_SIGNATURE
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6)
    struct.pack_into("<III", header, 0x2C, 1, 1, 0)  # one FAT sector, directory at sector 1
    struct.pack_into("<IIIII", header, 0x38, 4096, END, 0, END, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([FREE] * 108))
    fat = [FATSECT] + [n + 2 for n in range(dir_sectors - 1)] + [1 if loop else END]
    fat += [FREE] * (size // 4 - len(fat))
    directory = bytearray(size * dir_sectors)
    for index, (name, kind) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        directory[index * 128 : index * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, index * 128 + 64, len(raw), kind)
    return bytes(header) + struct.pack(f"<{size // 4}I", *fat) + bytes(directory)


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


# ---------------------------------------------------------------- format detection


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf_bytes("Quyết định"), "pdf"),
        (docx_bytes("Công văn"), "docx"),
        (full_docx("Công văn"), "docx"),
        (xlsx_bytes(), "xlsx"),
        (odf_bytes(ODT, "Tờ trình"), "odt"),
        (odf_bytes(ODS), "ods"),
        (image_bytes("JPEG"), "jpeg"),
        (image_bytes("PNG"), "png"),
        (image_bytes("TIFF"), "tiff"),
        (ole_bytes("WordDocument", "1Table", "\x05SummaryInformation"), "doc"),
        (ole_bytes("WordDocument", shift=12), "doc"),
        (ole_bytes("1Table", "Data", "CompObj", "ObjectPool", "WordDocument"), "doc"),
        ((XML_DECLARATION + "<edXML><Header>Văn bản</Header></edXML>").encode(), "xml"),
        (b"\xef\xbb\xbf" + (XML_DECLARATION + "<a/>").encode(), "xml"),
        ('\ufeff<?xml version="1.0" encoding="UTF-16"?><a>Sở</a>'.encode("utf-16-le"), "xml"),
    ],
)
def test_allowed_formats_are_recognised_from_their_content(data, expected):
    assert files.detect_format(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"MZ\x90\x00 an executable", id="exe"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif"),
        pytest.param(image_bytes("BMP"), id="bmp"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, id="png-signature-only"),
        pytest.param(b"{\\rtf1\\ansi Quyet dinh}", id="rtf"),
        pytest.param(ole_bytes("Workbook", "\x05SummaryInformation"), id="xls"),
        pytest.param(ole_bytes("PowerPoint Document", "Current User"), id="ppt"),
        pytest.param(ole_bytes("EncryptionInfo", "EncryptedPackage"), id="encrypted-ooxml"),
        pytest.param(ole_bytes("WordDocument")[:700], id="ole-truncated"),
        pytest.param(ole_bytes("Workbook", "a", "b", "c", "d", loop=True), id="ole-fat-loop"),
        pytest.param(files.OLE_SIGNATURE + b"\xff" * 600, id="ole-garbage"),
        pytest.param(zip_bytes({"a.txt": "xin chào"}), id="plain-zip"),
        pytest.param(zip_bytes({"word/document.xml": word_xml("document", "x")}), id="no-types"),
        pytest.param(
            full_docx(
                "x",
                main="application/vnd.ms-word.document.macroEnabled.main+xml",
                **{"word/vbaProject.bin": b"\x00"},
            ),
            id="docm",
        ),
        pytest.param(
            full_docx(
                "x",
                main="application/vnd.openxmlformats-officedocument.wordprocessingml."
                "template.main+xml",
            ),
            id="dotx",
        ),
        pytest.param(
            full_docx("x", **{"xl/workbook.xml": "<workbook/>"}), id="word-and-excel-parts"
        ),
        pytest.param(odf_bytes("application/vnd.oasis.opendocument.presentation"), id="odp"),
        pytest.param(odf_bytes("application/vnd.oasis.opendocument.text-template"), id="ott"),
        pytest.param(zip_bytes({"mimetype": ODT}), id="odt-without-content"),
        pytest.param(b"PK\x03\x04 not really a zip", id="broken-zip"),
        pytest.param(b"<html><body>Xin chao</body></html>", id="html"),
        pytest.param(b"<!DOCTYPE html><p>x</p>", id="html5"),
        pytest.param(
            (
                XML_DECLARATION + '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
            ).encode(),
            id="xhtml",
        ),
        pytest.param(
            (
                XML_DECLARATION + '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
                "</script></svg>"
            ).encode(),
            id="svg-with-script",
        ),
        pytest.param(
            (XML_DECLARATION + '<svg xmlns="http://www.w3.org/2000/svg"/>').encode(), id="svg"
        ),
        pytest.param(
            (
                XML_DECLARATION + '<data><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
                "alert(1)</h:script></data>"
            ).encode(),
            id="xhtml-inside-xml",
        ),
        pytest.param(
            (XML_DECLARATION + "<data><SCRIPT>alert(1)</SCRIPT></data>").encode(),
            id="script-element",
        ),
        pytest.param(
            (XML_DECLARATION + '<?xml-stylesheet type="text/xsl" href="x.xsl"?><data/>').encode(),
            id="stylesheet",
        ),
        pytest.param(
            (
                XML_DECLARATION + '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
                '"&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
            ).encode(),
            id="entities",
        ),
        pytest.param(
            (
                XML_DECLARATION + '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
            ).encode(),
            id="external-entity",
        ),
        pytest.param(b"<hello world", id="text-starting-with-lt"),
        pytest.param(b"<b>Quyet dinh</b>", id="markup-without-declaration"),
        pytest.param((XML_DECLARATION + "<a><b></a>").encode(), id="malformed-xml"),
        pytest.param((XML_DECLARATION + "<w:document/>").encode(), id="unbound-prefix"),
        pytest.param(b"  " + (XML_DECLARATION + "<a/>").encode(), id="xml-after-spaces"),
    ],
)
def test_other_content_is_refused_whatever_its_name(data):
    assert files.detect_format(data) is None


def test_ole_directory_names_are_read_from_the_directory_chain():
    names = files.ole_stream_names(ole_bytes("1Table", "Data", "CompObj", "ObjectPool", "Word"))
    assert names == {"1Table", "Data", "CompObj", "ObjectPool", "Word"}
    assert files.detect_format(ole_bytes("1Table", "Data", "CompObj", "ObjectPool", "Word")) is None


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "file_format", "expected"),
    [
        ("Quyết định số 15.pdf", "pdf", "Quyết định số 15.pdf"),
        (unicodedata.normalize("NFD", "Công văn đến.docx"), "docx", "Công văn đến.docx"),
        ("../../etc/passwd", None, "passwd"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\thu\\Tờ trình.odt", "odt", "Tờ trình.odt"),
        ("a\x00b.pdf", "pdf", "ab.pdf"),
        ("bao\r\ncao\t.pdf", "pdf", "baocao.pdf"),
        ("hoa-don\u202egpj.exe", None, "hoa-dongpj.exe"),
        ("  .an .pdf. ", "pdf", "an .pdf"),
        ('a<b>:c"d|e?f*g;h$i`j.pdf', "pdf", "a_b__c_d_e_f_g_h_i_j.pdf"),
        ("CON.pdf", "pdf", "_CON.pdf"),
        ("con", None, "_con"),
        ("lpt1.tar.xml", "xml", "_lpt1.tar.xml"),
        ("COM10.pdf", "pdf", "COM10.pdf"),
        ("bao-cao.docx", "pdf", "bao-cao.pdf"),
        ("scan", "tiff", "scan.tif"),
        ("anh.JPEG", "jpeg", "anh.JPEG"),
        ("anh.png", "jpeg", "anh.jpg"),
        ("v1.2 cuối", "pdf", "v1.2 cuối.pdf"),
        ("", None, "tep"),
        ("..", "pdf", "tep.pdf"),
        ("/", None, "tep"),
    ],
)
def test_file_names_are_made_safe(name, file_format, expected):
    assert files.safe_file_name(name, file_format) == expected


def test_long_vietnamese_names_are_cut_on_a_letter_keeping_the_extension():
    long = "Tên tệp rất dài về việc triển khai kế hoạch chuyển đổi số " * 10 + ".pdf"
    name = files.safe_file_name(long, "pdf")
    assert len(name.encode("utf-8")) <= files.MAX_NAME_BYTES
    assert name.endswith(".pdf")
    assert name.startswith("Tên tệp rất dài về việc")
    assert unicodedata.is_normalized("NFC", name)
    assert not name[:-4].endswith((" ", "."))
    stem_letters = name[:-4]
    assert long.startswith(stem_letters)


# ---------------------------------------------------------------- text


def test_text_of_pdf_docx_and_odt_is_extracted_line_by_line():
    pdf = files.extract_text(pdf_bytes("Quyết định về việc", "ban hành quy chế"), "pdf")
    assert "Quyết định về việc" in pdf and "ban hành quy chế" in pdf
    docx = files.extract_text(
        full_docx("Kính gửi: Sở Nội vụ", "Nội dung", header="Đầu trang"), "docx"
    )
    assert docx.splitlines() == ["Kính gửi: Sở Nội vụ", "Nội dung", "", "Đầu trang"]
    odt = files.extract_text(odf_bytes(ODT, "Tờ trình số 5", "Về việc A", header="Số: 5"), "odt")
    assert [line for line in odt.splitlines() if line] == ["Tờ trình số 5", "Về việc A", "Số: 5"]


def test_text_is_nfc_whatever_the_file_holds():
    text = files.extract_text(full_docx(unicodedata.normalize("NFD", "Quyết định")), "docx")
    assert text.splitlines()[0] == "Quyết định"
    assert unicodedata.is_normalized("NFC", text)


def test_pretty_printed_docx_keeps_a_paragraph_on_one_line():
    xml = (
        f'<?xml version="1.0"?>\n<w:document xmlns:w="{W_NS}">\n <w:body>\n  <w:p>\n'
        '   <w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>\n'
        "   <w:r><w:t>TỐI</w:t></w:r>\n   <w:r><w:t xml:space='preserve'> MẬT</w:t></w:r>\n"
        "  </w:p>\n </w:body>\n</w:document>"
    )
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})
    text = files.extract_text(data, "docx")
    assert text.splitlines()[0] == "TỐI MẬT"
    assert files.secrecy_marks(text) == ["TỐI MẬT"]


def test_a_stamp_in_a_text_box_is_a_line_of_its_own():
    xml = (
        f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body><w:p>'
        "<w:r><w:t>Số: 12/QĐ-UBND</w:t></w:r><w:r><w:drawing><w:txbxContent>"
        "<w:p><w:r><w:t>MẬT</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r>"
        "<w:r><w:t>Bến Tre</w:t></w:r></w:p></w:body></w:document>"
    )
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})
    text = files.extract_text(data, "docx")
    assert text.splitlines() == ["Số: 12/QĐ-UBND", "MẬT", "Bến Tre"]
    assert files.secrecy_marks(text) == ["MẬT"]


@pytest.mark.parametrize(
    ("data", "file_format"),
    [
        (b"%PDF-1.7 broken", "pdf"),
        (pdf_bytes("Quyết định")[:400], "pdf"),
        (b"PK\x03\x04 broken", "docx"),
        (zip_bytes({"word/document.xml": "<w:document><w:p>"}), "docx"),
        (zip_bytes({"content.xml": "<?xml version='1.0'?><!DOCTYPE x []><x/>"}), "odt"),
        (zip_bytes({"mimetype": ODT}), "odt"),
        (image_bytes("PNG"), "png"),
    ],
)
def test_broken_files_have_no_text_and_never_raise(data, file_format):
    assert files.extract_text(data, file_format) == ""


def test_a_zip_bomb_is_unpacked_only_up_to_the_cap():
    padding = " " * (files.MAX_UNZIPPED_XML + 1)
    xml = (
        f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>TUYỆT MẬT</w:t></w:r></w:p>"
        f"<w:p><w:r>{padding}<w:t>Sau giới hạn</w:t></w:r></w:p></w:body></w:document>"
    )
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})
    assert len(data) < 200_000  # 50 MB of XML in a small upload
    started = time.monotonic()
    text = files.extract_text(data, "docx")
    assert time.monotonic() - started < 10
    assert files.secrecy_marks(text) == ["TUYỆT MẬT"]
    assert "Sau giới hạn" not in text


def test_text_is_capped_in_characters():
    paragraph = "Nội dung văn bản " * 1000
    text = files.extract_text(full_docx(*[paragraph] * 80), "docx")
    assert len(text) == files.MAX_TEXT_CHARS


def test_very_long_pdfs_are_read_up_to_the_page_cap():
    page = PdfReader(io.BytesIO(weasyprint.HTML(string="<p>Trang mẫu</p>").write_pdf())).pages[0]
    writer = PdfWriter()
    for _ in range(files.MAX_PDF_PAGES + 5):
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert files.extract_text(buffer.getvalue(), "pdf").count("Trang mẫu") == files.MAX_PDF_PAGES


# ---------------------------------------------------------------- secrecy stamps


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("MẬT", ["MẬT"]),
        ("ỦY BAN NHÂN DÂN\n  TỐI MẬT  \nSố: 12", ["TỐI MẬT"]),
        ("Tối mật", ["TỐI MẬT"]),
        ("tuyệt   mật", ["TUYỆT MẬT"]),
        (unicodedata.normalize("NFD", "TUYỆT MẬT"), ["TUYỆT MẬT"]),
        (unicodedata.normalize("NFD", "Tối Mật"), ["TỐI MẬT"]),
        ("\tMẬT\u200b\r\n", ["MẬT"]),
        ("MẬT\nTUYỆT MẬT\nTỐI MẬT", ["MẬT", "TỐI MẬT", "TUYỆT MẬT"]),
        ("Bảo đảm bí mật thông tin", []),
        ("Giữ MẬT KHẨU an toàn", []),
        ("Độ mật: MẬT", []),
        ("KHÔNG MẬT", []),
        ("Tài liệu tối mật của dự án", []),
        ("MẬT.", []),
        ("MAT", []),
    ],
)
def test_secrecy_stamps_are_whole_lines(text, marks):
    assert files.secrecy_marks(text) == marks


# ---------------------------------------------------------------- through registration


def register(office, main_file, **kwargs):
    with clock.frozen(NOW):
        return services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(**kwargs),
            refusals=DECLARED,
            main_file=main_file,
        )


def state():
    return Document.objects.count(), DocumentFile.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize(
    ("name", "data", "file_format", "stored_name"),
    [
        ("bao-cao.docx", pdf_bytes("Báo cáo"), "pdf", "bao-cao.pdf"),
        ("Công văn.doc", ole_bytes("WordDocument", "1Table"), "doc", "Công văn.doc"),
        ("Bảng.xlsx", xlsx_bytes(), "xlsx", "Bảng.xlsx"),
        ("bang-tinh", odf_bytes(ODS), "ods", "bang-tinh.ods"),
        ("Tờ trình.odt", odf_bytes(ODT, "Tờ trình"), "odt", "Tờ trình.odt"),
        ("scan.pdf", image_bytes("TIFF"), "tiff", "scan.tif"),
        ("anh.png", image_bytes("JPEG"), "jpeg", "anh.jpg"),
        ("goi-tin.xml", (XML_DECLARATION + "<edXML/>").encode(), "xml", "goi-tin.xml"),
    ],
)
def test_registered_files_keep_the_detected_format(office, name, data, file_format, stored_name):
    document = register(office, upload(name, data, "text/html"))
    file = document.files.get()
    assert (file.file_format, file.content_type) == (file_format, files.FORMATS[file_format])
    assert file.original_name == stored_name
    assert file.storage_name.endswith("." + files.EXTENSIONS[file_format][0])


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        ole_bytes("Workbook"),
        zip_bytes({"a.txt": "x"}),
    ],
)
def test_refused_formats_leave_nothing(office, data):
    before = state()
    with pytest.raises(ServiceError, match="không thuộc định dạng được phép") as refused:
        register(office, upload("van-ban.pdf", data, "application/pdf"))
    assert "xác định theo nội dung tệp" in refused.value.message
    assert state() == before


@pytest.mark.parametrize(
    ("name", "data", "stamp"),
    [
        ("a.docx", full_docx("Số: 12", header="Tối mật"), "TỐI MẬT"),
        ("b.docx", full_docx(unicodedata.normalize("NFD", "TUYỆT MẬT"), "Nội dung"), "TUYỆT MẬT"),
        ("c.odt", odf_bytes(ODT, "ỦY BAN NHÂN DÂN", "  Mật  ", "Quyết định"), "MẬT"),
        ("d.pdf", pdf_bytes("ỦY BAN NHÂN DÂN", "Tối mật", "Quyết định"), "TỐI MẬT"),
        ("e.pdf", pdf_bytes("MẬT", "TUYỆT MẬT"), "TUYỆT MẬT"),
    ],
)
def test_stamps_in_any_form_block_registration(office, name, data, stamp):
    before = state()
    with pytest.raises(ServiceError, match=f"có dấu chỉ độ mật “{stamp}”"):
        register(office, upload(name, data))
    assert state() == before


def test_the_words_inside_sentences_do_not_block(office):
    document = register(
        office, upload("a.odt", odf_bytes(ODT, "Bảo mật thông tin", "Tài liệu tối mật"))
    )
    assert "bao mat thong tin" in document.search_text


# ---------------------------------------------------------------- size limit


class CountingFile(io.BytesIO):
    """A file that tells how many bytes were taken from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.given = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.given += len(chunk)
        return chunk


MB = 1024 * 1024


def xml_of_size(size: int) -> bytes:
    head, tail = (XML_DECLARATION + "<a>").encode(), b"</a>"
    return head + b" " * (size - len(head) - len(tail)) + tail


def set_limit(megabytes: int) -> None:
    policy = DocumentPolicy.current()
    policy.max_file_size_mb = megabytes
    policy.save()


def test_the_size_limit_is_policy_data(office):
    set_limit(1)
    assert register(office, upload("dung-1mb.xml", xml_of_size(MB))).files.get().size == MB
    before = state()
    with pytest.raises(ServiceError, match=r"“qua-1mb\.xml” lớn hơn giới hạn 1 MB"):
        register(office, upload("qua-1mb.xml", xml_of_size(MB + 1)), code_number="16")
    assert state() == before
    set_limit(2)
    assert register(office, upload("qua-1mb.xml", xml_of_size(MB + 1)), code_number="16")


def test_no_more_than_the_limit_plus_one_byte_is_read(office):
    set_limit(1)
    source = CountingFile(xml_of_size(5 * MB))
    before = state()
    with pytest.raises(ServiceError, match="lớn hơn giới hạn 1 MB"):
        register(office, UploadedFile(source, name="lon.xml", size=None))
    assert source.given == MB + 1
    assert state() == before


def test_a_declared_size_over_the_limit_is_refused_before_reading(office):
    set_limit(1)
    source = CountingFile(xml_of_size(2 * MB))
    with pytest.raises(ServiceError, match="lớn hơn giới hạn 1 MB"):
        register(office, UploadedFile(source, name="lon.xml", size=2 * MB))
    assert source.given == 0


def test_an_upload_read_before_is_read_again_from_the_start(office):
    source = upload("Quyết định.pdf", pdf_bytes("Quyết định"))
    source.read(10)
    file = register(office, source).files.get()
    assert file.size == len(pdf_bytes("Quyết định"))
