"""The menu marks the page the person is on (`aria-current="page"`), one item at most: the item
whose address is the longest start of the page's address."""

import re

import pytest

from tests.support.province import make_user
from vanban.accounts.models import Role

pytestmark = pytest.mark.django_db


def current(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(path).content.decode()
    menu = re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', page, re.DOTALL).group(1)  # type: ignore[union-attr]
    return re.findall(r'<a href="([^"]+)" aria-current="page" class="current">', menu)


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/", ["/"]),
        ("/van-ban/den/", ["/van-ban/den/"]),
        ("/van-ban/den/vao-so/", ["/van-ban/den/"]),
        ("/xu-ly/viec-cua-toi/", ["/xu-ly/viec-cua-toi/"]),
        ("/lien-thong/he-thong-khac/", ["/lien-thong/he-thong-khac/"]),
        ("/tai-khoan/doi-mat-khau/", []),
    ],
)
def test_the_current_page_is_marked_once(province, client_for, path, marked):
    person = province.province_admin if "he-thong-khac" in path else clerk(province)
    assert current(client_for(person), path) == marked


def clerk(province):  # type: ignore[no-untyped-def]
    return make_user(province.stttt, "Lê Thị Văn Thư", (Role.CLERK,))


def test_a_page_under_two_items_marks_the_longer_one(province, client_for):
    """The exchange monitor sits under the partner systems' address: only the monitor."""
    from django.urls import reverse

    admin = province.province_admin
    monitor, partners = reverse("interop:monitor"), reverse("interop:partner_list")
    assert monitor.startswith(partners) and monitor != partners
    assert current(client_for(admin), monitor) == [monitor]


def test_the_group_under_the_persons_name_is_marked_on_its_pages(province, client_for):
    """Profile and certificates sit under the person's name: the group's summary is marked with
    the page, and only then."""
    from django.urls import reverse

    client = client_for(clerk(province))
    for name in ("accounts:profile", "signatures:mine"):
        page = client.get(reverse(name)).content.decode()
        summary = re.search(r"<summary[^>]*>.*?menu-person", page, re.DOTALL)
        assert summary is not None and 'class="current"' in summary.group(0), name
        assert current(client, reverse(name)) == [reverse(name)]
    home = client.get("/").content.decode()
    assert 'class="current"><span class="menu-person">' not in home
