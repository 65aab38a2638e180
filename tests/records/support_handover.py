"""The people, the retention periods and the closed dossiers of the hand-over tests.

Everything happens on Wednesday 25/11/2026, Vietnam time (the drafting tests' clock). Dossiers
are written straight through the ORM, as the dossier services would leave them once closed."""

import datetime as dt
from dataclasses import dataclass
from itertools import count

from tests.support.drafting import NOW
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification
from vanban.records import handover, rules
from vanban.records.models import (
    Dossier,
    DossierStatus,
    Fonds,
    HandOver,
    HandOverItem,
    KeepBack,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)

TODAY = dt.date(2026, 11, 25)
_numbers = count(1)


@dataclass
class Archive:
    province: Province
    handler: User  # lập hồ sơ, Sở TT&TT (staff)
    handler2: User  # another handler of Sở TT&TT
    clerk: User  # văn thư, Sở TT&TT
    leader: User  # Giám đốc, Sở TT&TT: the head
    archivist: User  # lưu trữ cơ quan, Sở TT&TT
    archivist_snv: User  # lưu trữ cơ quan, Sở Nội vụ
    clerk_snv: User
    ten_years: RetentionItem
    permanent: RetentionItem
    two_years: RetentionItem
    fonds: Fonds


def build_archive(province: Province) -> Archive:
    schedule = RetentionSchedule.objects.create(
        name="Bảng thời hạn bảo quản hồ sơ, tài liệu (TT 10/2022/TT-BNV)",
        legal_basis="Thông tư 10/2022/TT-BNV",
        in_force_from=dt.date(2023, 1, 1),
        created_at=NOW,
    )
    group = RetentionGroup.objects.create(
        schedule=schedule, number="1", title="Tài liệu tổng hợp", order=1
    )
    ten = RetentionItem.objects.create(
        group=group, number="1", title="Kế hoạch, báo cáo năm", kind=RetentionKind.YEARS, years=10
    )
    permanent = RetentionItem.objects.create(
        group=group, number="2", title="Đề án, chương trình", kind=RetentionKind.PERMANENT
    )
    two = RetentionItem.objects.create(
        group=group, number="3", title="Công văn trao đổi", kind=RetentionKind.YEARS, years=2
    )
    fonds = Fonds.objects.create(
        unit=province.stttt,
        name="Sở Thông tin và Truyền thông tỉnh Bến Tre",
        code="STTTT",
        opened_on=dt.date(2008, 4, 1),
    )
    return Archive(
        province=province,
        handler=province.staff_stttt,
        handler2=make_user(province.stttt, "Trương Văn Nam", (Role.STAFF,)),
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,), position="Văn thư"),
        leader=province.leader_stttt,
        archivist=make_user(
            province.stttt, "Mai Thị Lưu", (Role.ARCHIVIST,), position="Lưu trữ viên"
        ),
        archivist_snv=make_user(province.snv, "Đỗ Văn Kho", (Role.ARCHIVIST,)),
        clerk_snv=make_user(province.snv, "Đặng Văn Bình", (Role.CLERK,)),
        ten_years=ten,
        permanent=permanent,
        two_years=two,
        fonds=fonds,
    )


def closed_dossier(
    archive: Archive,
    *,
    title: str = "Kế hoạch chuyển đổi số năm 2025",
    handler: User | None = None,
    item: RetentionItem | None = None,
    work_ended_on: dt.date = dt.date(2025, 12, 10),
    unit=None,
    status: str = DossierStatus.CLOSED,
) -> Dossier:
    """A closed dossier as the dossier services leave it: due one year after the work ended."""
    item = item or archive.ten_years
    number = next(_numbers)
    dossier = Dossier.objects.create(
        unit=unit or archive.province.stttt,
        year=work_ended_on.year,
        notation=f"{number:02d}.VP",
        title=title,
        retention_item=item,
        maintenance=item.maintenance,
        handler=handler or archive.handler,
        status=status,
        opened_at=NOW - dt.timedelta(days=400),
        closed_at=NOW - dt.timedelta(days=300) if status != DossierStatus.OPEN else None,
        work_ended_on=work_ended_on,
        handover_due_on=rules.handover_due(item, work_ended_on, construction=False),
        updated_at=NOW,
    )
    return dossier


def due_soon(archive: Archive, **changes) -> Dossier:
    """Due on 10/12/2026: within the 30 days' notice."""
    return closed_dossier(archive, **changes)


def overdue(archive: Archive, **changes) -> Dossier:
    """Due on 05/11/2026: twenty days late."""
    changes.setdefault("title", "Báo cáo tổng kết năm 2025")
    return closed_dossier(archive, work_ended_on=dt.date(2025, 11, 5), **changes)


def far(archive: Archive, **changes) -> Dossier:
    """Due on 20/06/2027: not yet in the due list."""
    changes.setdefault("title", "Đề án phát triển hạ tầng số")
    return closed_dossier(archive, work_ended_on=dt.date(2026, 6, 20), **changes)


def submitted(archive: Archive, *dossiers: Dossier) -> HandOver:
    hand_over = handover.handover_create(
        actor=archive.clerk, unit=archive.province.stttt, dossier_ids=[d.pk for d in dossiers]
    )
    return handover.handover_submit(actor=archive.clerk, hand_over=hand_over)


def accepted(archive: Archive, *dossiers: Dossier) -> HandOver:
    return handover.handover_accept(
        actor=archive.archivist, hand_over=submitted(archive, *dossiers)
    )


def state() -> dict:
    """What a refused action must not change."""
    return {
        "dossiers": list(Dossier.objects.order_by("pk").values()),
        "fonds": list(Fonds.objects.order_by("pk").values()),
        "hand_overs": list(HandOver.objects.order_by("pk").values()),
        "items": list(HandOverItem.objects.order_by("pk").values()),
        "keep_backs": list(KeepBack.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def notices(title_start: str = "") -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(title__startswith=title_start).values_list(
            "recipient__full_name", "title"
        )
    )
