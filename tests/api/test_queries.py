"""The list endpoints cost a fixed number of queries, whatever the page size (no N+1)."""

import datetime as dt

import pytest

from tests.support.api import token_for
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role, User
from vanban.core import clock

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 9, 1, 3, 0, tzinfo=dt.UTC)
ROLES = [(Role.STAFF,), (Role.LEADER, Role.STAFF), (Role.CLERK,), (Role.UNIT_ADMIN, Role.STAFF)]


def add_units_and_accounts(province, count: int) -> None:
    for i in range(count):
        unit = account_services.unit_create(
            actor=None,
            name=f"Phòng thử {i}",
            symbol=f"PT{i}",
            abbreviation=f"phongthu{i}",
            agency_code=f"000.{i + 20:02d}.12.H07",
            parent=province.stttt,
        )
        for j in range(3):
            make_user(unit, f"Cán Bộ Thử{i}x{j}", ROLES[(i + j) % len(ROLES)])
        make_user(province.stttt, f"Chuyên Viên Số{i}", ROLES[i % len(ROLES)])


# token with its account, the caller's roles, count, page (with parents), and for accounts the
# prefetched roles of the whole page.
@pytest.mark.parametrize(("path", "queries"), [("/units", 4), ("/accounts", 5)])
@pytest.mark.parametrize("size", [0, 12])
def test_list_query_count_is_fixed(province, api, django_assert_num_queries, path, queries, size):
    add_units_and_accounts(province, size)
    token = token_for(province.province_admin)
    with clock.frozen(AT):
        api.get("/me", token)  # writes the "last used" stamp once
        with django_assert_num_queries(queries):
            response = api.get(path, token, page_size=200)
    body = response.json()
    expected = (3 + size) if path == "/units" else User.objects.count()
    assert body["count"] == expected
    assert len(body["items"]) == expected
    if path == "/accounts":
        # The roles really come from the prefetch: every account shows its own.
        by_name = {i["username"]: i["roles"] for i in body["items"]}
        assert by_name[province.leader_stttt.username] == ["leader"]
        assert by_name[province.admin_stttt.username] == ["staff", "unit_admin"]


@pytest.mark.parametrize("size", [0, 12])
def test_unit_admin_account_list_query_count_is_fixed(
    province, api, django_assert_num_queries, size
):
    add_units_and_accounts(province, size)
    token = token_for(province.admin_stttt)
    with clock.frozen(AT):
        api.get("/me", token)
        with django_assert_num_queries(5):
            response = api.get("/accounts", token, page_size=200)
    assert response.json()["count"] == User.objects.filter(unit=province.stttt).count()
    assert response.json()["count"] == 4 + size
