"""The demo province's work calendar: this week of Sở Thông tin và Truyền thông, drafted by its
clerk and published by its director through the same services people use (docs/agenda.md)."""

import datetime as dt

from django.db import transaction

from vanban.accounts.models import User

from . import selectors, services
from .models import AgendaWeek

CLERK = "trangvtt.stttt"
LEADER = "ducpm.stttt"

# (weekday 0 = Monday, start, end, content, place, with the director, others, who prepares)
ENTRIES = (
    (
        0,
        "07:30",
        "09:00",
        "Giao ban lãnh đạo Sở đầu tuần",
        "Phòng họp số 1",
        True,
        "Trưởng các phòng, đơn vị thuộc Sở",
        "Văn phòng Sở",
    ),
    (
        0,
        "14:00",
        "16:30",
        "Họp Ban Chỉ đạo chuyển đổi số tỉnh",
        "Hội trường UBND tỉnh",
        True,
        "Phòng Công nghệ thông tin",
        "Phòng Công nghệ thông tin",
    ),
    (
        1,
        "08:00",
        "11:00",
        "Kiểm tra việc dùng phần mềm quản lý văn bản tại UBND huyện Ba Tri",
        "UBND huyện Ba Tri",
        True,
        "Phòng Công nghệ thông tin; Văn phòng Sở",
        "Văn phòng Sở",
    ),
    (
        2,
        "08:00",
        "",
        "Tiếp công dân định kỳ",
        "Phòng tiếp công dân của Sở",
        True,
        "",
        "Thanh tra Sở",
    ),
    (
        3,
        "14:00",
        "17:00",
        "Làm việc với doanh nghiệp viễn thông về hạ tầng mạng 5G",
        "Phòng họp số 2",
        False,
        "Phó Giám đốc phụ trách; Phòng Bưu chính - Viễn thông",
        "Phòng Bưu chính - Viễn thông",
    ),
    (
        4,
        "08:00",
        "10:00",
        "Họp UBND tỉnh thường kỳ tháng",
        "Hội trường UBND tỉnh",
        True,
        "",
        "Văn phòng Sở",
    ),
)


def demo_agenda_load() -> int:
    """Publish this week's calendar of Sở TT&TT if its clerk and director exist and the unit
    has no calendar yet; the number of entries published (0 when nothing was done)."""
    clerk = User.objects.filter(username=CLERK).select_related("unit").first()
    leader = User.objects.filter(username=LEADER).first()
    if clerk is None or leader is None or AgendaWeek.objects.filter(unit=clerk.unit).exists():
        return 0
    iso_year, iso_week = services.week_of(selectors.today())
    monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
    with transaction.atomic():
        week = None
        for weekday, start, end, content, place, director, others, preparer in ENTRIES:
            entry = services.entry_add(
                actor=clerk,
                unit=clerk.unit,
                iso_year=iso_year,
                iso_week=iso_week,
                data=services.EntryInput(
                    day=(monday + dt.timedelta(days=weekday)).strftime("%d/%m/%Y"),
                    start=start,
                    end=end,
                    content=content,
                    place=place,
                    leaders=[leader] if director else [],
                    attendees=others,
                    preparer=preparer,
                ),
            )
            week = entry.week
        if week is None:
            return 0
        services.week_submit(actor=clerk, week=week)
        services.week_approve(actor=leader, week=week)
    return len(ENTRIES)
