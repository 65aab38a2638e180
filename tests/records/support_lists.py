"""The people, clock and helpers of the dossier-list and retention tests: everything happens on
25/11/2026 in Sở Thông tin và Truyền thông of the shared province."""

from dataclasses import dataclass

from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification
from vanban.records import lists
from vanban.records.models import (
    DossierList,
    DossierListEntry,
    DossierListHeading,
    RetentionItem,
    RetentionKind,
)

YEAR = 2026


@dataclass
class Office:
    province: Province
    clerk: User  # văn thư of Sở TT&TT: the office
    head: User  # Giám đốc of Sở TT&TT: the head
    staff: User
    clerk_snv: User


def make_office(province: Province) -> Office:
    province.leader_stttt.position = "Giám đốc"
    province.leader_stttt.save(update_fields=["position"])
    return Office(
        province=province,
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,), position="Văn thư"),
        head=province.leader_stttt,
        staff=province.staff_stttt,
        clerk_snv=make_user(province.snv, "Đặng Văn Bình", (Role.CLERK,)),
    )


def item(title_start: str) -> RetentionItem:
    """An item of the seeded schedule by the start of its title."""
    return RetentionItem.objects.get(title__startswith=title_start)


def permanent() -> RetentionItem:
    return item("Sổ đăng ký văn bản đi")


def ten_years() -> RetentionItem:
    found = RetentionItem.objects.filter(kind=RetentionKind.YEARS, years=10).order_by("pk").first()
    assert found is not None
    return found


def draft_list(office: Office, year: int = YEAR) -> DossierList:
    return lists.list_create(actor=office.clerk, unit=office.province.stttt, year=year)


def add_heading(
    office: Office, dossier_list: DossierList, title: str = "Tổ chức, cán bộ", abbr: str = "TCCB"
) -> DossierListHeading:
    return lists.heading_add(
        actor=office.clerk,
        dossier_list=dossier_list,
        data=lists.HeadingInput(title=title, abbreviation=abbr),
    )


def add_entry(
    office: Office, heading: DossierListHeading, title: str = "Hồ sơ bổ nhiệm cán bộ", **changes
) -> DossierListEntry:
    data = {"title": title, "retention_item": permanent(), **changes}
    return lists.entry_add(actor=office.clerk, heading=heading, data=lists.EntryInput(**data))


def filled_list(office: Office, year: int = YEAR) -> DossierList:
    """A draft with two headings and three entries."""
    found = draft_list(office, year)
    vp = add_heading(office, found, "Văn phòng", "VP")
    add_entry(office, vp, "Sổ đăng ký văn bản đi năm 2026", person_in_charge=office.clerk)
    add_entry(office, vp, "Công văn trao đổi về công tác chung", retention_item=ten_years())
    tccb = add_heading(office, found)
    add_entry(office, tccb, "Hồ sơ bổ nhiệm Phó Giám đốc Sở")
    return found


def approved_list(office: Office, year: int = YEAR) -> DossierList:
    found = filled_list(office, year)
    lists.list_submit(actor=office.clerk, dossier_list=found)
    return lists.list_approve(actor=office.head, dossier_list=found)


def list_state() -> dict:
    """What a refused action must not change."""
    return {
        "lists": list(DossierList.objects.order_by("pk").values()),
        "headings": list(DossierListHeading.objects.order_by("pk").values()),
        "entries": list(DossierListEntry.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
