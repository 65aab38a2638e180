"""A document received through the exchange inside the deployment tells its sender how its
processing goes: 04 assigned, 05 processing, 06 done (R15, edXML status codes)."""

import pytest

from tests.support.documents import DECLARED, doc_type
from tests.support.files import pdf_upload
from tests.support.province import make_user
from tests.support.workflow import assignment
from vanban.accounts.models import Role
from vanban.documents import services as document_services
from vanban.documents.services import DocumentInput
from vanban.exchange import delivery
from vanban.exchange.models import Delivery
from vanban.workflow import services

pytestmark = pytest.mark.django_db


def test_processing_reports_its_status_to_the_sender(work):
    outgoing = document_services.outgoing_register(
        actor=work.clerk,
        unit=work.so,
        data=DocumentInput(
            document_type=doc_type("Kế hoạch"),
            subject="Kế hoạch chuyển đổi số năm 2027",
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload("ke-hoach.pdf", "Kế hoạch chuyển đổi số"),
    )
    (sent,) = delivery.deliveries_create(
        actor=work.clerk, document=outgoing, units=[work.province.snv]
    )
    incoming = delivery.delivery_register(actor=work.other_clerk, delivery=sent, refusals=DECLARED)
    leader_snv = make_user(work.province.snv, "Châu Văn Lãnh", (Role.LEADER,))
    services.processing_present(actor=work.other_clerk, document=incoming, leader=leader_snv)
    sent.refresh_from_db()
    assert sent.status == "03"
    services.processing_direct(
        actor=leader_snv,
        document=incoming,
        direction="Giao đồng chí Lan nghiên cứu, tham mưu.",
        lead_user=work.other_staff,
    )
    sent.refresh_from_db()
    assert sent.status == "04"
    lead = assignment(incoming, role="lead")
    services.assignment_progress(actor=work.other_staff, assignment=lead, text="Đang nghiên cứu.")
    sent.refresh_from_db()
    assert sent.status == "05"
    services.assignment_complete(
        actor=work.other_staff, assignment=lead, result="Đã góp ý.", reply_reference="45/SNV-VP"
    )
    sent = Delivery.objects.get(pk=sent.pk)
    assert sent.status == "06"
    assert [e.code for e in sent.events.all()] == ["01", "03", "04", "05", "06"]
