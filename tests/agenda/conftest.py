"""The calendar tests' people and clock: everything happens on Wednesday 25/11/2026, Vietnam
time, in ISO week 48 of 2026 (Monday 23/11 to Sunday 29/11)."""

from dataclasses import dataclass

import pytest

from tests.support import drafting
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.agenda import services
from vanban.agenda.models import AgendaEntry, AgendaWeek
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification

YEAR, WEEK = 2026, 48


@dataclass
class Office:
    province: Province
    clerk: User  # văn thư of Sở TT&TT
    leader: User  # Giám đốc of Sở TT&TT
    deputy: User  # Phó Giám đốc of Sở TT&TT
    staff: User
    clerk_snv: User


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


@pytest.fixture
def agenda_office(province) -> Office:
    return Office(
        province=province,
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,), position="Văn thư"),
        leader=province.leader_stttt,
        deputy=make_user(province.stttt, "Lâm Quốc Hùng", (Role.LEADER,), position="Phó Giám đốc"),
        staff=province.staff_stttt,
        clerk_snv=make_user(province.snv, "Đặng Văn Bình", (Role.CLERK,)),
    )


def entry_input(**changes) -> services.EntryInput:
    data = {
        "day": "23/11/2026",
        "start": "08:00",
        "end": "10:00",
        "content": "Họp giao ban lãnh đạo Sở",
        "place": "Phòng họp số 1",
        "attendees": "Trưởng các phòng",
        "preparer": "Văn phòng Sở",
    }
    data.update(changes)
    return services.EntryInput(**data)


def add(office: Office, **changes) -> AgendaEntry:
    return services.entry_add(
        actor=office.clerk,
        unit=office.province.stttt,
        iso_year=YEAR,
        iso_week=WEEK,
        data=entry_input(**changes),
    )


def publish(office: Office, week: AgendaWeek) -> AgendaWeek:
    services.week_submit(actor=office.clerk, week=week)
    return services.week_approve(actor=office.leader, week=week)


def agenda_state() -> dict:
    """What a refused calendar action must not change."""
    return {
        "weeks": list(AgendaWeek.objects.order_by("pk").values()),
        "entries": list(AgendaEntry.objects.order_by("pk").values()),
        "leaders": sorted(
            AgendaEntry.leaders.through.objects.values_list("agendaentry_id", "user_id")
        ),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
