"""`/api/v1/records`: search and read dossiers and the yearly dossier list (R19; Appendix VI
"Search and use"). Read-only.

As the web pages: a dossier is read by its unit's leaders and clerks, its handler, the people it
is given to and, once handed over, the agency's archive (`records.rules`); a dossier the caller
may not read is "not found" (404). Reading a dossier's detail is written to its access history.
Each endpoint only parses the request and calls `vanban.records` selectors.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core.api import ERRORS, Id, PageQuery, choice, text
from vanban.core.errors import ServiceError
from vanban.core.forms import MAX_YEAR, MIN_YEAR
from vanban.core.http import client_ip
from vanban.records import exports, search
from vanban.records.models import Dossier, DossierList, DossierStatus, ListStatus

router = Router(tags=["Hồ sơ"])
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description="Năm của danh mục")]


# ---------------------------------------------------------------- schemas


class DossierSearchQuery(PageQuery):
    q: text(200) = Field(
        "",
        description="Từ cần tìm, không phân biệt dấu và chữ hoa; mọi từ đều phải có trong các "
        "trường của hồ sơ hoặc trong một văn bản của hồ sơ (kể cả nội dung tệp)",
    )
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Năm hình thành hồ sơ")
    status: choice(DossierStatus.values, blank=True) = Field(
        "", description="Trạng thái: open, closed, submitted, archived; để trống là mọi trạng thái"
    )
    ad_hoc: bool | None = Field(None, description="true: chỉ hồ sơ phát sinh; false: theo danh mục")
    handler: Id | None = Field(None, description="Mã số người lập hồ sơ")
    unit: Id | None = Field(None, description="Mã số cơ quan")
    sort: choice(search.DossierSort.values, blank=True) = Field(
        "", description="Sắp xếp: newest, oldest, year, title, accesses"
    )


class DossierListItem(Schema):
    id: int
    file_code: str = Field(description="Mã hồ sơ (FileCode)")
    unit_id: int
    year: int
    notation: str
    title: str
    maintenance: str
    rights: str
    status: str
    ad_hoc: bool
    handler_id: int
    handler_name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    item_count: int = Field(description="Số văn bản trong hồ sơ")
    access_count: int = Field(description="Số lượt xem hồ sơ")


class Totals(Schema):
    dossiers: int
    documents: int
    accesses: int


class DossierSearchPage(Schema):
    count: int = Field(description="Tổng số hồ sơ khớp điều kiện")
    totals: Totals = Field(description="Số hồ sơ, văn bản và lượt khai thác của kết quả")
    has_next: bool
    page: int
    page_size: int
    items: list[DossierListItem]


class DossierItemOut(Schema):
    ordinal: int = Field(description="Số thứ tự trong hồ sơ (DocOrdinal)")
    kind: str = Field(description="document, draft_version hoặc progress_file")
    document_id: int | None
    draft_version_id: int | None
    progress_file_id: int | None
    type_name: str
    code_number: str
    code_notation: str
    date: dt.date | None = Field(description="Ngày văn bản (hoặc ngày tải lên)")
    organ_name: str
    subject: str
    page_amount: int | None
    has_pdf: bool = Field(description="Có tệp PDF ghép vào bản PDF toàn văn hồ sơ")


class DossierDetailOut(DossierListItem):
    organ_id: str
    creator: str
    language: str
    description: str
    start_date: dt.date | None
    end_date: dt.date | None
    entry_id: int | None
    items: list[DossierItemOut] = Field(description="Văn bản theo thứ tự thời gian")


class ListEntryOut(Schema):
    id: int
    code: str = Field(description="Số và ký hiệu hồ sơ, ví dụ 01.TCCB")
    number: int
    title: str
    maintenance: str
    person_in_charge_id: int | None
    person_in_charge_name: str
    note: str


class ListHeadingOut(Schema):
    id: int
    order: int
    title: str
    abbreviation: str
    subunit_id: int | None
    entries: list[ListEntryOut]


class DossierListOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    year: int
    status: str
    status_label: str
    approved_at: dt.datetime | None
    approver_name: str
    headings: list[ListHeadingOut]


# ---------------------------------------------------------------- conversions


def _row(dossier: Dossier) -> dict[str, Any]:
    return {
        "id": dossier.pk,
        "file_code": dossier.file_code,
        "unit_id": dossier.unit_id,
        "year": dossier.year,
        "notation": dossier.notation,
        "title": dossier.title,
        "maintenance": dossier.maintenance,
        "rights": dossier.rights,
        "status": dossier.status,
        "ad_hoc": dossier.ad_hoc,
        "handler_id": dossier.handler_id,
        "handler_name": dossier.handler.full_name,
        "opened_at": dossier.opened_at,
        "closed_at": dossier.closed_at,
        "item_count": getattr(dossier, "item_count", 0),
        "access_count": getattr(dossier, "access_count", 0),
    }


def _list_out(dossier_list: DossierList) -> dict[str, Any]:
    headings = []
    for heading in dossier_list.headings.all():
        entries = [
            {
                "id": entry.pk,
                "code": f"{entry.number:02d}.{heading.abbreviation}",
                "number": entry.number,
                "title": entry.title,
                "maintenance": entry.retention_item.maintenance,
                "person_in_charge_id": entry.person_in_charge_id,
                "person_in_charge_name": (
                    entry.person_in_charge.full_name if entry.person_in_charge else ""
                ),
                "note": entry.note,
            }
            for entry in heading.entries.all()
        ]
        headings.append(
            {
                "id": heading.pk,
                "order": heading.order,
                "title": heading.title,
                "abbreviation": heading.abbreviation,
                "subunit_id": heading.subunit_id,
                "entries": entries,
            }
        )
    return {
        "id": dossier_list.pk,
        "unit_id": dossier_list.unit_id,
        "unit_name": dossier_list.unit.name,
        "year": dossier_list.year,
        "status": dossier_list.status,
        "status_label": ListStatus(dossier_list.status).label,
        "approved_at": dossier_list.approved_at,
        "approver_name": dossier_list.approver_name,
        "headings": headings,
    }


# ---------------------------------------------------------------- endpoints


@router.get(
    "/dossiers",
    response={200: DossierSearchPage, **ERRORS},
    operation_id="dossier_search",
    summary="Tìm kiếm hồ sơ được xem",
)
def dossier_search(request: HttpRequest, params: Query[DossierSearchQuery]) -> dict[str, Any]:
    """Hồ sơ người gọi được xem, khớp từ khóa và điều kiện; kèm số hồ sơ, văn bản và lượt
    khai thác của kết quả."""
    user = request_user(request)
    handler = None
    if params.handler is not None:
        handler = User.objects.filter(pk=params.handler).first()
        if handler is None:
            raise ServiceError("Không tìm thấy người lập hồ sơ.", field="handler")
    filters = search.DossierFilters(
        query=params.q,
        year=params.year,
        status=params.status,
        ad_hoc=params.ad_hoc,
        handler=handler,
        unit_id=params.unit,
        sort=params.sort or search.DossierSort.NEWEST,
    )
    page = search.result_page(
        search.dossier_search(user=user, filters=filters),
        page=params.page,
        page_size=params.page_size,
    )
    return {
        "count": page.totals.dossiers,
        "totals": {
            "dossiers": page.totals.dossiers,
            "documents": page.totals.documents,
            "accesses": page.totals.accesses,
        },
        "has_next": page.has_next,
        "page": page.number,
        "page_size": page.page_size,
        "items": [_row(d) for d in page.rows],
    }


@router.get(
    "/dossiers/{dossier_id}",
    response={200: DossierDetailOut, **ERRORS},
    operation_id="dossier_detail",
    summary="Thông tin một hồ sơ và các văn bản trong hồ sơ",
)
def dossier_detail(request: HttpRequest, dossier_id: Id) -> dict[str, Any]:
    """Các trường của hồ sơ (Phụ lục VI) và văn bản theo thứ tự thời gian. Mỗi lần đọc được
    ghi vào lịch sử khai thác hồ sơ."""
    user = request_user(request)
    dossier = exports.readable_dossier(user=user, pk=dossier_id)
    parts = exports.dossier_parts(dossier)
    days = [p.day for p in parts if p.day is not None]
    accesses = search.access_history(dossier).filter(action=search.ACTION_VIEWED).count()
    search.record_view(actor=user, dossier=dossier, via="api", ip=client_ip(request))
    return {
        **_row(dossier),
        "item_count": len(parts),
        "access_count": accesses,
        "organ_id": dossier.unit.agency_code,
        "creator": dossier.creator,
        "language": dossier.language,
        "description": dossier.description,
        "start_date": min(days) if days else None,
        "end_date": max(days) if days else None,
        "entry_id": dossier.entry_id,
        "items": [
            {
                "ordinal": p.item.ordinal,
                "kind": p.item.kind,
                "document_id": p.item.document_id,
                "draft_version_id": p.item.draft_version_id,
                "progress_file_id": p.item.progress_file_id,
                "type_name": p.type_name,
                "code_number": p.code_number,
                "code_notation": p.code_notation,
                "date": p.day,
                "organ_name": p.organ_name,
                "subject": p.subject,
                "page_amount": p.page_amount,
                "has_pdf": p.pdf is not None,
            }
            for p in parts
        ],
    }


@router.get(
    "/lists/{unit_id}/{year}",
    response={200: DossierListOut, **ERRORS},
    operation_id="dossier_list_of_year",
    summary="Danh mục hồ sơ của cơ quan trong một năm",
)
def dossier_list(
    request: HttpRequest,
    unit_id: Id,
    year: Year,
) -> dict[str, Any]:
    """Đề mục và hồ sơ dự kiến của danh mục. Danh mục đã phê duyệt: mọi người trong cơ quan
    được xem; danh mục đang soạn, chờ duyệt: văn thư, thủ trưởng và lưu trữ cơ quan."""
    dossier_list = search.dossier_list_for(user=request_user(request), unit_id=unit_id, year=year)
    return _list_out(dossier_list)
