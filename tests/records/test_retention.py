"""The retention schedule as data (R19; TT 10/2022/TT-BNV): the seeded schedule, the province
administrator's changes with their refusals and audit, and the pages."""

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.records import retention
from vanban.records.models import (
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)

from .support_lists import add_entry, add_heading, draft_list, item, make_office

pytestmark = pytest.mark.django_db


def _state() -> dict:
    return {
        "items": list(RetentionItem.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


def _input(**changes) -> retention.ItemInput:
    data = {
        "group": RetentionGroup.objects.get(title="Tài liệu tổ chức, cán bộ"),
        "number": "100",
        "title": "Hồ sơ đánh giá, xếp loại công chức hằng năm",
        "kind": RetentionKind.YEARS,
        "years": "20",
        "legal_basis": "Thông tư 10/2022/TT-BNV",
    }
    data.update(changes)
    return retention.ItemInput(**data)


# ---------------------------------------------------------------- the seed


def test_the_seeded_schedule_is_the_general_one_in_force():
    schedule = RetentionSchedule.objects.get()
    assert schedule.name == "Thời hạn bảo quản hồ sơ, tài liệu chung"
    assert schedule.legal_basis == "Thông tư 10/2022/TT-BNV"
    assert schedule.is_current and retention.current_schedule() == schedule
    titles = [g.title for g in retention.schedule_groups(schedule)]
    assert titles[0] == "Tài liệu tổng hợp"
    for expected in (
        "Tài liệu quy hoạch, kế hoạch, thống kê",
        "Tài liệu tổ chức, cán bộ",
        "Tài liệu lao động, tiền lương",
        "Tài liệu kế toán, tài chính",
        "Tài liệu xây dựng cơ bản",
        "Tài liệu khoa học, công nghệ",
        "Tài liệu hợp tác quốc tế",
        "Tài liệu thanh tra, giải quyết khiếu nại, tố cáo",
        "Tài liệu thi đua, khen thưởng",
        "Tài liệu pháp chế",
        "Tài liệu hành chính, quản trị công sở",
        "Tài liệu văn thư, lưu trữ (văn bản đi, văn bản đến)",
    ):
        assert expected in titles
    assert [g.number for g in schedule.groups.all()][:4] == ["I", "II", "III", "IV"]
    items = RetentionItem.objects.filter(group__schedule=schedule)
    assert 30 <= items.count() <= 50
    assert set(items.values_list("legal_basis", flat=True)) == {"Thông tư 10/2022/TT-BNV"}
    assert all(i.is_active for i in items)
    numbers = [
        int(n) for n in items.order_by("group__order", "order").values_list("number", flat=True)
    ]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize(
    ("start", "maintenance"),
    [
        ("Sổ đăng ký văn bản đi", "Vĩnh viễn"),
        ("Tập lưu văn bản đi: quyết định, chỉ thị, quy chế", "Vĩnh viễn"),
        ("Tập lưu văn bản đi khác", "50 năm"),
        ("Sổ đăng ký văn bản đến", "20 năm"),
        ("Hồ sơ bổ nhiệm, bổ nhiệm lại", "70 năm"),
        ("Hồ sơ xử lý kỷ luật", "70 năm"),
        ("Văn bản gửi đến để biết", "5 năm"),
        ("Công văn trao đổi về công tác chung", "10 năm"),
        ("Tập văn bản gửi chung đến các cơ quan", "Đến khi hết hiệu lực"),
        ("Hồ sơ công trình xây dựng cơ bản nhóm B, C", "Theo tuổi thọ công trình"),
    ],
)
def test_the_seeded_periods_follow_the_schedule(start, maintenance):
    assert item(start).maintenance == maintenance


def test_every_kind_of_period_is_seeded():
    kinds = set(RetentionItem.objects.values_list("kind", flat=True))
    assert kinds == set(RetentionKind.values)


# ---------------------------------------------------------------- changes


def test_the_province_admin_adds_an_item_and_it_is_audited(province):
    admin = province.province_admin
    created = retention.item_create(actor=admin, data=_input(title="  Hồ sơ đánh giá  "))
    assert created.title == "Hồ sơ đánh giá"
    assert created.maintenance == "20 năm" and created.is_active
    assert created.order == created.group.items.count()
    event = AuditEvent.objects.get(action="records.retention.create")
    assert event.actor == admin and event.target_id == str(created.pk)
    assert event.data["after"]["years"] == 20
    # Permanent: no years.
    other = retention.item_create(actor=admin, data=_input(kind=RetentionKind.PERMANENT, years=""))
    assert other.years is None and other.maintenance == "Vĩnh viễn"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"years": ""}, "years", "Thời hạn có số năm: hãy nhập số năm bảo quản"),
        ({"years": "0"}, "years", "Số năm “0” không hợp lệ"),
        ({"years": "mười"}, "years", "Số năm “mười” không hợp lệ"),
        ({"years": "101"}, "years", "Số năm “101” không hợp lệ"),
        (
            {"kind": RetentionKind.PERMANENT, "years": "10"},
            "years",
            "Thời hạn “Vĩnh viễn” không có số năm",
        ),
        ({"kind": "forever"}, "kind", "Loại thời hạn không hợp lệ."),
        ({"title": "   "}, "title", "Hãy nhập tên loại hồ sơ, tài liệu."),
        ({"group": None}, "group", "Hãy chọn nhóm hồ sơ, tài liệu."),
    ],
)
def test_bad_items_are_refused_with_nothing_changed(province, changes, field, message):
    before = _state()
    with pytest.raises(ServiceError) as refused:
        retention.item_create(actor=province.province_admin, data=_input(**changes))
    assert refused.value.field == field
    assert message in refused.value.message
    assert _state() == before


def test_only_the_province_admin_changes_the_schedule(province):
    target = item("Sổ đăng ký văn bản đến")
    before = _state()
    for person in (province.admin_stttt, province.leader_stttt, province.staff_stttt):
        with pytest.raises(AccessDenied) as refused:
            retention.item_create(actor=person, data=_input())
        assert refused.value.message == "Chỉ quản trị tỉnh được sửa bảng thời hạn bảo quản."
        with pytest.raises(AccessDenied):
            retention.item_edit(actor=person, item=target, data=_input())
        with pytest.raises(AccessDenied):
            retention.item_set_active(actor=person, item=target, active=False)
        with pytest.raises(AccessDenied):
            retention.item_delete(actor=person, item=target)
    assert _state() == before


def test_an_edit_is_audited_with_before_and_after(province):
    target = item("Sổ đăng ký văn bản đến")
    retention.item_edit(
        actor=province.province_admin,
        item=target,
        data=_input(
            group=target.group,
            number=target.number,
            title=target.title,
            years="30",
            note="Sửa theo văn bản mới",
        ),
    )
    target.refresh_from_db()
    assert target.maintenance == "30 năm" and target.note == "Sửa theo văn bản mới"
    event = AuditEvent.objects.get(action="records.retention.edit")
    assert event.data["before"]["years"] == 20 and event.data["after"]["years"] == 30


def test_a_stopped_item_is_not_offered_and_comes_back(province):
    admin = province.province_admin
    target = item("Sổ tiếp công dân")
    retention.item_set_active(actor=admin, item=target, active=False)
    assert not retention.active_items().filter(pk=target.pk).exists()
    assert retention.active_items(also=target.pk).filter(pk=target.pk).exists()
    with pytest.raises(ServiceError, match="Mục này đã ngừng sử dụng"):
        retention.item_set_active(actor=admin, item=target, active=False)
    retention.item_set_active(actor=admin, item=target, active=True)
    assert retention.active_items().filter(pk=target.pk).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="records.retention.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["records.retention.deactivate", "records.retention.activate"]


def test_an_item_in_use_is_never_deleted(province):
    office = make_office(province)
    used = item("Sổ đăng ký văn bản đi")
    add_entry(office, add_heading(office, draft_list(office)), retention_item=used)
    before = _state()
    with pytest.raises(ServiceError) as refused:
        retention.item_delete(actor=province.province_admin, item=used)
    assert refused.value.message == (
        "Thời hạn “Sổ đăng ký văn bản đi” đang được dùng trong danh mục hồ sơ hoặc hồ sơ nên "
        "không xóa được; hãy ngừng sử dụng mục này."
    )
    assert _state() == before
    unused = item("Sổ tiếp công dân")
    retention.item_delete(actor=province.province_admin, item=unused)
    assert not RetentionItem.objects.filter(pk=unused.pk).exists()
    event = AuditEvent.objects.get(action="records.retention.delete")
    assert event.target_id == str(unused.pk) and event.data["before"]["title"] == "Sổ tiếp công dân"


# ---------------------------------------------------------------- pages

URL = "/ho-so/thoi-han-bao-quan/"


def test_everyone_reads_the_schedule_but_only_the_admin_sees_the_buttons(
    province, client_for, django_assert_num_queries
):
    staff = client_for(province.staff_snv)
    # The session, the account, its roles, the menu's counts; the schedule, its groups and
    # their items (one query for all the items, whatever their number).
    with django_assert_num_queries(7):
        response = staff.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thông tư 10/2022/TT-BNV" in page
    assert "Sổ đăng ký văn bản đi" in page and "Vĩnh viễn" in page
    assert page.count('class="retention-item') == RetentionItem.objects.count()
    assert "Thêm mục" not in page and "Ngừng sử dụng</button>" not in page
    admin_page = client_for(province.province_admin).get(URL).content.decode()
    assert "Thêm mục" in admin_page and "Ngừng sử dụng</button>" in admin_page


def test_the_admin_adds_an_item_on_the_form(province, client_for):
    client = client_for(province.province_admin)
    group = RetentionGroup.objects.get(title="Tài liệu pháp chế")
    form = {"group": group.pk, "title": "Hồ sơ theo dõi thi hành pháp luật", "kind": "years"}
    response = client.post(URL + "them/", form)
    assert response.status_code == 200
    assert "Thời hạn có số năm: hãy nhập số năm bảo quản" in response.content.decode()
    assert not RetentionItem.objects.filter(title="Hồ sơ theo dõi thi hành pháp luật").exists()
    response = client.post(URL + "them/", {**form, "years": "10"})
    assert response.status_code == 302
    assert RetentionItem.objects.get(title="Hồ sơ theo dõi thi hành pháp luật").years == 10


def test_the_pages_refuse_other_people(province, client_for):
    client = client_for(province.admin_stttt)
    target = item("Sổ đăng ký văn bản đến")
    assert client.get(URL + "them/").status_code == 403
    assert client.get(f"{URL}{target.pk}/sua/").status_code == 403
    response = client.post(f"{URL}{target.pk}/ngung/")
    assert response.status_code == 403
    assert "Chỉ quản trị tỉnh được sửa bảng thời hạn bảo quản." in response.content.decode()
    target.refresh_from_db()
    assert target.is_active
    assert client.get(f"{URL}999999/sua/").status_code == 404


def test_deleting_an_item_in_use_on_the_page_says_why(province, client_for):
    office = make_office(province)
    used = item("Sổ đăng ký văn bản đi")
    add_entry(office, add_heading(office, draft_list(office)), retention_item=used)
    client = client_for(province.province_admin)
    response = client.post(f"{URL}{used.pk}/xoa/", follow=True)
    assert "đang được dùng trong danh mục hồ sơ hoặc hồ sơ" in response.content.decode()
    assert RetentionItem.objects.filter(pk=used.pk).exists()
