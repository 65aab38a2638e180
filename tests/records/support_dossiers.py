"""The dossier tests' people and data: the Sở Thông tin và Truyền thông with a handler, its
leader (the head), its clerk (the office), a person a dossier is given to, a colleague, its
archive, and a staff member of the Sở Nội vụ; a retention schedule; the approved dossier list
of 2026. Everything happens on 25/11/2026, Vietnam time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.support import drafting
from tests.support.documents import DECLARED, build_office, doc_type, incoming_input
from tests.support.files import pdf_upload
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.documents.services import DocumentInput
from vanban.drafting import services as drafting_services
from vanban.drafting.models import DraftVersion
from vanban.records import dossiers as services
from vanban.records.models import (
    Dossier,
    DossierItem,
    DossierList,
    DossierListEntry,
    DossierListHeading,
    DossierShare,
    ListStatus,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)
from vanban.workflow import services as workflow_services
from vanban.workflow.models import Assignment, ProgressFile

TODAY = dt.date(2026, 11, 25)


@dataclass
class Records:
    province: Province
    handler: User
    leader: User  # the head of the Sở
    clerk: User  # its office
    shared: User  # given dossiers to read
    colleague: User  # staff of the Sở, not involved
    archivist: User
    other: User  # staff of the Sở Nội vụ
    ten_years: RetentionItem
    five_years: RetentionItem
    two_years: RetentionItem
    permanent: RetentionItem
    retired: RetentionItem
    dossier_list: DossierList
    entry: DossierListEntry  # 01.TCCB, in charge: handler
    free_entry: DossierListEntry  # 02.TCCB, nobody in charge


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


def _items() -> tuple[RetentionItem, ...]:
    schedule = RetentionSchedule.objects.create(
        name="Bảng thời hạn bảo quản tài liệu chung",
        legal_basis="Thông tư số 10/2022/TT-BNV",
        in_force_from=dt.date(2023, 1, 1),
        created_at=clock.now(),
    )
    group = RetentionGroup.objects.create(
        schedule=schedule, number="2", title="Tài liệu tổ chức, cán bộ", order=2
    )

    def item(number: str, title: str, kind: str, years: int | None, **kw) -> RetentionItem:
        return RetentionItem.objects.create(
            group=group, number=number, title=title, kind=kind, years=years, order=int(number), **kw
        )

    return (
        item("10", "Hồ sơ tuyển dụng công chức", RetentionKind.YEARS, 10),
        item("11", "Hồ sơ hội nghị chuyên đề", RetentionKind.YEARS, 5),
        item("12", "Văn bản gửi để biết", RetentionKind.YEARS, 2),
        item("13", "Đề án, quy hoạch phát triển ngành", RetentionKind.PERMANENT, None),
        item("14", "Loại đã bỏ", RetentionKind.YEARS, 3, is_active=False),
    )


@pytest.fixture(name="rec")
def rec_fixture(province) -> Records:
    office = build_office(province)
    handler = make_user(province.stttt, "Nguyễn Văn Lập", position="Chuyên viên")
    ten, five, two, permanent, retired = _items()
    now = clock.now()
    the_list = DossierList.objects.create(
        unit=province.stttt,
        year=2026,
        status=ListStatus.APPROVED,
        approved_by=province.leader_stttt,
        approved_at=now,
        created_at=now,
        updated_at=now,
    )
    heading = DossierListHeading.objects.create(
        dossier_list=the_list, title="Tổ chức, cán bộ", abbreviation="TCCB", order=1
    )
    entry = DossierListEntry.objects.create(
        heading=heading,
        number=1,
        title="Hồ sơ tuyển dụng công chức năm 2026",
        retention_item=ten,
        person_in_charge=handler,
    )
    free_entry = DossierListEntry.objects.create(
        heading=heading, number=2, title="Hồ sơ hội nghị cán bộ năm 2026", retention_item=five
    )
    return Records(
        province=province,
        handler=handler,
        leader=province.leader_stttt,
        clerk=office.clerk,
        shared=make_user(province.stttt, "Phạm Thị Đọc"),
        colleague=make_user(province.stttt, "Lê Văn Khác"),
        archivist=make_user(province.stttt, "Trần Thị Lưu", (Role.ARCHIVIST,)),
        other=province.staff_snv,
        ten_years=ten,
        five_years=five,
        two_years=two,
        permanent=permanent,
        retired=retired,
        dossier_list=the_list,
        entry=entry,
        free_entry=free_entry,
    )


def open_dossier(rec: Records, **fields) -> Dossier:
    return services.dossier_open_from_entry(
        actor=rec.handler, entry=rec.entry, fields=services.DossierFields(**fields)
    )


def incoming(rec: Records, *, share: bool = True, **overrides) -> Document:
    """An incoming document registered by the clerk and given to the handler for reading."""
    document = document_services.incoming_register(
        actor=rec.clerk,
        unit=rec.province.stttt,
        data=incoming_input(**overrides),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    if share:
        document_services.document_share(actor=rec.clerk, document=document, user=rec.handler)
    return document


def outgoing(rec: Records, **overrides) -> Document:
    values = {
        "document_type": doc_type("Công văn"),
        "subject": "Về việc trả lời đề nghị tuyển dụng",
        "recipients": "Sở Nội vụ",
        "signer_name": "Phạm Minh Đức",
        "issued_date": TODAY,
    }
    values.update(overrides)
    document = document_services.outgoing_register(
        actor=rec.clerk,
        unit=rec.province.stttt,
        data=DocumentInput(**values),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    document_services.document_share(actor=rec.clerk, document=document, user=rec.handler)
    return document


def draft_version(rec: Records) -> DraftVersion:
    """The first version of a draft the handler writes (never issued)."""
    draft = drafting_services.draft_create(
        actor=rec.handler,
        issuing_unit=rec.province.stttt,
        data=drafting.draft_input(),
        signer=rec.leader,
        refusals=DECLARED,
        content_file=drafting.pdf(),
        recipient_units=[rec.province.snv],
        external_recipients=[],
    )
    return DraftVersion.objects.get(draft=draft, number=1)


def processed(
    rec: Records, *, finish: bool = True, reply: str = ""
) -> tuple[Document, ProgressFile]:
    """An incoming document presented to the head, directed to the handler, who reports a
    result file and (with `finish`) completes the work, citing `reply` as the reply's number."""
    document = incoming(rec, share=False, code_number="27", due_date=dt.date(2026, 12, 10))
    workflow_services.processing_present(actor=rec.clerk, document=document, leader=rec.leader)
    workflow_services.processing_direct(
        actor=rec.leader,
        document=document,
        direction="Giao đồng chí Lập tham mưu trả lời.",
        lead_user=rec.handler,
        deadline=dt.date(2026, 12, 5),
    )
    lead = Assignment.objects.get(document=document, assignee_user=rec.handler)
    workflow_services.assignment_progress(
        actor=rec.handler,
        assignment=lead,
        text="Đã dự thảo báo cáo kết quả.",
        result_files=[pdf_upload("ket-qua.pdf")],
    )
    if finish:
        workflow_services.assignment_complete(
            actor=rec.handler, assignment=lead, result="Đã trả lời.", reply_reference=reply
        )
    return document, ProgressFile.objects.get(entry__processing__document=document)


def add(rec: Records, dossier: Dossier, target, actor: User | None = None) -> DossierItem:
    kind = {
        Document: "document",
        DraftVersion: "draft_version",
        ProgressFile: "progress_file",
    }[type(target)]
    return services.dossier_item_add(
        actor=actor or rec.handler, dossier=dossier, kind=kind, pk=target.pk
    )


def ordinals(dossier: Dossier) -> list[tuple[int, int | None]]:
    return list(
        DossierItem.objects.filter(dossier=dossier)
        .order_by("ordinal")
        .values_list("ordinal", "document_id")
    )


def state() -> dict:
    """What a refused dossier action must not change."""
    return {
        "dossiers": list(Dossier.objects.order_by("pk").values()),
        "items": list(DossierItem.objects.order_by("pk").values()),
        "shares": list(DossierShare.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }
