"""Who may open each document page and send each form (R14, R16).

Every page and POST is tried by six people: nobody signed in, a staff member of the unit, the clerk
of another unit, the unit's admin, the unit's leader (reads, does not register) and the unit's
clerk. A refused request must leave the database and the file storage exactly as they were.
"""

import pytest
from django.test import Client

from tests.documents.test_pages import NOW, incoming_data, outgoing_data, state
from tests.support.documents import DECLARED, Office, doc_type, incoming_input, scan
from tests.support.matrix import Case, cell_params, every_cell
from vanban.core import clock
from vanban.documents import services

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "staff", "other_clerk", "unit_admin", "leader", "clerk"]
SUBJECT = "Kế hoạch chuyển đổi số của Sở năm 2027"


@pytest.fixture(autouse=True)
def _fixed_clock():
    with clock.frozen(NOW):
        yield


def actor_user(office: Office, actor: str):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "staff": office.province.staff_stttt,
        "other_clerk": office.clerk_snv,
        "unit_admin": office.province.admin_stttt,
        "leader": office.leader,
        "clerk": office.clerk,
    }[actor]


def expect(staff: int, other_clerk: int, unit_admin: int, leader: int, clerk: int) -> dict:
    return {
        "anonymous": 302,
        "staff": staff,
        "other_clerk": other_clerk,
        "unit_admin": unit_admin,
        "leader": leader,
        "clerk": clerk,
    }


READERS = {"leader", "clerk"}
CASES = [
    Case(
        "incoming list",
        "get",
        lambda o, d: "/van-ban/den/",
        allowed=READERS,
        expect=expect(200, 200, 200, 200, 200),
        marker=SUBJECT,
    ),
    Case(
        "outgoing list",
        "get",
        lambda o, d: "/van-ban/di/",
        allowed=READERS,
        expect=expect(200, 200, 200, 200, 200),
        marker="Văn bản đi",
    ),
    Case(
        "incoming list of the unit",
        "get",
        lambda o, d: f"/van-ban/den/?unit={o.province.stttt.pk}",
        allowed=READERS,
        expect=expect(404, 404, 404, 200, 200),
        marker=SUBJECT,
    ),
    Case(
        "incoming form",
        "get",
        lambda o, d: "/van-ban/den/vao-so/",
        allowed={"clerk"},
        expect=expect(403, 200, 403, 403, 200),
        marker="Vào sổ văn bản đến",
    ),
    Case(
        "incoming register",
        "post",
        lambda o, d: "/van-ban/den/vao-so/",
        allowed={"clerk"},
        expect=expect(403, 200, 403, 403, 302),
        data=lambda o: incoming_data(o, code_number="77"),
    ),
    Case(
        "outgoing form",
        "get",
        lambda o, d: "/van-ban/di/vao-so/",
        allowed={"clerk"},
        expect=expect(403, 200, 403, 403, 200),
        marker="Vào sổ văn bản đi",
    ),
    Case(
        "outgoing register",
        "post",
        lambda o, d: "/van-ban/di/vao-so/",
        allowed={"clerk"},
        expect=expect(403, 200, 403, 403, 302),
        data=lambda o: outgoing_data(o),
    ),
    Case(
        "document detail",
        "get",
        lambda o, d: f"/van-ban/{d.pk}/",
        allowed=READERS,
        expect=expect(404, 404, 404, 200, 200),
        marker=SUBJECT,
    ),
    Case(
        "document share",
        "post",
        lambda o, d: f"/van-ban/{d.pk}/chuyen/",
        allowed=READERS,
        expect=expect(404, 404, 404, 302, 302),
        data=lambda o: {"user": o.province.staff_stttt.pk},
    ),
    Case(
        "series page",
        "get",
        lambda o, d: "/van-ban/so-van-ban/",
        allowed={"unit_admin", *READERS},
        expect=expect(403, 200, 200, 200, 200),
        marker="Sổ đăng ký văn bản đến",
    ),
    Case(
        "series page of the unit",
        "get",
        lambda o, d: f"/van-ban/so-van-ban/?unit={o.province.stttt.pk}",
        allowed={"unit_admin", *READERS},
        expect=expect(403, 404, 200, 200, 200),
        marker="Sổ đăng ký văn bản đến",
    ),
    Case(
        "series create",
        "post",
        lambda o, d: "/van-ban/so-van-ban/mo-so/",
        allowed={"unit_admin", *READERS},
        expect=expect(403, 200, 302, 302, 302),
        data=lambda o: {
            "unit": o.province.stttt.pk,
            "year": "2026",
            "direction": "out",
            "scope": "type",
            "document_type": doc_type("Kế hoạch").pk,
        },
    ),
]


@pytest.mark.parametrize(("case", "actor"), cell_params(every_cell(CASES, ACTORS)))
def test_document_pages_authorization_matrix(case: Case, actor: str, office, client_for):
    document = services.incoming_register(
        actor=office.clerk,
        unit=office.province.stttt,
        refusals=DECLARED,
        data=incoming_input(subject=SUBJECT, issued_date=NOW.date()),
        main_file=scan(),
    )
    user = actor_user(office, actor)
    client = client_for(user) if user else Client()
    url = case.url(office, document)
    before = state()

    response = getattr(client, case.method)(url, case.body(office))

    assert response.status_code == case.expect[actor], (case.name, actor)
    html = response.content.decode()
    if actor == "anonymous":
        assert response.headers["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    if response.status_code == 403:
        assert "Không có quyền truy cập" in html
    if actor in case.allowed:
        if case.marker:
            assert case.marker in html
        if case.method == "post":
            assert state() != before
    else:
        if case.method == "get" and response.status_code == 200:
            assert SUBJECT not in html  # the page opens but shows nothing of the unit
        assert state() == before


def test_refusals_say_why(office, client_for):
    """The 403 pages name the role that is needed."""
    for user, url, message in [
        (office.leader, "/van-ban/den/vao-so/", "Chỉ văn thư của đơn vị được vào sổ văn bản."),
        (
            office.province.staff_stttt,
            "/van-ban/di/vao-so/",
            "Chỉ văn thư của đơn vị được vào sổ văn bản.",
        ),
        (
            office.province.staff_stttt,
            "/van-ban/so-van-ban/",
            "Chỉ lãnh đạo, văn thư hoặc quản trị đơn vị được xem và thiết lập sổ văn bản.",
        ),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 403
        assert message in response.content.decode()


def test_forms_refuse_the_wrong_method(office, client_for):
    client = client_for(office.clerk)
    document = services.incoming_register(
        actor=office.clerk,
        unit=office.province.stttt,
        refusals=DECLARED,
        data=incoming_input(issued_date=NOW.date()),
        main_file=scan(),
    )
    before = state()
    assert client.get(f"/van-ban/{document.pk}/chuyen/").status_code == 405
    assert client.get("/van-ban/so-van-ban/mo-so/").status_code == 405
    assert client.post("/van-ban/den/", {}).status_code == 405
    assert client.post(f"/van-ban/{document.pk}/", {}).status_code == 405
    assert state() == before
