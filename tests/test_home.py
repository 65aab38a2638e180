"""The home page shows each role its own sections, at a fixed number of queries."""

import re

import pytest
from django.test import Client

from tests.support.province import make_user
from vanban.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_staff_sees_no_admin_or_unit_sections(province, client_for):
    html = client_for(province.staff_stttt).get("/").content.decode()
    assert "Xin chào, Nguyễn Thu Phương" in html
    assert 'id="admin-summary"' not in html
    assert 'id="unit-people"' not in html
    assert 'id="clerk-unit"' not in html
    assert "Báo tài khoản của tôi bị lộ" in html


def test_leader_sees_the_people_of_the_unit_only(province, client_for):
    html = client_for(province.leader_stttt).get("/").content.decode()
    assert "Cán bộ của đơn vị (4)" in html
    assert "Lê Thị Hồng" in html
    assert "Huỳnh Ngọc Lan" not in html  # Sở Nội vụ
    assert 'id="admin-summary"' not in html


def test_clerk_sees_the_unit_details_used_on_documents(province, client_for):
    clerk = make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    html = client_for(clerk).get("/").content.decode()
    assert "000.00.12.H07" in html
    assert "STTTT" in html


def test_unit_admin_sees_the_accounts_of_the_unit(province, client_for):
    html = client_for(province.admin_stttt).get("/").content.decode()
    assert 'id="admin-summary"' in html
    assert "Sở Thông tin và Truyền thông" in html


def test_home_query_count_does_not_grow_with_the_unit(
    province, client_for, django_assert_num_queries
):
    client = client_for(province.leader_stttt)
    client.get("/")
    # Nine, and one for this week's work calendars (agenda.selectors.this_week_for).
    with django_assert_num_queries(10):
        client.get("/")
    for i in range(20):
        make_user(province.stttt, f"Cán Bộ Thêm {chr(65 + i)}")
    with django_assert_num_queries(10):
        client.get("/")


def _first_focusable(html: str) -> str:
    body = html[html.index("<body") :]
    body = body[body.index(">") + 1 :]
    return re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)  # type: ignore[union-attr]


@pytest.mark.parametrize("path", ["/", "/van-ban/den/", "/tai-khoan/dang-nhap/"])
def test_every_page_starts_with_a_skip_link_to_its_main_content(province, client_for, path):
    """The first Tab stop skips the menu (R16: the clerk works with the keyboard)."""
    client = client_for(province.staff_stttt) if path != "/tai-khoan/dang-nhap/" else Client()
    html = client.get(path).content.decode()
    assert _first_focusable(html) == '<a class="skip-link" href="#main">'
    assert "Bỏ qua menu, đến nội dung chính</a>" in html
    assert '<main class="page" id="main" tabindex="-1">' in html
