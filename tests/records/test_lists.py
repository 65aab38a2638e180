"""The yearly dossier list (R19; NĐ 30/2020 Art. 28, Appendix V): the office drafts, the head
approves or returns, an approved list is frozen until the head reopens it, copies to the next
year, the list handlers open dossiers from, the pages and the print."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.support import drafting
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification
from vanban.records import lists, retention
from vanban.records.models import (
    Dossier,
    DossierList,
    DossierListEntry,
    DossierListHeading,
    ListStatus,
)

from .support_lists import (
    YEAR,
    add_entry,
    add_heading,
    approved_list,
    draft_list,
    filled_list,
    item,
    list_state,
    make_office,
    permanent,
    ten_years,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


@pytest.fixture
def office(province):
    return make_office(province)


def codes(dossier_list: DossierList) -> list[tuple[str, list[str]]]:
    return [
        (f"{h.numeral}. {h.title}", [e.code for e in h.entries.all()])
        for h in lists.headings_with_entries(dossier_list)
    ]


# ---------------------------------------------------------------- drafting


def test_the_office_drafts_headings_and_numbered_entries(office):
    found = filled_list(office)
    assert found.status == ListStatus.DRAFT and found.drafted_by == office.clerk
    assert codes(found) == [
        ("I. Văn phòng", ["01.VP", "02.VP"]),
        ("II. Tổ chức, cán bộ", ["01.TCCB"]),
    ]
    tccb = DossierListHeading.objects.get(abbreviation="TCCB")
    chosen = add_entry(office, tccb, "Hồ sơ kỷ luật", number="12")
    assert chosen.code == "12.TCCB"
    assert add_entry(office, tccb, "Hồ sơ tiếp theo").code == "13.TCCB"
    actions = list(
        AuditEvent.objects.filter(action__startswith="records.list.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[0] == "records.list.create"
    assert actions.count("records.list.heading.add") == 2
    assert actions.count("records.list.entry.add") == 5


def test_an_abbreviation_is_read_in_capitals(office):
    heading = add_heading(office, draft_list(office), "Kế hoạch, tài chính", " khtc ")
    assert heading.abbreviation == "KHTC"


@pytest.mark.parametrize(
    ("year", "message"),
    [("1999", "Năm phải từ 2000 đến 2100."), ("năm nay", "Năm phải từ 2000 đến 2100.")],
)
def test_a_bad_year_is_refused(office, year, message):
    before = list_state()
    with pytest.raises(ServiceError, match=message):
        lists.list_create(actor=office.clerk, unit=office.province.stttt, year=year)
    assert list_state() == before


def test_a_second_list_of_the_same_year_is_refused(office):
    draft_list(office)
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        draft_list(office)
    assert refused.value.message == "Sở Thông tin và Truyền thông đã có danh mục hồ sơ năm 2026."
    assert list_state() == before


def test_only_the_office_of_the_unit_drafts(office):
    found = filled_list(office)
    heading = found.headings.first()
    entry = DossierListEntry.objects.first()
    before = list_state()
    for person in (office.head, office.staff, office.clerk_snv, office.province.province_admin):
        with pytest.raises(AccessDenied) as refused:
            lists.list_create(actor=person, unit=office.province.stttt, year=2027)
        assert refused.value.message == (
            "Chỉ văn thư (văn phòng) của Sở Thông tin và Truyền thông được lập danh mục hồ sơ "
            "của cơ quan."
        )
        with pytest.raises(AccessDenied):
            lists.heading_add(
                actor=person,
                dossier_list=found,
                data=lists.HeadingInput(title="Thanh tra", abbreviation="TTR"),
            )
        with pytest.raises(AccessDenied):
            lists.entry_add(
                actor=person,
                heading=heading,
                data=lists.EntryInput(title="Hồ sơ", retention_item=permanent()),
            )
        with pytest.raises(AccessDenied):
            lists.entry_delete(actor=person, entry=entry)
        with pytest.raises(AccessDenied):
            lists.list_submit(actor=person, dossier_list=found)
        with pytest.raises(AccessDenied):
            lists.list_copy_forward(actor=person, dossier_list=found)
    assert list_state() == before


@pytest.mark.parametrize(
    ("abbreviation", "message"),
    [
        ("TCCB", "Chữ viết tắt “TCCB” đã dùng cho một đề mục khác của danh mục này."),
        ("tccb", "Chữ viết tắt “TCCB” đã dùng cho một đề mục khác của danh mục này."),
        ("TC CB", "Chữ viết tắt “TC CB” không hợp lệ"),
        ("TC.CB", "Chữ viết tắt “TC.CB” không hợp lệ"),
        ("", "Hãy nhập chữ viết tắt."),
        ("QUÁDÀIQUÁDÀI", "Chữ viết tắt dài quá 10 ký tự."),
    ],
)
def test_bad_or_duplicate_abbreviations_are_refused(office, abbreviation, message):
    found = draft_list(office)
    add_heading(office, found)
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        add_heading(office, found, "Đề mục khác", abbreviation)
    assert message in refused.value.message
    assert refused.value.field == "abbreviation"
    assert list_state() == before


def test_a_heading_names_only_a_unit_under_the_agency(office):
    found = draft_list(office)
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        lists.heading_add(
            actor=office.clerk,
            dossier_list=found,
            data=lists.HeadingInput(title="Nội vụ", abbreviation="NV", subunit=office.province.snv),
        )
    assert refused.value.message == (
        "Sở Nội vụ không phải đơn vị thuộc Sở Thông tin và Truyền thông."
    )
    assert list_state() == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0", "Số hồ sơ “0” không hợp lệ"),
        ("1000", "Số hồ sơ “1000” không hợp lệ"),
        ("một", "Số hồ sơ “một” không hợp lệ"),
        ("-1", "Số hồ sơ “-1” không hợp lệ"),
        ("1", "Số 01.TCCB đã có trong đề mục này; hãy chọn số khác."),
    ],
)
def test_bad_or_taken_numbers_are_refused(office, number, message):
    heading = add_heading(office, draft_list(office))
    add_entry(office, heading)
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        add_entry(office, heading, "Hồ sơ khác", number=number)
    assert message in refused.value.message and refused.value.field == "number"
    assert list_state() == before


def test_an_entry_takes_an_active_item_and_a_person_of_the_unit(office, province):
    heading = add_heading(office, draft_list(office))
    stopped = item("Sổ tiếp công dân")
    retention.item_set_active(actor=province.province_admin, item=stopped, active=False)
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        add_entry(office, heading, retention_item=stopped)
    assert refused.value.field == "retention_item"
    assert "đã ngừng sử dụng" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        add_entry(office, heading, person_in_charge=province.staff_snv)
    assert refused.value.message == (
        "Huỳnh Ngọc Lan không phải cán bộ đang làm việc của Sở Thông tin và Truyền thông."
    )
    with pytest.raises(ServiceError, match="Hãy nhập tiêu đề hồ sơ"):
        add_entry(office, heading, title="  ")
    with pytest.raises(ServiceError, match="Hãy chọn thời hạn bảo quản"):
        add_entry(office, heading, retention_item=None)
    assert list_state() == before


def test_an_entry_keeps_its_stopped_item_when_edited(office, province):
    heading = add_heading(office, draft_list(office))
    entry = add_entry(office, heading, retention_item=ten_years())
    retention.item_set_active(actor=province.province_admin, item=ten_years(), active=False)
    lists.entry_edit(
        actor=office.clerk,
        entry=entry,
        data=lists.EntryInput(title="Tiêu đề mới", retention_item=entry.retention_item),
    )
    entry.refresh_from_db()
    assert entry.title == "Tiêu đề mới" and entry.number == 1
    event = AuditEvent.objects.get(action="records.list.entry.edit")
    assert event.data["before"]["title"] == "Hồ sơ bổ nhiệm cán bộ"


def test_headings_are_reordered_and_renumbered(office):
    found = filled_list(office)
    add_heading(office, found, "Thanh tra", "TTR")
    tccb = DossierListHeading.objects.get(abbreviation="TCCB")
    lists.heading_move(actor=office.clerk, heading=tccb, up=True)
    assert [c[0] for c in codes(found)] == ["I. Tổ chức, cán bộ", "II. Văn phòng", "III. Thanh tra"]
    before = list_state()
    with pytest.raises(ServiceError, match="Đề mục đã ở đầu danh mục"):
        lists.heading_move(actor=office.clerk, heading=tccb, up=True)
    last = DossierListHeading.objects.get(abbreviation="TTR")
    with pytest.raises(ServiceError, match="Đề mục đã ở cuối danh mục"):
        lists.heading_move(actor=office.clerk, heading=last, up=False)
    assert list_state() == before
    assert lists.roman(4) == "IV" and lists.roman(9) == "IX" and lists.roman(14) == "XIV"


def test_a_heading_and_an_entry_are_removed(office):
    found = filled_list(office)
    vp = DossierListHeading.objects.get(abbreviation="VP")
    lists.entry_delete(actor=office.clerk, entry=vp.entries.get(number=2))
    lists.heading_delete(
        actor=office.clerk, heading=DossierListHeading.objects.get(abbreviation="TCCB")
    )
    assert codes(found) == [("I. Văn phòng", ["01.VP"])]
    edited = lists.heading_edit(
        actor=office.clerk,
        heading=vp,
        data=lists.HeadingInput(title="Văn phòng Sở", abbreviation="VPS"),
    )
    assert edited.abbreviation == "VPS"
    assert DossierListEntry.objects.get(heading=vp).code == "01.VPS"


def _open_dossier(entry: DossierListEntry, handler) -> Dossier:
    now = clock.now()
    return Dossier.objects.create(
        unit=entry.heading.dossier_list.unit,
        entry=entry,
        year=YEAR,
        notation=entry.code,
        title=entry.title,
        retention_item=entry.retention_item,
        maintenance=entry.retention_item.maintenance,
        handler=handler,
        opened_at=now,
        updated_at=now,
    )


def test_an_entry_a_dossier_was_opened_from_stays(office):
    found = approved_list(office)
    entry = DossierListEntry.objects.get(heading__abbreviation="TCCB")
    _open_dossier(entry, office.staff)
    lists.list_reopen(actor=office.head, dossier_list=found, reason="Bổ sung hồ sơ phát sinh")
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        lists.entry_delete(actor=office.clerk, entry=entry)
    assert refused.value.message == (
        "Hồ sơ “01.TCCB” đã được lập từ danh mục này nên không xóa được khỏi danh mục."
    )
    with pytest.raises(ServiceError, match=r"01\.TCCB"):
        lists.heading_delete(actor=office.clerk, heading=entry.heading)
    assert list_state() == before


# ---------------------------------------------------------------- submitting and approving


def test_the_head_approves_and_the_list_is_frozen(office):
    found = filled_list(office)
    lists.list_submit(actor=office.clerk, dossier_list=found)
    assert Notification.objects.filter(
        recipient=office.head, title="Danh mục hồ sơ năm 2026 chờ phê duyệt"
    ).exists()
    approved = lists.list_approve(actor=office.head, dossier_list=found)
    assert approved.status == ListStatus.APPROVED
    assert approved.approved_by == office.head
    assert (approved.approver_name, approved.approver_position) == ("Phạm Minh Đức", "Giám đốc")
    assert approved.approved_at == clock.now()
    heading = found.headings.first()
    entry = DossierListEntry.objects.first()
    before = list_state()
    frozen = "Danh mục hồ sơ đã được phê duyệt nên không sửa được"
    with pytest.raises(ServiceError, match=frozen):
        add_heading(office, found, "Thanh tra", "TTR")
    with pytest.raises(ServiceError, match=frozen):
        add_entry(office, heading, "Hồ sơ mới")
    with pytest.raises(ServiceError, match=frozen):
        lists.entry_edit(
            actor=office.clerk,
            entry=entry,
            data=lists.EntryInput(title="Sửa", retention_item=permanent()),
        )
    with pytest.raises(ServiceError, match=frozen):
        lists.entry_delete(actor=office.clerk, entry=entry)
    with pytest.raises(ServiceError, match=frozen):
        lists.heading_move(actor=office.clerk, heading=heading, up=False)
    with pytest.raises(ServiceError, match=frozen):
        lists.list_submit(actor=office.clerk, dossier_list=found)
    with pytest.raises(ServiceError, match="chưa được trình"):
        lists.list_approve(actor=office.head, dossier_list=found)
    assert list_state() == before


def test_a_submitted_list_waits_for_the_head(office):
    found = filled_list(office)
    lists.list_submit(actor=office.clerk, dossier_list=found)
    other_head = make_user(office.province.snv, "Phan Thị Yến", (Role.LEADER,))
    before = list_state()
    with pytest.raises(ServiceError, match="đang chờ thủ trưởng phê duyệt"):
        add_heading(office, found, "Thanh tra", "TTR")
    for person in (
        office.clerk,
        office.staff,
        other_head,
    ):
        with pytest.raises(AccessDenied) as refused:
            lists.list_approve(actor=person, dossier_list=found)
        assert refused.value.message == (
            "Chỉ thủ trưởng (lãnh đạo) của Sở Thông tin và Truyền thông được phê duyệt danh mục "
            "hồ sơ."
        )
    assert list_state() == before


def test_an_empty_list_is_not_submitted(office):
    found = draft_list(office)
    add_heading(office, found)
    before = list_state()
    with pytest.raises(ServiceError, match="chưa có hồ sơ nào"):
        lists.list_submit(actor=office.clerk, dossier_list=found)
    assert list_state() == before


def test_the_head_returns_with_a_reason(office):
    found = filled_list(office)
    lists.list_submit(actor=office.clerk, dossier_list=found)
    before = list_state()
    with pytest.raises(ServiceError, match="Hãy nhập lý do trả lại"):
        lists.list_return(actor=office.head, dossier_list=found, note="  ")
    assert list_state() == before
    returned = lists.list_return(
        actor=office.head, dossier_list=found, note="Bổ sung hồ sơ thi đua, khen thưởng"
    )
    assert returned.status == ListStatus.DRAFT
    assert returned.return_note == "Bổ sung hồ sơ thi đua, khen thưởng"
    assert Notification.objects.filter(recipient=office.clerk, body=returned.return_note).exists()
    add_heading(office, found, "Thi đua, khen thưởng", "TĐKT")


def test_the_head_reopens_an_approved_list_for_amendment(office):
    found = approved_list(office)
    before = list_state()
    with pytest.raises(AccessDenied):
        lists.list_reopen(actor=office.clerk, dossier_list=found, reason="Sửa")
    with pytest.raises(ServiceError, match="Hãy nhập lý do mở lại"):
        lists.list_reopen(actor=office.head, dossier_list=found, reason="")
    assert list_state() == before
    reopened = lists.list_reopen(actor=office.head, dossier_list=found, reason="Bổ sung đề mục")
    assert reopened.status == ListStatus.DRAFT
    assert reopened.approved_by is None and reopened.approver_name == ""
    event = AuditEvent.objects.get(action="records.list.reopen")
    assert event.actor == office.head
    assert event.data["reason"] == "Bổ sung đề mục" and event.data["approver"] == "Phạm Minh Đức"
    add_heading(office, found, "Thanh tra", "TTR")
    with pytest.raises(ServiceError, match="chưa được phê duyệt nên không cần mở lại"):
        lists.list_reopen(actor=office.head, dossier_list=found, reason="Lần nữa")


def test_approved_entries_are_those_of_the_approved_list_of_the_year(
    office, django_assert_num_queries
):
    assert list(lists.approved_entries(office.province.stttt, YEAR)) == []
    found = filled_list(office)
    assert list(lists.approved_entries(office.province.stttt, YEAR)) == []
    lists.list_submit(actor=office.clerk, dossier_list=found)
    lists.list_approve(actor=office.head, dossier_list=found)
    with django_assert_num_queries(1):
        entries = [e.code for e in lists.approved_entries(office.province.stttt, YEAR)]
    assert entries == ["01.VP", "02.VP", "01.TCCB"]
    assert list(lists.approved_entries(office.province.stttt, YEAR + 1)) == []
    assert list(lists.approved_entries(office.province.snv, YEAR)) == []


# ---------------------------------------------------------------- copying forward


def test_the_list_is_copied_to_the_next_year(office):
    found = approved_list(office)
    copy = lists.list_copy_forward(actor=office.clerk, dossier_list=found)
    assert (copy.year, copy.status, copy.copied_from) == (2027, ListStatus.DRAFT, found)
    assert codes(copy) == codes(found)
    titles = set(
        DossierListEntry.objects.filter(heading__dossier_list=copy).values_list(
            "title", "retention_item", "person_in_charge"
        )
    )
    assert titles == set(
        DossierListEntry.objects.filter(heading__dossier_list=found).values_list(
            "title", "retention_item", "person_in_charge"
        )
    )
    event = AuditEvent.objects.get(action="records.list.copy")
    assert event.data == {"year": 2027, "source": found.pk, "entries": 3}
    before = list_state()
    with pytest.raises(ServiceError) as refused:
        lists.list_copy_forward(actor=office.clerk, dossier_list=found)
    assert refused.value.message == "Sở Thông tin và Truyền thông đã có danh mục hồ sơ năm 2027."
    assert list_state() == before


# ---------------------------------------------------------------- pages

BASE = "/ho-so/danh-muc/"


def test_the_office_creates_a_list_on_the_page(office, client_for):
    clerk = client_for(office.clerk)
    page = clerk.get(BASE).content.decode()
    assert "Lập danh mục hồ sơ của năm" in page
    response = clerk.post(BASE + "tao/", {"year": "2026"})
    found = DossierList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{found.pk}/"
    response = clerk.post(BASE + "tao/", {"year": "2026"})
    assert response.status_code == 200
    assert "đã có danh mục hồ sơ năm 2026" in response.content.decode()
    staff = client_for(office.staff)
    assert "Lập danh mục hồ sơ của năm" not in staff.get(BASE).content.decode()
    assert staff.post(BASE + "tao/", {"year": "2027"}).status_code == 403
    assert DossierList.objects.count() == 1


def test_the_office_adds_headings_and_entries_on_the_pages(office, client_for):
    found = draft_list(office)
    clerk = client_for(office.clerk)
    response = clerk.post(
        f"{BASE}{found.pk}/de-muc/them/", {"title": "Tổ chức, cán bộ", "abbreviation": "TCCB"}
    )
    assert response.status_code == 302
    response = clerk.post(
        f"{BASE}{found.pk}/de-muc/them/", {"title": "Trùng", "abbreviation": "tccb"}
    )
    assert response.status_code == 200
    assert "đã dùng cho một đề mục khác" in response.content.decode()
    heading = DossierListHeading.objects.get()
    url = f"{BASE}de-muc/{heading.pk}/them-ho-so/"
    form = {
        "title": "Hồ sơ bổ nhiệm",
        "retention_item": permanent().pk,
        "person_in_charge": office.clerk.pk,
    }
    assert clerk.post(url, {**form, "number": "abc"}).status_code == 200
    assert not DossierListEntry.objects.exists()
    assert clerk.post(url, form).status_code == 302
    page = clerk.get(f"{BASE}{found.pk}/").content.decode()
    assert "01.TCCB" in page and "Võ Thị Thu Trang" in page and "Vĩnh viễn" in page
    assert client_for(office.staff).get(url).status_code == 403
    assert client_for(office.clerk_snv).get(f"{BASE}{found.pk}/").status_code == 404


def test_the_head_approves_returns_and_reopens_on_the_page(office, client_for):
    found = filled_list(office)
    lists.list_submit(actor=office.clerk, dossier_list=found)
    head = client_for(office.head)
    page = head.get(f"{BASE}{found.pk}/").content.decode()
    assert "Phê duyệt</button>" in page and "Trả lại văn phòng" in page
    response = head.post(f"{BASE}{found.pk}/tra-lai/", {"note": ""})
    assert response.status_code == 200
    assert client_for(office.clerk).post(f"{BASE}{found.pk}/duyet/").status_code == 403
    assert head.post(f"{BASE}{found.pk}/duyet/").status_code == 302
    found.refresh_from_db()
    assert found.status == ListStatus.APPROVED
    clerk = client_for(office.clerk)
    page = clerk.get(f"{BASE}{found.pk}/").content.decode()
    assert "Thêm đề mục" not in page and "Trình thủ trưởng" not in page
    entry = DossierListEntry.objects.first()
    response = clerk.post(f"{BASE}ho-so/{entry.pk}/xoa/", follow=True)
    assert "Danh mục hồ sơ đã được phê duyệt nên không sửa được" in response.content.decode()
    assert DossierListEntry.objects.filter(pk=entry.pk).exists()
    response = head.post(f"{BASE}{found.pk}/mo-lai/", {"reason": "Bổ sung hồ sơ"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == ListStatus.DRAFT
    response = clerk.post(f"{BASE}{found.pk}/sao-sang-nam-sau/")
    assert response.status_code == 302
    assert DossierList.objects.get(year=2027).copied_from == found


def _fill(office, size: int) -> DossierList:
    found = draft_list(office)
    headings = [add_heading(office, found, f"Đề mục {n}", f"DM{n}") for n in range(3)]
    for n in range(size):
        add_entry(
            office,
            headings[n % 3],
            f"Hồ sơ số {n}",
            retention_item=permanent() if n % 2 else ten_years(),
            person_in_charge=office.clerk if n % 2 else office.staff,
        )
    return found


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_page_costs_the_same_whatever_the_entries(
    office, client_for, django_assert_num_queries, size
):
    found = _fill(office, size)
    clerk = client_for(office.clerk)
    # The session, the account, the list with its unit, the account's roles, the menu's
    # counts; the headings, their entries with their items and people.
    with django_assert_num_queries(7):
        response = clerk.get(f"{BASE}{found.pk}/")
    assert response.content.decode().count('class="list-entry"') == size
    with django_assert_num_queries(6):
        response = clerk.get(BASE)
    assert response.content.decode().count('class="dossier-list-row"') == 1


PDFTOTEXT = shutil.which("pdftotext")


def _pdf_text(content: bytes, *options: str) -> str:
    return subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
        [PDFTOTEXT, *options, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")


def _flat(content: bytes) -> str:
    """The text in reading order, blanks collapsed: the header's two columns one after the
    other."""
    return " ".join(_pdf_text(content).split())


def _rows(content: bytes) -> list[str]:
    """The lines as laid out on the page, blanks collapsed: one table row a line."""
    return [" ".join(line.split()) for line in _pdf_text(content, "-layout").splitlines()]


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
def test_the_list_printed_in_the_layout_of_appendix_v(office, client_for):
    found = approved_list(office)
    response = client_for(office.staff).get(f"{BASE}{found.pk}/ban-in.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    flat = _flat(response.content)
    assert "ỦY BAN NHÂN DÂN TỈNH BẾN TRE" in flat
    assert "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in flat
    assert "DANH MỤC HỒ SƠ CỦA SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in flat
    assert "NĂM 2026" in flat
    for column in (
        "Số và ký hiệu",
        "Tên đề mục và tiêu đề hồ",
        "Thời hạn bảo",
        "Đơn vị/người",
        "Ghi chú",
    ):
        assert column in flat
    rows = _rows(response.content)
    assert "I VĂN PHÒNG" in rows and "II TỔ CHỨC, CÁN BỘ" in rows
    # A row per line, its long cells wrapping onto the next.
    assert "01.VP Sổ đăng ký văn bản đi năm 2026 Vĩnh viễn Võ Thị Thu" in rows
    assert "02.VP Công văn trao đổi về công tác 10 năm" in rows
    assert "01.TCCB Hồ sơ bổ nhiệm Phó Giám đốc Sở Vĩnh viễn" in rows
    assert "có 3 hồ sơ, bao gồm: 2 hồ sơ bảo quản vĩnh viễn; 1 hồ sơ bảo quản có thời hạn" in flat
    assert "GIÁM ĐỐC" in flat and "Phạm Minh Đức" in flat
    assert "Ngày 25 tháng 11 năm 2026" in flat
    assert "Dự thảo" not in flat


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
def test_a_draft_prints_as_a_draft_without_a_signer(office, client_for):
    found = filled_list(office)
    flat = _flat(client_for(office.clerk).get(f"{BASE}{found.pk}/ban-in.pdf").content)
    assert "(Dự thảo – chưa được thủ trưởng phê duyệt)" in flat
    assert "Phạm Minh Đức" not in flat
    assert client_for(office.clerk_snv).get(f"{BASE}{found.pk}/ban-in.pdf").status_code == 404


# ---------------------------------------------------------------- the demo


def _seed_schedule() -> None:
    """The schedule of the data migration, again: the demo tests start from an empty database."""
    from importlib import import_module

    from django.apps import apps

    import_module("vanban.records.migrations.0003_retention_seed").seed_schedule(apps, None)


@pytest.mark.usefixtures("empty_database")
def test_the_demo_gives_every_agency_an_approved_list():
    from vanban.accounts.demo import demo_province_load
    from vanban.accounts.models import RoleAssignment, User
    from vanban.records.demo import demo_records_load

    demo_province_load()
    # Without the schedule the demo does nothing.
    assert demo_records_load().lists == 0
    _seed_schedule()
    result = demo_records_load()
    assert result.lists >= 10 and result.entries == 8 * result.lists
    assert not DossierList.objects.exclude(status=ListStatus.APPROVED).exists()
    stttt = User.objects.get(username="trangvtt.stttt").unit
    found = DossierList.objects.get(unit=stttt)
    assert found.year == 2026 and found.approver_name == "Phạm Minh Đức"
    entries = [e.code for e in lists.approved_entries(stttt, 2026)]
    assert entries[:2] == ["01.VP", "02.VP"] and "01.TCCB" in entries
    assert RoleAssignment.objects.filter(
        unit=stttt, role=Role.ARCHIVIST, user__username="honglt.stttt"
    ).exists()
    assert 0 < result.archivists <= result.lists
    # Loading again adds nothing.
    assert demo_records_load().lists == 0
    assert DossierList.objects.count() == result.lists


def test_the_forms_open_filled_in_and_the_heading_buttons_work(office, client_for):
    found = filled_list(office)
    clerk = client_for(office.clerk)
    vp = DossierListHeading.objects.get(abbreviation="VP")
    tccb = DossierListHeading.objects.get(abbreviation="TCCB")
    entry = vp.entries.get(number=1)
    page = clerk.get(f"{BASE}de-muc/{vp.pk}/sua/").content.decode()
    assert 'value="VP"' in page and "Sửa đề mục" in page
    page = clerk.get(f"{BASE}ho-so/{entry.pk}/sua/").content.decode()
    assert "Sửa hồ sơ 01.VP" in page and "Sổ đăng ký văn bản đi năm 2026" in page
    page = clerk.get(f"{BASE}de-muc/{tccb.pk}/them-ho-so/").content.decode()
    assert "Sổ đăng ký văn bản đến – 20 năm" in page
    assert clerk.post(f"{BASE}de-muc/{tccb.pk}/len/").status_code == 302
    assert [c[0] for c in codes(found)] == ["I. Tổ chức, cán bộ", "II. Văn phòng"]
    response = clerk.post(f"{BASE}de-muc/{tccb.pk}/len/", follow=True)
    assert "Đề mục đã ở đầu danh mục." in response.content.decode()
    assert clerk.post(f"{BASE}de-muc/{tccb.pk}/xoa/").status_code == 302
    assert codes(found) == [("I. Văn phòng", ["01.VP", "02.VP"])]
    assert client_for(office.staff).post(f"{BASE}de-muc/{vp.pk}/xoa/").status_code == 403
    assert client_for(office.clerk_snv).post(f"{BASE}de-muc/{vp.pk}/xoa/").status_code == 404
    assert DossierListHeading.objects.filter(pk=vp.pk).exists()


def test_the_admin_opens_an_item_filled_in(province, client_for):
    target = item("Sổ đăng ký văn bản đến")
    page = client_for(province.province_admin).get(f"/ho-so/thoi-han-bao-quan/{target.pk}/sua/")
    text = page.content.decode()
    assert page.status_code == 200 and "Sửa mục thời hạn bảo quản" in text
    assert 'value="20"' in text and "Sổ đăng ký văn bản đến" in text
