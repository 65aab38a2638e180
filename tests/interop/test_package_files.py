"""The files of our packages (QCVN 102:2016/BTTTT, QĐ 28/2018/QĐ-TTg): the main document first,
then the attachments in the order the drafter gave them, so that a receiving system, which takes
the first PDF as the document itself, registers the main document as main. Read back here by our
own receiver, as a partner's system reads it."""

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, VINH_LONG, VINH_LONG_NAME
from tests.interop.test_receive import post, to_snv
from tests.support import drafting
from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_upload
from vanban.exchange.edxml import parse_package
from vanban.exchange.models import Inbound, Outbound
from vanban.exchange.partners import services


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def document(team, link):
    """An issued document of the Sở with two appendices, given in this order: "phu-luc-b.pdf"
    then "phu-luc-a.pdf" (not the order of their names)."""
    draft = drafting.create_draft(team)
    drafting.to_approved(team, draft)
    drafting.to_signed(team, draft)
    return drafting.issue(
        team,
        draft,
        attachments=[
            pdf_upload("phu-luc-b.pdf", "Phụ lục B: danh mục thủ tục"),
            pdf_upload("phu-luc-a.pdf", "Phụ lục A: biểu mẫu"),
        ],
    )


def test_our_package_carries_the_main_document_first_then_the_appendices_as_given(team, document):
    main = document.files.get(role="main")
    sent = Outbound.objects.get(kind="package", to_code=MINISTRY)
    package = parse_package(bytes(sent.payload))
    assert [a.name for a in package.attachments] == [
        main.original_name,
        "phu-luc-b.pdf",
        "phu-luc-a.pdf",
    ]


def test_our_package_read_back_registers_the_main_document_as_main(team, link, document, client):
    main = document.files.get(role="main")
    response = post(client, to_snv(team, document), link)
    assert response.json()["outcome"] == "accepted"
    inbound = Inbound.objects.get()
    incoming = services.inbound_register(
        actor=team.clerk_snv,
        inbound=inbound,
        data=incoming_input(
            issuer_name=VINH_LONG_NAME,
            issuer_code=VINH_LONG,
            code_number="1",
            code_notation="KH-STTTT",
        ),
        refusals=DECLARED,
    )
    registered_main = incoming.files.get(role="main")
    assert registered_main.original_name == main.original_name
    assert registered_main.sha256 == main.sha256
    attachments = list(
        incoming.files.filter(role="attachment")
        .order_by("pk")
        .values_list("original_name", flat=True)
    )
    assert attachments[:2] == ["phu-luc-b.pdf", "phu-luc-a.pdf"]
