"""Former account names on the account's page (R2 in a reorganisation, R7): listed with their
last day; the unit's admin or the province admin ends one early, after confirming, audited."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.support.province import PASSWORD
from tests.support.snapshots import snapshot
from vanban.accounts.models import UsernameAlias
from vanban.audit.models import AuditEvent
from vanban.core import clock

pytestmark = pytest.mark.django_db

ACCOUNTS = "/tai-khoan/quan-tri/tai-khoan/"
LOGIN = "/tai-khoan/dang-nhap/"
# The account's page as the province admin reads it; the former names cost one query however
# many there are.
DETAIL_QUERIES = 11
CONFIRM_MISSING = "Hãy đánh dấu xác nhận trước khi kết thúc tên tài khoản cũ."


def today() -> dt.date:
    return timezone.localdate(clock.now())


def alias(user, username: str, days: int, decision: str = "") -> UsernameAlias:
    return UsernameAlias.objects.create(
        username=username,
        user=user,
        valid_until=today() + dt.timedelta(days=days),
        decision=decision,
        created_at=clock.now(),
    )


def end_url(user, former: UsernameAlias) -> str:
    return f"{ACCOUNTS}{user.pk}/ten-cu/{former.pk}/ket-thuc/"


def page_of(client, user) -> str:
    response = client.get(f"{ACCOUNTS}{user.pk}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def signs_in(username: str) -> bool:
    response = Client().post(LOGIN, {"username": username, "password": PASSWORD})
    return response.status_code == 302


@pytest.fixture
def former(province):
    person = province.staff_stttt
    live = alias(person, "phuongnt.sttttbt", 30, "1234/QĐ-UBND")
    ended = alias(person, "phuongnt.cu", -5)
    return person, live, ended


def test_the_page_lists_former_names_with_their_last_day(province, client_for, former):
    person, live, ended = former
    page = page_of(client_for(province.admin_stttt), person)
    assert "Tên tài khoản cũ" in page
    last = today() + dt.timedelta(days=30)
    assert f"<td>phuongnt.sttttbt</td>\n        <td>{last:%d/%m/%Y}</td>" in page
    assert "<td>1234/QĐ-UBND</td>" in page
    gone = today() - dt.timedelta(days=5)
    assert f"<td>phuongnt.cu</td>\n        <td>{gone:%d/%m/%Y} (đã hết hiệu lực)</td>" in page
    # Only the live name can be ended.
    assert end_url(person, live) in page
    assert end_url(person, ended) not in page


def test_an_account_without_former_names_shows_no_section(province, client_for):
    page = page_of(client_for(province.admin_stttt), province.leader_stttt)
    assert "Tên tài khoản cũ" not in page


def test_the_page_costs_the_same_queries_whatever_the_number_of_names(
    province, client_for, former, django_assert_num_queries
):
    person, _live, _ended = former
    client = client_for(province.province_admin)
    client.get(f"{ACCOUNTS}{person.pk}/")  # warm the session
    with CaptureQueriesContext(connection) as two:
        client.get(f"{ACCOUNTS}{person.pk}/")
    assert len(two.captured_queries) == DETAIL_QUERIES
    for n in range(5):
        alias(person, f"phuongnt.cu{n}", n - 10)
    with django_assert_num_queries(len(two.captured_queries)):
        assert client.get(f"{ACCOUNTS}{person.pk}/").status_code == 200


@pytest.mark.parametrize("admin", ["admin_stttt", "province_admin"])
def test_an_admin_ends_a_former_name_early(province, client_for, former, admin):
    person, live, _ended = former
    assert signs_in("phuongnt.sttttbt")
    client = client_for(getattr(province, admin))
    response = client.post(end_url(person, live), {"alias-confirm": "on"}, follow=True)
    assert response.redirect_chain == [(f"{ACCOUNTS}{person.pk}/", 302)]
    page = html.unescape(response.content.decode())
    assert "Đã kết thúc tên cũ phuongnt.sttttbt: tên này không đăng nhập được nữa." in page
    live.refresh_from_db()
    assert live.valid_until == today() - dt.timedelta(days=1)
    event = AuditEvent.objects.get(action="account.alias_end")
    assert event.actor_id == getattr(province, admin).pk
    assert event.data == {
        "alias": "phuongnt.sttttbt",
        "was_valid_until": (today() + dt.timedelta(days=30)).isoformat(),
        "valid_until": (today() - dt.timedelta(days=1)).isoformat(),
    }
    # The old name signs in no more; the account's own name still does.
    assert not signs_in("phuongnt.sttttbt")
    assert signs_in(person.username)


def test_without_confirmation_nothing_changes(province, client_for, former):
    person, live, _ended = former
    client = client_for(province.admin_stttt)
    before = snapshot()
    response = client.post(end_url(person, live), {})
    assert response.status_code == 200
    assert CONFIRM_MISSING in html.unescape(response.content.decode())
    live.refresh_from_db()
    assert live.valid_until == today() + dt.timedelta(days=30)
    assert snapshot() == before


def test_an_ended_name_cannot_be_ended_again(province, client_for, former):
    person, _live, ended = former
    client = client_for(province.admin_stttt)
    before = snapshot()
    response = client.post(end_url(person, ended), {"alias-confirm": "on"})
    assert response.status_code == 200
    gone = today() - dt.timedelta(days=5)
    assert (
        f"Tên cũ phuongnt.cu đã hết hiệu lực từ sau ngày {gone:%d/%m/%Y}; không có gì để kết thúc."
    ) in html.unescape(response.content.decode())
    assert snapshot() == before


@pytest.mark.parametrize(("actor", "status"), [("admin_snv", 404), ("staff_stttt", 403)])
def test_other_admins_and_staff_are_refused(province, client_for, former, actor, status):
    person, live, _ended = former
    client = client_for(getattr(province, actor))
    before = snapshot()
    response = client.post(end_url(person, live), {"alias-confirm": "on"})
    assert response.status_code == status
    live.refresh_from_db()
    assert live.valid_until == today() + dt.timedelta(days=30)
    assert snapshot() == before


def test_another_accounts_former_name_is_not_found_through_this_account(
    province, client_for, former
):
    _person, live, _ended = former
    client = client_for(province.admin_stttt)
    before = snapshot()
    response = client.post(end_url(province.leader_stttt, live), {"alias-confirm": "on"})
    assert response.status_code == 404
    live.refresh_from_db()
    assert live.valid_until == today() + dt.timedelta(days=30)
    assert snapshot() == before
