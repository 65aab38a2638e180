"""My own sessions (R6): list, end one, end all others; password change and lock end them."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.second_factor import finish_login
from tests.support.province import PASSWORD
from vanban.accounts.models import SessionRecord, User
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SESSIONS = "/tai-khoan/cua-toi/phien/"
PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A546E) Mobile Safari/537.36"
OFFICE_PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"
HOME_PC = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"


def sign_in(user: User, agent: str, address: str = "10.0.0.1") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD}
    )
    finish_login(client, response, user)  # administrators answer the second step (R6)
    return client


def signed_in(client: Client) -> bool:
    return client.get("/tai-khoan/cua-toi/").status_code == 200


def test_the_page_lists_my_sessions_with_device_address_and_times(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC, "10.1.2.3")
    sign_in(me, PHONE, "10.9.8.7")
    sign_in(province.admin_stttt, HOME_PC, "10.5.5.5")  # someone else's session
    profile = office.get("/tai-khoan/cua-toi/").content.decode()
    assert f'href="{SESSIONS}"' in profile
    page = office.get(SESSIONS).content.decode()
    assert "Phiên đăng nhập" in page
    assert "Windows NT 10.0" in page and "10.1.2.3" in page
    assert "Android 14" in page and "10.9.8.7" in page
    assert "Firefox" not in page and "10.5.5.5" not in page
    assert page.count("Phiên này") == 1
    assert page.count(">Kết thúc</button>") == 1
    assert "Đăng xuất các phiên khác" in page
    # The session key (the cookie's value) is never shown.
    for key in SessionRecord.objects.values_list("session_key", flat=True):
        assert key not in page


def test_the_page_needs_a_signed_in_person(db):
    response = Client().get(SESSIONS)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/tai-khoan/dang-nhap/")


def test_ending_one_session_signs_that_device_out_only(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC)
    phone = sign_in(me, PHONE)
    home = sign_in(me, HOME_PC)
    record = SessionRecord.objects.get(user=me, user_agent=PHONE)
    response = office.post(f"{SESSIONS}{record.pk}/ket-thuc/", follow=True)
    assert "Đã kết thúc phiên đăng nhập." in response.content.decode()
    assert not signed_in(phone)
    assert signed_in(office) and signed_in(home)
    assert not SessionRecord.objects.filter(pk=record.pk).exists()
    assert not Session.objects.filter(session_key=record.session_key).exists()
    event = AuditEvent.objects.get(action="account.session_end")
    assert event.actor_id == me.pk
    page = office.get(SESSIONS).content.decode()
    assert "Android" not in page and "Firefox" in page


def test_ending_someone_elses_or_the_current_session_is_refused(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC)
    other = sign_in(province.admin_stttt, HOME_PC)
    theirs = SessionRecord.objects.get(user=province.admin_stttt)
    mine = SessionRecord.objects.get(user=me)
    events = AuditEvent.objects.count()

    page = office.post(f"{SESSIONS}{theirs.pk}/ket-thuc/", follow=True).content.decode()
    assert "Không tìm thấy phiên đăng nhập này" in page
    page = office.post(f"{SESSIONS}{mine.pk}/ket-thuc/", follow=True).content.decode()
    assert "Đây là phiên bạn đang dùng" in page

    assert signed_in(other) and signed_in(office)
    assert SessionRecord.objects.count() == 2
    assert AuditEvent.objects.count() == events
    assert office.get(f"{SESSIONS}{theirs.pk}/ket-thuc/").status_code == 405


def test_log_out_everywhere_else_keeps_this_session(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC)
    phone = sign_in(me, PHONE)
    home = sign_in(me, HOME_PC)
    started = SessionRecord.objects.get(user=me, user_agent=OFFICE_PC).started_at
    old_key = office.cookies["sessionid"].value

    response = office.post(f"{SESSIONS}ket-thuc-cac-phien-khac/", follow=True)
    assert "Đã đăng xuất mọi phiên khác" in response.content.decode()
    assert not signed_in(phone) and not signed_in(home)
    assert signed_in(office)
    # The current session was given a new key; its row followed it.
    assert office.cookies["sessionid"].value != old_key
    (record,) = SessionRecord.objects.filter(user=me)
    assert record.session_key == office.cookies["sessionid"].value
    assert record.user_agent == OFFICE_PC and record.started_at == started
    event = AuditEvent.objects.get(action="account.sessions_end_others")
    assert event.data == {"sessions": 2}
    page = office.get(SESSIONS).content.decode()
    assert "Không có phiên nào khác đang mở." in page


def test_changing_the_password_ends_every_other_session(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC)
    phone = sign_in(me, PHONE)
    response = office.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password": "Mat-khau-moi-7y",
            "new_password_again": "Mat-khau-moi-7y",
        },
    )
    assert response.status_code == 302
    assert signed_in(office)
    assert not signed_in(phone)
    (record,) = SessionRecord.objects.filter(user=me)
    assert record.user_agent == OFFICE_PC
    assert [r.user_agent for r in _listed(office)] == [OFFICE_PC]


def test_a_refused_password_change_ends_nothing(province):
    me = province.staff_stttt
    office = sign_in(me, OFFICE_PC)
    phone = sign_in(me, PHONE)
    response = office.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "sai", "new_password": "Mat-khau-moi-7y", "new_password_again": "x"},
    )
    assert response.status_code == 200
    assert signed_in(office) and signed_in(phone)
    assert SessionRecord.objects.filter(user=me).count() == 2


def test_locking_the_account_ends_all_its_sessions(province, client_for):
    person = province.leader_stttt
    office = sign_in(person, OFFICE_PC)
    phone = sign_in(person, PHONE)
    admin = client_for(province.admin_stttt)
    response = admin.post(
        f"/tai-khoan/quan-tri/tai-khoan/{person.pk}/khoa/",
        {"lock-reason": "violation", "lock-note": "Theo biên bản kiểm tra."},
    )
    assert response.status_code == 302
    assert not signed_in(office) and not signed_in(phone)
    assert signed_in(admin)


def test_activity_is_written_at_most_once_a_minute(province):
    office = sign_in(province.staff_stttt, OFFICE_PC)
    office.get("/")  # the first request after login notes the activity
    with CaptureQueriesContext(connection) as queries:
        office.get("/")
        office.get("/tai-khoan/cua-toi/")
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "accounts_sessionrecord" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes == []


def test_a_session_without_a_row_gets_one_on_its_next_request(province):
    office = sign_in(province.staff_stttt, OFFICE_PC, "10.7.7.7")
    SessionRecord.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    office.get("/")
    (record,) = SessionRecord.objects.all()
    assert record.session_key == office.cookies["sessionid"].value
    assert str(record.ip) == "10.7.7.7"


def _listed(client: Client) -> list[SessionRecord]:
    from vanban.accounts.selectors import sessions_of

    key = client.cookies["sessionid"].value
    user = User.objects.get(pk=Session.objects.get(session_key=key).get_decoded()["_auth_user_id"])
    return [row.record for row in sessions_of(user=user, current_session_key=key)]
