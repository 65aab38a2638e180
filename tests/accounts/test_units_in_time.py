"""Units in time on the pages and in `unit_create` (docs/reorganisation.md): the tree of a day,
a unit's history, a unit's period and several roots."""

import datetime as dt
import re

import pytest

from tests.support.snapshots import snapshot
from vanban.accounts import services
from vanban.accounts.models import Unit, UnitChangeKind, UnitLink
from vanban.accounts.unit_history import unit_record_write
from vanban.core.errors import ServiceError

UNITS = "/tai-khoan/quan-tri/don-vi/"
BEFORE = dt.date(2025, 6, 15)
MERGE = dt.date(2025, 7, 1)
LAST_DAY = dt.date(2025, 6, 30)


def unit(parent, name, abbreviation, code, **extra) -> Unit:
    return services.unit_create(
        actor=None,
        name=name,
        symbol="P",
        abbreviation=abbreviation,
        agency_code=code,
        parent=parent,
        **extra,
    )


def renamed_then_ended(province) -> Unit:
    """A phòng that was "Phòng Bưu chính" until 31/03/2025, then "Phòng Bưu chính - Viễn
    thông" until it ended on 30/06/2025; Sở TT&TT carries it on."""
    office = unit(
        province.stttt,
        "Phòng Bưu chính",
        "pbcstttt",
        "000.01.12.H07",
        start_date=dt.date(2021, 1, 1),
    )
    unit_record_write(
        office,
        valid_until=dt.date(2025, 3, 31),
        kind=UnitChangeKind.RENAMED,
        decision="QĐ 512/QĐ-UBND",
    )
    Unit.objects.filter(pk=office.pk).update(
        name="Phòng Bưu chính - Viễn thông",
        abbreviation="pbcvtstttt",
        agency_code="000.02.12.H07",
        end_date=LAST_DAY,
        is_active=False,
    )
    UnitLink.objects.create(
        predecessor=office,
        successor=province.stttt,
        kind=UnitChangeKind.MERGED,
        effective_date=MERGE,
        decision="NQ 1687/NQ-UBTVQH15",
        decision_date=dt.date(2025, 6, 16),
    )
    office.refresh_from_db()
    return office


# ---------------------------------------------------------------- unit_create: period and roots


def test_unit_create_keeps_the_period_and_a_second_root(province):
    travinh = unit(
        None,
        "Ủy ban nhân dân tỉnh Trà Vinh",
        "ubndtravinh",
        "000.00.00.H59",
        start_date=dt.date(2021, 1, 1),
        end_date=LAST_DAY,
    )
    assert (travinh.level, travinh.parent_id) == (1, None)
    assert (travinh.start_date, travinh.end_date, travinh.is_active) == (
        dt.date(2021, 1, 1),
        LAST_DAY,
        False,  # ended: inactive, and it keeps its row
    )
    office = unit(travinh, "Văn phòng", "vpubndtv", "000.00.01.H59", end_date=LAST_DAY)
    assert (office.level, office.end_date) == (2, LAST_DAY)
    assert Unit.objects.filter(parent__isnull=True).count() == 2
    later = unit(province.root, "Sở mới", "somoi", "000.00.20.H07", start_date=MERGE)
    assert (later.start_date, later.end_date, later.is_active) == (MERGE, None, True)


@pytest.mark.parametrize(
    ("parent", "values", "message", "field"),
    [
        (
            "stttt",
            {"start_date": dt.date(2025, 7, 1), "end_date": dt.date(2025, 6, 30)},
            "Ngày chấm dứt hoạt động (30/06/2025) không được trước ngày bắt đầu (01/07/2025).",
            "end_date",
        ),
        (
            "stttt",
            {"start_date": "01/07/2025"},
            "Ngày bắt đầu hoạt động không hợp lệ.",
            "start_date",
        ),
        (
            None,
            {},
            "Đơn vị gốc (cấp 1) là Ủy ban nhân dân tỉnh: mã định danh phải có dạng "
            "000.00.00.H## (QĐ 20/2020/QĐ-TTg), không phải 000.07.12.H07. Đơn vị khác hãy chọn "
            "đơn vị cấp trên.",
            "parent",
        ),
        (
            "ended",
            {},
            "Đơn vị cấp trên “Văn phòng cũ” chấm dứt hoạt động ngày 30/06/2025; đơn vị trực "
            "thuộc phải chấm dứt chậm nhất ngày đó.",
            "end_date",
        ),
        (
            "late",
            {"start_date": dt.date(2025, 1, 1)},
            "Đơn vị cấp trên “Sở mới” bắt đầu hoạt động ngày 01/07/2025; đơn vị trực thuộc "
            "không thể bắt đầu trước ngày đó.",
            "start_date",
        ),
    ],
)
def test_unit_create_refuses_a_bad_period_or_root(province, parent, values, message, field):
    parents = {
        "stttt": province.stttt,
        None: None,
        "ended": unit(province.root, "Văn phòng cũ", "vpcu", "000.00.30.H07", end_date=LAST_DAY),
        "late": unit(province.root, "Sở mới", "somoi", "000.00.31.H07", start_date=MERGE),
    }
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        unit(parents[parent], "Phòng thử", "phongthu", "000.07.12.H07", **values)
    assert (refused.value.message, refused.value.field) == (message, field)
    assert snapshot() == before


# ---------------------------------------------------------------- the units page: tree of a day


def test_the_tree_of_a_day_shows_units_as_they_were(province, client_for):
    office = renamed_then_ended(province)
    opened = unit(province.stttt, "Phòng Chuyển đổi số", "pcdsstttt", "000.03.12.H07")
    Unit.objects.filter(pk=opened.pk).update(start_date=MERGE)
    admin = client_for(province.province_admin)

    today = admin.get(UNITS).content.decode()
    assert "Phòng Bưu chính" not in today  # ended: not in today's tree
    assert "Phòng Chuyển đổi số" in today
    assert 'name="ngay"' in today and "Cây đơn vị ngày" in today
    # The levels of the two-level government, with the older trees kept.
    assert "cấp 2: các sở, ban, ngành của tỉnh và Ủy ban nhân dân xã, phường" in today

    page = admin.get(UNITS, {"ngay": "15/06/2025"}).content.decode()
    assert "<h1>Đơn vị ngày 15/06/2025</h1>" in page
    assert "Phòng Chuyển đổi số" not in page  # not yet opened
    row = re.search(
        r"<tr>\s*<td class=\"indent-3\">Phòng Bưu chính - Viễn thông.*?</tr>", page, re.S
    )
    assert row is not None
    row_text = row.group(0)
    assert "000.02.12.H07" in row_text and "pbcvtstttt" in row_text
    assert "Đã chấm dứt hoạt động" in row_text and "(01/01/2021 – 30/06/2025)" in row_text
    assert f'href="{UNITS}{office.pk}/sua/">Xem</a>' in row_text
    # Each unit still follows its parent.
    assert page.index("Sở Thông tin và Truyền thông") < page.index("Phòng Bưu chính - Viễn thông")

    march = admin.get(UNITS, {"ngay": "01/03/2025"}).content.decode()
    row = re.search(r"<td class=\"indent-3\">Phòng Bưu chính.*?</tr>", march, re.S).group(0)
    assert "(nay là Phòng Bưu chính - Viễn thông)" in row and "000.01.12.H07" in row
    assert "pbcstttt" in row

    before = admin.get(UNITS, {"ngay": "31/12/2020"}).content.decode()
    assert "Phòng Bưu chính" not in before  # not yet started


@pytest.mark.parametrize("value", ["2025/06/15", "31/02/2025", "hôm qua"])
def test_a_bad_day_is_refused_and_today_shown(province, client_for, value):
    response = client_for(province.province_admin).get(UNITS, {"ngay": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"Ngày phải theo dạng dd/mm/yyyy|không có trên lịch", page)
    assert "<h1>Đơn vị</h1>" in page and "Sở Nội vụ" in page


# Session, user, roles, notifications; the units of the day with their member counts; the
# records of their past identities in force that day.
UNIT_LIST_QUERIES = 6


@pytest.mark.parametrize("extra", [3, 30])
def test_the_tree_of_a_day_costs_the_same_whatever_the_units(
    extra, province, client_for, django_assert_num_queries
):
    for i in range(extra):
        office = unit(province.stttt, f"Phòng số {i}", f"phong{i}", f"001.{i:02d}.12.H07")
        unit_record_write(office, valid_until=dt.date(2025, 3, 31), kind=UnitChangeKind.RENAMED)
        Unit.objects.filter(pk=office.pk).update(name=f"Phòng mới {i}", end_date=LAST_DAY)
    admin = client_for(province.province_admin)
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        page = admin.get(UNITS, {"ngay": "01/03/2025"}).content.decode()
    assert page.count("(nay là Phòng mới") == extra


# ---------------------------------------------------------------- a unit's history


def test_a_unit_shows_its_history(province, client_for):
    office = renamed_then_ended(province)
    admin = client_for(province.province_admin)
    page = admin.get(f"{UNITS}{office.pk}/sua/").content.decode()
    history = page[page.index('id="lich-su"') :]
    assert "Thời gian hoạt động: 01/01/2021 – 30/06/2025" in page
    row = re.search(r"<tr>\s*<td>01/01/2021 – 31/03/2025</td>.*?</tr>", history, re.S).group(0)
    for text in ("Phòng Bưu chính", "pbcstttt", "000.01.12.H07", "Đổi tên", "QĐ 512/QĐ-UBND"):
        assert text in row
    assert "Đơn vị kế thừa" in history
    assert (
        "Sở Thông tin và Truyền thông</a> (000.00.12.H07) – hợp nhất, sáp nhập từ ngày "
        "01/07/2025, theo NQ 1687/NQ-UBTVQH15 ngày 16/06/2025"
    ) in history

    successor = admin.get(f"{UNITS}{province.stttt.pk}/sua/").content.decode()
    history = successor[successor.index('id="lich-su"') :]
    assert "Kế thừa các đơn vị" in history
    assert f'href="{UNITS}{office.pk}/sua/">Phòng Bưu chính - Viễn thông</a>' in history
    assert "Đơn vị chưa đổi tên, mã định danh hay đơn vị cấp trên." in history


def test_four_levels_still_load_and_the_form_explains_the_levels(province, client_for):
    parent = province.stttt
    for level, code in ((3, "000.04.12.H07"), (4, "001.04.12.H07")):
        parent = unit(parent, f"Đơn vị cấp {level}", f"capd{level}", code)
        assert parent.level == level
    admin = client_for(province.province_admin)
    assert 'class="indent-4">Đơn vị cấp 4' in admin.get(UNITS).content.decode()
    form = admin.get(f"{UNITS}them/").content.decode()
    assert "Cấp 1: Ủy ban nhân dân tỉnh" in form
    assert "(không có – đơn vị gốc: Ủy ban nhân dân tỉnh)" in form
