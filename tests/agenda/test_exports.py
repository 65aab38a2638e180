"""The published week printed on A4 (WeasyPrint, read back with pdftotext) and exported as an
iCalendar file (RFC 5545, read back line by line by the strict reader below)."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from vanban.agenda.ical import escape, fold
from vanban.agenda.models import AgendaWeek

from .conftest import add, publish

pytestmark = pytest.mark.django_db

BASE = "/lich-cong-tac/{unit}/2026/tuan-48/"
LONG = (
    "Họp; bàn, thống nhất kế hoạch chuyển đổi số năm 2027 \\ giai đoạn 2026–2030 của các sở, "
    "ban, ngành\nDòng thứ hai"
)


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
        else:
            assert char not in ";,", f"unescaped {char!r} in TEXT"
            out.append(char)
    return "".join(out)


def read_ics(data: bytes) -> list[dict[str, str]]:
    """Components of an iCalendar stream as dicts (BEGIN name under "_"), checking the rules of
    RFC 5545 3.1 on the way: CRLF only, lines of at most 75 octets, folds that do not split a
    character, BEGIN and END nested."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a UTF-8 sequence
    logical: list[str] = []
    for line in physical:
        text = line.decode("utf-8")
        if text.startswith(" "):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    stack, found = [], []
    for line in logical:
        name, _, value = line.partition(":")
        assert name and _, line
        if name == "BEGIN":
            stack.append({"_": value})
        elif name == "END":
            component = stack.pop()
            assert component["_"] == value
            found.append(component)
        else:
            assert name not in stack[-1], f"{name} twice"
            stack[-1][name] = value
    assert not stack
    return found


def test_the_strict_reader_refuses_what_breaks_the_rules():
    with pytest.raises(AssertionError):
        read_ics(b"BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    with pytest.raises(AssertionError):
        read_ics(b"BEGIN:VCALENDAR\r\nX:" + b"a" * 80 + b"\r\nEND:VCALENDAR\r\n")
    with pytest.raises(AssertionError):
        unescape("a,b")


def test_escaping_and_folding():
    assert escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "Ư" * 60  # three octets each
    folded = fold(line).encode("utf-8").split(b"\r\n")
    assert all(len(piece) <= 75 for piece in folded)
    assert b"".join(p[1:] if i else p for i, p in enumerate(folded)).decode() == line


def test_the_week_as_icalendar(agenda_office, client_for):
    office = agenda_office
    entry = add(office, content=LONG, place="Hội trường A, tầng 2", leaders=[office.leader])
    add(office, day="29/11/2026", start="19:30", end="", content="Trực lãnh đạo")
    publish(office, entry.week)
    client = client_for(office.staff)
    response = client.get(BASE.format(unit=office.province.stttt.pk) + "lich.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    components = read_ics(response.content)
    calendar = components[-1]
    assert calendar["_"] == "VCALENDAR"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = [c for c in components if c["_"] == "VEVENT"]
    assert len(events) == 2
    first, second = events
    assert unescape(first["SUMMARY"]) == LONG
    assert unescape(first["LOCATION"]) == "Hội trường A, tầng 2"
    # 08:00 and 10:00 in Vietnam (UTC+7) are 01:00 and 03:00 UTC.
    assert first["DTSTART"] == "20261123T010000Z"
    assert first["DTEND"] == "20261123T030000Z"
    assert first["UID"] == f"{entry.uid}@lich-cong-tac.vanban"
    assert first["SEQUENCE"] == "0"
    assert unescape(first["DESCRIPTION"]).splitlines() == [
        "Thành phần: Phạm Minh Đức; Trưởng các phòng",
        "Chuẩn bị: Văn phòng Sở",
    ]
    assert second["DTSTART"] == "20261129T123000Z" and "DTEND" not in second
    for event in events:
        assert event["DTSTAMP"].endswith("Z")

    # Adjusted: same UID, next SEQUENCE.
    from vanban.agenda import services

    services.entry_edit(
        actor=office.clerk,
        entry=entry,
        data=services.EntryInput(day="23/11/2026", start="09:00", content="Họp giao ban"),
    )
    # Until the leader approves again the file stays as it was.
    again = client.get(BASE.format(unit=office.province.stttt.pk) + "lich.ics")
    assert again.content == response.content
    publish(office, AgendaWeek.objects.get())
    events = [
        c
        for c in read_ics(
            client.get(BASE.format(unit=office.province.stttt.pk) + "lich.ics").content
        )
        if c["_"] == "VEVENT"
    ]
    assert events[0]["UID"] == f"{entry.uid}@lich-cong-tac.vanban"
    assert events[0]["SEQUENCE"] == "1"
    assert events[0]["DTSTART"] == "20261123T020000Z"
    assert unescape(events[0]["DESCRIPTION"]).splitlines()[-1] == "Điều chỉnh"


def test_exports_of_a_week_never_published(agenda_office, client_for):
    office = agenda_office
    add(office)
    client = client_for(office.clerk)
    base = BASE.format(unit=office.province.stttt.pk)
    assert client.get(base + "lich.ics").status_code == 404
    assert client.get(base + "ban-in.pdf").status_code == 404
    # Another unit's published week does not exist for a reader of Sở Nội vụ.
    publish(office, AgendaWeek.objects.get())
    other = client_for(office.province.staff_snv)
    assert other.get(base + "lich.ics").status_code == 404
    assert other.get(base + "ban-in.pdf").status_code == 404


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
def test_the_week_printed_on_a4(agenda_office, client_for):
    office = agenda_office
    add(office, leaders=[office.leader])
    add(office, day="27/11/2026", start="14:00", end="", content="Tiếp đoàn công tác của Bộ")
    publish(office, AgendaWeek.objects.get())
    response = client_for(office.staff).get(
        BASE.format(unit=office.province.stttt.pk) + "ban-in.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    # A4 (210 × 297 mm), landscape, in points.
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
        [PDFTOTEXT, "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert "LỊCH CÔNG TÁC TUẦN" in flat
    assert "(Từ ngày 23/11/2026 đến ngày 29/11/2026)" in flat
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in flat
    assert "ỦY BAN NHÂN DÂN TỈNH BẾN TRE" in flat
    for heading in ("Thứ/ngày", "Thời gian", "Nội dung", "Địa điểm", "Thành phần", "Chuẩn bị"):
        assert heading in flat
    assert "Thứ Hai" in flat and "Thứ Sáu" in flat and "Chủ nhật" in flat
    assert "Họp giao ban lãnh đạo Sở" in flat
    assert "Tiếp đoàn công tác của Bộ" in flat
    assert "Sáng" in flat and "Chiều" in flat
    assert "Điều chỉnh" not in flat
