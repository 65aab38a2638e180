"""Realistic scans of paper documents, with the truth of what they say, for measuring OCR and the
record proposed from a scan (benchmarks/ocr_accuracy.py, docs/ocr-fields.md).

Usage:
    .venv/bin/python benchmarks/scan_corpus.py --count 300 --out DIR [--seed 1]

Each sample is a one-page administrative document in the layout of NĐ 30/2020 Appendix I (the
issuing body and its number on the left, the national name and the place and date on the right,
the title and subject, the body, the recipients and the signature block), set by WeasyPrint with
the project's fonts as `vanban.reports.pdf` prints, with urgency marks, red secrecy stamps, a red
round seal over a signature scribble on some; rasterised by PDFium at 150-300 dpi, then degraded
as a scanner and a tired original degrade it: grey paper, gaussian noise, blur, a skew of up to 3
degrees, JPEG artefacts. Saved as PNG, JPEG, TIFF or PDF (`NNNN.<ext>`) beside `NNNN.json`
holding the true fields (as the registration form takes them), the body text and the page text.
The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FORMATS = ("png", "jpeg", "tiff", "pdf")


@dataclass(frozen=True)
class Issuer:
    lines: tuple[tuple[str, bool], ...]  # heading lines top-down, (text, bold)
    name: str  # the directory's name of the body
    code: str
    symbol: str
    place: str
    in_system: bool
    head: str  # "CHỦ TỊCH", "GIÁM ĐỐC", "BỘ TRƯỞNG"...
    collective: str = ""  # "ỦY BAN NHÂN DÂN" for TM. signatures
    departments: tuple[str, ...] = ("VP",)


BT = "Ủy ban nhân dân tỉnh Bến Tre"
ISSUERS = (
    Issuer(
        (("ỦY BAN NHÂN DÂN", True), ("TỈNH BẾN TRE", True)),
        BT,
        "000.00.00.H07",
        "UBND",
        "Bến Tre",
        True,
        "CHỦ TỊCH",
        "ỦY BAN NHÂN DÂN",
        ("VP", "KT", "VX", "NC", "TH"),
    ),
    *(
        Issuer(
            (("UBND TỈNH BẾN TRE", False), (name.upper(), True)),
            f"{name} – {BT}",
            f"000.00.{number:02d}.H07",
            symbol,
            "Bến Tre",
            True,
            "GIÁM ĐỐC",
            departments=("VP", "TCCB", "KHTC"),
        )
        for name, symbol, number in (
            ("Sở Tài chính", "STC", 2),
            ("Sở Kế hoạch và Đầu tư", "SKHĐT", 3),
            ("Sở Tư pháp", "STP", 4),
            ("Sở Nội vụ", "SNV", 5),
            ("Sở Công Thương", "SCT", 6),
            ("Sở Xây dựng", "SXD", 9),
            ("Sở Giáo dục và Đào tạo", "SGDĐT", 12),
            ("Sở Y tế", "SYT", 13),
        )
    ),
    Issuer(
        (
            ("UBND TỈNH BẾN TRE", False),
            ("VĂN PHÒNG", True),
        ),
        f"Văn phòng Ủy ban nhân dân tỉnh – {BT}",
        "000.00.01.H07",
        "VP",
        "Bến Tre",
        True,
        "CHÁNH VĂN PHÒNG",
        departments=("HCTC", "KT", "TH"),
    ),
    *(
        Issuer(
            (("ỦY BAN NHÂN DÂN", True), (f"{kind} {place}".upper(), True)),
            f"Ủy ban nhân dân {kind.lower()} {place} – {BT}",
            f"000.00.{number}.H07",
            "UBND",
            place,
            True,
            "CHỦ TỊCH",
            "ỦY BAN NHÂN DÂN",
            ("VP", "TCKH", "NV"),
        )
        for kind, place, number in (
            ("Huyện", "Châu Thành", 21),
            ("Huyện", "Giồng Trôm", 23),
            ("Huyện", "Mỏ Cày Nam", 25),
            ("Thành phố", "Bến Tre", 29),
        )
    ),
    # Agencies outside the deployment, with their codes (for the directory of partner codes).
    Issuer(
        (("BỘ NỘI VỤ", True),),
        "Bộ Nội vụ",
        "000.00.00.G12",
        "BNV",
        "Hà Nội",
        False,
        "BỘ TRƯỞNG",
        departments=("VTLTNN", "TCBC"),
    ),
    Issuer(
        (("BỘ TÀI CHÍNH", True),),
        "Bộ Tài chính",
        "000.00.00.G09",
        "BTC",
        "Hà Nội",
        False,
        "BỘ TRƯỞNG",
        departments=("NSNN", "QLCS"),
    ),
    Issuer(
        (("UBND TỈNH VĨNH LONG", False), ("SỞ TÀI CHÍNH", True)),
        "Sở Tài chính tỉnh Vĩnh Long",
        "000.00.02.H62",
        "STC",
        "Vĩnh Long",
        False,
        "GIÁM ĐỐC",
        departments=("VP", "QLNS"),
    ),
    Issuer(
        (("ỦY BAN NHÂN DÂN", True), ("TỈNH TRÀ VINH", True)),
        "Ủy ban nhân dân tỉnh Trà Vinh",
        "000.00.00.H60",
        "UBND",
        "Trà Vinh",
        False,
        "CHỦ TỊCH",
        "ỦY BAN NHÂN DÂN",
        ("KT", "VX"),
    ),
    Issuer(
        (("BẢO HIỂM XÃ HỘI VIỆT NAM", False), ("BẢO HIỂM XÃ HỘI TỈNH BẾN TRE", True)),
        "Bảo hiểm xã hội tỉnh Bến Tre",
        "000.00.00.G27",
        "BHXH",
        "Bến Tre",
        False,
        "GIÁM ĐỐC",
        departments=("TST", "QLT"),
    ),
    Issuer(
        (("BỘ TÀI CHÍNH", False), ("KHO BẠC NHÀ NƯỚC", True)),
        "Kho bạc Nhà nước",
        "000.00.00.G30",
        "KBNN",
        "Hà Nội",
        False,
        "GIÁM ĐỐC",
        departments=("KSC", "VP"),
    ),
)

# (type name as the register names it, abbreviation, title printed, subject lead words)
TYPES = (
    ("Công văn", "", "", ""),
    ("Quyết định", "QĐ", "QUYẾT ĐỊNH", "Về việc "),
    ("Kế hoạch", "KH", "KẾ HOẠCH", ""),
    ("Báo cáo", "BC", "BÁO CÁO", ""),
    ("Thông báo", "TB", "THÔNG BÁO", ""),
    ("Giấy mời", "GM", "GIẤY MỜI", ""),
    ("Tờ trình", "TTr", "TỜ TRÌNH", "Về việc "),
)
TYPE_WEIGHTS = (30, 18, 12, 12, 10, 10, 8)

ACTIONS = (
    "triển khai",
    "tăng cường",
    "tổ chức thực hiện",
    "phê duyệt",
    "hướng dẫn thực hiện",
    "đôn đốc thực hiện",
    "góp ý dự thảo",
    "kiểm tra công tác",
    "rà soát, đánh giá",
)
TOPICS = (
    "công tác văn thư, lưu trữ năm {year}",
    "chuyển đổi số trong cơ quan nhà nước giai đoạn {year}-2030",
    "phòng, chống hạn hán, xâm nhập mặn mùa khô {year}",
    "quyết toán ngân sách nhà nước năm {prev}",
    "cải cách hành chính và nâng cao chỉ số hài lòng của người dân",
    "tiêm chủng mở rộng cho trẻ em dưới 5 tuổi",
    "xây dựng nông thôn mới nâng cao trên địa bàn tỉnh",
    "thu hồi đất để thực hiện dự án nâng cấp đường tỉnh 883",
    "bồi dưỡng nghiệp vụ cho công chức cấp xã",
    "phòng cháy, chữa cháy và cứu nạn, cứu hộ dịp Tết Nguyên đán",
    "kiểm kê, đánh giá lại tài sản công tại các cơ quan, đơn vị",
    "tuyển sinh vào lớp 10 trung học phổ thông năm học {year}-{next}",
    "hỗ trợ trồng sầu riêng và chuyển đổi cơ cấu cây trồng",
    "nạo vét kênh thủy lợi nội đồng phục vụ sản xuất",
)
SENTENCES = (
    "Thực hiện chỉ đạo của cấp trên về {topic}, đề nghị các cơ quan, đơn vị khẩn trương triển "
    "khai thực hiện các nội dung sau đây.",
    "Các cơ quan, đơn vị chủ động rà soát, tổng hợp số liệu và báo cáo kết quả thực hiện trước "
    "ngày {due}.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời về {unit} "
    "để được hướng dẫn, giải quyết.",
    "Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm tổ chức quán triệt, phổ biến nội dung này "
    "đến toàn thể cán bộ, công chức, viên chức và người lao động.",
    "Giao {unit} theo dõi, kiểm tra, đôn đốc việc thực hiện và tổng hợp, báo cáo cấp có thẩm "
    "quyền theo quy định.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước năm {year} theo phân cấp hiện hành "
    "và các nguồn vốn hợp pháp khác.",
    "Kết quả năm {prev} cho thấy {percent} phần trăm chỉ tiêu đã hoàn thành, tuy nhiên vẫn còn một "
    "số hạn chế cần khắc phục trong thời gian tới.",
    "Đề nghị các đồng chí bố trí thời gian tham dự đầy đủ, đúng thành phần và chuẩn bị ý kiến "
    "tham luận gửi về trước ngày {due}.",
)
GIVEN = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Hoàng", "Thanh", "Ngọc", "Quốc", "Hữu", "Đức", "Thu")
LAST = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Nam",
        "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vinh", "Yến")  # fmt: skip
RECIPIENTS = (
    "Như trên;",
    "Thường trực Tỉnh ủy;",
    "Chủ tịch, các PCT UBND tỉnh;",
    "Các sở, ban, ngành tỉnh;",
    "UBND các huyện, thành phố;",
    "Lưu: VT.",
)
DEPUTY = {"BỘ TRƯỞNG": "THỨ TRƯỞNG"}
# The positions as the register writes them (exchange.selectors.signer_title).
POSITION_CASE = {
    "CHỦ TỊCH": "Chủ tịch",
    "PHÓ CHỦ TỊCH": "Phó Chủ tịch",
    "GIÁM ĐỐC": "Giám đốc",
    "PHÓ GIÁM ĐỐC": "Phó Giám đốc",
    "BỘ TRƯỞNG": "Bộ trưởng",
    "THỨ TRƯỞNG": "Thứ trưởng",
    "CHÁNH VĂN PHÒNG": "Chánh Văn phòng",
    "PHÓ CHÁNH VĂN PHÒNG": "Phó Chánh Văn phòng",
}
URGENCY = (("", 0), ("KHẨN", 1), ("THƯỢNG KHẨN", 2), ("HỎA TỐC", 3))


def _fill(template: str, rng: random.Random, year: int, topic: str, unit: str) -> str:
    due = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    return template.format(
        topic=topic,
        year=year,
        prev=year - 1,
        next=year + 1,
        due=f"{due:%d/%m/%Y}",
        unit=unit,
        percent=rng.randint(60, 98),
    )


def sample_truth(rng: random.Random) -> dict[str, Any]:
    """The facts of one document, drawn at random: what the page says and what the form takes."""
    issuer = rng.choice(ISSUERS)
    type_name, abbreviation, title, lead = rng.choices(TYPES, TYPE_WEIGHTS)[0]
    year = rng.choice((2024, 2025, 2026))
    issued = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    number = rng.randint(1, 2400) if rng.random() < 0.8 else rng.randint(1, 9)
    if abbreviation:
        notation = f"{abbreviation}-{issuer.symbol}"
        if type_name == "Quyết định" and rng.random() < 0.2:
            notation = f"{year}/{notation}"  # legal normative: the year in the number
    else:
        notation = f"{issuer.symbol}-{rng.choice(issuer.departments)}"
    topic = rng.choice(TOPICS).format(year=year, prev=year - 1, next=year + 1)
    action = rng.choice(ACTIONS)
    if type_name == "Giấy mời":
        subject = f"Dự hội nghị {action} {topic}"
    elif type_name == "Báo cáo":
        subject = f"Kết quả {action} {topic}"
    else:
        subject = f"{lead}{action} {topic}"
        subject = subject[0].upper() + subject[1:]
    signer_name = f"{rng.choice(GIVEN)} {rng.choice(MIDDLE)} {rng.choice(LAST)}"
    form = rng.random()
    head = issuer.head
    deputy = DEPUTY.get(head, "PHÓ " + head)
    if form < 0.4:
        position_lines = [f"KT. {head}", deputy]
    elif form < 0.6 and issuer.collective:
        position_lines = [f"TM. {issuer.collective}", head]
    else:
        position_lines = [head]
    urgency_mark, urgency = URGENCY[0]
    if rng.random() < 0.25:
        urgency_mark, urgency = rng.choice(URGENCY[1:])
    secrecy = ""
    if rng.random() < 0.15:
        secrecy = rng.choice(("MẬT", "MẬT", "TỐI MẬT"))
    unit_name = issuer.lines[-1][0].title().replace("Ubnd", "UBND")
    paragraphs = [
        _fill(sentence, rng, year, topic, unit_name)
        for sentence in rng.sample(SENTENCES, rng.randint(3, 5))
    ]
    return {
        "issuer": issuer,
        "type_name": type_name,
        "title": title,
        "number": f"{number:02d}",
        "notation": notation,
        "issued": issued,
        "subject": subject,
        "signer_name": signer_name,
        "position_lines": position_lines,
        "urgency_mark": urgency_mark,
        "urgency": urgency,
        "secrecy": secrecy,
        "paragraphs": paragraphs,
        "with_seal": rng.random() < 0.8,
        "recipient_to": rng.choice(
            ("Các sở, ban, ngành tỉnh", "UBND các huyện, thành phố", "Các đơn vị trực thuộc")
        ),
    }


def _seal_svg(rng: random.Random, words: str) -> str:
    # A round red seal: two rings, a star, the body's name across; rotated a little and set a
    # little off the signature, as a real seal lands.
    angle = rng.uniform(-25, 25)
    star = " ".join(
        f"{50 + (14 if k % 2 == 0 else 6) * math.sin(math.pi * k / 5):.1f},"
        f"{50 - (14 if k % 2 == 0 else 6) * math.cos(math.pi * k / 5):.1f}"
        for k in range(10)
    )
    return (
        f'<svg class="seal" style="top: {rng.uniform(-16, 0):.0f}pt" viewBox="0 0 100 100" '
        'width="110" height="110">'
        f'<g transform="rotate({angle:.1f} 50 50)" fill="none" stroke="#d01818" opacity="0.8">'
        '<circle cx="50" cy="50" r="47" stroke-width="3"/>'
        '<circle cx="50" cy="50" r="33" stroke-width="1.5"/>'
        f'<polygon points="{star}" fill="#d01818" stroke="none"/>'
        f'<text x="50" y="80" font-size="7" text-anchor="middle" fill="#d01818" stroke="none">'
        f"{html.escape(words)}</text></g></svg>"
    )


def _scribble_svg(rng: random.Random) -> str:
    points = [(10, 40)]
    x = 10.0
    while x < 170:
        x += rng.uniform(8, 22)
        points.append((x, rng.uniform(8, 55)))
    path = "M " + " ".join(
        f"Q {px - 6:.0f},{rng.uniform(0, 60):.0f} {px:.0f},{py:.0f}" for px, py in points[1:]
    )
    return (
        '<svg class="scribble" viewBox="0 0 180 60" width="170" height="55">'
        f'<path d="M 10,40 {path[2:]}" fill="none" stroke="#1a2a80" stroke-width="2.2"/></svg>'
    )


CSS = """
body { margin: 0; line-height: 1.3; }
p { margin: 0 0 6pt; text-align: justify; text-indent: 1cm; }
table.heading { width: 100%; border-collapse: collapse; margin-bottom: 10pt; }
table.heading td { vertical-align: top; text-align: center; padding: 0; border: 0; }
td.agency { width: 43%; font-size: 11.5pt; }
td.nation { width: 57%; font-size: 11.5pt; white-space: nowrap; }
.rule { width: 35%; margin: 2pt auto 0; border-top: 0.75pt solid #000; }
.bold { font-weight: bold; }
.underlined { display: inline-block; border-bottom: 0.75pt solid #000; padding-bottom: 1pt; }
.motto { font-size: 12.5pt; font-weight: bold; }
.document-number { margin-top: 6pt; font-size: 12.5pt; }
.about { font-size: 11.5pt; margin-top: 3pt; }
.date-line { margin-top: 10pt; font-size: 13pt; font-style: italic; }
.mark { display: inline-block; margin-top: 8pt; padding: 2pt 8pt; font-weight: bold;
  font-size: 14pt; border: 1.5pt solid #000; }
.secret { color: #d01818; border-color: #d01818; }
h1.title { text-align: center; font-size: 14pt; font-weight: bold; margin: 10pt 0 2pt; }
.subtitle { text-align: center; font-weight: bold; margin: 0 12% 8pt; }
.recipient { text-align: center; margin: 6pt 0 10pt; }
table.signature { width: 100%; border-collapse: collapse; margin-top: 10pt; }
table.signature td { vertical-align: top; padding: 0; border: 0; }
td.recipients { width: 45%; font-size: 9.5pt; }
td.recipients .label { font-weight: bold; font-style: italic; font-size: 11pt; }
td.signer { width: 55%; text-align: center; }
td.signer .position { font-weight: bold; }
td.signer .space { height: 75pt; position: relative; }
svg.seal { position: absolute; left: 18%; }
svg.scribble { position: absolute; left: 32%; top: 14pt; }
td.signer .name { font-weight: bold; }
"""


def page_html(truth: dict[str, Any], rng: random.Random) -> str:
    from vanban.reports.pdf import document_date_line

    issuer: Issuer = truth["issuer"]
    e = html.escape
    heading = "".join(
        f'<div class="{"bold" if bold else ""}">{e(text)}</div>' for text, bold in issuer.lines
    )
    about = ""
    if not truth["title"]:
        about = (
            f'<div class="about">V/v {e(truth["subject"][0].lower() + truth["subject"][1:])}</div>'
        )
    marks = ""
    if truth["urgency_mark"]:
        marks += f'<div><span class="mark">{e(truth["urgency_mark"])}</span></div>'
    if truth["secrecy"]:
        marks += f'<div><span class="mark secret">{e(truth["secrecy"])}</span></div>'
    date_line = document_date_line(place=issuer.place, day=truth["issued"])
    if truth["title"]:
        title = f'<h1 class="title">{e(truth["title"])}</h1>'
        title += f'<div class="subtitle">{e(truth["subject"])}</div>'
        if truth["type_name"] == "Tờ trình":
            title += f'<div class="recipient">Kính gửi: {e(truth["recipient_to"])}</div>'
    else:
        title = f'<div class="recipient">Kính gửi: {e(truth["recipient_to"])}</div>'
    body = "".join(f"<p>{e(paragraph)}</p>" for paragraph in truth["paragraphs"])
    recipients = "".join(f"<div>- {e(line)}</div>" for line in RECIPIENTS)
    positions = "".join(
        f'<div class="position">{e(line)}</div>' for line in truth["position_lines"]
    )
    space = _scribble_svg(rng)
    if truth["with_seal"]:
        space = _seal_svg(rng, issuer.lines[-1][0]) + space
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>{CSS}</style>
</head><body>
<table class="heading"><tr>
<td class="agency">{heading}<div class="rule"></div>
<div class="document-number">Số: {e(truth["number"])}/{e(truth["notation"])}</div>
{about}{marks}</td>
<td class="nation"><div class="bold">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
<div class="motto"><span class="underlined">Độc lập - Tự do - Hạnh phúc</span></div>
<div class="date-line">{e(date_line)}</div></td></tr></table>
{title}{body}
<table class="signature"><tr>
<td class="recipients"><div class="label">Nơi nhận:</div>{recipients}</td>
<td class="signer">{positions}<div class="space">{space}</div>
<div class="name">{e(truth["signer_name"])}</div></td></tr></table>
</body></html>"""


def render(page: str) -> bytes:
    """The page as PDF, set as `vanban.reports.pdf.render_pdf` sets a printed document: the
    project's fonts, A4 and the margins of NĐ 30/2020 Appendix I."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from vanban.reports.pdf import _base_css, _FontsOnlyFetcher

    fetcher = _FontsOnlyFetcher(fail_on_errors=True)
    fonts = FontConfiguration()
    base = weasyprint.CSS(string=_base_css(), font_config=fonts, url_fetcher=fetcher)
    pdf: bytes = weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf(
        stylesheets=[base], font_config=fonts
    )
    return pdf


def rasterise(pdf: bytes, dpi: int) -> Any:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def noise_image(size: tuple[int, int], sigma: float, seed: str) -> Any:
    """Gaussian grain (mean 128) drawn from `seed`: a 256-pixel tile of seeded values, laid with
    a random flip or turn on each square so that no pattern shows (Pillow's own noise is not
    seeded)."""
    from PIL import Image

    rng = random.Random(seed)
    side = 256
    values = bytes(max(0, min(255, round(rng.gauss(128, sigma)))) for _ in range(side * side))
    tile = Image.frombytes("L", (side, side), values)
    turns = (None, Image.FLIP_LEFT_RIGHT, Image.FLIP_TOP_BOTTOM, Image.ROTATE_90, Image.ROTATE_180)
    noise = Image.new("L", size)
    for top in range(0, size[1], side):
        for left in range(0, size[0], side):
            turn = rng.choice(turns)
            noise.paste(tile if turn is None else tile.transpose(turn), (left, top))
    return noise


def degrade(image: Any, rng: random.Random, dpi: int, seed: str = "") -> tuple[Any, dict[str, Any]]:
    """A scanner's and a copier's faults, drawn at random; returns the image and what was done."""
    from PIL import Image, ImageChops, ImageFilter

    applied: dict[str, Any] = {}
    grey = rng.uniform(0.82, 1.0)
    if grey < 0.99:
        image = image.point(lambda v: int(v * grey + 8 * (1 - grey)))
        applied["paper"] = round(grey, 2)
    blur = rng.choice((0.0, 0.0, 0.4, 0.7, 1.0)) * dpi / 300
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
        applied["blur"] = round(blur, 2)
    angle = rng.uniform(-3, 3) if rng.random() < 0.7 else 0.0
    if angle:
        background = tuple(int(255 * grey) for _ in range(3))
        image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=background)
        applied["skew"] = round(angle, 2)
    sigma = rng.choice((0, 6, 10, 16))
    if sigma:
        noise = noise_image(image.size, sigma, f"{seed}:noise")
        image = Image.merge("RGB", [ImageChops.add(band, noise, 1, -128) for band in image.split()])
        applied["noise"] = sigma
    quality = rng.choice((None, None, 35, 55, 75))
    if quality:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        applied["jpeg_quality"] = quality
    if rng.random() < 0.3:
        image = image.convert("L")
        applied["greyscale"] = True
    return image, applied


def save(image: Any, file_format: str, dpi: int) -> bytes:
    buffer = io.BytesIO()
    if file_format == "jpeg":
        image.save(buffer, "JPEG", quality=85, dpi=(dpi, dpi))
    elif file_format == "tiff":
        image.save(buffer, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    elif file_format == "pdf":
        fixed = time.gmtime(1767225600)  # 2026-01-01: the same bytes on every run
        image.convert("RGB").save(buffer, "PDF", resolution=dpi, creationDate=fixed, modDate=fixed)
    else:
        image.save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def page_text(truth: dict[str, Any]) -> str:
    """The words of the page in reading order (left block before right block)."""
    from vanban.reports.pdf import document_date_line

    issuer: Issuer = truth["issuer"]
    lines = [text for text, _bold in issuer.lines]
    lines.append(f"Số: {truth['number']}/{truth['notation']}")
    if not truth["title"]:
        lines.append("V/v " + truth["subject"][0].lower() + truth["subject"][1:])
    lines += [mark for mark in (truth["urgency_mark"], truth["secrecy"]) if mark]
    lines += ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    lines.append(document_date_line(place=issuer.place, day=truth["issued"]))
    if truth["title"]:
        lines += [truth["title"], truth["subject"]]
    if not truth["title"] or truth["type_name"] == "Tờ trình":
        lines.append(f"Kính gửi: {truth['recipient_to']}")
    lines += truth["paragraphs"]
    lines += ["Nơi nhận:", *(f"- {line}" for line in RECIPIENTS)]
    lines += [*truth["position_lines"], truth["signer_name"]]
    return "\n".join(lines)


def signer_title(lines: list[str]) -> str:
    """ "KT. CHỦ TỊCH, Phó Chủ tịch", "TM. ỦY BAN NHÂN DÂN, Chủ tịch", "Giám đốc"."""
    if len(lines) == 1:
        return POSITION_CASE[lines[0]]
    return f"{lines[0]}, {POSITION_CASE[lines[1]]}"


def truth_fields(truth: dict[str, Any]) -> dict[str, str]:
    """The registration form's fields as a clerk fills them from this page."""
    issuer: Issuer = truth["issuer"]
    return {
        "issuer": issuer.name,
        "issuer_code": issuer.code,
        "issuer_in_system": "1" if issuer.in_system else "",
        "code_number": truth["number"],
        "code_notation": truth["notation"],
        "issued_date": f"{truth['issued']:%d/%m/%Y}",
        "document_type": truth["type_name"],
        "subject": truth["subject"],
        "signer_position": signer_title(truth["position_lines"]),
        "signer_name": truth["signer_name"],
        "urgency": str(truth["urgency"]),
        "place": issuer.place,
    }


def directory_entries() -> list[dict[str, Any]]:
    """The issuers as `exchange.directory.agency_directory` lists them (in-system units have a
    unit id, numbered here in order)."""
    return [
        {"name": issuer.name, "code": issuer.code, "unit_id": index if issuer.in_system else None}
        for index, issuer in enumerate(ISSUERS, start=1)
    ]


def make_sample(seed: int, index: int) -> tuple[bytes, str, dict[str, Any]]:
    """One sample: (file bytes, format, truth). Depends only on (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    truth = sample_truth(rng)
    dpi = rng.choice((150, 200, 200, 300, 300))
    file_format = rng.choice(FORMATS)
    image = rasterise(render(page_html(truth, rng)), dpi)
    image, applied = degrade(image, rng, dpi, f"{seed}:{index}")
    data = save(image, file_format, dpi)
    record = {
        "index": index,
        "file_format": file_format,
        "dpi": dpi,
        "degradations": applied,
        "fields": truth_fields(truth),
        "secrecy": truth["secrecy"],
        "body": "\n".join(truth["paragraphs"]),
        "text": page_text(truth),
    }
    return data, file_format, record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first index (to extend a corpus)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    os.environ.setdefault("VANBAN_DATA_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("VANBAN_PLAIN_STATIC", "1")
    import django

    django.setup()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "directory.json").write_text(
        json.dumps(directory_entries(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for index in range(args.start, args.start + args.count):
        data, file_format, record = make_sample(args.seed, index)
        extension = (
            "jpg" if file_format == "jpeg" else ("tif" if file_format == "tiff" else file_format)
        )
        (args.out / f"{index:04d}.{extension}").write_bytes(data)
        record["file"] = f"{index:04d}.{extension}"
        (args.out / f"{index:04d}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    print(f"{args.count} mẫu trong {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
