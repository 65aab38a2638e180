"""The number and the date of an issued document written into its signed PDF (NĐ 30/2020 Art. 15,
Appendix I: "Số: 07/STTTT-CĐS", "Bến Tre, ngày 06 tháng 12 năm 2026"), as the signing software
for clerks does.

The number and the date are given when the clerk issues the document, after the competent
signer has signed; whatever is added after a signature must be a change that signature allows.
PDF readers and validators (pyHanko's difference analysis, ISO 32000-2 12.8.2.2) allow filling in
form fields that the signature already covered, but not new annotations nor new text fields. So
the work is done in two steps:

1. `reserve()`, just before the personal signature: where the first page's text layer holds the
   reserved "Số:      /KH-UBND" line and the "…, ngày … tháng … năm …" line, empty read-only
   text fields (no visible appearance) are added over the gaps, in an incremental update that
   the personal signature then covers.
2. `fill()`, at issue and before the organisation signature: the fields get their values and an
   appearance in the font size of the line (the gap is painted white first, so dots or a partly
   written year under it do not show through), in an incremental update of form filling
   (pyHanko's `ModificationLevel.FORM_FILLING`), which leaves the personal signature valid.

A PDF without those lines (a scan, a free-form file) gets, in step 1, two placement fields
instead (`PLACED_NUMBER`, `PLACED_DATE`): empty, read-only, and as large as the first page, so
that whatever box the clerk later draws lies inside them. At issue the clerk is told and places
a number box and a date box on the first page (NĐ 30/2020 Appendix I puts both in the header of
the first page); `fill()` then gives those same fields their values ("Số: 07/STTTT-CĐS",
"ngày 06 tháng 12 năm 2026") and an appearance as large as the page that paints the values
only inside the boxes, on white. The fields' rectangles never change: the update is still only
form filling (values and appearances of fields the personal signature covers). Adding a new
field or annotation after the signature instead is not: pyHanko's difference analysis finds no
rule that explains it and reports the signature as modified beyond what it allows.

A PDF that was signed elsewhere or before the fields existed keeps its text; `fill()` says
which fields it could not write.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic as _generic
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle
from pyhanko.pdf_utils.writer import init_xobject_dictionary

from .pdfsign import SigningFailed, font_path

# pyHanko's PDF objects and writer ship without types for their constructors and methods.
generic: Any = _generic
_margins: Any = layout.Margins  # its fields are typed int; PDF units are floats

NUMBER = "SoVanBan"
DAY = "NgayVanBan"
MONTH = "ThangVanBan"
YEAR = "NamVanBan"
FIELDS = (NUMBER, DAY, MONTH, YEAR)
PLACED_NUMBER = "SoVanBanDat"  # placed by the clerk on a page without the reserved lines
PLACED_DATE = "NgayVanBanDat"
PLACED = (PLACED_NUMBER, PLACED_DATE)
MM = 72 / 25.4  # PDF points in a millimetre
READ_ONLY = 1  # field flag bit 1 (ISO 32000-1 Table 221)
PRINT = 4  # annotation flag: printed with the page

FILLER = " \u00a0.…_·"  # what a reserved gap is made of: blanks, dots, underscores
NUMBER_LINE = re.compile(r"Số\s*:([ \u00a0.…_·]*)/", re.IGNORECASE)
DATE_LINE = re.compile(
    # A year already written in full ("năm 2026") is not a gap: the line is left alone.
    r"ngày([ \u00a0.…_·]+)tháng([ \u00a0.…_·]+)năm([ \u00a0.…_·]+(?:20)?[.…_·]*)(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Slot:
    """Room for one value: its field, a box on the first page (points) and the font size."""

    field: str
    x1: float
    y1: float
    x2: float
    y2: float
    size: float
    prefix: str = ""  # written in the gap already (the "20" of "năm 20…")

    @property
    def rect(self) -> list[float]:
        return [self.x1, self.y1, self.x2, self.y2]


def date_parts(day: dt.date) -> dict[str, str]:
    """Day and month as NĐ 30/2020 writes them: a day below 10 and the months 1 and 2 take a
    leading zero ("ngày 05 tháng 01", "ngày 06 tháng 3")."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return {DAY: f"{day.day:02d}", MONTH: month, YEAR: str(day.year)}


# ---------------------------------------------------------------- finding the lines


Char = tuple[str, tuple[float, float, float, float], float, float, float]


def _characters(pdf: bytes) -> list[Char]:
    """The first page's characters in reading order: (character, box, font size, baseline, x
    of the origin)."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        return []
    try:
        if len(document) == 0:
            return []
        page = document[0]
        text = page.get_textpage()
        found = []
        for index in range(text.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(text, index)
            box = text.get_charbox(index)
            # The font size times the vertical scale of the text matrix and the CTM.
            matrix = pdfium_c.FS_MATRIX()
            scale = 1.0
            if pdfium_c.FPDFText_GetMatrix(text, index, matrix):
                scale = abs(matrix.d) or 1.0
            size = float(pdfium_c.FPDFText_GetFontSize(text, index)) * scale
            x, y = ctypes.c_double(), ctypes.c_double()
            baseline, origin = box[1], box[0]
            if pdfium_c.FPDFText_GetCharOrigin(text, index, ctypes.byref(x), ctypes.byref(y)):
                baseline, origin = y.value, x.value
            found.append((chr(code) if code else "\ufffd", box, size, baseline, origin))
        text.close()
        page.close()
        return found
    finally:
        document.close()


def _gap(chars: list[Char], start: int, end: int) -> tuple[float, float, float, float, float]:
    """The box between the character before `start` and the one at `end` (on one line), and
    the font size of the line around it."""
    before, after = chars[start - 1], chars[end]
    size = before[2] or after[2] or 12.0
    baseline = before[3]
    x1 = before[1][2] + 0.5
    x2 = max(min(after[1][0], after[4]), x1 + 1)  # where the next glyph starts
    return x1, baseline - size * 0.25, x2, baseline + size * 0.85, size


def slots(pdf: bytes) -> list[Slot]:
    """Where the number and the date go on the first page, from its text layer; empty for a
    page without text (a scan) or without the reserved lines."""
    chars = _characters(pdf)
    text = "".join(c[0] for c in chars)
    found: list[Slot] = []
    number = NUMBER_LINE.search(text)
    if number is not None and number.start(1) > 0:
        x1, y1, x2, y2, size = _gap(chars, number.start(1), number.end(1))
        # Room for three digits right of the colon even when the blanks are narrow.
        x1 = min(x1, x2 - size * 1.6)
        found.append(Slot(NUMBER, x1, y1, x2, y2, size))
    date = DATE_LINE.search(text)
    if date is not None:
        for group, field in ((1, DAY), (2, MONTH)):
            x1, y1, x2, y2, size = _gap(chars, date.start(group), date.end(group))
            found.append(Slot(field, x1, y1, max(x2, x1 + size * 1.2), y2, size))
        gap = date.group(3)
        digits = gap.strip(FILLER)
        start, end = date.start(3), date.end(3)
        prefix = ""
        if digits:  # "năm 20…": the century is written, the rest is blank
            prefix = digits
            start = date.start(3) + gap.index(digits) + len(digits)
        if start < end < len(chars):
            x1, y1, x2, y2, size = _gap(chars, start, end)
        else:  # the gap ends the page's text: as wide as its own characters
            before, last = chars[start - 1], chars[end - 1]
            size = before[2] or 12.0
            x1, y1, y2 = before[1][2] + 0.5, before[3] - size * 0.25, before[3] + size * 0.85
            x2 = max(last[1][2], x1 + size * 1.2)
        if prefix:
            x1 = chars[start - 1][1][2] + 0.2
        found.append(Slot(YEAR, x1, y1, max(x2, x1 + size * 1.2), y2, size, prefix=prefix))
    return found


# ---------------------------------------------------------------- reserving the fields


def _field_names(pdf: bytes) -> list[str]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        form = reader.root.get("/AcroForm")
        fields = form.get_object().get("/Fields", []) if form is not None else []
        return [str(ref.get_object().get("/T", "")) for ref in fields]
    except Exception:
        return []


def reserved(pdf: bytes) -> list[str]:
    """The names of the number and date fields a PDF carries over its reserved lines."""
    names = _field_names(pdf)
    return [name for name in FIELDS if name in names]


def placeable(pdf: bytes) -> bool:
    """Whether the PDF carries the page-sized fields in which the clerk places the number and
    the date (a first page without the reserved lines)."""
    names = _field_names(pdf)
    return all(name in names for name in PLACED)


@dataclass(frozen=True)
class Page:
    """The first page as the clerk sees it: its box in PDF points and its size in millimetres."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotation: int

    @property
    def width_mm(self) -> float:
        return (self.x1 - self.x0) / MM

    @property
    def height_mm(self) -> float:
        return (self.y1 - self.y0) / MM


def first_page(pdf: bytes) -> Page | None:
    """The visible box (crop box) of the first page, None when the file cannot be read."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        return None
    try:
        if len(document) == 0:
            return None
        page = document[0]
        x0, y0, x1, y1 = page.get_cropbox()
        rotation = int(page.get_rotation())
        page.close()
        return Page(float(x0), float(y0), float(x1), float(y1), rotation)
    finally:
        document.close()


def preview_png(pdf: bytes, *, width: int = 800) -> bytes:
    """The first page as a PNG `width` pixels wide, for the clerk to place the boxes on."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / max(page.get_width(), 1)
        image = page.render(scale=scale).to_pil()
        page.close()
        output = io.BytesIO()
        image.save(output, format="PNG")
        return output.getvalue()
    finally:
        document.close()


@dataclass(frozen=True)
class Box:
    """A box the clerk draws on the first page: millimetres from its top-left corner."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


MIN_BOX_MM = 3.0  # a box lower or narrower than this cannot hold a readable line


class PlacementRefused(ValueError):
    """Boxes the page cannot take; the message is for the clerk."""


def check_boxes(pdf: bytes, number: Box, date: Box) -> Page:
    """The page when the number and date boxes fit on the first page apart from each other;
    refused (PlacementRefused, in Vietnamese) otherwise."""
    if not placeable(pdf):
        raise PlacementRefused(
            "Bản đã ký không có trường dành để đặt số, ngày (chỉ có ở bản ký qua hệ thống khi "
            "trang đầu không có dòng “Số:” và dòng ngày tháng để trống); không đặt được vị trí."
        )
    page = first_page(pdf)
    if page is None:
        raise PlacementRefused("Không đọc được trang đầu của tệp PDF.")
    if page.rotation:
        raise PlacementRefused(
            "Trang đầu của tệp PDF được xoay khi hiển thị; chưa hỗ trợ đặt số, ngày trên trang "
            "xoay."
        )
    for label, box in (("số văn bản", number), ("ngày tháng năm", date)):
        if not all(math.isfinite(v) for v in (box.x, box.y, box.width, box.height)):
            raise PlacementRefused(f"Vị trí ô {label} phải là số (mm).")
        if min(box.x, box.y, box.width, box.height) < 0:
            raise PlacementRefused(f"Vị trí ô {label} không được có giá trị âm.")
        if box.width < MIN_BOX_MM or box.height < MIN_BOX_MM:
            raise PlacementRefused(f"Ô {label} quá nhỏ: rộng và cao tối thiểu {MIN_BOX_MM:g} mm.")
        if box.x + box.width > page.width_mm + 0.01 or box.y + box.height > page.height_mm + 0.01:
            raise PlacementRefused(
                f"Ô {label} nằm ngoài trang đầu (trang rộng {page.width_mm:.0f} mm, "
                f"cao {page.height_mm:.0f} mm)."
            )
    if number.overlaps(date):
        raise PlacementRefused("Ô số văn bản và ô ngày tháng năm không được chồng lên nhau.")
    return page


def _values(root: Any) -> dict[str, str]:
    form = root.get("/AcroForm")
    fields = form.get_object().get("/Fields", []) if form is not None else []
    found = {}
    for ref in fields:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        if name in FIELDS or name in PLACED:
            found[name] = str(field.get("/V", ""))
    return found


def filled_after(reader: PdfFileReader, revision: int) -> bool:
    """Whether the number or date fields got their values after `revision` (a signed one)."""
    try:
        before = _values(reader.get_historical_root(revision))
        now = _values(reader.root)
    except Exception:
        return False
    return any(value and not before.get(name) for name, value in now.items())


def _signed(reader: PdfFileReader) -> bool:
    return bool(reader.embedded_signatures)


def reserve(pdf: bytes) -> bytes:
    """`pdf` with empty, invisible, read-only text fields over the gaps of the number and date
    lines, in an incremental update (the two page-sized placement fields when the first page has
    no such line); `pdf` itself when the fields are there already, when the page shows the
    number or the date written, when the file is signed (a new field would break that
    signature), or when the file cannot be updated."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if _signed(reader) or reserved(pdf) or placeable(pdf):
            return pdf
    except Exception:
        return pdf
    try:
        places = slots(pdf)
    except Exception:  # an odd text layer: no room kept, the clerk is told at issue
        return pdf
    if not places:  # a scan or a free-form page: the clerk places the boxes at issue
        places = _placement_slots(pdf)
    if not places:
        return pdf
    try:
        return _add_fields(pdf, places)
    except Exception:  # never in the way of signing: the clerk is told at issue
        return pdf


WRITTEN_LINE = re.compile(
    r"Số\s*:\s*\d+\s*/|ngày\s*\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*\d{4}", re.IGNORECASE
)


def _placement_slots(pdf: bytes) -> list[Slot]:
    """The two placement fields, each as large as the first page's visible box; none when the
    text layer shows the number or the date written already."""
    if WRITTEN_LINE.search("".join(c[0] for c in _characters(pdf))):
        return []
    page = first_page(pdf)
    if page is None:
        return []
    return [Slot(name, page.x0, page.y0, page.x1, page.y1, 13.0) for name in PLACED]


def _add_fields(pdf: bytes, places: list[Slot]) -> bytes:
    """`pdf` with an empty, invisible, read-only text field for each of `places`, in an
    incremental update."""
    writer: Any = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref = writer.find_page_for_modification(0)[0]
    root = writer.root
    if "/AcroForm" in root:
        form = root["/AcroForm"]
        writer.update_container(form)
    else:
        form = generic.DictionaryObject()
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    fields = form.get("/Fields")
    if fields is None:
        fields = form[pdf_name("/Fields")] = generic.ArrayObject()
    elif isinstance(form.raw_get("/Fields"), generic.IndirectObject):
        writer.update_container(fields)
    resources = form.get("/DR")
    if resources is None:
        helvetica = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
        form[pdf_name("/DR")] = generic.DictionaryObject(
            {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Helv"): helvetica})}
        )
    for place in places:
        width, height = place.x2 - place.x1, place.y2 - place.y1
        empty = writer.add_object(
            init_xobject_dictionary(command_stream=b"", box_width=width, box_height=height)
        )
        field = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): pdf_string(place.field),
                pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
                pdf_name("/F"): generic.NumberObject(PRINT),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(round(v, 2)) for v in place.rect]
                ),
                pdf_name("/P"): page_ref,
                pdf_name("/DA"): pdf_string(f"/Helv {round(place.size)} Tf 0 g"),
                pdf_name("/Q"): generic.NumberObject(1),  # centred
                pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): empty}),
            }
        )
        ref = writer.add_object(field)
        fields.append(ref)
        writer.register_annotation(page_ref, ref)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# ---------------------------------------------------------------- filling them at issue


def _appearance(
    writer: IncrementalPdfFileWriter,
    value: str,
    width: float,
    height: float,
    size: float,
    *,
    align: layout.AxisAlignment,
    number: bool,
) -> generic.IndirectObject:
    """The field's appearance: `value` on the line's baseline, on white. The number sits
    against the "/" of the symbol, white behind its digits only; a part of the date is centred
    in its gap, the whole gap white (to hide its dots)."""
    font_size = max(round(size), 6)
    box: Any = TextBox(
        TextBoxStyle(
            font=GlyphAccumulatorFactory(str(font_path())),
            font_size=font_size,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=align,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=_margins(bottom=size * 0.25),  # the baseline of the line
                inner_content_scaling=layout.InnerScaling.NO_SCALING,
            ),
        ),
        writer,
        box=layout.BoxConstraints(width=width, height=height),
    )
    box.content = value
    text = box.render()
    shown: float = getattr(box, "_nat_text_width", width)
    left = max(width - shown - 1, 0.0) if number else 0.0
    painted = min(shown + 1, width) if number else width
    background = b"q 1 g %g 0 %g %g re f Q " % (left, painted, height)
    content = RawContent(
        background + text,
        resources=box.resources,
        box=layout.BoxConstraints(width=width, height=height),
    )
    return writer.add_object(content.as_form_xobject())


def _placed_appearance(
    writer: IncrementalPdfFileWriter, value: str, field: Any, box: Box, page: Page
) -> generic.IndirectObject:
    """The appearance of a placement field: as large as the field (the page), `value` centred
    in the clerk's box on white, nothing elsewhere."""
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    width, height = x2 - x1, y2 - y1
    box_width, box_height = box.width * MM, box.height * MM
    left = page.x0 - x1 + box.x * MM
    bottom = page.y1 - y1 - (box.y + box.height) * MM
    text: Any = TextBox(
        TextBoxStyle(
            font=GlyphAccumulatorFactory(str(font_path())),
            font_size=min(13, max(int(box_height * 0.75), 6)),  # NĐ 30/2020 App. I: 13-14
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
            ),
        ),
        writer,
        box=layout.BoxConstraints(width=box_width, height=box_height),
    )
    text.content = value
    drawn = text.render()
    stream = b"q 1 g %g %g %g %g re f Q q 1 0 0 1 %g %g cm %s Q" % (
        left,
        bottom,
        box_width,
        box_height,
        left,
        bottom,
        drawn,
    )
    content = RawContent(
        stream, resources=text.resources, box=layout.BoxConstraints(width=width, height=height)
    )
    return writer.add_object(content.as_form_xobject())


def date_text(day: dt.date) -> str:
    """The date as the line of NĐ 30/2020 Appendix I writes it: "ngày 06 tháng 12 năm 2026"."""
    parts = date_parts(day)
    return f"ngày {parts[DAY]} tháng {parts[MONTH]} năm {parts[YEAR]}"


def fill(
    pdf: bytes,
    *,
    number: str,
    day: dt.date,
    number_symbol: str = "",
    boxes: tuple[Box, Box] | None = None,
) -> tuple[bytes, list[str]]:
    """Writes the register number (without the symbol, "07") and the issue date into the
    reserved fields, in one incremental update of form filling. Returns the new PDF (or `pdf`
    when it has no reserved field) and the names of the fields written.

    On a PDF with placement fields, `boxes` (the number box and the date box the clerk drew)
    get "Số: `number_symbol`" and the date line; boxes that do not fit raise PlacementRefused
    before anything is written."""
    values = {NUMBER: number, **date_parts(day)}
    page = check_boxes(pdf, *boxes) if boxes is not None else None
    placed = {}
    if boxes is not None:
        placed = {
            PLACED_NUMBER: (f"Số: {number_symbol or number}", boxes[0]),
            PLACED_DATE: (date_text(day), boxes[1]),
        }
    if not reserved(pdf) and not placed:
        return pdf, []
    try:
        # "năm 20…": the century stays as written, only the rest of the year is added.
        prefix = next((s.prefix for s in slots(pdf) if s.field == YEAR), "") if not placed else ""
        writer: Any = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        written: list[str] = []
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            name = str(field.get("/T", ""))
            if field.get("/FT") != "/Tx":
                continue
            if name in placed and page is not None:
                value, box = placed[name]
                field[pdf_name("/V")] = pdf_string(value)
                field[pdf_name("/AP")] = generic.DictionaryObject(
                    {pdf_name("/N"): _placed_appearance(writer, value, field, box, page)}
                )
                writer.mark_update(ref)
                written.append(name)
                continue
            if name not in values:
                continue
            x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
            size = _size(field, y2 - y1)
            value = values[name]
            shown, align = value, layout.AxisAlignment.ALIGN_MID
            if name == NUMBER:  # against the "/" of the symbol
                align = layout.AxisAlignment.ALIGN_MAX
            elif name == YEAR and prefix and value.startswith(prefix):
                shown, align = value[len(prefix) :], layout.AxisAlignment.ALIGN_MIN
            field[pdf_name("/V")] = pdf_string(value)
            field[pdf_name("/AP")] = generic.DictionaryObject(
                {
                    pdf_name("/N"): _appearance(
                        writer,
                        shown,
                        x2 - x1,
                        y2 - y1,
                        size,
                        align=align,
                        number=name == NUMBER,
                    )
                }
            )
            writer.mark_update(ref)
            written.append(name)
        if not written:
            return pdf, []
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue(), written
    except Exception as exc:
        raise SigningFailed(f"Không ghi được số, ngày vào văn bản: {exc}") from exc


def _size(field: Any, height: float) -> float:
    match = re.search(r"([\d.]+)\s+Tf", str(field.get("/DA", "")))
    return float(match.group(1)) if match else height / 1.1
