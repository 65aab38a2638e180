"""The calendar's pages: who reads which week, the office's form with its refusals, the leader's
buttons, the query count of the week page, the home page's section (docs/agenda.md)."""

import pytest

from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.agenda import services
from vanban.agenda.models import AgendaEntry, AgendaWeek, WeekStatus

from .conftest import WEEK, YEAR, add, agenda_state, publish

pytestmark = pytest.mark.django_db

WEEK_PATH = "/lich-cong-tac/{unit}/2026/tuan-48/"


def week_path(unit) -> str:
    return WEEK_PATH.format(unit=unit.pk)


def form(**changes) -> dict:
    data = {
        "day": "24/11/2026",
        "start": "14:00",
        "end": "16:30",
        "content": "Kiểm tra chuyển đổi số tại UBND huyện Ba Tri",
        "place": "UBND huyện Ba Tri",
        "attendees": "Phòng Bưu chính - Viễn thông",
        "preparer": "Phòng Công nghệ thông tin",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_menu_leads_to_this_week_of_the_own_unit(agenda_office, client_for):
    response = client_for(agenda_office.staff).get("/lich-cong-tac/")
    assert response.status_code == 302
    assert response["Location"] == week_path(agenda_office.province.stttt)


def test_the_menu_marks_the_calendar(agenda_office, client_for):
    page = client_for(agenda_office.staff).get(week_path(agenda_office.province.stttt))
    assert '<a href="/lich-cong-tac/" aria-current="page" class="current">Lịch công tác</a>' in (
        page.content.decode()
    )


def test_who_reads_which_week(agenda_office, client_for):
    office = agenda_office
    publish(office, add(office).week)
    path = week_path(office.province.stttt)
    # Anonymous: the login page.
    from django.test import Client

    assert Client().get(path).status_code == 302
    # Another unit: the week does not exist for them.
    assert client_for(office.province.staff_snv).get(path).status_code == 404
    assert client_for(office.clerk_snv).get(path).status_code == 404
    # The same unit without a role in the calendar: the published copy, no drafting buttons.
    page = client_for(office.staff).get(path).content.decode()
    assert "Họp giao ban lãnh đạo Sở" in page
    assert "Thêm nội dung" not in page and "Duyệt và công bố" not in page
    # Sở TT&TT's people read the province's week too (the unit above theirs).
    root = client_for(office.staff).get(week_path(office.province.root))
    assert root.status_code == 200
    assert "chưa được công bố" in root.content.decode()
    # The office drafts.
    page = client_for(office.clerk).get(path).content.decode()
    assert "Thêm nội dung" in page
    # A week that does not exist.
    assert (
        client_for(office.staff)
        .get(f"/lich-cong-tac/{office.province.stttt.pk}/2026/tuan-54/")
        .status_code
        == 404
    )


def test_the_office_adds_an_entry_through_the_form(agenda_office, client_for):
    office = agenda_office
    client = client_for(office.clerk)
    path = week_path(office.province.stttt) + "them/"
    page = client.get(path).content.decode()
    assert 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    assert "Phạm Minh Đức" in page  # a leader to tick
    data = form(leaders=[office.leader.pk])
    response = client.post(path, data)
    assert response.status_code == 302
    entry = AgendaEntry.objects.get()
    assert entry.content == "Kiểm tra chuyển đổi số tại UBND huyện Ba Tri"
    assert list(entry.leaders.all()) == [office.leader]
    page = client.get(week_path(office.province.stttt)).content.decode()
    assert "14:00 – 16:30" in page and "Chiều" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "25:00"}, "Giờ bắt đầu “25:00” không hợp lệ; hãy nhập theo dạng HH:MM"),
        ({"start": "16:00", "end": "15:00"}, "Giờ kết thúc (15:00) phải sau giờ bắt đầu (16:00)."),
        ({"day": "01/12/2026"}, "Ngày 01/12/2026 không thuộc tuần đang soạn"),
        ({"day": "hôm nay"}, "Ngày “hôm nay” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy"),
    ],
)
def test_the_form_shows_the_refusal_next_to_the_field(agenda_office, client_for, changes, message):
    office = agenda_office
    client = client_for(office.clerk)
    before = agenda_state()
    response = client.post(week_path(office.province.stttt) + "them/", form(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Chưa lưu gì" in page
    assert "Kiểm tra chuyển đổi số" in page  # what was typed is kept
    assert agenda_state() == before


def test_another_units_week_is_refused(agenda_office, client_for):
    office = agenda_office
    entry = add(office)
    staff, clerk, clerk_snv = (
        client_for(office.staff),
        client_for(office.clerk),
        client_for(office.clerk_snv),
    )
    before = agenda_state()
    # Staff of the unit: 403 with the reason.
    response = staff.post(week_path(office.province.stttt) + "them/", form())
    assert response.status_code == 403
    assert "Chỉ văn thư (văn phòng) của Sở Thông tin và Truyền thông" in response.content.decode()
    # The office of Sở TT&TT on the province's week (which it reads): 403 with the reason.
    response = clerk.post(week_path(office.province.root) + "them/", form())
    assert response.status_code == 403
    assert "Chỉ văn thư (văn phòng) của Ủy ban nhân dân tỉnh Bến Tre" in response.content.decode()
    # The office of Sở Nội vụ: Sở TT&TT's week and entries do not exist for it.
    assert clerk_snv.post(week_path(office.province.stttt) + "them/", form()).status_code == 404
    assert clerk_snv.get(f"/lich-cong-tac/noi-dung/{entry.pk}/sua/").status_code == 404
    assert clerk_snv.post(f"/lich-cong-tac/noi-dung/{entry.pk}/xoa/").status_code == 404
    assert clerk_snv.post(f"/lich-cong-tac/tuan/{entry.week.pk}/trinh/").status_code == 404
    assert agenda_state() == before


def test_the_leader_approves_and_the_office_may_not(agenda_office, client_for):
    office = agenda_office
    week = add(office).week
    clerk = client_for(office.clerk)
    response = clerk.post(f"/lich-cong-tac/tuan/{week.pk}/trinh/", follow=True)
    assert "Đã trình lãnh đạo duyệt lịch tuần." in response.content.decode()
    before = agenda_state()
    response = clerk.post(f"/lich-cong-tac/tuan/{week.pk}/duyet/")
    assert response.status_code == 403
    assert "Chỉ lãnh đạo của Sở Thông tin và Truyền thông được duyệt" in response.content.decode()
    assert agenda_state() == before

    leader = client_for(office.leader)
    page = leader.get(week_path(office.province.stttt)).content.decode()
    assert "Duyệt và công bố" in page and "Trả lại văn phòng" in page
    response = leader.post(f"/lich-cong-tac/tuan/{week.pk}/duyet/", follow=True)
    assert "Đã duyệt và công bố lịch tuần" in response.content.decode()
    week.refresh_from_db()
    assert week.status == WeekStatus.PUBLISHED
    # Approving twice: the message on the page, nothing changed.
    before = agenda_state()
    response = leader.post(f"/lich-cong-tac/tuan/{week.pk}/duyet/", follow=True)
    assert services.MSG_NOT_SUBMITTED in response.content.decode()
    assert agenda_state() == before


def test_the_leader_returns_the_week_with_a_reason(agenda_office, client_for):
    office = agenda_office
    week = add(office).week
    services.week_submit(actor=office.clerk, week=week)
    leader = client_for(office.leader)
    before = agenda_state()
    response = leader.post(f"/lich-cong-tac/tuan/{week.pk}/tra-lai/", {"note": ""})
    assert response.status_code == 200
    assert agenda_state() == before
    response = leader.post(
        f"/lich-cong-tac/tuan/{week.pk}/tra-lai/", {"note": "Thiếu địa điểm"}, follow=True
    )
    assert "Đã trả lại lịch tuần cho văn phòng." in response.content.decode()
    page = client_for(office.clerk).get(week_path(office.province.stttt)).content.decode()
    assert "Lãnh đạo trả lại: Thiếu địa điểm" in page


def test_readers_keep_the_published_copy_while_a_change_waits(agenda_office, client_for):
    office = agenda_office
    entry = add(office)
    publish(office, entry.week)
    clerk = client_for(office.clerk)
    response = clerk.post(
        f"/lich-cong-tac/noi-dung/{entry.pk}/sua/",
        form(day="23/11/2026", start="08:00", end="", content="Họp giao ban (dời sang 9 giờ)"),
        follow=True,
    )
    assert "cần được lãnh đạo duyệt lại" in response.content.decode()
    assert "cán bộ vẫn thấy bản công bố lần 1" in response.content.decode()
    staff = client_for(office.staff)
    page = staff.get(week_path(office.province.stttt)).content.decode()
    assert "Họp giao ban lãnh đạo Sở" in page and "dời sang 9 giờ" not in page
    publish(office, entry.week)
    page = staff.get(week_path(office.province.stttt)).content.decode()
    assert "dời sang 9 giờ" in page and "Điều chỉnh lần 1" in page


def _fill(office, count):
    days = ["23/11/2026", "24/11/2026", "25/11/2026", "26/11/2026", "27/11/2026"]
    for n in range(count):
        add(
            office,
            day=days[n % len(days)],
            start=f"{7 + n % 10:02d}:{n % 60:02d}",
            end="",
            content=f"Nội dung số {n}",
            leaders=[office.leader, office.deputy][: n % 3],
        )


@pytest.mark.parametrize("size", [3, 40])
def test_the_week_page_costs_the_same_whatever_the_entries(
    agenda_office, client_for, django_assert_num_queries, size
):
    office = agenda_office
    _fill(office, size)
    week = AgendaWeek.objects.get()
    publish(office, week)
    path = week_path(office.province.stttt)
    clerk, staff = client_for(office.clerk), client_for(office.staff)
    # The session, the account, the unit chain, the week, the account's roles, the menu's unread
    # count; then the entries and their leaders (the office sees the entries being drafted).
    with django_assert_num_queries(8):
        response = clerk.get(path)
    assert response.content.decode().count('class="agenda-entry"') == size
    # A reader sees the published copy, kept in the week row: no entry is read.
    with django_assert_num_queries(6):
        response = staff.get(path)
    assert response.content.decode().count('class="agenda-entry"') == size


def test_the_home_page_shows_this_week(agenda_office, client_for):
    office = agenda_office
    page = client_for(office.staff).get("/").content.decode()
    assert "Chưa có lịch công tác tuần này được công bố." in page
    publish(office, add(office).week)
    page = client_for(office.staff).get("/").content.decode()
    assert "Lịch công tác tuần này – Sở Thông tin và Truyền thông" in page
    assert "08:00 – 10:00: Họp giao ban lãnh đạo Sở" in page
    assert 'href="/lich-cong-tac/"' in page  # the menu


def test_a_leader_of_another_unit_sees_no_buttons_here(agenda_office, client_for):
    office = agenda_office
    week = add(office).week
    services.week_submit(actor=office.clerk, week=week)
    leader_snv = make_user(office.province.snv, "Phan Thị Yến", (Role.LEADER,))
    assert client_for(leader_snv).post(f"/lich-cong-tac/tuan/{week.pk}/duyet/").status_code == 404
    week.refresh_from_db()
    assert week.status == WeekStatus.SUBMITTED
    assert (week.iso_year, week.iso_week) == (YEAR, WEEK)
