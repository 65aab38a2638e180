"""Dossier pages (R19): who sees and does what, the pages that show documents linking to
dossiers, opening, adding, closing through the pages, and the number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client

from tests.records.support_dossiers import (
    _fixed_clock,  # noqa: F401 - the autouse clock of these tests
    add,
    draft_version,
    incoming,
    open_dossier,
    outgoing,
    processed,
    rec_fixture,  # noqa: F401 - the `rec` fixture
)
from tests.support.matrix import Cells
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.records import dossiers as services
from vanban.records.models import Dossier, DossierItem, DossierShare, DossierStatus

pytestmark = pytest.mark.django_db

PEOPLE = ("anonymous", "other", "colleague", "handler", "leader", "clerk", "shared", "archivist")
LOGIN = "/tai-khoan/dang-nhap/"


@pytest.fixture
def clients(rec, client_for):
    """One signed-in client per person of the matrix (made once per test)."""
    made: dict[str, Client] = {"anonymous": Client()}

    def get(name: str) -> Client:
        if name not in made:
            made[name] = client_for(getattr(rec, name))
        return made[name]

    return get


def _dossier(rec, *, title="Hồ sơ kiểm thử quyền") -> tuple[Dossier, Document]:
    """An ad hoc dossier of the handler with one document, given to `shared` to read."""
    dossier = services.dossier_open_ad_hoc(
        actor=rec.handler, unit=rec.province.stttt, title=title, item=rec.five_years
    )
    document = outgoing(rec)
    add(rec, dossier, document)
    services.dossier_share(actor=rec.handler, dossier=dossier, user=rec.shared)
    return dossier, document


def _check(cells: Cells, clients, people: dict[str, int], url: str, marker: str = "") -> None:
    for name in PEOPLE:
        with cells.cell(name):
            response = clients(name).get(url)
            expected = people.get(name, 404)
            if name == "anonymous":
                assert response.status_code == 302
                assert response["Location"].startswith(LOGIN)
                continue
            assert response.status_code == expected, response.status_code
            if marker and expected == 200:
                assert marker in response.content.decode()


def test_reading_pages_matrix(rec, clients):
    dossier, document = _dossier(rec)
    cells = Cells("pages")
    readers = {"handler": 200, "leader": 200, "clerk": 200, "shared": 200}
    _check(cells, clients, readers, f"/ho-so/{dossier.pk}/", marker="Hồ sơ kiểm thử quyền")
    changers = {"handler": 200, "clerk": 200, "leader": 403, "shared": 403}
    _check(cells, clients, changers, f"/ho-so/{dossier.pk}/sua/", marker="Sửa thông tin hồ sơ")
    _check(cells, clients, changers, f"/ho-so/{dossier.pk}/ket-thuc/", marker="Kết thúc hồ sơ")
    # The add page: whoever may read the document (the handler was given it).
    _check(
        cells,
        clients,
        {"handler": 200, "leader": 200, "clerk": 200},
        f"/ho-so/them-vao-ho-so/document/{document.pk}/",
        marker="Thêm vào hồ sơ",
    )
    everyone = dict.fromkeys(PEOPLE, 200)
    _check(cells, clients, everyone, "/ho-so/cua-toi/", marker="Hồ sơ của tôi")
    unit_list = {"leader": 200, "clerk": 200, "archivist": 200}
    unit_list |= {"other": 403, "colleague": 403, "handler": 403, "shared": 403}
    _check(cells, clients, unit_list, "/ho-so/co-quan/")
    cells.check()
    # Only the people who read it find the dossier in their lists.
    for name, sees in (
        ("handler", True),
        ("shared", True),
        ("colleague", False),
        ("other", False),
    ):
        assert (
            "Hồ sơ kiểm thử quyền" in clients(name).get("/ho-so/cua-toi/").content.decode()
        ) is (sees), name
    for name, sees in (("leader", True), ("clerk", True), ("archivist", False)):
        page = clients(name).get("/ho-so/co-quan/").content.decode()
        assert ("Hồ sơ kiểm thử quyền" in page) is sees, name


def test_the_archive_reads_a_dossier_in_a_hand_over(rec, clients):
    dossier, _document = _dossier(rec)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.SUBMITTED)
    assert clients("archivist").get(f"/ho-so/{dossier.pk}/").status_code == 200
    assert "Hồ sơ kiểm thử quyền" in clients("archivist").get("/ho-so/co-quan/").content.decode()


def _post_matrix(rec, clients, *, path, data, allowed, refused, check) -> None:
    """Each allowed person on fresh data; the others on one dossier that must not change."""
    cells = Cells(path)
    for name in PEOPLE:
        with cells.cell(name):
            dossier, _document = _dossier(rec, title=f"Hồ sơ {name}")
            before = (
                list(DossierItem.objects.filter(dossier=dossier).values()),
                list(DossierShare.objects.filter(dossier=dossier).values()),
                list(Dossier.objects.filter(pk=dossier.pk).values()),
            )
            url = path.format(pk=dossier.pk, item=dossier.items.get().pk)
            response = clients(name).post(url, data(rec))
            if name == "anonymous":
                assert response.status_code == 302
                assert response["Location"].startswith(LOGIN)
            elif name in allowed:
                assert response.status_code == 302, response.status_code
                check(dossier)
                continue
            else:
                assert response.status_code == refused.get(name, 404), response.status_code
            after = (
                list(DossierItem.objects.filter(dossier=dossier).values()),
                list(DossierShare.objects.filter(dossier=dossier).values()),
                list(Dossier.objects.filter(pk=dossier.pk).values()),
            )
            assert after == before
    cells.check()


def test_remove_matrix(rec, clients):
    _post_matrix(
        rec,
        clients,
        path="/ho-so/{pk}/van-ban/{item}/bo/",
        data=lambda rec: {},
        allowed={"handler", "clerk"},
        refused={"leader": 403, "shared": 403},
        check=lambda d: not DossierItem.objects.filter(dossier=d).exists() or pytest.fail(),
    )


def test_share_matrix(rec, clients):
    _post_matrix(
        rec,
        clients,
        path="/ho-so/{pk}/cho-doc/",
        data=lambda rec: {"user": rec.colleague.pk},
        allowed={"handler", "leader"},
        refused={"clerk": 403, "shared": 403},
        check=lambda d: DossierShare.objects.get(dossier=d, user=rec.colleague),
    )


def test_reopen_matrix(rec, clients):
    def closed_dossier(rec, title):
        dossier, document = _dossier(rec, title=title)
        return services.dossier_close(actor=rec.handler, dossier=dossier), document

    cells = Cells("reopen")
    for name in PEOPLE:
        with cells.cell(name):
            dossier, _document = closed_dossier(rec, f"Hồ sơ {name}")
            response = clients(name).post(f"/ho-so/{dossier.pk}/mo-lai/", {"reason": "Bổ sung"})
            status = Dossier.objects.get(pk=dossier.pk).status
            if name == "leader":
                assert response.status_code == 302
                assert status == DossierStatus.OPEN
            else:
                expected = {"anonymous": 302, "handler": 403, "clerk": 403, "shared": 403}
                assert response.status_code == expected.get(name, 404), response.status_code
                assert status == DossierStatus.CLOSED
    cells.check()


# ---------------------------------------------------------------- flows


def test_open_from_the_list_and_ad_hoc_through_the_page(rec, clients):
    client = clients("handler")
    page = client.get("/ho-so/mo-ho-so/").content.decode()
    assert "01.TCCB Hồ sơ tuyển dụng công chức năm 2026" in page
    response = client.post(
        "/ho-so/mo-ho-so/",
        {"kind": "entry", "entry": rec.entry.pk, "rights": "Hạn chế", "language": "Tiếng Việt"},
    )
    dossier = Dossier.objects.get(notation="01.TCCB")
    assert response.status_code == 302
    assert response["Location"] == f"/ho-so/{dossier.pk}/"
    response = client.post(
        "/ho-so/mo-ho-so/",
        {
            "kind": "ad_hoc",
            "title": "Hồ sơ sự cố",
            "notation": "01.TCCB",
            "retention_item": rec.two_years.pk,
            "rights": "Hạn chế",
            "language": "Tiếng Việt",
        },
    )
    assert response.status_code == 200
    assert "Số và ký hiệu hồ sơ “01.TCCB” đã dùng" in response.content.decode()
    assert Dossier.objects.count() == 1
    response = client.post(
        "/ho-so/mo-ho-so/",
        {
            "kind": "ad_hoc",
            "title": "Hồ sơ sự cố",
            "retention_item": rec.two_years.pk,
            "rights": "Mật",
            "language": "Tiếng Việt",
        },
    )
    assert response.status_code == 200
    assert Dossier.objects.count() == 1
    response = client.post(
        "/ho-so/mo-ho-so/",
        {
            "kind": "ad_hoc",
            "title": "Hồ sơ sự cố",
            "retention_item": rec.two_years.pk,
            "rights": "Hạn chế",
            "language": "Tiếng Việt",
        },
    )
    ad_hoc = Dossier.objects.get(title="Hồ sơ sự cố")
    assert response["Location"] == f"/ho-so/{ad_hoc.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Hồ sơ phát sinh ngoài danh mục hồ sơ của cơ quan." in detail


def test_detail_shows_the_appendix_vi_fields_and_records_the_view(rec, clients):
    dossier = open_dossier(rec)
    first = incoming(rec, issued_date=dt.date(2026, 10, 2), page_amount=3)
    second = outgoing(rec, page_amount=2)  # dated when the clerk registers it
    add(rec, dossier, first)
    add(rec, dossier, second)
    before = AuditEvent.objects.filter(action="records.dossier_viewed").count()
    page = clients("leader").get(f"/ho-so/{dossier.pk}/").content.decode()
    assert re.search(r'id="file-code">[^<]*\.2026\.01\.TCCB<', page)
    assert 'id="start-date">02/10/2026<' in page
    assert 'id="end-date">25/11/2026<' in page
    assert 'id="doc-total">2<' in page
    assert 'id="page-total">5<' in page
    assert 'id="maintenance">10 năm<' in page
    events = AuditEvent.objects.filter(action="records.dossier_viewed").order_by("pk")
    assert events.count() == before + 1
    assert events.last().actor_id == rec.leader.pk
    assert events.last().target_id == str(dossier.pk) or events.last().target_id == dossier.pk


def test_pages_that_show_documents_link_to_dossiers(rec, clients):
    dossier = open_dossier(rec)
    document = incoming(rec)
    add(rec, dossier, document)
    client = clients("handler")
    page = client.get(f"/van-ban/{document.pk}/").content.decode()
    assert f'href="/ho-so/them-vao-ho-so/document/{document.pk}/"' in page
    assert f'Thuộc hồ sơ: <a href="/ho-so/{dossier.pk}/"' in page
    # A person who reads the document but not the dossier sees no "Thuộc hồ sơ".
    from vanban.documents.services import document_share

    document_share(actor=rec.clerk, document=document, user=rec.colleague)
    other_page = clients("colleague").get(f"/van-ban/{document.pk}/").content.decode()
    assert "Thuộc hồ sơ" not in other_page
    assert f"/ho-so/them-vao-ho-so/document/{document.pk}/" in other_page
    version = draft_version(rec)
    draft_page = client.get(f"/du-thao/{version.draft_id}/").content.decode()
    assert f"/ho-so/them-vao-ho-so/draft_version/{version.pk}/" in draft_page
    processed_document, result = processed(rec)
    work_page = client.get(f"/xu-ly/van-ban/{processed_document.pk}/").content.decode()
    assert f"/ho-so/them-vao-ho-so/progress_file/{result.pk}/" in work_page


def test_add_through_the_page(rec, clients):
    dossier = open_dossier(rec)
    version = draft_version(rec)
    client = clients("handler")
    url = f"/ho-so/them-vao-ho-so/draft_version/{version.pk}/"
    page = client.get(url).content.decode()
    assert "01.TCCB Hồ sơ tuyển dụng công chức năm 2026" in page
    response = client.post(url, {"dossier": dossier.pk})
    assert response["Location"] == f"/ho-so/{dossier.pk}/"
    assert DossierItem.objects.get(dossier=dossier).draft_version == version
    again = client.post(url, {"dossier": dossier.pk})
    assert again.status_code == 200
    assert "Văn bản này đã có trong hồ sơ “01.TCCB”." in again.content.decode()
    # A dossier of someone else that the person cannot read: 404, nothing added.
    foreign = services.dossier_open_ad_hoc(
        actor=rec.colleague, unit=rec.province.stttt, title="Của người khác", item=rec.two_years
    )
    assert client.post(url, {"dossier": foreign.pk}).status_code == 404
    assert not foreign.items.exists()
    # Someone who cannot see the draft: 404.
    assert clients("colleague").get(url).status_code == 404
    assert clients("colleague").get("/ho-so/them-vao-ho-so/khac/1/").status_code == 404


def test_close_through_the_page_then_frozen(rec, clients):
    dossier = open_dossier(rec)
    version = draft_version(rec)
    add(rec, dossier, version)
    client = clients("handler")
    page = client.get(f"/ho-so/{dossier.pk}/ket-thuc/").content.decode()
    assert "chưa được ban hành" in page
    response = client.post(f"/ho-so/{dossier.pk}/ket-thuc/", {"work_ended_on": "25/11/2026"})
    assert response.status_code == 200
    assert services.MSG_UNCONFIRMED in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.OPEN
    response = client.post(
        f"/ho-so/{dossier.pk}/ket-thuc/",
        {
            "work_ended_on": "25/11/2026",
            "confirmed": [f"draft-{version.pk}"],
            "retention_item": rec.permanent.pk,
        },
    )
    assert response.status_code == 302
    closed = Dossier.objects.get(pk=dossier.pk)
    assert closed.status == DossierStatus.CLOSED
    assert closed.maintenance == "Vĩnh viễn"
    assert closed.handover_due_on == dt.date(2027, 11, 25)
    detail = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Hồ sơ đã kết thúc ngày 25/11/2026, không thay đổi được." in detail
    item = closed.items.get()
    response = client.post(f"/ho-so/{dossier.pk}/van-ban/{item.pk}/bo/", follow=True)
    assert "Hồ sơ đã kết thúc ngày 25/11/2026, không thay đổi được." in response.content.decode()
    assert closed.items.exists()
    assert client.get(f"/ho-so/{dossier.pk}/ket-thuc/").status_code == 403


def test_order_through_the_page(rec, clients):
    dossier = open_dossier(rec)
    items = [add(rec, dossier, outgoing(rec, subject=f"Công văn {n}")) for n in range(3)]
    client = clients("handler")
    client.post(
        f"/ho-so/{dossier.pk}/thu-tu/",
        {f"so-{items[0].pk}": "3", f"so-{items[1].pk}": "1", f"so-{items[2].pk}": "2"},
    )
    assert list(dossier.items.order_by("ordinal").values_list("pk", flat=True)) == [
        items[1].pk,
        items[2].pk,
        items[0].pk,
    ]
    client.post(f"/ho-so/{dossier.pk}/van-ban/{items[0].pk}/chuyen/", {"direction": "up"})
    assert list(dossier.items.order_by("ordinal").values_list("pk", flat=True)) == [
        items[1].pk,
        items[0].pk,
        items[2].pk,
    ]
    response = client.post(f"/ho-so/{dossier.pk}/thu-tu/", {f"so-{items[0].pk}": "x"}, follow=True)
    assert services.MSG_ORDER in response.content.decode()


# ---------------------------------------------------------------- queries


MINE_QUERIES = 6
UNIT_LIST_QUERIES = 7
# session, user, roles, unread notifications, the dossier; the view recorded (savepoint, chain
# head, event and head: one statement fewer on PostgreSQL, audit.services), the items with their
# records, the people given reading, the share choices
DETAIL_QUERIES = 13 if connection.vendor == "sqlite" else 12


def _ad_hoc(rec, n: int) -> Dossier:
    return services.dossier_open_ad_hoc(
        actor=rec.handler, unit=rec.province.stttt, title=f"Hồ sơ số {n}", item=rec.two_years
    )


def test_list_pages_query_counts(rec, clients, django_assert_num_queries):
    mine, unit = clients("handler"), clients("leader")
    for n in range(2):
        _ad_hoc(rec, n)
    with django_assert_num_queries(MINE_QUERIES):
        assert mine.get("/ho-so/cua-toi/").status_code == 200
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        assert unit.get("/ho-so/co-quan/").status_code == 200
    for n in range(2, 20):
        _ad_hoc(rec, n)
    with django_assert_num_queries(MINE_QUERIES):
        assert "Hồ sơ số 19" in mine.get("/ho-so/cua-toi/").content.decode()
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        assert "Hồ sơ số 19" in unit.get("/ho-so/co-quan/").content.decode()


def test_detail_query_count(rec, clients, django_assert_num_queries):
    dossier = open_dossier(rec)
    _document, result = processed(rec)
    add(rec, dossier, result)
    add(rec, dossier, draft_version(rec))
    client = clients("handler")
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(f"/ho-so/{dossier.pk}/").status_code == 200
    for n in range(18):
        add(rec, dossier, outgoing(rec, subject=f"Công văn số {n}"))
    with django_assert_num_queries(DETAIL_QUERIES):
        page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert 'id="doc-total">20<' in page
