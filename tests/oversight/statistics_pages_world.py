"""November 2026 in the Sở Thông tin và Truyền thông and its two departments, through the
product's services, with the aggregates built: the data of the statistics pages' tests."""

import datetime as dt
from dataclasses import dataclass

from tests.support import workflow
from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_upload
from vanban.core import clock
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.exchange import delivery
from vanban.exchange.models import Delivery, ReturnReason
from vanban.oversight.statistics_build import usage_rebuild
from vanban.reports.periods import REPORT_TZ, Period
from vanban.workflow import services as workflow_services
from vanban.workflow.models import Assignment

NOVEMBER = Period.month(2026, 11)
ISSUED = dt.date(2026, 11, 2)
QUERY = {"period": "month", "year": "2026", "month": "11"}


def at(day: int, hour: int = 9, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=REPORT_TZ)


# The pages are read on 27/11/2026, after the aggregates of 01-26/11 were built.
READ_AT = at(27, 10)


@dataclass
class World:
    work: workflow.Work
    on_time: Document
    late: Document
    overdue: Document
    electronic: Document
    sent: Document


def _complete(work: workflow.Work, document: Document) -> None:
    lead = Assignment.objects.get(document=document, role="lead")
    workflow_services.assignment_complete(actor=work.plan_staff, assignment=lead, result="Xong.")


def build_world(office) -> World:
    with workflow.fixed_clock():
        work = workflow.build_work(office)
    with clock.frozen(at(3)):
        on_time = workflow.directed(work, issued_date=ISSUED, deadline=dt.date(2026, 11, 10))
        electronic = workflow.register(
            work, code_number="16", issued_date=ISSUED, is_electronic=True
        )
    with clock.frozen(at(9, 16)):
        _complete(work, on_time)
    with clock.frozen(at(12)):
        late = workflow.directed(
            work,
            code_number="17",
            issued_date=ISSUED,
            subject="Công văn về việc báo cáo trễ hạn",
            deadline=dt.date(2026, 11, 13),
        )
        overdue = workflow.directed(
            work,
            code_number="18",
            issued_date=ISSUED,
            subject="Công văn về việc kiểm tra đang quá hạn",
            deadline=dt.date(2026, 11, 20),
        )
    with clock.frozen(at(14)):
        _complete(work, late)
    with clock.frozen(at(16)):
        sent = document_services.outgoing_register(
            actor=work.clerk,
            unit=work.so,
            data=incoming_input(
                code_notation="STTTT-VP",
                subject="Công văn gửi nhầm Sở Nội vụ",
                issued_date=at(16).date(),
                recipients="Sở Nội vụ",
            ),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )
        delivery.deliveries_create(actor=work.clerk, document=sent, units=[work.province.snv])
    with clock.frozen(at(17)):
        delivery.delivery_return(
            actor=work.other_clerk,
            delivery=Delivery.objects.get(document=sent),
            reason=ReturnReason.WRONG_RECIPIENT,
            note="Không thuộc thẩm quyền.",
        )
    with clock.frozen(READ_AT):
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
    return World(work, on_time, late, overdue, electronic, sent)
