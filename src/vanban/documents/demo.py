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

from vanban.accounts.models import Role, User
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


# The provinces merged on 1 July 2025 (NQ 202/2025/QH15): each unit of Vĩnh Long (H61) and Trà
# Vinh (H59) up to the sở issues one document in June 2025, before the merge; the units of Trà
# Vinh end on 30/06/2025 and their documents stay theirs (CV 414/BNV-VTLTNN).
MERGING_OUTGOING = {
    "000.00.00.H61": ("Kế hoạch", "Kế hoạch sắp xếp tổ chức bộ máy khi hợp nhất tỉnh"),
    "000.00.01.H61": ("Công văn", "V/v chuẩn bị trụ sở làm việc của các cơ quan sau hợp nhất"),
    "000.00.14.H61": ("Báo cáo", "Báo cáo hiện trạng hệ thống quản lý văn bản và điều hành"),
    "000.00.21.H61": ("Công văn", "V/v bàn giao hồ sơ, tài liệu trước khi kết thúc cấp huyện"),
    "000.00.00.H59": ("Tờ trình", "Tờ trình phương án sắp xếp đơn vị hành chính cấp xã"),
    "000.00.01.H59": ("Công văn", "V/v kiểm kê tài liệu lưu trữ trước khi hợp nhất tỉnh"),
    "000.00.02.H59": ("Báo cáo", "Báo cáo quyết toán ngân sách 6 tháng đầu năm 2025"),
}
MERGING_DAY = dt.date(2025, 6, 20)


@dataclass
class DemoDocumentsResult:
    incoming: int
    outgoing: int
    merging: int = 0  # issued by the units of the provinces merged on 1 July 2025


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
        merging = _merging_documents_load(types, declared)
    return DemoDocumentsResult(incoming=incoming, outgoing=outgoing, merging=merging)


def _merging_documents_load(types: dict[str, DocumentType], declared: services.Refusals) -> int:
    """One outgoing document of each unit of the merged provinces that has a clerk, registered
    by that clerk on a working morning of June 2025 (before the merge of 1 July 2025)."""
    clerks = {
        user.unit.agency_code: user
        for user in User.objects.filter(
            unit__agency_code__in=MERGING_OUTGOING, role_assignments__role=Role.CLERK
        ).select_related("unit")
    }
    leaders = {
        user.unit_id: user
        for user in User.objects.filter(
            unit__agency_code__in=MERGING_OUTGOING, role_assignments__role=Role.LEADER
        )
    }
    done = 0
    for offset, (code, (name, subject)) in enumerate(MERGING_OUTGOING.items()):
        clerk = clerks.get(code)
        if clerk is None:
            continue
        leader = leaders.get(clerk.unit_id)
        at = timezone.make_aware(
            dt.datetime.combine(MERGING_DAY + dt.timedelta(days=offset % 5), dt.time(9, offset))
        )
        with clock.frozen(at):
            services.outgoing_register(
                actor=clerk,
                unit=clerk.unit,
                refusals=declared,
                data=services.DocumentInput(
                    document_type=types[name],
                    subject=subject,
                    recipients="Các cơ quan, đơn vị có liên quan",
                    signer_name=leader.full_name if leader else "",
                    signer_position=leader.position if leader else "",
                    urgency=Urgency.NORMAL,
                    archive_holder="Văn thư",
                    issued_amount=1,
                ),
                main_file=SimpleUploadedFile(
                    f"{code}.pdf", _pdf(clerk.unit.name.upper(), [subject])
                ),
            )
        done += 1
    return done
