"""Sending to other systems: the outbox written in the issuing transaction, routing through the
partner directory, and the workers delivering over HTTP with retries and backoff."""

import datetime as dt
import re

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, MINISTRY_NAME, OUTBOUND_TOKEN
from tests.support.agency_codes import LOWERCASE, MALFORMED, SAMPLE_CODES
from tests.support.drafting import (
    NOW,
    create_draft,
    issue,
    issued,
    organisation_key,
    to_approved,
    to_signed,
)
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_read_verified
from vanban.documents.models import Document
from vanban.drafting.models import DraftStatus
from vanban.drafting.services import ExternalRecipient
from vanban.exchange.edxml import parse_package
from vanban.exchange.models import (
    Delivery,
    Inbound,
    InboundState,
    Outbound,
    OutboundState,
    Partner,
    Transport,
)
from vanban.exchange.partners import services
from vanban.exchange.partners.packages import document_id
from vanban.signatures.services import OrganisationKey

# ---------------------------------------------------------------- the outbox at issue


def test_issue_queues_the_signed_package_for_an_agency_of_a_partner(team):
    link = support.partner(team)
    document, delivery = support.issued_outside(team)

    assert delivery.partner == link.partner
    assert delivery.name == MINISTRY_NAME
    assert delivery.edxml_id == document_id(document)
    assert delivery.edxml_id == f"000.00.12.H07,2026/11/25,{document.number_symbol}"
    assert delivery.status == ""
    message = Outbound.objects.get()
    assert (message.kind, message.state, message.to_code) == ("package", "pending", MINISTRY)
    assert message.document == document and message.edxml_id == delivery.edxml_id
    assert message.attempts == 0 and message.next_attempt_at == NOW
    package = parse_package(bytes(message.payload), max_bytes=10**8)
    assert package.document_id == delivery.edxml_id
    assert package.from_organ.organ_id == team.province.stttt.agency_code
    assert [o.organ_id for o in package.to_organs] == [MINISTRY]
    assert package.subject == document.subject
    main = document.files.get(role="main")
    assert package.attachments[0].data == file_read_verified(main.storage_name, main.sha256)
    assert AuditEvent.objects.filter(action="interop.send").count() == 1


def test_a_failing_issue_writes_neither_delivery_nor_message(team, monkeypatch):
    support.partner(team)
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    key = organisation_key(team)
    from vanban.drafting.services import issuing as drafting_services

    # Refused before anything is written: a wrong PIN of the organisation key.
    with pytest.raises(ServiceError):
        drafting_services.draft_issue(
            actor=team.clerk,
            draft=draft,
            organisation_key=OrganisationKey(key.certificate, pin="000000"),
        )

    # Failing after the package was queued, inside the issuing transaction.
    def broken(*args, **kwargs):
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(drafting_services, "_trail", broken)
    with pytest.raises(RuntimeError):
        issue(team, draft)
    assert Delivery.objects.exclude(transport=Transport.LOCAL).count() == 0
    assert Outbound.objects.count() == 0
    assert Document.objects.count() == 0
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED

    monkeypatch.undo()
    document = issue(team, draft)
    assert Delivery.objects.exclude(transport=Transport.LOCAL).get().document == document
    assert Outbound.objects.get().document == document


def test_unrouted_codes_are_not_queued(team):
    support.partner(team)
    _draft, document = issued(
        team,
        external=[
            ExternalRecipient(MINISTRY_NAME, MINISTRY),
            ExternalRecipient("Bộ Tài chính", "000.00.00.G12"),
        ],
    )
    assert list(
        Delivery.objects.exclude(transport=Transport.LOCAL).values_list("agency_code", flat=True)
    ) == [MINISTRY]
    assert list(Outbound.objects.values_list("to_code", flat=True)) == [MINISTRY]
    assert services.unrouted(document, [MINISTRY, "000.00.00.G12"]) == ["000.00.00.G12"]


def test_nothing_is_queued_without_a_partner_or_through_an_inactive_one(team):
    issued(team)
    assert (
        Delivery.objects.exclude(transport=Transport.LOCAL).count() == 0
        and Outbound.objects.count() == 0
    )
    link = support.partner(team)
    Partner.objects.filter(pk=link.partner.pk).update(active=False)
    issued(team)
    assert (
        Delivery.objects.exclude(transport=Transport.LOCAL).count() == 0
        and Outbound.objects.count() == 0
    )


def test_only_allowed_units_send_through_a_partner(team):
    province = team.province
    link = support.partner(team, allowed_units=[province.snv])
    assert services.route_for(unit=province.stttt, agency_code=MINISTRY) is None
    assert services.route_for(unit=province.snv, agency_code=MINISTRY).partner == link.partner
    issued(team)
    assert (
        Delivery.objects.exclude(transport=Transport.LOCAL).count() == 0
        and Outbound.objects.count() == 0
    )

    services.partner_save(
        actor=province.province_admin,
        name=link.partner.name,
        endpoint=link.partner.endpoint,
        allowed_units=[province.snv, province.stttt],
        partner=link.partner,
    )
    _draft, document = issued(team)
    assert Delivery.objects.exclude(transport=Transport.LOCAL).get().document == document


# ---------------------------------------------------------------- the partner directory


def test_partner_save_is_for_the_province_admin_and_checks_its_input(team):
    province = team.province
    with pytest.raises(AccessDenied):
        services.partner_save(
            actor=province.admin_stttt, name="Hệ thống A", endpoint="https://a.example/"
        )
    for kwargs, message in (
        ({"name": "", "endpoint": "https://a.example/"}, "tên hệ thống"),
        ({"name": "A", "endpoint": "ftp://a.example/"}, "http://"),
        ({"name": "A", "endpoint": "https://a.example/", "transport": "x"}, "Cách kết nối"),
        ({"name": "A", "endpoint": "https://a.example/", "codes": [("G22", "")]}, "không đúng"),
    ):
        with pytest.raises(ServiceError, match=message):
            services.partner_save(actor=province.province_admin, **kwargs)
    assert Partner.objects.count() == 0

    link = support.partner(team)
    assert link.secret.startswith("vbl_")
    assert services.partner_for_token(link.secret) == link.partner
    assert link.partner.inbound_token_hash == services.token_hash(link.secret)
    assert link.secret not in str(Partner.objects.values_list().get())
    with pytest.raises(ServiceError, match="đã thuộc hệ thống khác"):
        services.partner_save(
            actor=province.province_admin,
            name="Hệ thống khác",
            endpoint="https://b.example/",
            codes=[(MINISTRY, MINISTRY_NAME)],
        )
    assert Partner.objects.count() == 1


def test_codes_import_is_all_or_nothing_with_line_numbers(team):
    link = support.partner(team)
    admin = team.province.province_admin
    header = "he_thong,ma_dinh_danh,ten_co_quan\n"
    good = f"{link.partner.name},000.00.00.G12,Bộ Tài chính\n"
    for text, message in (
        ("a,b,c\n", "dòng tiêu đề"),
        (header + good + "Hệ thống lạ,000.00.00.G13,Bộ Tư pháp\n", "Dòng 3: chưa có hệ thống"),
        (header + good + f"{link.partner.name},G13,Bộ Tư pháp\n", "Dòng 3: mã định danh “G13”"),
        (header + good + good, "Dòng 3: mã định danh 000.00.00.G12 lặp lại"),
        (
            header + f"{link.partner.name},000.00.05.H07,Sở Nội vụ\n",
            "Dòng 2: 000.00.05.H07 là đơn vị",
        ),
    ):
        with pytest.raises(ServiceError, match=message):
            services.codes_import(actor=admin, text=text)
    assert link.partner.codes.count() == 2
    with pytest.raises(AccessDenied):
        services.codes_import(actor=team.province.admin_stttt, text=header + good)

    assert services.codes_import(actor=admin, text=header + good) == 1
    assert services.route_for(unit=team.province.stttt, agency_code="000.00.00.G12") is not None


@pytest.mark.parametrize(("code", "reason"), MALFORMED + LOWERCASE)
def test_codes_import_refuses_malformed_codes_with_the_reason(team, code, reason):
    """QĐ 20/2020/QĐ-TTg, the same rule as the partner form; all or nothing."""
    link = support.partner(team)
    header = "he_thong,ma_dinh_danh,ten_co_quan\n"
    good = f"{link.partner.name},000.00.00.G12,Bộ Tài chính\n"
    text = header + good + f'{link.partner.name},"{code}",Cơ quan lạ\n'
    with pytest.raises(ServiceError) as caught:
        services.codes_import(actor=team.province.province_admin, text=text)
    assert caught.value.message.startswith(
        f"Dòng 3: mã định danh “{code.strip()}” không đúng dạng: "
    )
    assert reason in caught.value.message
    assert link.partner.codes.count() == 2
    with pytest.raises(ServiceError, match=re.escape(reason)):
        services.partner_save(
            actor=team.province.province_admin,
            partner=link.partner,
            name=link.partner.name,
            endpoint=link.partner.endpoint,
            codes=[(code, "Cơ quan lạ")],
        )
    assert link.partner.codes.count() == 2


def test_codes_import_takes_every_code_of_the_national_samples(team):
    link = support.partner(team)
    text = "he_thong,ma_dinh_danh,ten_co_quan\n" + "".join(
        f"{link.partner.name},{code},Cơ quan {number}\n" for number, code in enumerate(SAMPLE_CODES)
    )
    assert services.codes_import(actor=team.province.province_admin, text=text) == len(SAMPLE_CODES)
    assert set(SAMPLE_CODES) <= set(link.partner.codes.values_list("agency_code", flat=True))


# ---------------------------------------------------------------- the workers


@pytest.fixture
def partner_address():
    recorder = support.recorder_start()
    yield recorder
    support.recorder_stop(recorder)


def _queued(team, recorder, *, transport=Transport.DIRECT):
    endpoint = (
        recorder.url + "/lien-thong/he-thong-khac/nhan/"
        if transport == Transport.DIRECT
        else recorder.url + "/edoc/"
    )
    support.partner(team, endpoint=endpoint, transport=transport)
    _document, _delivery = support.issued_outside(team)
    return Outbound.objects.get()


def test_worker_sends_a_due_message_once(team, partner_address):
    message = _queued(team, partner_address)
    assert services.work_once() == {"sent": 1}

    message.refresh_from_db()
    assert (message.state, message.attempts, message.sent_at, message.last_error) == (
        OutboundState.SENT,
        1,
        NOW,
        "",
    )
    [request] = partner_address.requests
    assert request["method"] == "POST"
    assert request["path"] == "/lien-thong/he-thong-khac/nhan/"
    assert request["authorization"] == f"Bearer {OUTBOUND_TOKEN}"
    assert (request["kind"], request["to"]) == ("package", MINISTRY)
    assert request["body"] == bytes(message.payload)
    assert services.work_once() == {}
    assert len(partner_address.requests) == 1


def test_server_errors_are_retried_with_a_doubling_backoff(team, partner_address):
    message = _queued(team, partner_address)
    partner_address.answers[:] = [500, 500]

    assert services.work_once() == {"retry": 1}
    message.refresh_from_db()
    assert message.state == OutboundState.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == NOW + dt.timedelta(seconds=5)
    assert message.last_error == "HTTP 500: Lỗi máy chủ."
    assert services.work_once() == {}  # not due yet
    with support.later(4):
        assert services.work_once() == {}
    with support.later(5):
        assert services.work_once() == {"retry": 1}
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == NOW + dt.timedelta(seconds=5 + 10)
    with support.later(15):
        assert services.work_once() == {"sent": 1}
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("sent", 3, "")
    assert message.sent_at == NOW + dt.timedelta(seconds=15)
    assert len(partner_address.requests) == 3


def test_backoff_doubles_up_to_an_hour_and_stops_after_30_attempts(team, partner_address):
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert services.backoff(10).total_seconds() == 2560
    assert services.backoff(11) == dt.timedelta(hours=1)
    assert services.backoff(30) == dt.timedelta(hours=1)
    message = _queued(team, partner_address)
    Outbound.objects.filter(pk=message.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    partner_address.answers[:] = [500]

    assert services.work_once() == {"failed": 1}
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboundState.FAILED, services.MAX_ATTEMPTS)
    assert message.last_error == "HTTP 500: Lỗi máy chủ."


def test_a_refusal_of_the_partner_is_final(team, partner_address):
    message = _queued(team, partner_address)
    partner_address.answers[:] = [409]

    assert services.work_once() == {"failed": 1}
    message.refresh_from_db()
    assert message.state == OutboundState.FAILED and message.attempts == 1
    assert message.last_error == (
        "HTTP 409: DocumentId đã nhận với nội dung khác; gói tin bị từ chối."
    )
    with support.later(3600):
        assert services.work_once() == {}
    assert len(partner_address.requests) == 1


def test_wrong_credentials_and_an_unreachable_partner_are_retried(team, partner_address):
    message = _queued(team, partner_address)
    partner_address.answers[:] = [401]
    assert services.work_once() == {"retry": 1}
    message.refresh_from_db()
    assert message.state == OutboundState.PENDING
    assert message.last_error.startswith("HTTP 401: Thông tin xác thực")

    Partner.objects.update(endpoint="http://127.0.0.1:9/nhan/")  # nothing listens there
    with support.later(5):
        assert services.work_once() == {"retry": 1}
    message.refresh_from_db()
    assert message.attempts == 2 and message.state == OutboundState.PENDING
    assert message.last_error.startswith("Không kết nối được http://127.0.0.1:9/nhan/")


def test_a_changed_payload_is_never_sent(team, partner_address):
    message = _queued(team, partner_address)
    Outbound.objects.filter(pk=message.pk).update(payload=b"<edXML/>")
    assert services.work_once() == {"failed": 1}
    message.refresh_from_db()
    assert message.last_error == "Nội dung gói tin đã bị thay đổi."
    assert partner_address.requests == []


def test_gateway_transport_posts_to_its_packages_resource(team, partner_address):
    message = _queued(team, partner_address, transport=Transport.GATEWAY)
    assert services.work_once() == {"sent": 1}
    [request] = partner_address.requests
    assert (request["method"], request["path"]) == ("POST", "/edoc/packages")
    assert request["body"] == bytes(message.payload)


def test_retry_now_by_an_admin_of_the_sending_unit(team, partner_address):
    province = team.province
    message = _queued(team, partner_address)
    partner_address.answers[:] = [409]
    services.work_once()
    message.refresh_from_db()
    before = (message.state, message.next_attempt_at, message.attempts)

    for person in (province.admin_snv, team.clerk, province.staff_stttt):
        with pytest.raises(AccessDenied):
            services.retry_now(actor=person, message=message)
    message.refresh_from_db()
    assert (message.state, message.next_attempt_at, message.attempts) == before

    with support.later(60):
        services.retry_now(actor=province.admin_stttt, message=message)
    message.refresh_from_db()
    assert message.state == OutboundState.PENDING
    assert message.next_attempt_at == NOW + dt.timedelta(seconds=60)
    with support.later(60):
        assert services.work_once() == {"sent": 1}
    with pytest.raises(ServiceError, match="đã được gửi"):
        services.retry_now(actor=province.province_admin, message=message)
    assert AuditEvent.objects.filter(action="interop.retry").count() == 1


# ---------------------------------------------------------------- over HTTP, both ways


def test_worker_delivers_to_a_receiving_endpoint_and_the_status_comes_back(
    team, document_types, live_server
):
    """One deployment talking to itself through HTTP: the partner's address is our own
    receiving endpoint, the ministry becomes one of our units after the issue, so the package
    is received, and the 01 it causes travels back and updates the document we sent."""
    province = team.province
    link = support.partner(team, endpoint=live_server.url + support.RECEIVE_URL)
    # The partner also serves the issuing Sở's code, and we present its own secret.
    services.partner_save(
        actor=province.province_admin,
        name=link.partner.name,
        endpoint=link.partner.endpoint,
        outbound_token=link.secret,
        codes=[(province.stttt.agency_code, province.stttt.name)],
        partner=link.partner,
    )
    document, delivery = support.issued_outside(team)
    ministry = account_services.unit_create(
        actor=None,
        name=MINISTRY_NAME,
        symbol="BTTTT",
        abbreviation="btttt",
        agency_code=MINISTRY,
        parent=province.root,
    )
    clerk = make_user(ministry, "Văn Thư Bộ", (Role.CLERK,))

    assert services.work_once() == {"sent": 1}
    inbound = Inbound.objects.get()
    assert (inbound.unit, inbound.state, inbound.edxml_id) == (
        ministry,
        InboundState.QUEUED,
        delivery.edxml_id,
    )
    assert clerk.notifications.count() == 1
    answer = Outbound.objects.get(kind="status")
    assert (answer.status_code, answer.to_code) == ("01", province.stttt.agency_code)

    assert services.work_once() == {"sent": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_at) == ("01", NOW)
    assert [e.code for e in delivery.events.all()] == ["01"]
    assert not Outbound.objects.exclude(state="sent").exists()
    assert document.deliveries.exclude(transport=Transport.LOCAL).get() == delivery
