"""R8: the account-change report page of a unit, for the period the admin chooses."""

import re

import pytest
from django.test import Client

from tests.support.province import make_user
from tests.support.reports import URL, local, table_rows
from vanban.accounts import services
from vanban.accounts.models import AccountChange, Role
from vanban.core import clock

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]

Q4 = {"period": "quarter", "year": "2026", "quarter": "4"}
SYSTEM = "Hệ thống (tự động)"


def totals(html: str) -> dict[str, int]:
    return {
        kind: int(count)
        for kind, count in re.findall(r'data-kind="(\w+)"><div class="stat">(\d+)</div>', html)
    }


def unit_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="unit".*?</select>', html, re.DOTALL)
    assert select is not None
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(0))


def names(html: str) -> list[str]:
    return [row[1] for row in table_rows(html)]


def test_quarter_shows_exactly_the_changes_of_the_unit_in_vietnam_time(
    province, scenario, client_for
):
    p, s = province, scenario
    response = client_for(p.admin_stttt).get(URL, {"unit": p.stttt.pk, **Q4})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Biến động tài khoản – Sở Thông tin và Truyền thông" in html
    assert "Từ ngày 01/10/2026 đến ngày 31/12/2026" in html
    assert table_rows(html) == [
        [
            "1",
            "Đặng Thị Ánh",
            s.anh.username,
            "Phó Trưởng phòng Bưu chính",
            "Cấp mới",
            "",
            "Chuyên viên",
            "Lê Thị Hồng",
            "01/10/2026 00:00",
        ],
        [
            "2",
            "Nguyễn Thu Phương",
            p.staff_stttt.username,
            "",
            "Tạm khóa",
            "Theo đề nghị của cơ quan quản lý",
            "Theo Công văn số 15/STTTT-VP",
            "Lê Thị Hồng",
            "20/10/2026 14:30",
        ],
        [
            "3",
            "Nguyễn Thu Phương",
            p.staff_stttt.username,
            "",
            "Mở khóa",
            "Theo đề nghị của cơ quan quản lý",
            "Đã xác minh, mở lại",
            "Lê Thị Hồng",
            "22/10/2026 08:15",
        ],
        [
            "4",
            "Bùi Văn Biên",
            s.bien.username,
            "Chuyên viên",
            "Tạm khóa",
            "Không sử dụng trong thời hạn kể từ khi được cấp",
            "Quá 30 ngày kể từ khi được cấp.",
            SYSTEM,
            "05/11/2026 09:00",
        ],
        [
            "5",
            "Đặng Thị Ánh",
            s.anh.username,
            "Phó Trưởng phòng Bưu chính",
            "Tạm khóa",
            "Không sử dụng trong thời hạn kể từ khi được cấp",
            "Quá 30 ngày kể từ khi được cấp.",
            SYSTEM,
            "05/11/2026 09:00",
        ],
        [
            "6",
            "Phạm Minh Đức",
            p.leader_stttt.username,
            "",
            "Xóa khỏi đơn vị",
            "Nghỉ việc hoặc chuyển công tác",
            "Chuyển công tác sang Sở Nội vụ",
            "Lê Thị Hồng",
            "10/11/2026 10:00",
        ],
        [
            "7",
            "Bùi Văn Biên",
            s.bien.username,
            "Chuyên viên",
            "Thu hồi",
            "Theo đề nghị của cơ quan quản lý",
            "Theo đề nghị của Sở",
            "Trần Văn Quản",
            "10/12/2026 16:45",
        ],
        [
            "8",
            "Ngô Bảo Châu",
            s.chau.username,
            "",
            "Cấp mới",
            "",
            "Chuyên viên",
            "Lê Thị Hồng",
            "31/12/2026 23:59",
        ],
    ]
    assert totals(html) == {"created": 2, "removed": 1, "locked": 3, "unlocked": 1, "revoked": 1}
    # Outside the quarter by one minute on each side, and another unit's change.
    for outside in ("Lý Thị Xuân", "Huỳnh Ngọc Lan"):
        assert outside not in html
    assert "Tổng số biến động: <strong>8</strong>" in html
    pdf_link = (
        f"/bao-cao/bien-dong-tai-khoan/pdf/?unit={p.stttt.pk}"
        "&amp;period=quarter&amp;year=2026&amp;quarter=4"
    )
    assert pdf_link in html


def test_changes_that_are_not_reported_are_left_out(province, scenario, client_for):
    """Password resets and role changes are account events, but not account changes for R8."""
    p = province
    with clock.frozen(local(2026, 11, 20, 9, 0)):
        services.account_reset_password(actor=p.admin_stttt, user=scenario.chau)
        services.account_set_roles(
            actor=p.admin_stttt, user=scenario.chau, roles=[Role.STAFF, Role.CLERK]
        )
    assert AccountChange.objects.filter(user=scenario.chau).count() == 3
    html = client_for(p.admin_stttt).get(URL, {"unit": p.stttt.pk, **Q4}).content.decode()
    assert len(table_rows(html)) == 8
    assert "Cấp lại mật khẩu" not in html
    assert "Thay đổi vai trò" not in html


def test_month_year_and_custom_periods(province, scenario, client_for):
    p = province
    client = client_for(p.admin_stttt)

    html = client.get(
        URL, {"unit": p.stttt.pk, "period": "month", "year": "2026", "month": "10"}
    ).content.decode()
    assert "Từ ngày 01/10/2026 đến ngày 31/10/2026" in html
    assert names(html) == ["Đặng Thị Ánh", "Nguyễn Thu Phương", "Nguyễn Thu Phương"]

    # The end date is included, written as dd/mm/yyyy or sent by a date input (yyyy-mm-dd).
    for start, end in (("05/11/2026", "10/11/2026"), ("2026-11-05", "2026-11-10")):
        html = client.get(
            URL, {"unit": p.stttt.pk, "period": "custom", "start": start, "end": end}
        ).content.decode()
        assert "Từ ngày 05/11/2026 đến ngày 10/11/2026" in html
        assert names(html) == ["Bùi Văn Biên", "Đặng Thị Ánh", "Phạm Minh Đức"]

    html = client.get(URL, {"unit": p.stttt.pk, "period": "year", "year": "2026"}).content.decode()
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in html
    # The four accounts issued with the unit on 20/09 (by the installer), Biên on 30/09, then Q4.
    rows = table_rows(html)
    assert len(rows) == 13
    assert {(row[1], row[4], row[7]) for row in rows[:4]} == {
        (name, "Cấp mới", "Hệ thống (tự động)")
        for name in ("Trần Văn Quản", "Lê Thị Hồng", "Nguyễn Thu Phương", "Phạm Minh Đức")
    }
    assert rows[4][1:] == [
        "Bùi Văn Biên",
        scenario.bien.username,
        "Chuyên viên",
        "Cấp mới",
        "",
        "Chuyên viên",
        "Lê Thị Hồng",
        "30/09/2026 23:59",
    ]
    assert "Lý Thị Xuân" not in html

    html = client.get(URL, {"unit": p.stttt.pk, "period": "year", "year": "2027"}).content.decode()
    assert names(html) == ["Lý Thị Xuân"]

    html = client.get(URL, {"unit": p.stttt.pk, "period": "year", "year": "2025"}).content.decode()
    assert table_rows(html) == []
    assert "Không có biến động tài khoản trong kỳ báo cáo." in html
    assert totals(html) == {"created": 0, "removed": 0, "locked": 0, "unlocked": 0, "revoked": 0}


def test_without_parameters_the_page_shows_the_current_quarter_of_the_own_unit(
    province, scenario, client_for
):
    client = client_for(province.admin_stttt)
    with clock.frozen(local(2026, 11, 25, 9, 0)):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Biến động tài khoản – Sở Thông tin và Truyền thông" in html
    assert "Từ ngày 01/10/2026 đến ngày 31/12/2026" in html
    assert len(table_rows(html)) == 8


# ---------------------------------------------------------------- who may see it


def test_anonymous_is_sent_to_the_login_page(province, scenario):
    for url in (URL, URL + "pdf/"):
        response = Client().get(url, {"unit": province.stttt.pk, **Q4})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/tai-khoan/dang-nhap/?next=")


@pytest.mark.parametrize(
    ("unit", "roles"),
    [
        ("stttt", (Role.STAFF,)),
        ("stttt", (Role.LEADER,)),
        ("stttt", (Role.CLERK, Role.STAFF)),
        ("snv", (Role.STAFF,)),
    ],
)
def test_people_without_an_admin_role_are_refused(province, scenario, client_for, unit, roles):
    person = make_user(getattr(province, unit), "Trương Công Định", roles)
    client = client_for(person)
    for url in (URL, URL + "pdf/"):
        response = client.get(url, {"unit": province.stttt.pk, **Q4})
        assert response.status_code == 403
        html = response.content.decode()
        assert "Chỉ quản trị đơn vị và quản trị tỉnh được lập báo cáo biến động tài khoản." in html
        assert "Đặng Thị Ánh" not in html


def test_admin_of_another_unit_cannot_see_this_unit(province, scenario, client_for):
    client = client_for(province.admin_snv)
    for url in (URL, URL + "pdf/"):
        response = client.get(url, {"unit": province.stttt.pk, **Q4})
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "Đơn vị: Không tìm thấy đơn vị." in html
        assert "Đặng Thị Ánh" not in html
        assert "Nguyễn Thu Phương" not in html
        # The unit list offers only the admin's own unit.
        assert unit_options(html) == [(str(province.snv.pk), "Sở Nội vụ")]
    # Their own unit works.
    html = client.get(URL, {"unit": province.snv.pk, **Q4}).content.decode()
    assert names(html) == ["Huỳnh Ngọc Lan"]


def test_province_admin_sees_every_unit(province, scenario, client_for):
    client = client_for(province.province_admin)
    html = client.get(URL, {"unit": province.stttt.pk, **Q4}).content.decode()
    assert len(table_rows(html)) == 8
    assert {name for _, name in unit_options(html)} == {
        "Ủy ban nhân dân tỉnh Bến Tre",
        "Sở Thông tin và Truyền thông",
        "Sở Nội vụ",
    }
    html = client.get(URL, {"unit": province.snv.pk, **Q4}).content.decode()
    assert table_rows(html) == [
        [
            "1",
            "Huỳnh Ngọc Lan",
            province.staff_snv.username,
            "",
            "Tạm khóa",
            "Vi phạm các điều cấm của pháp luật về công nghệ thông tin",
            "Chia sẻ mật khẩu cho người khác",
            "Võ Thanh Tâm",
            "01/11/2026 09:00",
        ]
    ]
    html = client.get(URL, {"unit": province.root.pk, **Q4}).content.decode()
    assert table_rows(html) == []


def test_a_unit_admin_who_lost_the_role_is_refused(province, scenario, client_for):
    client = client_for(province.admin_stttt)
    assert client.get(URL, {"unit": province.stttt.pk, **Q4}).status_code == 200
    services.account_set_roles(
        actor=province.province_admin, user=province.admin_stttt, roles=[Role.STAFF]
    )
    response = client.get(URL, {"unit": province.stttt.pk, **Q4})
    assert response.status_code == 403


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"period": "custom", "start": "31/12/2026", "end": "01/10/2026"},
            400,
            "Đến ngày: Ngày kết thúc (01/10/2026) không được trước ngày bắt đầu (31/12/2026).",
        ),
        (
            {"period": "custom", "start": "31/02/2026", "end": "01/03/2026"},
            400,
            "Từ ngày: Ngày 31/02/2026 không có trên lịch; hãy kiểm tra ngày và tháng.",
        ),
        (
            {"period": "custom", "start": "01/10/2026", "end": "hôm nay"},
            400,
            "Đến ngày: Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/12/2026.",
        ),
        (
            {"period": "custom", "start": "01/10/2026", "end": ""},
            400,
            "Đến ngày: Hãy nhập ngày kết thúc.",
        ),
        (
            {"period": "custom", "start": "01/01/9999", "end": "31/12/9999"},
            400,
            "Từ ngày: Năm phải trong khoảng từ 2000 đến 2100.",
        ),
        ({"period": "quarter", "year": "2026", "quarter": "5"}, 400, "Quý: Quý phải từ 1 đến 4."),
        ({"period": "month", "year": "2026", "month": "13"}, 400, "Tháng: Tháng phải từ 1 đến 12."),
        ({"period": "year", "year": "hai nghìn"}, 400, "Năm: Năm không hợp lệ."),
        ({"period": "year", "year": "99999"}, 400, "Năm: Năm phải trong khoảng từ 2000 đến 2100."),
        ({"period": "year", "year": ""}, 400, "Năm: Hãy nhập năm."),
        ({"period": "tuan"}, 400, "Kỳ báo cáo: Kỳ báo cáo không hợp lệ."),
        ({"unit": "abc"}, 404, "Đơn vị: Không tìm thấy đơn vị."),
        ({"unit": "999999"}, 404, "Đơn vị: Không tìm thấy đơn vị."),
        ({"unit": ""}, 404, "Đơn vị: Hãy chọn đơn vị."),
    ],
)
def test_bad_input_gets_a_clear_message(province, scenario, client_for, params, status, message):
    client = client_for(province.admin_stttt)
    for url in (URL, URL + "pdf/"):
        response = client.get(url, {"unit": province.stttt.pk, **params})
        assert response.status_code == status
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert message in html
        assert table_rows(html) == []
        assert 'id="report"' not in html


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_does_not_grow_with_the_number_of_changes(
    province, client_for, django_assert_num_queries, count
):
    p = province
    actor = make_user(p.stttt, "Đoàn Văn Quý", (Role.UNIT_ADMIN,), position="Chánh Văn phòng")
    with clock.frozen(local(2026, 10, 2, 8, 0)):
        for n in range(count):
            # Half issued by the installer (shown as the system), half by a unit admin.
            services.account_create(
                actor=None if n % 2 else actor,
                unit=p.stttt,
                full_name=f"Cán Bộ Số {n}",
                position=f"Chuyên viên {n}",
            )
    client = client_for(p.admin_stttt)
    with django_assert_num_queries(8):
        response = client.get(URL, {"unit": p.stttt.pk, **Q4})
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert len(rows) == count
    assert {row[7] for row in rows} == {"Đoàn Văn Quý", "Hệ thống (tự động)"}
    # The PDF reads the same rows, plus the province's name for the date line.
    with django_assert_num_queries(7):
        response = client.get(URL + "pdf/", {"unit": p.stttt.pk, **Q4})
    assert response.status_code == 200
