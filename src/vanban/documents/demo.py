"""Demo documents for the demo province: a few weeks of a Sở's incoming and outgoing registers.

Everything goes through the registering services (numbers, symbols, files, search text, audit),
at times spread over the last weeks with the project clock, so the demo looks like real use.
"""

import datetime as dt
import random
from dataclasses import dataclass

import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from vanban.accounts.models import User
from vanban.core import clock

from . import services
from .models import Document, DocumentType, Urgency

CLERK = "trangvtt.stttt"
STAFF = "phuongnt.stttt"
SEED = 2020

INCOMING = [
    (
        "Quyết định",
        "QĐ-UBND",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        "Trần Ngọc Tam",
        "Chủ tịch",
        "Quyết định về việc ban hành Quy chế quản lý, sử dụng phần mềm quản lý văn bản "
        "và điều hành trên địa bàn tỉnh",
    ),
    (
        "Công văn",
        "UBND-VP",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        "Nguyễn Minh Cảnh",
        "Phó Chủ tịch",
        "V/v triển khai chữ ký số trong gửi, nhận văn bản điện tử",
    ),
    (
        "Kế hoạch",
        "KH-UBND",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        "Trần Ngọc Tam",
        "Chủ tịch",
        "Kế hoạch chuyển đổi số tỉnh Bến Tre năm 2027",
    ),
    (
        "Công văn",
        "BTTTT-CĐSQG",
        "Bộ Thông tin và Truyền thông",
        "000.00.00.G12",
        "Nguyễn Phú Tiến",
        "Cục trưởng",
        "V/v hướng dẫn kết nối trục liên thông văn bản quốc gia",
    ),
    (
        "Thông báo",
        "TB-SNV",
        "Sở Nội vụ",
        "000.00.02.H07",
        "Lê Văn Bảy",
        "Giám đốc",
        "Thông báo lịch kiểm tra công tác văn thư, lưu trữ năm 2026",
    ),
    (
        "Giấy mời",
        "GM-UBND",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        "Nguyễn Minh Cảnh",
        "Phó Chủ tịch",
        "Giấy mời dự Hội nghị sơ kết công tác cải cách hành chính",
    ),
    (
        "Báo cáo",
        "BC-STC",
        "Sở Tài chính",
        "000.00.05.H07",
        "Phan Văn Hùng",
        "Giám đốc",
        "Báo cáo tình hình thực hiện dự toán ngân sách 10 tháng",
    ),
    (
        "Công văn",
        "SYT-NVY",
        "Sở Y tế",
        "000.00.16.H07",
        "Võ Thị Ngọc Hà",
        "Phó Giám đốc",
        "V/v phối hợp cung cấp dữ liệu cho hệ thống thông tin y tế",
    ),
    (
        "Chỉ thị",
        "CT-UBND",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        "Trần Ngọc Tam",
        "Chủ tịch",
        "Chỉ thị về tăng cường bảo đảm an toàn thông tin mạng",
    ),
    (
        "Công văn",
        "UBND-KT",
        "Ủy ban nhân dân huyện Châu Thành",
        "000.21.00.H07",
        "Huỳnh Văn Sang",
        "Chủ tịch",
        "V/v đề nghị hỗ trợ kết nối mạng cho các xã",
    ),
    (
        "Tờ trình",
        "TTr-SKHĐT",
        "Sở Kế hoạch và Đầu tư",
        "000.00.04.H07",
        "Đặng Thanh Long",
        "Giám đốc",
        "Tờ trình thẩm định dự án Trung tâm dữ liệu tỉnh",
    ),
    (
        "Hướng dẫn",
        "HD-SNV",
        "Sở Nội vụ",
        "000.00.02.H07",
        "Lê Văn Bảy",
        "Giám đốc",
        "Hướng dẫn lập hồ sơ điện tử và nộp lưu vào lưu trữ cơ quan",
    ),
]

OUTGOING = [
    (
        "Công văn",
        "VP",
        "V/v cung cấp thông tin tài khoản phần mềm quản lý văn bản",
        "Các sở, ban, ngành tỉnh; UBND các huyện, thành phố",
    ),
    (
        "Quyết định",
        "",
        "Quyết định về việc cấp tài khoản thư điện tử công vụ",
        "Các phòng thuộc Sở",
    ),
    ("Báo cáo", "", "Báo cáo tình hình ứng dụng công nghệ thông tin quý IV", "UBND tỉnh"),
    (
        "Kế hoạch",
        "",
        "Kế hoạch đào tạo kỹ năng số cho cán bộ, công chức",
        "Các sở, ban, ngành tỉnh",
    ),
    (
        "Công văn",
        "CNTT",
        "V/v rà soát danh mục văn bản điện tử gửi nhận liên thông",
        "UBND các huyện, thành phố",
    ),
    (
        "Giấy mời",
        "",
        "Giấy mời họp triển khai nền tảng tích hợp, chia sẻ dữ liệu",
        "Các đơn vị có tên tại danh sách kèm theo",
    ),
]


@dataclass
class DemoDocumentsResult:
    incoming: int
    outgoing: int


def _pdf(title: str, lines: list[str]) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in lines)
    return weasyprint.HTML(
        string=f"<html><body style='font-family: DejaVu Serif'><h3>{title}</h3>{body}</body></html>"
    ).write_pdf()


def demo_documents_load(*, days: int = 40) -> DemoDocumentsResult:
    """Register the demo documents of Sở Thông tin và Truyền thông, if its clerk exists."""
    clerk = User.objects.filter(username=CLERK).select_related("unit").first()
    if clerk is None or Document.objects.exists():
        return DemoDocumentsResult(incoming=0, outgoing=0)
    staff = User.objects.filter(username=STAFF).first()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    types = {t.name: t for t in DocumentType.objects.all()}
    declared = services.Refusals(sensitive_declared=True)
    now = clock.now()
    start = now - dt.timedelta(days=days)
    steps = len(INCOMING) + len(OUTGOING)
    moments = sorted(
        start + dt.timedelta(minutes=rng.randint(0, days * 24 * 60 - 60)) for _ in range(steps)
    )
    incoming = outgoing = 0
    with transaction.atomic():
        for i, at in enumerate(moments):
            at = min(at, now)
            with clock.frozen(at):
                if (i % 3 != 2 and incoming < len(INCOMING)) or outgoing >= len(OUTGOING):
                    name, notation, issuer, code, signer, position, subject = INCOMING[incoming]
                    number = str(rng.randint(12, 980))
                    issued = timezone.localdate(at) - dt.timedelta(days=rng.randint(0, 3))
                    pdf = _pdf(issuer.upper(), [f"Số: {number}/{notation}", subject, signer])
                    document = services.incoming_register(
                        actor=clerk,
                        unit=clerk.unit,
                        refusals=declared,
                        data=services.DocumentInput(
                            document_type=types[name],
                            code_number=number,
                            code_notation=notation,
                            issued_date=issued,
                            issuer_name=issuer,
                            issuer_code=code,
                            signer_name=signer,
                            signer_position=position,
                            subject=subject,
                            urgency=rng.choice([0, 0, 0, 1, 2, 3]),
                            is_electronic=True,
                        ),
                        main_file=SimpleUploadedFile(f"{number}-{notation}.pdf", pdf),
                    )
                    if staff is not None and incoming % 2 == 0:
                        services.document_share(actor=clerk, document=document, user=staff)
                    incoming += 1
                else:
                    name, drafting, subject, recipients = OUTGOING[outgoing]
                    pdf = _pdf(clerk.unit.name.upper(), [subject, recipients])
                    services.outgoing_register(
                        actor=clerk,
                        unit=clerk.unit,
                        refusals=declared,
                        data=services.DocumentInput(
                            document_type=types[name],
                            subject=subject,
                            recipients=recipients,
                            drafting_symbol=drafting,
                            signer_name="Phạm Minh Đức",
                            signer_position="Giám đốc",
                            urgency=Urgency.NORMAL,
                            archive_holder="Văn thư; phòng soạn thảo",
                            issued_amount=2,
                        ),
                        main_file=SimpleUploadedFile(f"di-{outgoing + 1}.pdf", pdf),
                    )
                    outgoing += 1
    return DemoDocumentsResult(incoming=incoming, outgoing=outgoing)
