"""The demo province's dossier lists: every agency of the first two levels with a clerk and a
leader gets this year's list, drafted by its clerk and approved by its leader through the same
services people use, and its unit administrator is made the agency's archive (docs/records.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from vanban.accounts.models import AccountStatus, Role, RoleAssignment, Unit, User
from vanban.accounts.services import account_set_roles

from . import lists, retention
from .models import DossierList, RetentionItem

# (heading title, abbreviation, [(entry title, retention item title in the seeded schedule)])
HEADINGS = (
    (
        "Văn phòng",
        "VP",
        (
            ("Kế hoạch, báo cáo công tác năm {year} của cơ quan", "Kế hoạch, báo cáo công tác năm"),
            ("Sổ đăng ký văn bản đi năm {year}", "Sổ đăng ký văn bản đi"),
            ("Sổ đăng ký văn bản đến năm {year}", "Sổ đăng ký văn bản đến"),
            (
                "Tập lưu quyết định, quy chế, quy định của cơ quan năm {year}",
                "Tập lưu văn bản đi: quyết định, chỉ thị, quy chế",
            ),
        ),
    ),
    (
        "Tổ chức, cán bộ",
        "TCCB",
        (
            (
                "Hồ sơ bổ nhiệm, bổ nhiệm lại công chức lãnh đạo năm {year}",
                "Hồ sơ bổ nhiệm, bổ nhiệm lại",
            ),
            ("Hồ sơ nâng bậc lương năm {year}", "Hồ sơ nâng bậc lương"),
        ),
    ),
    (
        "Kế hoạch, tài chính",
        "KHTC",
        (
            ("Báo cáo quyết toán ngân sách năm {year}", "Báo cáo tài chính, quyết toán"),
            ("Chứng từ kế toán năm {year}", "Sổ kế toán chi tiết, chứng từ kế toán"),
        ),
    ),
)


MAX_LEVEL = 2


@dataclass
class DemoRecordsResult:
    lists: int = 0
    entries: int = 0
    archivists: int = 0


def _first_active(unit: Unit, role: str) -> User | None:
    return (
        User.objects.filter(
            unit=unit,
            status=AccountStatus.ACTIVE,
            role_assignments__unit=unit,
            role_assignments__role=role,
        )
        .order_by("pk")
        .first()
    )


def _item(starts: str) -> RetentionItem | None:
    return retention.active_items().filter(title__startswith=starts).first()


def demo_records_load() -> DemoRecordsResult:
    """This year's approved dossier list for every agency of the demo that has a clerk and a
    leader and no list yet; the first unit administrator of each such agency also gets the
    archive role. Nothing is done without the seeded retention schedule."""
    result = DemoRecordsResult()
    items = {starts: _item(starts) for _h, _a, entries in HEADINGS for _t, starts in entries}
    if retention.current_schedule() is None or any(i is None for i in items.values()):
        return result
    year = lists.this_year()
    with transaction.atomic():
        # The province's people's committee, its departments and the districts' committees.
        for unit in Unit.objects.filter(is_active=True, level__lte=MAX_LEVEL).order_by(
            "level", "pk"
        ):
            clerk = _first_active(unit, Role.CLERK)
            head = _first_active(unit, Role.LEADER)
            if clerk is None or head is None:
                continue
            if DossierList.objects.filter(unit=unit, year=year).exists():
                continue
            created = lists.list_create(actor=clerk, unit=unit, year=year)
            for title, abbreviation, entries in HEADINGS:
                heading = lists.heading_add(
                    actor=clerk,
                    dossier_list=created,
                    data=lists.HeadingInput(title=title, abbreviation=abbreviation),
                )
                for entry_title, starts in entries:
                    lists.entry_add(
                        actor=clerk,
                        heading=heading,
                        data=lists.EntryInput(
                            title=entry_title.format(year=year),
                            retention_item=items[starts],
                            person_in_charge=clerk if abbreviation == "VP" else None,
                        ),
                    )
                    result.entries += 1
            lists.list_submit(actor=clerk, dossier_list=created)
            lists.list_approve(actor=head, dossier_list=created)
            result.lists += 1
            admin = _first_active(unit, Role.UNIT_ADMIN)
            if (
                admin is not None
                and not RoleAssignment.objects.filter(unit=unit, role=Role.ARCHIVIST).exists()
            ):
                roles = set(admin.role_assignments.filter(unit=unit).values_list("role", flat=True))
                account_set_roles(actor=admin, user=admin, roles=roles | {Role.ARCHIVIST})
                result.archivists += 1
    return result
