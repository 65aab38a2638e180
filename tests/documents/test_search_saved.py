"""Saved searches: save under a unique name, list, run, delete; only one's own."""

import pytest

from tests.documents.test_search import incoming
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import search_services
from vanban.documents.models import SavedSearch

pytestmark = pytest.mark.django_db

URL = "/van-ban/tim-kiem/"


def saved_of(user) -> list[tuple[str, str]]:
    return list(SavedSearch.objects.filter(user=user).values_list("name", "query_string"))


def test_save_the_current_search_and_run_it_again(office, client_for):
    incoming(office, subject="Quyết định khen thưởng")
    client = client_for(office.clerk)
    response = client.post(
        URL + "luu/",
        {
            "name": "  Quyết định   khen thưởng ",
            "query_string": "q=quyet+dinh&urgency=&page=3&csrfmiddlewaretoken=x&sort=oldest",
        },
    )
    assert response.status_code == 302
    assert response.url == URL + "?q=quyet+dinh&sort=oldest"
    assert saved_of(office.clerk) == [("Quyết định khen thưởng", "q=quyet+dinh&sort=oldest")]
    page = client.get(response.url).content.decode()
    assert "Đã lưu tìm kiếm “Quyết định khen thưởng”." in page
    saved = SavedSearch.objects.get()
    assert f'href="/van-ban/tim-kiem/da-luu/{saved.pk}/">Quyết định khen thưởng</a>' in page
    run = client.get(f"{URL}da-luu/{saved.pk}/")
    assert run.status_code == 302 and run.url == URL + "?q=quyet+dinh&sort=oldest"


def test_the_save_form_carries_the_current_search(office, client_for):
    html = client_for(office.clerk).get(URL, {"q": "ke hoach", "direction": "in"}).content.decode()
    assert 'name="query_string" value="q=ke+hoach&amp;direction=in"' in html


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Hãy đặt tên cho tìm kiếm cần lưu."),
        ("Cong van KHAN", "Bạn đã có tìm kiếm đã lưu tên “Cong van KHAN”; hãy chọn tên khác."),
        ("Công văn khẩn", "Bạn đã có tìm kiếm đã lưu tên “Công văn khẩn”; hãy chọn tên khác."),
        ("x" * 101, "Tên tìm kiếm dài quá 100 ký tự."),
    ],
)
def test_a_name_must_be_given_and_unique(office, client_for, name, message):
    search_services.saved_search_create(
        actor=office.clerk, name="Công văn khẩn", query_string="urgency=1"
    )
    before = saved_of(office.clerk)
    response = client_for(office.clerk).post(
        URL + "luu/", {"name": name, "query_string": "q=cong+van"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert saved_of(office.clerk) == before
    # The page still shows the search that was being saved.
    assert 'value="cong van"' in html


def test_the_same_name_may_be_used_by_another_person(office):
    search_services.saved_search_create(actor=office.clerk, name="Hằng tuần", query_string="q=a")
    search_services.saved_search_create(actor=office.leader, name="Hằng tuần", query_string="q=b")
    assert saved_of(office.leader) == [("Hằng tuần", "q=b")]


def test_an_anonymous_or_locked_person_cannot_save(office):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        search_services.saved_search_create(actor=AnonymousUser(), name="x", query_string="q=a")
    office.clerk.status = "locked"
    with pytest.raises(AccessDenied):
        search_services.saved_search_create(actor=office.clerk, name="x", query_string="q=a")
    assert SavedSearch.objects.count() == 0


def test_a_person_keeps_at_most_a_hundred_searches(office, monkeypatch):
    monkeypatch.setattr(search_services, "MAX_SAVED_SEARCHES", 2)
    for name in ("Một", "Hai"):
        search_services.saved_search_create(actor=office.clerk, name=name, query_string="q=a")
    with pytest.raises(ServiceError) as refused:
        search_services.saved_search_create(actor=office.clerk, name="Ba", query_string="q=a")
    assert refused.value.message == (
        "Mỗi người lưu được tối đa 2 tìm kiếm; hãy xóa bớt tìm kiếm không còn dùng."
    )
    assert len(saved_of(office.clerk)) == 2


def test_delete_one_of_my_searches(office, client_for):
    kept = search_services.saved_search_create(actor=office.clerk, name="Giữ", query_string="q=a")
    gone = search_services.saved_search_create(actor=office.clerk, name="Bỏ", query_string="q=b")
    client = client_for(office.clerk)
    response = client.post(f"{URL}da-luu/{gone.pk}/xoa/", {"next": "q=c&page=2"})
    assert response.status_code == 302 and response.url == URL + "?q=c"
    assert list(SavedSearch.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "Đã xóa tìm kiếm đã lưu “Bỏ”." in client.get(response.url).content.decode()


def test_another_persons_saved_search_looks_missing(office, client_for):
    theirs = search_services.saved_search_create(
        actor=office.leader, name="Riêng", query_string="q=a"
    )
    client = client_for(office.clerk)
    assert client.get(f"{URL}da-luu/{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}da-luu/{theirs.pk}/xoa/").status_code == 404
    assert client.get(f"{URL}da-luu/999999/").status_code == 404
    assert saved_of(office.leader) == [("Riêng", "q=a")]
    assert "Riêng" not in client.get(URL).content.decode()
    with pytest.raises(ServiceError) as refused:
        search_services.saved_search_delete(actor=office.clerk, pk=theirs.pk)
    assert refused.value.message == "Không tìm thấy tìm kiếm đã lưu."


def test_delete_needs_post(office, client_for):
    mine = search_services.saved_search_create(
        actor=office.clerk, name="Của tôi", query_string="q=a"
    )
    assert client_for(office.clerk).get(f"{URL}da-luu/{mine.pk}/xoa/").status_code == 405
    assert SavedSearch.objects.filter(pk=mine.pk).exists()
