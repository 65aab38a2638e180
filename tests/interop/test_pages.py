"""Pages of the exchange with other systems: who may open each page and send each form, the
partner directory, a received package registered or refused by the recipient's clerk, the
sender's view of what other systems reported, and the monitoring page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.interop import support
from tests.interop.support import MINISTRY, RECEIVE_URL, VINH_LONG, VINH_LONG_NAME
from tests.support.agency_codes import LOWERCASE, MALFORMED, SAMPLE_CODES
from tests.support.drafting import NOW, issued
from tests.support.edxml import build_package
from tests.support.files import pdf_bytes
from vanban.audit.models import AuditEvent
from vanban.exchange.edxml import read_status
from vanban.exchange.models import (
    Delivery,
    Inbound,
    InboundState,
    Outbound,
    OutboundState,
    Partner,
    PartnerCode,
    Transport,
)
from vanban.exchange.partners import services

BASE = "/lien-thong/he-thong-khac/"
LOGIN = "/tai-khoan/dang-nhap/"
ROLES = ["province_admin", "clerk", "other_clerk", "staff", "anonymous"]


def person(team, role):  # type: ignore[no-untyped-def]
    return {
        "province_admin": team.province.province_admin,
        "clerk": team.clerk_snv,  # clerk of the unit that received the package
        "other_clerk": team.clerk,  # clerk of the issuing unit
        "staff": team.province.staff_snv,
        "anonymous": None,
    }[role]


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def document(team, link):
    _draft, document = issued(team)
    return document


@pytest.fixture
def queued(team, link, document, client):
    data = support.readdressed(document, to=team.province.snv.agency_code)
    response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
    assert response.json()["outcome"] == "accepted"
    return Inbound.objects.get()


@pytest.fixture
def browse(team, client_for):
    def make(role):  # type: ignore[no-untyped-def]
        user = person(team, role)
        return Client() if user is None else client_for(user)

    return make


def csv_upload(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("danh-ba.csv", text.encode(encoding), content_type="text/csv")


# ---------------------------------------------------------------- who may do what


def requests_of(link, queued):  # type: ignore[no-untyped-def]
    """Every page and form; forms carry input that changes nothing even when allowed."""
    partner = link.partner.pk
    message = Outbound.objects.get(kind="package").pk
    inbound = queued.pk
    return {
        "partner_list": ("get", BASE, None),
        "partner_create": ("get", f"{BASE}them/", None),
        "partner_create_post": ("post", f"{BASE}them/", {"name": ""}),
        "partner_edit": ("get", f"{BASE}{partner}/", None),
        "partner_edit_post": ("post", f"{BASE}{partner}/", {"name": ""}),
        "codes_import": ("post", f"{BASE}ma-dinh-danh/", {}),
        "inbound": ("get", f"{BASE}den/{inbound}/", None),
        "inbound_file": ("get", f"{BASE}den/{inbound}/tep/0/", None),
        "inbound_register": ("post", f"{BASE}den/{inbound}/vao-so/", {}),
        "inbound_refuse": ("post", f"{BASE}den/{inbound}/tu-choi/", {"reason": ""}),
        "monitor": ("get", f"{BASE}giam-sat/", None),
        "retry": ("post", f"{BASE}giam-sat/{message}/gui-lai/", {}),
    }


EXPECTED = {
    #                      province_admin clerk other_clerk staff anonymous
    "partner_list": (200, 403, 403, 403, 302),
    "partner_create": (200, 403, 403, 403, 302),
    "partner_create_post": (200, 403, 403, 403, 302),
    "partner_edit": (200, 403, 403, 403, 302),
    "partner_edit_post": (200, 403, 403, 403, 302),
    "codes_import": (200, 403, 403, 403, 302),
    "inbound": (404, 200, 404, 404, 302),
    "inbound_file": (404, 200, 404, 404, 302),
    "inbound_register": (404, 200, 404, 404, 302),
    "inbound_refuse": (404, 200, 404, 404, 302),
    "monitor": (200, 200, 200, 403, 302),
    "retry": (302, 403, 403, 403, 302),
}


def test_every_page_and_form_by_every_kind_of_person(team, link, queued, browse):
    requests = requests_of(link, queued)
    assert set(requests) == set(EXPECTED)
    Outbound.objects.filter(kind="package").update(state=OutboundState.FAILED)
    for index, role in enumerate(ROLES):
        client = browse(role)
        for name, (method, url, data) in requests.items():
            before = (
                list(Inbound.objects.values_list("pk", "state")),
                list(Outbound.objects.values_list("pk", "state", "next_attempt_at")),
                list(Partner.objects.values_list("pk", "name", "endpoint", "inbound_token_hash")),
                PartnerCode.objects.count(),
            )
            response = getattr(client, method)(url, data) if data is not None else client.get(url)
            expected = EXPECTED[name][index]
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 302 and role == "anonymous":
                assert response["Location"].startswith(LOGIN)
            if name != "retry" or role != "province_admin":
                after = (
                    list(Inbound.objects.values_list("pk", "state")),
                    list(Outbound.objects.values_list("pk", "state", "next_attempt_at")),
                    list(
                        Partner.objects.values_list("pk", "name", "endpoint", "inbound_token_hash")
                    ),
                    PartnerCode.objects.count(),
                )
                assert after == before, (role, name)


def test_the_secret_page_is_for_the_province_admin(team, link, browse):
    url = f"{BASE}{link.partner.pk}/ma-xac-thuc/"
    for role, status in zip(ROLES[1:], (403, 403, 403, 302), strict=True):
        assert browse(role).post(url).status_code == status
    assert services.partner_for_token(link.secret) == link.partner


def test_a_unit_admin_retries_only_messages_of_their_unit(team, link, document, client_for):
    message = Outbound.objects.get(kind="package")
    Outbound.objects.filter(pk=message.pk).update(state=OutboundState.FAILED)
    url = f"{BASE}giam-sat/{message.pk}/gui-lai/"
    assert client_for(team.province.admin_snv).post(url).status_code == 403
    message.refresh_from_db()
    assert message.state == OutboundState.FAILED
    with support.later(30):
        response = client_for(team.province.admin_stttt).post(url)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == OutboundState.PENDING
    assert message.next_attempt_at == NOW + dt.timedelta(seconds=30)


# ---------------------------------------------------------------- the partner directory


def test_the_province_admin_adds_a_partner_and_sees_its_secret_once(team, browse):
    admin = browse("province_admin")
    province = team.province
    response = admin.post(
        f"{BASE}them/",
        {
            "name": "Hệ thống quản lý văn bản tỉnh Vĩnh Long",
            "transport": "direct",
            "endpoint": "https://vanban.vinhlong.example/lien-thong/he-thong-khac/nhan/",
            "outbound_token": "ma-vinh-long-cap-cho-ta",
            "codes": f"{VINH_LONG}; {VINH_LONG_NAME}\n000.00.01.H62 Sở Nội vụ tỉnh Vĩnh Long\n",
            "allowed_units": [province.stttt.pk],
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{partner.pk}/"
    assert partner.outbound_token == "ma-vinh-long-cap-cho-ta"
    assert sorted(partner.codes.values_list("agency_code", "name")) == [
        (VINH_LONG, VINH_LONG_NAME),
        ("000.00.01.H62", "Sở Nội vụ tỉnh Vĩnh Long"),
    ]
    assert list(partner.allowed_units.all()) == [province.stttt]

    page = admin.get(f"{BASE}{partner.pk}/").content.decode()
    secret = page.split('<code id="secret-value">')[1].split("</code>")[0]
    assert services.partner_for_token(secret) == partner
    assert secret not in admin.get(f"{BASE}{partner.pk}/").content.decode()
    assert "ma-vinh-long-cap-cho-ta" not in page
    listing = admin.get(BASE).content.decode()
    assert VINH_LONG in listing and province.stttt.name in listing

    # Changing it: the token left blank stays, the units can be cleared (every unit).
    response = admin.post(
        f"{BASE}{partner.pk}/",
        {
            "name": partner.name,
            "transport": "gateway",
            "endpoint": "https://lgsp.example/edoc/",
            "outbound_token": "",
            "codes": "",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.transport, partner.endpoint) == ("gateway", "https://lgsp.example/edoc/")
    assert partner.outbound_token == "ma-vinh-long-cap-cho-ta"
    assert partner.allowed_units.count() == 0
    assert services.partner_for_token(secret) == partner


def test_a_refused_partner_form_is_shown_back_and_saves_nothing(team, link, browse):
    admin = browse("province_admin")
    before = list(Partner.objects.values_list()), PartnerCode.objects.count()
    for data, message in (
        ({"name": "", "transport": "direct", "endpoint": "https://a.example/"}, "Hãy nhập tên"),
        ({"name": "A", "transport": "direct", "endpoint": "a.example"}, "phải bắt đầu bằng http"),
        (
            {"name": "A", "transport": "direct", "endpoint": "https://a.example/", "codes": "G22"},
            "không đúng dạng",
        ),
        (
            {
                "name": "A",
                "transport": "direct",
                "endpoint": "https://a.example/",
                "codes": MINISTRY,
            },
            "đã thuộc hệ thống khác",
        ),
    ):
        response = admin.post(f"{BASE}them/", data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert (list(Partner.objects.values_list()), PartnerCode.objects.count()) == before


# A code with a space or a comma is two fields of the line; every other malformed code is refused.
TYPED_MALFORMED = [(c, r) for c, r in MALFORMED + LOWERCASE if " " not in c and "," not in c]


@pytest.mark.parametrize(("code", "reason"), TYPED_MALFORMED)
def test_the_partner_form_refuses_malformed_codes(team, browse, code, reason):
    """QĐ 20/2020/QĐ-TTg: the line and the reason are shown, nothing is saved."""
    admin = browse("province_admin")
    before = list(Partner.objects.values_list()), PartnerCode.objects.count()
    response = admin.post(
        f"{BASE}them/",
        {
            "name": "Hệ thống A",
            "transport": "direct",
            "endpoint": "https://a.example/",
            "codes": f"{VINH_LONG}; {VINH_LONG_NAME}\n{code}; Cơ quan lạ\n",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Dòng 2: mã định danh “{code}” không đúng dạng: " in page
    assert reason in page
    assert (list(Partner.objects.values_list()), PartnerCode.objects.count()) == before


def test_the_partner_form_takes_every_code_of_the_national_samples(team, browse):
    admin = browse("province_admin")
    codes = "".join(f"{code}; Cơ quan {number}\n" for number, code in enumerate(SAMPLE_CODES))
    response = admin.post(
        f"{BASE}them/",
        {
            "name": "Trục mẫu",
            "transport": "direct",
            "endpoint": "https://a.example/",
            "codes": codes,
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Trục mẫu")
    assert sorted(partner.codes.values_list("agency_code", flat=True)) == SAMPLE_CODES


@pytest.mark.parametrize(("code", "reason"), [*MALFORMED[:2], *LOWERCASE, MALFORMED[-5]])
def test_the_codes_import_page_refuses_malformed_codes(team, link, browse, code, reason):
    admin = browse("province_admin")
    before = PartnerCode.objects.count()
    text = f"he_thong,ma_dinh_danh,ten_co_quan\n{link.partner.name},{code},Cơ quan lạ\n"
    response = admin.post(f"{BASE}ma-dinh-danh/", {"file": csv_upload(text)})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Dòng 2: mã định danh “{code}” không đúng dạng: " in page and reason in page
    assert PartnerCode.objects.count() == before


def test_a_new_secret_replaces_the_old_one(team, link, browse):
    admin = browse("province_admin")
    response = admin.post(f"{BASE}{link.partner.pk}/ma-xac-thuc/")
    assert response.status_code == 302
    page = admin.get(f"{BASE}{link.partner.pk}/").content.decode()
    secret = page.split('<code id="secret-value">')[1].split("</code>")[0]
    assert services.partner_for_token(secret) == link.partner
    assert services.partner_for_token(link.secret) is None
    assert AuditEvent.objects.filter(action="interop.partner_token").count() == 1


def test_codes_import_from_csv(team, link, browse):
    admin = browse("province_admin")
    name = link.partner.name
    header = "he_thong,ma_dinh_danh,ten_co_quan\n"
    bad = header + f"{name},000.00.00.G12,Bộ Tài chính\n{name},G13,Bộ Tư pháp\n"
    response = admin.post(f"{BASE}ma-dinh-danh/", {"file": csv_upload(bad)})
    assert response.status_code == 200
    assert (
        "Dòng 3: mã định danh “G13” không đúng dạng: chỉ có mã cấp 1 “G13”"
        in response.content.decode()
    )
    assert PartnerCode.objects.count() == 2
    response = admin.post(f"{BASE}ma-dinh-danh/", {"file": csv_upload(bad, "utf-16")})
    assert "Tệp CSV phải mã hóa UTF-8." in response.content.decode()

    good = "\ufeff" + header + f"{name},000.00.00.G12,Bộ Tài chính\n"
    response = admin.post(f"{BASE}ma-dinh-danh/", {"file": csv_upload(good)})
    assert response.status_code == 302
    assert PartnerCode.objects.get(agency_code="000.00.00.G12").partner == link.partner


# ---------------------------------------------------------------- a received package


def test_the_queue_lists_packages_from_other_systems_for_their_clerks(team, queued, browse):
    page = browse("clerk").get("/lien-thong/hang-cho/").content.decode()
    assert f'href="{BASE}den/{queued.pk}/"' in page
    assert VINH_LONG_NAME in page and queued.subject in page
    other = browse("other_clerk").get("/lien-thong/hang-cho/").content.decode()
    assert f"{BASE}den/{queued.pk}/" not in other


def test_the_package_page_shows_the_package_its_signatures_and_a_prefilled_form(
    team, queued, document, browse
):

    clerk = browse("clerk")
    page = clerk.get(f"{BASE}den/{queued.pk}/").content.decode()
    assert document.subject in page and document.number_symbol in page
    assert VINH_LONG_NAME in page and VINH_LONG in page
    assert "Kế hoạch.pdf" in page
    assert "Hợp lệ" in page and "Sở Thông tin và Truyền thông" in page
    assert 'name="code_number" value="01"' in page
    assert f'name="issuer_code" value="{VINH_LONG}"' in page
    assert "01 đã đến" in page

    main = document.files.get(role="main")
    from vanban.documents.files import file_read_verified

    response = clerk.get(f"{BASE}den/{queued.pk}/tep/0/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == file_read_verified(main.storage_name, main.sha256)
    assert clerk.get(f"{BASE}den/{queued.pk}/tep/9/").status_code == 404


def _register_data(page_fields: dict[str, str]) -> dict[str, str]:
    return {
        "document_type": page_fields["document_type"],
        "code_number": "01",
        "code_notation": "KH-STTTT",
        "issued_date": "2026-11-25",
        "issuer_name": VINH_LONG_NAME,
        "issuer_code": VINH_LONG,
        "subject": "Kế hoạch chuyển đổi số của tỉnh năm 2027",
        "urgency": "0",
        "is_electronic": "on",
        **page_fields.get("extra", {}),
    }


def test_the_clerk_registers_a_package_from_the_page(team, queued, browse):
    from vanban.documents.models import DocumentType

    clerk = browse("clerk")
    data = _register_data({"document_type": str(DocumentType.objects.get(name="Kế hoạch").pk)})
    response = clerk.post(f"{BASE}den/{queued.pk}/vao-so/", data)  # no declaration
    assert response.status_code == 200
    assert Inbound.objects.get().state == InboundState.QUEUED
    assert Outbound.objects.filter(kind="status").count() == 1

    response = clerk.post(f"{BASE}den/{queued.pk}/vao-so/", {**data, "sensitive_declared": "on"})
    queued.refresh_from_db()
    assert queued.state == InboundState.REGISTERED
    assert response.status_code == 302
    assert response["Location"] == f"/van-ban/{queued.incoming_document.pk}/"
    answer = Outbound.objects.filter(kind="status").order_by("pk").last()
    assert answer.status_code == "03"
    page = clerk.get(f"{BASE}den/{queued.pk}/").content.decode()
    assert 'id="register-form"' not in page and "Đã vào sổ" in page


def test_the_clerk_refuses_a_package_from_the_page(team, queued, browse):
    clerk = browse("clerk")
    response = clerk.post(f"{BASE}den/{queued.pk}/tu-choi/", {"reason": " "})
    assert response.status_code == 200
    assert "Hãy ghi lý do từ chối." in response.content.decode()
    assert Inbound.objects.get().state == InboundState.QUEUED

    response = clerk.post(f"{BASE}den/{queued.pk}/tu-choi/", {"reason": "Gửi nhầm đơn vị"})
    assert response.status_code == 302 and response["Location"] == "/lien-thong/hang-cho/"
    queued.refresh_from_db()
    assert (queued.state, queued.reason) == (InboundState.REFUSED, "Gửi nhầm đơn vị")
    answer = Outbound.objects.filter(kind="status").order_by("pk").last()
    assert (answer.status_code, read_status(bytes(answer.payload)).description) == (
        "02",
        "Gửi nhầm đơn vị",
    )


# ---------------------------------------------------------------- the sender's page


def test_the_sent_page_shows_what_the_other_system_reported(team, link, document, browse, client):
    sender = browse("other_clerk")  # the issuing unit's clerk
    url = f"/lien-thong/van-ban/{document.pk}/"
    page = sender.get(url).content.decode()
    assert "Cơ quan nhận ở hệ thống khác" in page
    assert MINISTRY in page and "chờ gửi" in page

    delivery = Delivery.objects.exclude(transport=Transport.LOCAL).get()
    for code, note in (("01", ""), ("03", ""), ("02", "Sai thể thức, đề nghị ban hành lại.")):
        with support.later(60 * int(code)):
            client.post(
                RECEIVE_URL,
                support.status_from_ministry(delivery, code, note),
                content_type="application/xml",
                **link.headers(),
            )
    page = sender.get(url).content.decode()
    assert "02 bị từ chối: Sai thể thức, đề nghị ban hành lại." in page
    assert "25/11/2026 09:32" in page  # the 02's time
    assert "01 đã đến" in page and "03 đã vào sổ" in page
    assert page.count("Sai thể thức, đề nghị ban hành lại.") == 2  # status and its event


def test_the_sent_page_reads_all_recipients_at_once(team, link, document, browse, client):
    """Units of the deployment and agencies of other systems come from one read: more agencies,
    with their statuses, cost no more queries."""
    sender = browse("other_clerk")
    url = f"/lien-thong/van-ban/{document.pk}/"
    before = _queries(sender, url)
    services.external_send(
        actor=team.clerk, document=document, recipients=[(VINH_LONG, VINH_LONG_NAME)]
    )
    for delivery in Delivery.objects.exclude(transport=Transport.LOCAL):
        client.post(
            RECEIVE_URL,
            support.status_from_ministry(delivery, "01"),
            content_type="application/xml",
            **link.headers(),
        )
    assert _queries(sender, url) == before
    page = sender.get(url).content.decode()
    assert page.count('<tr id="external-') == 2 and page.count('<tr id="recipient-') == 1
    assert VINH_LONG_NAME in page


# ---------------------------------------------------------------- monitoring


def more_traffic(team, link, client, count: int) -> None:
    """`count` unsigned packages (refused on arrival, 02 queued back) and one of them sent back
    with a failure."""
    for number in range(count):
        data = build_package(
            from_id=VINH_LONG,
            code_number=str(100 + Inbound.objects.count() + number),
            attachments=(("Công văn.pdf", "application/pdf", pdf_bytes("Không ký")),),
        )
        response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
        assert response.json()["outcome"] == "refused"
    Outbound.objects.filter(
        pk=Outbound.objects.filter(state="pending").order_by("-pk").values("pk")[:1]
    ).update(state=OutboundState.FAILED, last_error="HTTP 409: Đã nhận.", attempts=1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# Session, user, roles, the counts (2), the three tables, unread notifications; the unit
# filter for the province admin.
MONITOR_QUERIES = {"province_admin": 10, "other_clerk": 9}


@pytest.mark.parametrize("role", sorted(MONITOR_QUERIES))
def test_monitor_queries_do_not_grow_with_the_data(team, link, queued, client, browse, role):
    viewer = browse(role)
    url = f"{BASE}giam-sat/"
    more_traffic(team, link, client, 1)
    small = _queries(viewer, url)
    more_traffic(team, link, client, 4)
    assert _queries(viewer, url) == small == MONITOR_QUERIES[role]


def test_monitor_counts_and_tables(team, link, queued, client, browse):
    more_traffic(team, link, client, 2)
    message = Outbound.objects.get(kind="package")
    Outbound.objects.filter(pk=message.pk).update(
        attempts=3,
        last_error="HTTP 500: Lỗi máy chủ.",
        next_attempt_at=NOW + dt.timedelta(seconds=20),
    )
    admin = browse("province_admin")
    page = admin.get(f"{BASE}giam-sat/").content.decode()
    counts = services.monitor_counts(None)
    assert counts == {
        "sent": 0,
        "pending": 3,  # the package, the 01 and one 02
        "retried": 1,
        "failed": 1,
        "received": 3,
        "queued": 1,
        "rejected": 2,
    }
    assert '<td id="count-pending">3</td>' in page
    assert '<td id="count-rejected">2</td>' in page
    assert "HTTP 500: Lỗi máy chủ." in page and "25/11/2026 09:30:20" in page
    assert "HTTP 409: Đã nhận." in page
    assert "Gửi lại ngay" in page
    assert "Từ chối khi nhận" in page

    # The Sở Nội vụ's clerk sees their unit only: the package they received and its 01.
    snv = services.monitor_counts([team.province.snv.pk])
    assert (snv["received"], snv["pending"], snv["rejected"]) == (1, 1, 0)
    page = browse("clerk").get(f"{BASE}giam-sat/").content.decode()
    assert '<td id="count-received">1</td>' in page
    assert "Gửi lại ngay" not in page and "HTTP 500" not in page

    # The province admin filters by unit or by level.
    filtered = admin.get(f"{BASE}giam-sat/", {"unit": team.province.stttt.pk}).content.decode()
    assert '<td id="count-received">2</td>' in filtered and "HTTP 500" in filtered
    by_level = admin.get(f"{BASE}giam-sat/", {"level": "1"}).content.decode()
    assert '<td id="count-received">0</td>' in by_level
    assert admin.get(f"{BASE}giam-sat/", {"unit": "999999"}).status_code == 404


def test_a_revocation_of_a_registered_package_is_shown_but_not_registered(
    team, link, document, queued, client, browse
):
    from vanban.documents.models import DocumentType

    clerk = browse("clerk")
    data = _register_data({"document_type": str(DocumentType.objects.get(name="Kế hoạch").pk)})
    clerk.post(f"{BASE}den/{queued.pk}/vao-so/", {**data, "sensitive_declared": "on"})
    revoke = support.readdressed(document, to=team.province.snv.agency_code).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    client.post(RECEIVE_URL, revoke, content_type="application/xml", **link.headers())
    revocation = Inbound.objects.get(business_type=1)
    assert revocation.state == InboundState.QUEUED

    page = clerk.get(f"{BASE}den/{revocation.pk}/").content.decode()
    assert 'id="revocation-pending"' in page
    assert 'id="register-form"' not in page and 'id="refuse-form"' not in page
    before = support.snapshot()
    response = clerk.post(f"{BASE}den/{revocation.pk}/tu-choi/", {"reason": "Không đồng ý"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}den/{revocation.pk}/"
    assert support.snapshot() == before
