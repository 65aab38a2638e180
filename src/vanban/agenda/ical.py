"""The published week as an iCalendar file (RFC 5545), written by hand: the format needs only
text escaping (3.3.11), line folding at 75 octets (3.1) and CRLF line ends.

Times are written in UTC ("Z" form, 3.3.5 form #2), so the file needs no VTIMEZONE and every
calendar program shows them in its own zone (Asia/Ho_Chi_Minh for Vietnamese users). Each event's
UID is the entry's own, kept across edits, and SEQUENCE is the publication's number: a program
that imported the week replaces an event when the week is adjusted.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from .models import AgendaWeek
from .selectors import EntryRow, published_rows

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PRODID = "-//vanban//Lich cong tac tuan//VI"
UID_DOMAIN = "lich-cong-tac.vanban"


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets (RFC 5545 3.1), never inside a
    UTF-8 character; each continuation starts with one space."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # the leading space takes one octet
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(day: dt.date, time: dt.time) -> str:
    moment = dt.datetime.combine(day, time, tzinfo=VN_TZ).astimezone(dt.UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _event(row: EntryRow, *, stamp: str, sequence: int) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{row.uid}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(row.day, row.start)}",
    ]
    if row.end is not None:
        lines.append(f"DTEND:{_utc(row.day, row.end)}")
    lines += [f"SEQUENCE:{sequence}", f"SUMMARY:{escape(row.content)}"]
    if row.place:
        lines.append(f"LOCATION:{escape(row.place)}")
    details = []
    if row.people:
        details.append(f"Thành phần: {row.people}")
    if row.preparer:
        details.append(f"Chuẩn bị: {row.preparer}")
    if row.note:
        details.append(f"Ghi chú: {row.note}")
    if row.adjusted:
        details.append("Điều chỉnh")
    if details:
        lines.append(f"DESCRIPTION:{escape(chr(10).join(details))}")
    lines.append("END:VEVENT")
    return lines


def week_ics(week: AgendaWeek) -> bytes:
    """The published copy of the week as an iCalendar object, UTF-8, CRLF line ends."""
    if week.published_at is None:
        raise ValueError("week not published")
    stamp = week.published_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"Lịch công tác tuần {week.iso_week}/{week.iso_year} – {week.unit.name}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for row in published_rows(week):
        lines += _event(row, stamp=stamp, sequence=week.revision - 1)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
