"""The office drafts, a leader approves and publishes; readers see the published copy only
(docs/agenda.md)."""

import datetime as dt

import pytest

from tests.support.province import make_user
from tests.support.refusals import refused
from vanban.accounts.models import Role, User
from vanban.agenda import selectors, services
from vanban.agenda.models import AgendaWeek, WeekStatus
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification

from .conftest import WEEK, YEAR, add, agenda_state, entry_input, publish

pytestmark = pytest.mark.django_db


def test_the_office_drafts_and_a_leader_publishes(agenda_office):
    office = agenda_office
    entry = add(office)
    entry_leaders = [office.leader, office.deputy]
    services.entry_edit(actor=office.clerk, entry=entry, data=entry_input(leaders=entry_leaders))
    add(office, day="24/11/2026", start="14:00", end="", content="Làm việc với UBND huyện")
    week = entry.week
    assert week.status == WeekStatus.DRAFT and week.drafted_by == office.clerk

    services.week_submit(actor=office.clerk, week=week)
    week.refresh_from_db()
    assert week.status == WeekStatus.SUBMITTED
    # The leaders of the unit are told.
    waiting = Notification.objects.filter(title__contains="chờ duyệt")
    assert {n.recipient_id for n in waiting} == {office.leader.pk, office.deputy.pk}

    services.week_approve(actor=office.leader, week=week)
    week.refresh_from_db()
    assert week.status == WeekStatus.PUBLISHED
    assert week.revision == 1
    assert week.approved_by == office.leader
    assert week.approver_name == "Phạm Minh Đức"
    assert [row["content"] for row in week.published_entries] == [
        "Họp giao ban lãnh đạo Sở",
        "Làm việc với UBND huyện",
    ]
    first = week.published_entries[0]
    assert first["leaders"] == ["Lâm Quốc Hùng, Phó Giám đốc", "Phạm Minh Đức"]
    assert first["start"] == "08:00" and first["end"] == "10:00"
    assert first["adjusted"] is False
    event = AuditEvent.objects.filter(action="agenda.publish").get()
    assert event.actor == office.leader
    assert event.unit_id == office.province.stttt.pk
    assert event.data == {
        "week": "2026-W48",
        "revision": 1,
        "entries": 2,
        "adjusted": 0,
        "removed": 0,
    }
    assert AuditEvent.objects.filter(action="agenda.submit").count() == 1
    # Every active member of the unit but the approver is told.
    published = Notification.objects.filter(title__contains="đã được công bố")
    assert office.staff.pk in {n.recipient_id for n in published}
    assert office.leader.pk not in {n.recipient_id for n in published}
    assert office.province.staff_snv.pk not in {n.recipient_id for n in published}


def test_a_change_after_publication_waits_for_the_leader_and_is_marked_adjusted(agenda_office):
    office = agenda_office
    entry = add(office)
    kept = add(office, day="25/11/2026", start="07:30", end="", content="Tiếp công dân")
    week = publish(office, entry.week)

    services.entry_edit(
        actor=office.clerk, entry=entry, data=entry_input(place="Hội trường UBND tỉnh")
    )
    week.refresh_from_db()
    assert week.status == WeekStatus.DRAFT  # back to the leader
    # Readers still see the place they were told.
    page = selectors.week_page(
        user=office.staff, unit=office.province.stttt, iso_year=YEAR, iso_week=WEEK
    )
    assert page.showing == "published"
    assert [r.place for r in page.blocks[0].rows] == ["Phòng họp số 1"]
    # The office sees what it is drafting.
    working = selectors.week_page(
        user=office.clerk, unit=office.province.stttt, iso_year=YEAR, iso_week=WEEK
    )
    assert working.showing == "working"
    assert [r.place for r in working.blocks[0].rows] == ["Hội trường UBND tỉnh"]

    publish(office, week)
    week.refresh_from_db()
    assert week.revision == 2
    adjusted = {row["content"]: row["adjusted"] for row in week.published_entries}
    assert adjusted == {"Họp giao ban lãnh đạo Sở": True, "Tiếp công dân": False}
    page = selectors.week_page(
        user=office.staff, unit=office.province.stttt, iso_year=YEAR, iso_week=WEEK
    )
    assert page.adjusted
    assert [r.place for r in page.blocks[0].rows] == ["Hội trường UBND tỉnh"]
    # The entry keeps its identity (the iCalendar UID) across publications.
    assert week.published_entries[1]["uid"] == str(kept.uid)
    assert Notification.objects.filter(title__contains="đã được điều chỉnh").exists()


def test_morning_and_afternoon(agenda_office):
    office = agenda_office
    add(office, start="11:59", end="")
    add(office, start="12:00", end="")
    add(office, start="19:00", end="21:00", content="Dự chương trình nghệ thuật")
    page = selectors.week_page(
        user=office.clerk, unit=office.province.stttt, iso_year=YEAR, iso_week=WEEK
    )
    monday = page.blocks[0]
    assert [(p.label, [r.time_label for r in p.rows]) for p in monday.periods] == [
        ("Sáng", ["11:59"]),
        ("Chiều", ["12:00"]),
        ("Tối", ["19:00 – 21:00"]),
    ]
    # An empty day still shows its morning and afternoon.
    assert [(p.label, p.rows) for p in page.blocks[1].periods] == [("Sáng", []), ("Chiều", [])]
    assert [b.weekday for b in page.blocks] == [
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ nhật",
    ]
    assert page.blocks[2].is_today  # Wednesday 25/11/2026


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"start": "25:00"},
            "Giờ bắt đầu “25:00” không hợp lệ; hãy nhập theo dạng HH:MM, từ 00:00 đến 23:59.",
            "start",
        ),
        (
            {"end": "9:75"},
            "Giờ kết thúc “9:75” không hợp lệ; hãy nhập theo dạng HH:MM, từ 00:00 đến 23:59.",
            "end",
        ),
        (
            {"start": "10:00", "end": "09:30"},
            "Giờ kết thúc (09:30) phải sau giờ bắt đầu (10:00).",
            "end",
        ),
        (
            {"start": "10:00", "end": "10:00"},
            "Giờ kết thúc (10:00) phải sau giờ bắt đầu (10:00).",
            "end",
        ),
        (
            {"day": "30/11/2026"},
            "Ngày 30/11/2026 không thuộc tuần đang soạn (từ 23/11/2026 đến 29/11/2026).",
            "day",
        ),
        (
            {"day": "31/02/2026"},
            "Ngày “31/02/2026” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 23/11/2026.",
            "day",
        ),
        (
            {"day": "2026-11-23"},
            "Ngày “2026-11-23” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 23/11/2026.",
            "day",
        ),
        ({"start": ""}, "Hãy nhập giờ bắt đầu (HH:MM).", "start"),
        ({"content": "   "}, "Hãy nhập nội dung.", "content"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(agenda_office, changes, message, field):
    office = agenda_office
    add(office)
    refused(
        lambda: add(office, **changes),
        ServiceError,
        message,
        field,
        state=agenda_state,
    )


def test_only_leaders_of_the_unit_attend_as_leaders(agenda_office):
    office = agenda_office
    other = office.province.admin_snv
    refused(
        lambda: add(office, leaders=[office.leader, office.staff]),
        ServiceError,
        "Nguyễn Thu Phương không phải lãnh đạo của Sở Thông tin và Truyền thông; hãy ghi vào "
        "mục thành phần khác.",
        "leaders",
        state=agenda_state,
    )
    refused(
        lambda: add(office, leaders=[other]),
        ServiceError,
        "Võ Thanh Tâm không phải lãnh đạo của Sở Thông tin và Truyền thông; hãy ghi vào "
        "mục thành phần khác.",
        "leaders",
        state=agenda_state,
    )


def test_only_the_office_of_the_unit_drafts_its_week(agenda_office):
    office = agenda_office
    entry = add(office)
    message = (
        "Chỉ văn thư (văn phòng) của Sở Thông tin và Truyền thông được soạn lịch công tác tuần "
        "của đơn vị này."
    )
    for actor in (office.clerk_snv, office.staff, office.leader):
        refused(
            lambda actor=actor: services.entry_add(
                actor=actor,
                unit=office.province.stttt,
                iso_year=YEAR,
                iso_week=WEEK,
                data=entry_input(),
            ),
            AccessDenied,
            message,
            state=agenda_state,
        )
        refused(
            lambda actor=actor: services.entry_edit(actor=actor, entry=entry, data=entry_input()),
            AccessDenied,
            message,
            state=agenda_state,
        )
        refused(
            lambda actor=actor: services.entry_delete(actor=actor, entry=entry),
            AccessDenied,
            message,
            state=agenda_state,
        )
        refused(
            lambda actor=actor: services.week_submit(actor=actor, week=entry.week),
            AccessDenied,
            message,
            state=agenda_state,
        )
    # The office of the unit above is not the office of this unit either.
    root_clerk_message = (
        "Chỉ văn thư (văn phòng) của Ủy ban nhân dân tỉnh Bến Tre được soạn lịch công tác tuần "
        "của đơn vị này."
    )
    refused(
        lambda: services.entry_add(
            actor=office.clerk,
            unit=office.province.root,
            iso_year=YEAR,
            iso_week=WEEK,
            data=entry_input(),
        ),
        AccessDenied,
        root_clerk_message,
        state=agenda_state,
    )


def test_only_a_leader_of_the_unit_approves(agenda_office):
    office = agenda_office
    week = add(office).week
    services.week_submit(actor=office.clerk, week=week)
    message = (
        "Chỉ lãnh đạo của Sở Thông tin và Truyền thông được duyệt và công bố lịch công tác tuần "
        "của đơn vị này."
    )
    for actor in (office.clerk, office.staff, office.province.admin_snv):
        refused(
            lambda actor=actor: services.week_approve(actor=actor, week=week),
            AccessDenied,
            message,
            state=agenda_state,
        )
    refused(
        lambda: services.week_return(actor=office.clerk, week=week, note="Sai giờ"),
        AccessDenied,
        message,
        state=agenda_state,
    )


def test_the_steps_come_in_order(agenda_office):
    office = agenda_office
    week = add(office).week
    refused(
        lambda: services.week_approve(actor=office.leader, week=week),
        ServiceError,
        services.MSG_NOT_SUBMITTED,
        state=agenda_state,
    )
    services.week_submit(actor=office.clerk, week=week)
    refused(
        lambda: services.week_submit(actor=office.clerk, week=week),
        ServiceError,
        services.MSG_ALREADY_SUBMITTED,
        state=agenda_state,
    )
    refused(
        lambda: services.week_return(actor=office.leader, week=week, note="  "),
        ServiceError,
        "Hãy nhập lý do trả lại.",
        "note",
        state=agenda_state,
    )
    services.week_return(actor=office.leader, week=week, note="Bổ sung địa điểm")
    week.refresh_from_db()
    assert week.status == WeekStatus.DRAFT and week.return_note == "Bổ sung địa điểm"
    assert Notification.objects.filter(recipient=office.clerk, body="Bổ sung địa điểm").exists()
    publish(office, week)
    refused(
        lambda: services.week_submit(actor=office.clerk, week=week),
        ServiceError,
        services.MSG_ALREADY_PUBLISHED,
        state=agenda_state,
    )


def test_a_change_to_a_submitted_week_takes_it_back_from_the_leader(agenda_office):
    office = agenda_office
    entry = add(office)
    services.week_submit(actor=office.clerk, week=entry.week)
    services.entry_edit(actor=office.clerk, entry=entry, data=entry_input(start="09:00"))
    week = AgendaWeek.objects.get()
    assert week.status == WeekStatus.DRAFT
    refused(
        lambda: services.week_approve(actor=office.leader, week=week),
        ServiceError,
        services.MSG_NOT_SUBMITTED,
        state=agenda_state,
    )


def test_an_empty_week_is_not_submitted(agenda_office):
    office = agenda_office
    entry = add(office)
    services.entry_delete(actor=office.clerk, entry=entry)
    refused(
        lambda: services.week_submit(actor=office.clerk, week=entry.week),
        ServiceError,
        services.MSG_EMPTY,
        state=agenda_state,
    )


def test_a_week_that_does_not_exist(agenda_office):
    refused(
        lambda: services.entry_add(
            actor=agenda_office.clerk,
            unit=agenda_office.province.stttt,
            iso_year=2026,
            iso_week=54,
            data=entry_input(),
        ),
        ServiceError,
        "Tuần không hợp lệ.",
        state=agenda_state,
    )


def test_times_are_read_as_typed():
    assert services.time_parse("7:30") == dt.time(7, 30)
    assert services.time_parse("08h15") == dt.time(8, 15)
    assert services.time_parse("23:59") == dt.time(23, 59)
    assert services.day_parse("1/2/2026") == dt.date(2026, 2, 1)


def test_this_week_for_reads_the_unit_and_the_units_above(agenda_office, django_assert_num_queries):
    office = agenda_office
    publish(office, add(office).week)
    # The province's own week, drafted by its office.
    clerk_root = make_user(office.province.root, "Ngô Thị Hạnh", (Role.CLERK,))
    leader_root = make_user(office.province.root, "Trần Ngọc Anh", (Role.LEADER,))
    entry = services.entry_add(
        actor=clerk_root,
        unit=office.province.root,
        iso_year=YEAR,
        iso_week=WEEK,
        data=entry_input(content="Họp UBND tỉnh thường kỳ"),
    )
    services.week_submit(actor=clerk_root, week=entry.week)
    services.week_approve(actor=leader_root, week=entry.week)
    staff = User.objects.get(pk=office.staff.pk)
    with django_assert_num_queries(1):
        found = selectors.this_week_for(user=staff)
    assert [(t.unit.name, [r.content for b in t.blocks for r in b.rows]) for t in found] == [
        ("Sở Thông tin và Truyền thông", ["Họp giao ban lãnh đạo Sở"]),
        ("Ủy ban nhân dân tỉnh Bến Tre", ["Họp UBND tỉnh thường kỳ"]),
    ]
    # Sở Nội vụ reads the province's week, not Sở TT&TT's.
    other = User.objects.get(pk=office.province.staff_snv.pk)
    assert [t.unit.name for t in selectors.this_week_for(user=other)] == [
        "Ủy ban nhân dân tỉnh Bến Tre"
    ]
    # A week drafted but not published is nobody's news.
    assert not AgendaWeek.objects.filter(unit=office.province.snv).exists()
