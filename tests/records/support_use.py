"""Test data of the search and use of dossiers: a retention schedule, an approved dossier list,
dossiers built through the ORM (the dossier services are another part's), and documents
registered by the clerk with real PDF files, so that their search text holds the files' words."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import NOW
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.audit.services import audit_record
from vanban.documents.models import Document
from vanban.documents.services import incoming_register
from vanban.records.models import (
    Dossier,
    DossierItem,
    DossierList,
    DossierListEntry,
    DossierListHeading,
    DossierShare,
    DossierStatus,
    ItemKind,
    ListStatus,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)
from vanban.records.search import ACTION_VIEWED, dossier_search_text


@dataclass
class Use:
    province: Province
    clerk: User  # văn thư of Sở TT&TT: reads every dossier of the unit
    head: User  # Giám đốc of Sở TT&TT
    handler: User  # the handler of the dossiers
    other_staff: User  # a staff member of the same unit, not the handler
    archivist: User
    outsider: User  # a clerk of Sở Nội vụ
    item_10: RetentionItem
    item_permanent: RetentionItem
    entry: DossierListEntry
    dossier_list: DossierList


def build_use(province: Province) -> Use:
    unit = province.stttt
    schedule = RetentionSchedule.objects.create(
        name="Bảng thời hạn bảo quản tài liệu chung",
        legal_basis="Thông tư 10/2022/TT-BNV",
        in_force_from=dt.date(2023, 1, 1),
        created_at=NOW,
    )
    group = RetentionGroup.objects.create(schedule=schedule, number="I", title="Tài liệu tổng hợp")
    item_10 = RetentionItem.objects.create(
        group=group, number="5", title="Hồ sơ hội nghị", kind=RetentionKind.YEARS, years=10
    )
    item_permanent = RetentionItem.objects.create(
        group=group, number="1", title="Hồ sơ xây dựng quy chế", kind=RetentionKind.PERMANENT
    )
    handler = make_user(unit, "Nguyễn Thị Hồng Nhung", (Role.STAFF,), position="Chuyên viên")
    dossier_list = DossierList.objects.create(
        unit=unit,
        year=2026,
        status=ListStatus.APPROVED,
        approved_by=province.leader_stttt,
        approver_name=province.leader_stttt.full_name,
        approved_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    heading = DossierListHeading.objects.create(
        dossier_list=dossier_list, title="Tổ chức cán bộ", abbreviation="TCCB", order=1
    )
    entry = DossierListEntry.objects.create(
        heading=heading,
        number=1,
        title="Hồ sơ xây dựng quy chế quản lý văn bản điện tử",
        retention_item=item_permanent,
        person_in_charge=handler,
    )
    return Use(
        province=province,
        clerk=make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,)),
        head=province.leader_stttt,
        handler=handler,
        other_staff=province.staff_stttt,
        archivist=make_user(unit, "Phan Văn Lưu", (Role.ARCHIVIST,)),
        outsider=make_user(province.snv, "Đinh Văn Thư", (Role.CLERK,)),
        item_10=item_10,
        item_permanent=item_permanent,
        entry=entry,
        dossier_list=dossier_list,
    )


def make_dossier(
    use: Use,
    notation: str,
    title: str,
    *,
    year: int = 2026,
    item: RetentionItem | None = None,
    ad_hoc: bool = False,
    status: str = DossierStatus.OPEN,
    handler: User | None = None,
    opened_at: dt.datetime = NOW,
    description: str = "",
) -> Dossier:
    item = item or use.item_10
    dossier = Dossier(
        unit=use.province.stttt,
        entry=None if ad_hoc else use.entry,
        ad_hoc=ad_hoc,
        year=year,
        notation=notation,
        title=title,
        retention_item=item,
        maintenance=item.maintenance,
        creator=(handler or use.handler).full_name[:30],
        description=description,
        handler=handler or use.handler,
        status=status,
        opened_at=opened_at,
        closed_at=None if status == DossierStatus.OPEN else opened_at + dt.timedelta(days=30),
        updated_at=opened_at,
    )
    dossier.save()
    dossier.search_text = dossier_search_text(dossier)
    dossier.save(update_fields=["search_text"])
    return dossier


_numbers = iter(range(100, 10_000))


def register(
    use: Use,
    *,
    subject: str,
    issued: dt.date,
    text: str = "",
    main: SimpleUploadedFile | None = None,
) -> Document:
    """An incoming document registered by the clerk with a real PDF main file."""
    number = str(next(_numbers))
    lines = (text,) if text else ("Nội dung văn bản",)
    main = main or upload(f"{number}.pdf", pdf_bytes(*lines), "application/pdf")
    return incoming_register(
        actor=use.clerk,
        unit=use.province.stttt,
        data=incoming_input(code_number=number, subject=subject, issued_date=issued),
        refusals=DECLARED,
        main_file=main,
    )


def docx_main(name: str = "bao-cao.docx") -> SimpleUploadedFile:
    return upload(
        name,
        docx_bytes("Báo cáo tổng kết"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def add_item(dossier: Dossier, document: Document, *, by: User) -> DossierItem:
    ordinal = DossierItem.objects.filter(dossier=dossier).count() + 1
    return DossierItem.objects.create(
        dossier=dossier,
        ordinal=ordinal,
        kind=ItemKind.DOCUMENT,
        document=document,
        added_by=by,
        added_at=NOW,
    )


def share(dossier: Dossier, user: User, *, by: User) -> None:
    DossierShare.objects.create(dossier=dossier, user=user, granted_by=by, granted_at=NOW)


def viewed(dossier: Dossier, by: User, times: int = 1) -> None:
    """Views of the dossier as its page writes them to the audit trail."""
    for _ in range(times):
        audit_record(actor=by, action=ACTION_VIEWED, unit=dossier.unit, target=dossier)
