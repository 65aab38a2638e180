"""Receiving from other systems through POST /lien-thong/he-thong-khac/nhan/: packages (kept
once per DocumentId, signatures checked on arrival), every kind of bad input refused with a
Vietnamese reason and nothing written, status messages about documents we sent, and the answers
that go back as the recipient's clerk registers, refuses and the document is processed."""

import base64
import logging

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, RECEIVE_URL, VINH_LONG, VINH_LONG_NAME
from tests.support.agency_codes import LOWERCASE, MALFORMED
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import issued
from tests.support.edxml import build_package
from tests.support.files import pdf_bytes
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_read_verified
from vanban.documents.models import DocumentPolicy
from vanban.exchange.edxml import read_status
from vanban.exchange.models import (
    Delivery,
    Inbound,
    InboundState,
    Outbound,
    Transport,
)
from vanban.exchange.partners import services
from vanban.workflow import services as workflow_services


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def document(team, link):
    """An issued, signed document of the Sở (also queued for the ministry)."""
    _draft, document = issued(team)
    return document


def post(client, data: bytes, link=None, **headers):
    if link is not None:
        headers = {**link.headers(), **headers}
    return client.post(RECEIVE_URL, data, content_type="application/xml", **headers)


def to_snv(team, document) -> bytes:
    return support.readdressed(document, to=team.province.snv.agency_code)


def status_payloads(**filters) -> list[tuple[str, str]]:
    """(status code, description) of each status message queued, oldest first."""
    rows = Outbound.objects.filter(kind="status", **filters).order_by("created_at", "pk")
    return [(m.status_code, read_status(bytes(m.payload)).description) for m in rows]


# ---------------------------------------------------------------- packages


def test_a_signed_package_is_accepted_queued_and_answered_01(team, link, document, client):
    before = support.snapshot()
    response = post(client, to_snv(team, document), link)

    assert response.status_code == 200
    assert response.json() == {"outcome": "accepted", "document_id": document_id_of(document)}
    inbound = Inbound.objects.get()
    assert (inbound.kind, inbound.state, inbound.unit) == ("package", "queued", team.province.snv)
    assert (inbound.from_code, inbound.from_name) == (VINH_LONG, VINH_LONG_NAME)
    assert inbound.subject == document.subject and inbound.number_symbol == document.number_symbol
    assert inbound.storage_name in support.stored_files()
    answer = Outbound.objects.get(kind="status")
    assert (answer.status_code, answer.to_code, answer.partner) == ("01", VINH_LONG, link.partner)
    status = read_status(bytes(answer.payload))
    assert (status.document_id, status.from_code) == (inbound.edxml_id, "000.00.05.H07")
    notification = team.clerk_snv.notifications.get(link__startswith="/lien-thong/he-thong-khac/")
    assert notification.link == f"/lien-thong/he-thong-khac/den/{inbound.pk}/"
    assert VINH_LONG_NAME in notification.title
    assert len(support.stored_files()) == len(before["files"]) + 1


def document_id_of(document) -> str:
    return f"000.00.12.H07,2026/11/25,{document.number_symbol}"


def test_the_same_bytes_again_are_a_duplicate(team, link, document, client):
    data = to_snv(team, document)
    assert post(client, data, link).json()["outcome"] == "accepted"
    before = support.snapshot()

    response = post(client, data, link)
    assert response.status_code == 200
    assert response.json()["outcome"] == "duplicate"
    assert support.snapshot() == before


def test_the_same_document_id_with_other_content_is_refused(team, link, document, client, caplog):
    data = to_snv(team, document)
    post(client, data, link)
    before = support.snapshot()

    other = data.replace(document.subject.encode(), "Nội dung đã bị thay đổi".encode())
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = post(client, other, link)
    assert response.status_code == 409
    assert "đã nhận với nội dung khác" in response.json()["detail"]
    assert support.snapshot() == before
    assert "đã nhận với nội dung khác" in caplog.text


def _refused_with_02(client, link, data, reason_part):
    response = post(client, data, link)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "refused"
    assert reason_part in body["detail"]
    inbound = Inbound.objects.get()
    assert inbound.state == InboundState.REJECTED
    assert reason_part in inbound.reason
    [(code, description)] = status_payloads()
    assert code == "02" and reason_part in description
    return inbound


def test_an_unsigned_pdf_is_refused_with_02(team, link, client):
    data = build_package(
        from_id=VINH_LONG,
        attachments=(("Công văn.pdf", "application/pdf", pdf_bytes("Công văn không ký số")),),
    )
    inbound = _refused_with_02(client, link, data, "không có chữ ký số")
    assert inbound.unit == team.province.stttt
    assert not team.clerk.notifications.exists()


def test_every_pdf_of_a_package_is_checked_not_only_the_first(team, link, document, client):
    """NĐ 30/2020 Appendix I: the attachments carry the sender's signature too."""
    main = document.files.get(role="main")
    signed = file_read_verified(main.storage_name, main.sha256)
    data = build_package(
        from_id=VINH_LONG,
        attachments=(
            ("Công văn.pdf", "application/pdf", signed),
            ("Phụ lục.pdf", "application/pdf", pdf_bytes("Phụ lục không ký số")),
        ),
    )
    inbound = _refused_with_02(client, link, data, "Văn bản “Phụ lục.pdf” không có chữ ký số.")
    assert "Công văn.pdf" not in inbound.reason


def test_a_tampered_pdf_is_refused_with_02(team, link, document, client):
    data = to_snv(team, document)
    main = document.files.get(role="main")
    signed = file_read_verified(main.storage_name, main.sha256)
    # One byte of the binary comment on the PDF's second line, inside the signed range.
    tampered = bytearray(signed)
    where = signed.index(b"\n") + 2
    tampered[where] ^= 0x01
    data = data.replace(base64.b64encode(signed), base64.b64encode(bytes(tampered)))
    _refused_with_02(client, link, data, "không hợp lệ")


NOT_EDXML = "Gói edXML không hợp lệ: "
NO_DTD = (
    "gói có khai báo DTD hoặc thực thể (<!DOCTYPE>, <!ENTITY>); vì an toàn hệ thống không "
    "nhận gói như vậy."
)
BAD_INPUTS = {
    "malformed": (b"<edXML><edXML:edXMLEnvelope>", "gói bị cắt cụt (thiếu phần cuối)"),
    "xxe": (
        b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<edXML>&xxe;</edXML>",
        NO_DTD,
    ),
    "xxe in a status message": (
        b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<edXML><StatusCode>&xxe;</StatusCode><ResponseFor/></edXML>",
        NO_DTD,
    ),
    "billion laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
        b"<edXML>&lol3;</edXML>",
        NO_DTD,
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_xml_is_refused_and_nothing_written(team, link, client, caplog, name):
    data, reason = BAD_INPUTS[name]
    before = support.snapshot()
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = post(client, data, link)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(NOT_EDXML) and reason in detail
    assert support.snapshot() == before
    assert f"refused from {link.partner.name}: {detail}" in caplog.text


def test_an_oversized_package_is_refused(team, link, document, client, caplog):
    DocumentPolicy.objects.update_or_create(pk=1, defaults={"max_file_size_mb": 1})
    data = to_snv(team, document)
    data = data.replace(b"</edXML>\n", b"<!--" + b"x" * (1024 * 1024) + b"-->\n</edXML>\n")
    before = support.snapshot()
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = post(client, data, link)
    assert response.status_code == 413
    assert response.json()["detail"] == "Gói tin lớn hơn giới hạn 1 MB."
    assert support.snapshot() == before
    assert "refused from" in caplog.text


def test_unknown_sender_wrong_credentials_and_a_recipient_not_ours(
    team, link, document, client, caplog
):
    good = to_snv(team, document)
    cases = [
        (
            support.readdressed(document, to="000.00.05.H07", sender="000.00.00.H99"),
            link.headers(),
            403,
            "Cơ quan gửi 000.00.00.H99 không thuộc hệ thống",
        ),
        (good, {"HTTP_AUTHORIZATION": "Bearer sai-ma"}, 401, "Thông tin xác thực"),
        (good, {}, 401, "Thông tin xác thực"),
        (good, {"HTTP_AUTHORIZATION": f"Basic {link.secret}"}, 401, "Thông tin xác thực"),
        (
            support.readdressed(document, to="000.00.99.H07"),
            link.headers(),
            422,
            "Nơi nhận 000.00.99.H07 không phải đơn vị của hệ thống này",
        ),
    ]
    before = support.snapshot()
    for data, headers, status, detail in cases:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="vanban.interop"):
            response = post(client, data, **headers)
        assert response.status_code == status, response.content
        assert detail in response.json()["detail"]
        assert "refused from" in caplog.text
        assert support.snapshot() == before


@pytest.mark.parametrize(("code", "reason"), MALFORMED + LOWERCASE)
def test_a_package_naming_a_malformed_sender_or_recipient_is_refused(
    team, link, document, client, caplog, code, reason
):
    """QĐ 20/2020/QĐ-TTg: From and To must name well-formed agency codes; nothing is stored."""
    before = support.snapshot()
    for data, where in (
        (support.readdressed(document, to=team.province.snv.agency_code, sender=code), "nơi gửi"),
        (support.readdressed(document, to=code), "nơi nhận"),
    ):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="vanban.interop"):
            response = post(client, data, link)
        assert response.status_code == 400, response.content
        detail = response.json()["detail"]
        assert detail.startswith(f"Gói tin bị từ chối: OrganId của {where} ")
        assert f"Mã định danh “{code}” không đúng dạng: " in detail and reason in detail
        assert "refused from" in caplog.text
        assert support.snapshot() == before


def test_a_package_from_an_agency_in_the_three_group_form_is_accepted(team, link, document, client):
    """14.00.W00, the sender of the national sample package, once declared for the partner."""
    services.codes_import(
        actor=team.province.province_admin,
        text=f"he_thong,ma_dinh_danh,ten_co_quan\n{link.partner.name},14.00.W00,Trung tâm thử\n",
    )
    data = support.readdressed(document, to=team.province.snv.agency_code, sender="14.00.W00")
    response = post(client, data, link)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "accepted"
    assert Inbound.objects.get().from_code == "14.00.W00"


def test_an_inactive_partner_cannot_post(team, link, document, client):
    link.partner.active = False
    link.partner.save()
    response = post(client, to_snv(team, document), link)
    assert response.status_code == 401
    assert Inbound.objects.count() == 0


# ---------------------------------------------------------------- status messages


@pytest.fixture
def delivery(team, link, document):
    return Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )


def test_status_messages_update_the_document_we_sent(delivery, link, client):
    for code in ("03", "06"):
        response = post(client, support.status_from_ministry(delivery, code), link)
        assert response.json()["outcome"] == "applied"
        delivery.refresh_from_db()
        assert delivery.status == code
    before = support.snapshot()

    again = post(client, support.status_from_ministry(delivery, "06"), link)
    assert again.json()["outcome"] == "duplicate"
    assert support.snapshot() == before

    late = post(client, support.status_from_ministry(delivery, "04"), link)
    assert late.json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert delivery.status == "06"
    assert [e.code for e in delivery.events.all()] == ["03", "06", "04"]
    assert Inbound.objects.filter(kind="status").count() == 3


def test_a_refusal_carries_its_reason(delivery, link, client):
    reason = "Văn bản gửi nhầm cơ quan, đề nghị kiểm tra lại nơi nhận."
    post(client, support.status_from_ministry(delivery, "02", reason), link)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("02", reason)
    assert delivery.events.get().note == reason


def test_status_messages_for_unknown_documents_or_from_strangers_are_refused(
    delivery, link, client
):
    before = support.snapshot()
    delivery.edxml_id = "000.00.12.H07,2026/11/25,99/KH-STTTT"
    response = post(client, support.status_from_ministry(delivery, "03"), link)
    assert response.status_code == 404
    assert "99/KH-STTTT" in response.json()["detail"]
    delivery.refresh_from_db()
    delivery.agency_code = "000.00.00.G99"
    response = post(client, support.status_from_ministry(delivery, "03"), link)
    assert response.status_code == 403
    assert support.snapshot() == before


# ---------------------------------------------------------------- the recipient's answers


@pytest.fixture
def queued(team, link, document, client):
    assert post(client, to_snv(team, document), link).json()["outcome"] == "accepted"
    return Inbound.objects.get()


def _register(team, inbound, actor=None):
    return services.inbound_register(
        actor=actor or team.clerk_snv,
        inbound=inbound,
        data=incoming_input(
            issuer_name=VINH_LONG_NAME,
            issuer_code=VINH_LONG,
            code_number="1",
            code_notation="KH-STTTT",
        ),
        refusals=DECLARED,
    )


def test_the_clerk_registers_and_03_goes_back(team, queued):
    with pytest.raises(AccessDenied):
        _register(team, queued, actor=team.clerk)  # clerk of another unit
    assert Inbound.objects.get().state == "queued"

    incoming = _register(team, queued)
    queued.refresh_from_db()
    assert queued.state == InboundState.REGISTERED
    assert queued.incoming_document == incoming and queued.answered_by == team.clerk_snv
    assert incoming.unit == team.province.snv
    names = sorted(incoming.files.values_list("role", flat=True))
    assert names == ["attachment", "main"]  # the signed PDF and the package
    assert [code for code, _ in status_payloads()] == ["01", "03"]
    assert status_payloads()[1][1] == f"Đã vào sổ đến số {incoming.register_number}"
    with pytest.raises(ServiceError, match="không còn chờ vào sổ"):
        services.inbound_refuse(actor=team.clerk_snv, inbound=queued, reason="Nhầm")


def test_the_clerk_refuses_with_a_reason_and_02_goes_back(team, queued):
    with pytest.raises(ServiceError, match="lý do"):
        services.inbound_refuse(actor=team.clerk_snv, inbound=queued, reason="  ")
    with pytest.raises(AccessDenied):
        services.inbound_refuse(actor=team.clerk, inbound=queued, reason="Không đúng nơi nhận")
    assert [code for code, _ in status_payloads()] == ["01"]

    services.inbound_refuse(actor=team.clerk_snv, inbound=queued, reason="Không đúng nơi nhận")
    queued.refresh_from_db()
    assert (queued.state, queued.reason) == (InboundState.REFUSED, "Không đúng nơi nhận")
    assert status_payloads()[-1] == ("02", "Không đúng nơi nhận")
    with pytest.raises(ServiceError, match="không còn chờ vào sổ"):
        _register(team, queued)


def test_assignment_by_the_workflow_sends_04_once(team, queued):
    incoming = _register(team, queued)
    leader = make_user(team.province.snv, "Giám Đốc Nội Vụ", (Role.LEADER,))
    workflow_services.processing_present(actor=team.clerk_snv, document=incoming, leader=leader)
    workflow_services.processing_direct(
        actor=leader, document=incoming, direction="Giao phòng xử lý.", lead_user=team.staff_snv
    )
    assert [code for code, _ in status_payloads()] == ["01", "03", "04"]
    services.inbound_progress(incoming_document=incoming, status="04")
    services.inbound_progress(incoming_document=incoming, status="03")
    assert [code for code, _ in status_payloads()] == ["01", "03", "04"]


def test_a_revocation_of_a_queued_package_recalls_it_and_answers_15(
    team, link, document, queued, client
):

    revoke = to_snv(team, document).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    response = post(client, revoke, link)
    assert response.status_code == 200
    assert response.json()["outcome"] == "accepted"
    queued.refresh_from_db()
    assert queued.state == InboundState.RECALLED
    revocation = Inbound.objects.get(business_type=1)
    assert revocation.state == InboundState.APPLIED
    assert [code for code, _ in status_payloads()] == ["01", "15"]
    assert list(services.queue_for([team.province.snv.pk])) == []
    with pytest.raises(ServiceError, match="không còn chờ vào sổ"):
        _register(team, queued)
