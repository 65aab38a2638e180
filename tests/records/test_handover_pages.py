"""The hand-over pages: who sees which page (the authorization matrix), the unit's and the
archive's buttons with their refusals, the two prints read back with pdftotext, and the query
counts of the list pages (docs/records.md, "Nộp lưu và phông lưu trữ")."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.test import Client

from tests.support.drafting import NOW
from tests.support.matrix import Cells
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.core import clock
from vanban.records import handover
from vanban.records.models import (
    DossierStatus,
    Fonds,
    HandOver,
    HandOverStatus,
    KeepBack,
    KeepBackStatus,
)

from .support_handover import accepted, build_archive, due_soon, overdue, state, submitted

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def archive(province):
    return build_archive(province)


PEOPLE = (
    "anonymous",
    "staff",
    "handler",
    "clerk",
    "leader",
    "archivist",
    "archivist_snv",
    "unit_admin",
    "province_admin",
)


def person(archive, name):
    p = archive.province
    return {
        "staff": archive.handler2,
        "handler": archive.handler,
        "clerk": archive.clerk,
        "leader": archive.leader,
        "archivist": archive.archivist,
        "archivist_snv": archive.archivist_snv,
        "unit_admin": p.admin_stttt,
        "province_admin": p.province_admin,
    }[name]


@pytest.fixture
def clients(archive, client_for):
    return {
        name: Client() if name == "anonymous" else client_for(person(archive, name))
        for name in PEOPLE
    }


def pdf_text(content: bytes) -> str:
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
        [PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(text.split())


# Each page: its address, the answer of each person (200 unless named; anonymous 302 always),
# and who sees the marker (the data of the unit) on it.
EVERYONE = {"anonymous": 302}
NOT_ARCHIVE = {
    **EVERYONE,
    "staff": 403,
    "handler": 403,
    "clerk": 403,
    "leader": 403,
    "unit_admin": 403,
    "province_admin": 403,
}
HAND_OVER_READERS = {
    **EVERYONE,
    "staff": 404,
    "archivist_snv": 404,
    "unit_admin": 404,
    "province_admin": 404,
}


def rows(data):
    sent, done, soon = data["sent"], data["done"], data["soon"]
    return [
        ("due", "/ho-so/nop-luu/", EVERYONE, {"handler", "clerk", "leader"}, soon.title),
        (
            "list",
            "/ho-so/nop-luu/danh-sach/",
            EVERYONE,
            {"handler", "clerk", "leader"},
            'class="handover-row"',
        ),
        (
            "detail",
            f"/ho-so/nop-luu/{sent.pk}/",
            HAND_OVER_READERS,
            {"handler", "clerk", "leader", "archivist"},
            "Báo cáo tổng kết năm 2025",
        ),
        ("list-pdf", f"/ho-so/nop-luu/{sent.pk}/muc-luc.pdf", HAND_OVER_READERS, set(), ""),
        ("minutes-pdf", f"/ho-so/nop-luu/{done.pk}/bien-ban.pdf", HAND_OVER_READERS, set(), ""),
        ("queue", "/ho-so/luu-tru/cho-kiem-tra/", NOT_ARCHIVE, {"archivist"}, 'class="queue-row"'),
        ("holdings", "/ho-so/luu-tru/kho/", NOT_ARCHIVE, {"archivist"}, 'class="holding-row"'),
        (
            "fonds-list",
            "/ho-so/phong/",
            {**EVERYONE, "staff": 403, "handler": 403, "clerk": 403, "leader": 403},
            {"archivist", "unit_admin", "province_admin"},
            "Sở Thông tin và Truyền thông tỉnh Bến Tre",
        ),
        (
            "fonds-detail",
            f"/ho-so/phong/{data['fonds'].pk}/",
            {
                **EVERYONE,
                "staff": 404,
                "handler": 404,
                "clerk": 404,
                "leader": 404,
                "archivist_snv": 404,
            },
            {"archivist", "unit_admin", "province_admin"},
            "Biên bản số 1",
        ),
        (
            "fonds-open",
            "/ho-so/phong/mo/",
            {
                **EVERYONE,
                "staff": 403,
                "handler": 403,
                "clerk": 403,
                "leader": 403,
                "archivist": 403,
                "archivist_snv": 403,
            },
            set(),
            "",
        ),
        (
            "keep-backs",
            "/ho-so/nop-luu/giu-lai/",
            EVERYONE,
            {"handler", "leader"},
            'class="keep-back-row"',
        ),
        (
            "keep-back-form",
            f"/ho-so/nop-luu/ho-so/{soon.pk}/giu-lai/",
            {
                **EVERYONE,
                "staff": 404,
                "leader": 403,
                "archivist": 404,
                "archivist_snv": 404,
                "unit_admin": 404,
                "province_admin": 404,
            },
            {"handler", "clerk"},
            "Gửi thủ trưởng duyệt",
        ),
    ]


@pytest.fixture
def data(archive):
    soon = due_soon(archive)
    sent = submitted(archive, overdue(archive))
    done = accepted(archive, due_soon(archive, title="Kế hoạch ứng dụng CNTT năm 2025"))
    handover.keep_back_request(
        actor=archive.handler,
        dossier=due_soon(archive, title="Hồ sơ xin giữ lại"),
        reason="Còn dùng",
        until=dt.date(2027, 6, 30),
    )
    return {"soon": soon, "sent": sent, "done": done, "fonds": archive.fonds}


def test_who_sees_which_page(archive, data, clients):
    before = state()
    for name, url, expect, readers, marker in rows(data):
        cells = Cells(name)
        for who in PEOPLE:
            with cells.cell(who):
                response = clients[who].get(url)
                status = expect.get(who, 200)
                assert response.status_code == status, (url, response.status_code, status)
                if status == 200 and marker:
                    seen = marker in response.content.decode()
                    assert seen == (who in readers), f"marker {marker!r} seen: {seen}"
        cells.check()
    assert state() == before


def test_the_unit_lists_sends_and_the_archive_accepts(archive, clients):
    a, b = overdue(archive), due_soon(archive)
    clerk, archivist = clients["clerk"], clients["archivist"]
    page = clerk.get("/ho-so/nop-luu/").content.decode()
    assert "Quá hạn nộp lưu" in page and "Sắp đến hạn" in page
    assert f'value="{a.pk}"' in page
    # Nothing ticked: the page again with the reason, nothing written.
    before = state()
    response = clerk.post("/ho-so/nop-luu/lap/", {})
    assert response.status_code == 200
    assert "Chưa lưu gì" in response.content.decode()
    assert state() == before
    response = clerk.post("/ho-so/nop-luu/lap/", {"dossiers": [a.pk, b.pk]})
    hand_over = HandOver.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ho-so/nop-luu/{hand_over.pk}/"
    page = clerk.get(response["Location"]).content.decode()
    assert "Đã lập mục lục nộp lưu số" in page and "Gửi lưu trữ cơ quan" in page
    # The archive does not see a list not yet sent.
    assert archivist.get(f"/ho-so/nop-luu/{hand_over.pk}/").status_code == 404
    assert clerk.post(f"/ho-so/nop-luu/{hand_over.pk}/gui/").status_code == 302
    hand_over.refresh_from_db()
    assert hand_over.status == HandOverStatus.SUBMITTED
    # The unit cannot accept; the archive of another unit does not see it.
    assert clerk.post(f"/ho-so/nop-luu/{hand_over.pk}/tiep-nhan/").status_code == 403
    assert (
        clients["archivist_snv"].post(f"/ho-so/nop-luu/{hand_over.pk}/tiep-nhan/").status_code
        == 404
    )
    queue = archivist.get("/ho-so/luu-tru/cho-kiem-tra/").content.decode()
    assert queue.count('class="queue-row"') == 1
    page = archivist.get(f"/ho-so/nop-luu/{hand_over.pk}/").content.decode()
    assert "Tiếp nhận và lập biên bản" in page and "Trả lại đơn vị" in page
    # Returning without a reason: the page again with the message.
    response = archivist.post(f"/ho-so/nop-luu/{hand_over.pk}/tra-lai/", {"reason": ""})
    assert response.status_code == 200 and "Hãy nhập lý do trả lại." in response.content.decode()
    response = archivist.post(
        f"/ho-so/nop-luu/{hand_over.pk}/tra-lai/",
        {"reason": "Thiếu văn bản.", f"note-{a.pk}": "Thiếu báo cáo tháng 12."},
    )
    assert response.status_code == 302
    page = clerk.get(f"/ho-so/nop-luu/{hand_over.pk}/").content.decode()
    assert "Lưu trữ trả lại: Thiếu văn bản." in page and "Thiếu báo cáo tháng 12." in page
    assert "Gửi lại lưu trữ cơ quan" in page
    clerk.post(f"/ho-so/nop-luu/{hand_over.pk}/gui/")
    assert archivist.post(f"/ho-so/nop-luu/{hand_over.pk}/tiep-nhan/").status_code == 302
    hand_over.refresh_from_db()
    assert (hand_over.status, hand_over.minutes_number) == (HandOverStatus.ACCEPTED, 1)
    a.refresh_from_db()
    assert a.status == DossierStatus.ARCHIVED
    holdings = archivist.get("/ho-so/luu-tru/kho/").content.decode()
    assert holdings.count('class="holding-row"') == 2
    assert "Phông Sở Thông tin và Truyền thông tỉnh Bến Tre" in holdings
    # A second click answers with the refusal, nothing else.
    archivist.post(f"/ho-so/nop-luu/{hand_over.pk}/tiep-nhan/")
    page = archivist.get(f"/ho-so/nop-luu/{hand_over.pk}/").content.decode()
    assert "không ở trạng thái chờ lưu trữ kiểm tra" in page


def test_keeping_back_through_the_pages(archive, clients):
    soon = due_soon(archive)
    url = f"/ho-so/nop-luu/ho-so/{soon.pk}/giu-lai/"
    before = state()
    response = clients["handler"].post(url, {"reason": "Còn dùng", "until": "11/12/2028"})
    assert response.status_code == 200
    assert "tức đến ngày 10/12/2028" in response.content.decode()
    response = clients["handler"].post(url, {"reason": "Còn dùng", "until": "31/02/2027"})
    assert response.status_code == 200
    assert state() == before
    assert clients["leader"].post(url, {"reason": "x", "until": "01/12/2027"}).status_code == 403
    response = clients["handler"].post(url, {"reason": "Còn dùng", "until": "10/12/2028"})
    assert response.status_code == 302
    keep = KeepBack.objects.get()
    page = clients["leader"].get("/ho-so/nop-luu/giu-lai/").content.decode()
    assert "Đồng ý giữ lại" in page
    assert (
        "Đồng ý giữ lại</button>"
        not in clients["clerk"].get("/ho-so/nop-luu/giu-lai/").content.decode()
    )
    # The clerk does not see the request; the requester cannot decide it.
    assert (
        clients["clerk"]
        .post(f"/ho-so/nop-luu/giu-lai/{keep.pk}/", {"decision": "approve"})
        .status_code
        == 404
    )
    assert (
        clients["handler"]
        .post(f"/ho-so/nop-luu/giu-lai/{keep.pk}/", {"decision": "approve"})
        .status_code
        == 403
    )
    response = clients["leader"].post(f"/ho-so/nop-luu/giu-lai/{keep.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    keep.refresh_from_db()
    assert keep.status == KeepBackStatus.APPROVED
    page = clients["clerk"].get("/ho-so/nop-luu/").content.decode()
    assert "Không có hồ sơ nào đến hạn hoặc quá hạn nộp lưu." in page
    assert "giữ lại đến 10/12/2028" in page


def test_the_fonds_pages(archive, clients):
    p = archive.province
    admin = clients["province_admin"]
    page = admin.get("/ho-so/phong/mo/").content.decode()
    assert "Sở Nội vụ" in page and "Sở Thông tin và Truyền thông</option>" not in page
    before = state()
    response = admin.post(
        "/ho-so/phong/mo/", {"unit": p.snv.pk, "name": "", "opened_on": "01/04/2008"}
    )
    assert response.status_code == 200 and "Hãy nhập tên phông." in response.content.decode()
    response = admin.post(
        "/ho-so/phong/mo/",
        {"unit": p.stttt.pk, "name": "Phông khác", "opened_on": "01/04/2008"},
    )
    assert response.status_code == 200
    assert "không mở phông được" in response.content.decode()
    assert state() == before
    response = admin.post(
        "/ho-so/phong/mo/",
        {
            "unit": p.snv.pk,
            "name": "Sở Nội vụ tỉnh Bến Tre",
            "code": "SNV",
            "opened_on": "01/04/2008",
        },
    )
    fonds = Fonds.objects.get(unit=p.snv)
    assert response.status_code == 302 and response["Location"] == f"/ho-so/phong/{fonds.pk}/"
    # The unit admin of another unit cannot close it; its own can.
    assert (
        clients["unit_admin"]
        .post(f"/ho-so/phong/{fonds.pk}/dong/", {"closed_on": "30/06/2025"})
        .status_code
        == 404
    )
    response = admin.post(f"/ho-so/phong/{fonds.pk}/dong/", {"closed_on": "01/01/2000"})
    assert response.status_code == 200
    assert "phải từ ngày mở phông (01/04/2008)" in response.content.decode()
    response = admin.post(
        f"/ho-so/phong/{fonds.pk}/dong/",
        {"closed_on": "30/06/2025", "note": "Hợp nhất theo Nghị quyết 202/2025/QH15"},
    )
    assert response.status_code == 302
    page = admin.get(f"/ho-so/phong/{fonds.pk}/").content.decode()
    assert "Đã đóng ngày 30/06/2025" in page and "Đóng phông</button>" not in page
    # The unit's archive reads its fonds without the button.
    page = clients["archivist"].get(f"/ho-so/phong/{archive.fonds.pk}/").content.decode()
    assert "Đang mở" in page and "Đóng phông</button>" not in page


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
def test_the_list_and_the_minutes_printed(archive, clients):
    a = overdue(archive)
    b = due_soon(archive, item=archive.permanent, title="Đề án chính quyền số")
    done = accepted(archive, a, b)
    response = clients["clerk"].get(f"/ho-so/nop-luu/{done.pk}/muc-luc.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    flat = pdf_text(response.content)
    assert "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU" in flat
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in flat and "ỦY BAN NHÂN DÂN TỈNH BẾN TRE" in flat
    for heading in (
        "Số TT",
        "Mã hồ sơ",
        "Tiêu đề hồ sơ",
        "Thời gian bắt đầu và kết thúc",
        "Thời hạn bảo quản",
        "Số tờ/số trang",
        "Ghi chú",
    ):
        assert heading in flat, heading
    assert f"000.00.12.H07.2025.{a.notation}" in flat
    assert "Báo cáo tổng kết năm 2025" in flat and "Đề án chính quyền số" in flat
    assert "10 năm" in flat and "Vĩnh viễn" in flat
    assert "Mục lục này gồm 2 hồ sơ." in flat
    response = clients["archivist"].get(f"/ho-so/nop-luu/{done.pk}/bien-ban.pdf")
    assert response.status_code == 200
    flat = pdf_text(response.content)
    assert "BIÊN BẢN" in flat and "Về việc giao nhận hồ sơ, tài liệu" in flat
    assert "Số 1, phông Sở Thông tin và Truyền thông tỉnh Bến Tre" in flat
    assert "BÊN GIAO: Sở Thông tin và Truyền thông, đại diện là ông (bà) Võ Thị Thu Trang" in flat
    assert (
        "BÊN NHẬN: Lưu trữ cơ quan Sở Thông tin và Truyền thông, đại diện là ông (bà) Mai Thị Lưu"
        in flat
    )
    assert "Số lượng tài liệu giao nhận: 2 hồ sơ." in flat
    assert "Thời gian của tài liệu: năm 2025." in flat
    assert "Hôm nay, ngày 25 tháng 11 năm 2026, tại Sở Thông tin và Truyền thông" in flat
    assert "ĐẠI DIỆN BÊN GIAO" in flat and "ĐẠI DIỆN BÊN NHẬN" in flat
    # No minutes before the archive accepts.
    sent = submitted(archive, due_soon(archive, title="Khác"))
    assert clients["clerk"].get(f"/ho-so/nop-luu/{sent.pk}/bien-ban.pdf").status_code == 404


def _fill(archive, size):
    for n in range(size):
        due_soon(archive, title=f"Hồ sơ số {n}")
    for n in range(size):
        accepted(archive, overdue(archive, title=f"Đã nộp {n}"))
    for n in range(size):
        submitted(archive, due_soon(archive, title=f"Đang gửi {n}"))
    for n in range(size):
        handover.keep_back_request(
            actor=archive.handler,
            dossier=due_soon(archive, title=f"Giữ {n}"),
            reason="Còn dùng",
            until=dt.date(2027, 6, 30),
        )


@pytest.mark.parametrize("size", [1, 6])
def test_the_list_pages_cost_the_same_whatever_the_rows(
    archive, clients, django_assert_num_queries, size
):
    _fill(archive, size)
    # The session, the account, the account's roles, the menu's unread count, then the page's own
    # queries (see each selector's docstring).
    pages = [
        ("clerk", "/ho-so/nop-luu/", 7, 'class="due-row'),
        ("clerk", "/ho-so/nop-luu/danh-sach/", 5, 'class="handover-row"'),
        ("archivist", "/ho-so/luu-tru/cho-kiem-tra/", 5, 'class="queue-row"'),
        ("archivist", "/ho-so/luu-tru/kho/", 5, 'class="holding-row"'),
        ("province_admin", "/ho-so/phong/", 6, 'class="fonds-row"'),
        ("leader", "/ho-so/nop-luu/giu-lai/", 5, 'class="keep-back-row"'),
    ]
    for who, url, queries, marker in pages:
        with django_assert_num_queries(queries):
            response = clients[who].get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count(marker) >= 1, url


def post_rows(data):
    draft, sent, keep, soon = data["draft"], data["sent"], data["keep"], data["soon"]
    fonds = data["fonds"]
    outsiders = {"archivist_snv": 404, "unit_admin": 404, "province_admin": 404, "staff": 404}
    return [
        (
            "submit",
            f"/ho-so/nop-luu/{draft.pk}/gui/",
            {},
            {**outsiders, "handler": 403, "leader": 403, "archivist": 404},
        ),
        (
            "remove",
            f"/ho-so/nop-luu/{draft.pk}/bo/{soon.pk}/",
            {},
            {**outsiders, "handler": 403, "leader": 403, "archivist": 404},
        ),
        (
            "add",
            f"/ho-so/nop-luu/{draft.pk}/them/",
            {"dossiers": [data["other"].pk]},
            {**outsiders, "handler": 403, "leader": 403, "archivist": 404},
        ),
        (
            "accept",
            f"/ho-so/nop-luu/{sent.pk}/tiep-nhan/",
            {},
            {**outsiders, "handler": 403, "clerk": 403, "leader": 403},
        ),
        (
            "return",
            f"/ho-so/nop-luu/{sent.pk}/tra-lai/",
            {"reason": "Thiếu văn bản."},
            {**outsiders, "handler": 403, "clerk": 403, "leader": 403},
        ),
        (
            "create",
            "/ho-so/nop-luu/lap/",
            {"dossiers": [data["other"].pk]},
            {
                "staff": 403,
                "handler": 403,
                "leader": 403,
                "archivist": 403,
                "archivist_snv": 403,
                "unit_admin": 403,
                "province_admin": 403,
            },
        ),
        (
            "keep-back-request",
            f"/ho-so/nop-luu/ho-so/{data['other'].pk}/giu-lai/",
            {"reason": "Còn dùng", "until": "01/06/2027"},
            {**outsiders, "handler": 404, "leader": 403, "archivist": 404},
        ),
        (
            "keep-back-decide",
            f"/ho-so/nop-luu/giu-lai/{keep.pk}/",
            {"decision": "approve"},
            {**outsiders, "handler": 403, "clerk": 404, "archivist": 404},
        ),
        (
            "fonds-close",
            f"/ho-so/phong/{fonds.pk}/dong/",
            {"closed_on": "30/06/2025"},
            {
                "staff": 404,
                "handler": 404,
                "clerk": 404,
                "leader": 404,
                "archivist": 403,
                "archivist_snv": 404,
            },
        ),
        (
            "fonds-open",
            "/ho-so/phong/mo/",
            {"unit": data["snv"].pk, "name": "Sở Nội vụ", "opened_on": "01/04/2008"},
            {
                "staff": 403,
                "handler": 403,
                "clerk": 403,
                "leader": 403,
                "archivist": 403,
                "archivist_snv": 403,
            },
        ),
    ]


def test_who_is_refused_which_action(archive, clients):
    """Every person an action refuses (the allowed are tried in the tests above): the answer,
    and nothing changed."""
    soon = due_soon(archive)
    stranger = make_user(archive.province.stttt, "Lý Văn Khác", (Role.STAFF,))
    other = due_soon(archive, handler=stranger, title="Hồ sơ của người khác")
    draft = handover.handover_create(
        actor=archive.clerk, unit=archive.province.stttt, dossier_ids=[soon.pk]
    )
    sent = submitted(archive, overdue(archive))
    keep = handover.keep_back_request(
        actor=archive.handler,
        dossier=due_soon(archive, title="Giữ lại"),
        reason="Còn dùng",
        until=dt.date(2027, 6, 30),
    )
    data = {
        "draft": draft,
        "sent": sent,
        "keep": keep,
        "soon": soon,
        "other": other,
        "fonds": archive.fonds,
        "snv": archive.province.snv,
    }
    before = state()
    for name, url, body, refused in post_rows(data):
        cells = Cells(name)
        for who, status in {"anonymous": 302, **refused}.items():
            with cells.cell(who):
                response = clients[who].post(url, body)
                assert response.status_code == status, (response.status_code, status)
                assert state() == before
        cells.check()


def test_bad_input_is_answered_without_a_server_error(archive, clients):
    a = due_soon(archive)
    clerk = clients["clerk"]
    before = state()
    assert clerk.post("/ho-so/nop-luu/lap/", {"dossiers": ["abc"]}).status_code == 200
    assert clerk.post("/ho-so/nop-luu/lap/", {"dossiers": [999999]}).status_code == 404
    sent = submitted(archive, a)
    before = state()
    response = clients["archivist"].post(
        f"/ho-so/nop-luu/{sent.pk}/tra-lai/", {"reason": "Thiếu", "note-999999": "x"}
    )
    assert response.status_code == 200
    assert "Hồ sơ này không có trong mục lục nộp lưu." in response.content.decode()
    response = clients["leader"].post(f"/ho-so/nop-luu/giu-lai/{999999}/", {"decision": "x"})
    assert response.status_code == 404
    assert state() == before
