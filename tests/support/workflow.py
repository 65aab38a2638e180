"""Workflow test data: a Sở with two departments (phòng), their leaders and staff, and helpers
that take a registered incoming document along the processing path through the services."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.support.documents import DECLARED, Office, incoming_input
from tests.support.files import pdf_upload
from tests.support.province import Province, make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role, Unit, User
from vanban.core import clock
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.workflow import services
from vanban.workflow.models import Assignment, Processing

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
TODAY = NOW.date()
DIRECTION = "Giao Phòng Kế hoạch – Tài chính chủ trì tham mưu, báo cáo trước ngày 02/12/2026."


@dataclass
class Work:
    office: Office
    province: Province
    so: Unit
    plan: Unit
    tech: Unit
    clerk: User
    director: User
    deputy: User
    plan_head: User
    plan_staff: User
    plan_staff2: User
    tech_head: User
    tech_staff: User
    reader: User
    outsider: User
    other_staff: User
    other_clerk: User


@contextmanager
def fixed_clock() -> Iterator[None]:
    """Every workflow test runs at NOW unless it moves the clock itself."""
    with clock.frozen(NOW):
        yield


def build_work(office: Office) -> Work:
    province = office.province
    plan = account_services.unit_create(
        actor=None,
        name="Phòng Kế hoạch – Tài chính",
        symbol="KHTC",
        abbreviation="khtcstttt",
        agency_code="001.00.12.H07",
        parent=province.stttt,
    )
    tech = account_services.unit_create(
        actor=None,
        name="Phòng Công nghệ thông tin",
        symbol="CNTT",
        abbreviation="cnttstttt",
        agency_code="002.00.12.H07",
        parent=province.stttt,
    )
    return Work(
        office=office,
        province=province,
        so=province.stttt,
        plan=plan,
        tech=tech,
        clerk=office.clerk,
        director=office.leader,
        deputy=make_user(province.stttt, "Lê Văn Phó"),
        plan_head=make_user(plan, "Trần Thị Kế Hoạch", (Role.LEADER,)),
        plan_staff=make_user(plan, "Ngô Minh Chủ"),
        plan_staff2=make_user(plan, "Đặng Thu Hà"),
        tech_head=make_user(tech, "Bùi Quốc Công", (Role.LEADER,)),
        tech_staff=make_user(tech, "Lý Thanh Tâm"),
        reader=make_user(province.stttt, "Hồ Thị Biết"),
        outsider=province.staff_stttt,
        other_staff=province.staff_snv,
        other_clerk=office.clerk_snv,
    )


def register(work: Work, **overrides: Any) -> Document:
    return document_services.incoming_register(
        actor=work.clerk,
        unit=work.so,
        data=incoming_input(**overrides),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


def present(work: Work, document: Document) -> Processing:
    return services.processing_present(actor=work.clerk, document=document, leader=work.director)


def direct(work: Work, document: Document, **overrides: Any) -> Processing:
    """Lead: a person of the planning department; co: the IT department; for information: a
    person of the Sở."""
    values: dict[str, Any] = {
        "direction": DIRECTION,
        "lead_user": work.plan_staff,
        "co_units": [work.tech],
        "info_users": [work.reader],
        "deadline": TODAY + dt.timedelta(days=7),
    }
    values.update(overrides)
    return services.processing_direct(actor=work.director, document=document, **values)


RECORD_FIELDS = {"code_number", "subject", "urgency", "due_date", "issued_date"}


def directed(work: Work, **kwargs: Any) -> Document:
    """A registered, presented and directed document; record fields go to the register."""
    record = {name: kwargs.pop(name) for name in RECORD_FIELDS & set(kwargs)}
    document = register(work, **{"code_number": "15", **record})
    present(work, document)
    direct(work, document, **kwargs)
    return document


def assignment(document: Document, **filters: Any) -> Assignment:
    return Assignment.objects.get(document=document, **filters)
