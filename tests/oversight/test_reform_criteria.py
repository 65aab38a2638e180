"""The administrative-reform criteria as data the province sets each year (R24; Art. 12.2)."""

from decimal import Decimal

import pytest

from tests.support import refusals
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.oversight import reform
from vanban.oversight.models import ReformCriterion, ReformScheme
from vanban.oversight.reform import CriterionInput

YEAR = 2026
URL = "/giam-sat/cai-cach-hanh-chinh/tieu-chi/"


def state() -> list[tuple]:
    return [
        *ReformScheme.objects.order_by("year").values_list("year", "total_points", "note"),
        *ReformCriterion.objects.order_by("scheme__year", "order").values_list(
            "scheme__year", "code", "measure", "threshold", "target", "max_points"
        ),
    ]


def criterion(code="A.1", measure="signed", threshold="50", target="90", points="5", name="Ký số"):
    return CriterionInput(
        code=code,
        name=name,
        measure=measure,
        threshold=Decimal(threshold),
        target=Decimal(target),
        max_points=Decimal(points),
    )


def rows_post(total: str, rows: list[tuple[str, ...]], note: str = "") -> dict[str, str]:
    data = {
        "total_points": total,
        "note": note,
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for n, (code, name, measure, threshold, target, points) in enumerate(rows):
        data.update(
            {
                f"form-{n}-code": code,
                f"form-{n}-name": name,
                f"form-{n}-measure": measure,
                f"form-{n}-threshold": threshold,
                f"form-{n}-target": target,
                f"form-{n}-max_points": points,
            }
        )
    return data


def test_the_province_starts_with_its_default_criteria_for_the_year(province, client_for):
    scheme = ReformScheme.objects.get(year=YEAR)
    criteria = list(scheme.criteria.all())
    assert [c.code for c in criteria] == ["CNTT.1", "CNTT.2", "CNTT.3", "CNTT.4", "CNTT.5"]
    assert {c.measure for c in criteria} <= set(reform.MEASURES)
    assert sum(c.max_points for c in criteria) == scheme.total_points == Decimal(10)
    page = client_for(province.admin_snv).get(f"{URL}?year={YEAR}").content.decode()
    assert "Văn bản đến và đi có chữ ký số hợp lệ" in page
    assert "Tỷ lệ văn bản đến và đi có chữ ký số hợp lệ" in page
    assert 'id="edit-link"' not in page


def test_the_province_admin_sets_the_years_criteria_on_one_page(province, client_for):
    admin = client_for(province.province_admin)
    form = admin.get(f"{URL}sua/?year={YEAR}").content.decode()
    assert 'value="CNTT.5"' in form
    response = admin.post(
        f"{URL}sua/?year={YEAR}",
        rows_post(
            "10",
            [
                ("cntt.1", "Văn bản đi gửi điện tử", "sent_electronic", "40", "95,5", "4,5"),
                ("CNTT.2", "Văn bản đi ký số", "signed", "60", "100", "5.5"),
                ("", "", "", "", "", ""),  # an empty row is left out
            ],
            note="Theo Kế hoạch cải cách hành chính năm 2026",
        ),
    )
    assert response.status_code == 302
    scheme = ReformScheme.objects.get(year=YEAR)
    assert scheme.note == "Theo Kế hoạch cải cách hành chính năm 2026"
    assert list(
        scheme.criteria.values_list("code", "measure", "threshold", "target", "max_points")
    ) == [
        ("CNTT.1", "sent_electronic", Decimal("40"), Decimal("95.5"), Decimal("4.5")),
        ("CNTT.2", "signed", Decimal("60"), Decimal("100"), Decimal("5.5")),
    ]
    event = AuditEvent.objects.filter(action="oversight.reform.save").latest("seq")
    assert event.data["criteria"][0] == ["CNTT.1", "sent_electronic", "40.00", "95.50", "4.50"]


@pytest.mark.parametrize(
    ("total", "criteria", "message"),
    [
        (
            "10",
            [criterion(points="-1"), criterion(code="B", points="11")],
            "Điểm tối đa của tiêu chí A.1 không được âm.",
        ),
        (
            "10",
            [criterion(points="4"), criterion(code="B", points="5")],
            "Tổng điểm tối đa của các tiêu chí (9) phải bằng tổng điểm của bộ tiêu chí (10).",
        ),
        (
            "10",
            [criterion(threshold="95", target="90", points="10")],
            "Tiêu chí A.1: tỷ lệ tối thiểu (95%) không được lớn hơn tỷ lệ đạt điểm tối đa (90%).",
        ),
        (
            "10",
            [criterion(target="120", points="10")],
            "Tiêu chí A.1: tỷ lệ phải từ 0 đến 100%.",
        ),
        (
            "10",
            [criterion(), criterion(code="a.1")],
            "Mã tiêu chí “A.1” bị trùng: mỗi tiêu chí một mã.",
        ),
        (
            "10",
            [criterion(code="Tiêu chí 1", points="10")],
            "Mã tiêu chí “TIÊU CHÍ 1” chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch ngang "
            "(tối đa 20 ký tự).",
        ),
        (
            "10",
            [criterion(measure="logins", points="10")],
            "Tiêu chí A.1: số liệu “logins” không có trong danh sách số liệu thống kê.",
        ),
        ("10", [criterion(name="  ", points="10")], "Tiêu chí A.1 phải có tên."),
        (
            "0",
            [criterion(points="0")],
            "Tổng điểm của bộ tiêu chí phải lớn hơn 0 và không quá 100.",
        ),
        ("10", [], "Bộ tiêu chí phải có ít nhất một tiêu chí."),
    ],
)
def test_bad_criteria_are_refused_and_change_nothing(province, total, criteria, message):
    refusals.refused(
        lambda: reform.reform_scheme_save(
            actor=province.province_admin,
            year=YEAR,
            total_points=Decimal(total),
            criteria=criteria,
        ),
        ServiceError,
        message,
        state=state,
    )


def test_the_page_shows_the_reason_and_keeps_what_was_typed(province, client_for):
    before = state()
    response = client_for(province.province_admin).post(
        f"{URL}sua/?year={YEAR}",
        rows_post(
            "10",
            [("A", "Ký số", "signed", "50", "90", "4"), ("B", "Gửi", "signed", "50", "90", "x")],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“x” không phải là một số." in page
    response = client_for(province.province_admin).post(
        f"{URL}sua/?year={YEAR}",
        rows_post(
            "10",
            [("A", "Ký số", "signed", "50", "90", "4"), ("B", "Gửi", "signed", "50", "90", "5")],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tổng điểm tối đa của các tiêu chí (9) phải bằng tổng điểm của bộ tiêu chí (10)." in page
    assert 'value="Gửi"' in page
    assert state() == before


@pytest.mark.parametrize("who", ["admin_stttt", "staff_stttt", "leader_stttt"])
def test_only_the_province_admin_sets_criteria(province, client_for, who):
    user = getattr(province, who)
    before = state()
    client = client_for(user)
    assert client.get(f"{URL}sua/?year={YEAR}").status_code == 403
    post = client.post(
        f"{URL}sua/?year={YEAR}", rows_post("10", [("A", "Ký số", "signed", "50", "90", "10")])
    )
    assert post.status_code == 403
    assert client.post(f"{URL}sao-chep/", {"year": YEAR + 1}).status_code == 403
    assert state() == before
    refusals.refused(
        lambda: reform.reform_scheme_copy(actor=user, year=YEAR + 1),
        AccessDenied,
        "Chỉ quản trị tỉnh được thiết lập tiêu chí chấm điểm cải cách hành chính.",
        state=state,
    )


def test_who_reads_the_criteria(province, client_for):
    from django.test import Client

    assert Client().get(f"{URL}?year={YEAR}").status_code == 302
    assert client_for(province.staff_stttt).get(f"{URL}?year={YEAR}").status_code == 403
    assert client_for(province.admin_stttt).get(f"{URL}?year={YEAR}").status_code == 200
    page = client_for(province.province_admin).get(f"{URL}?year={YEAR}").content.decode()
    assert 'id="edit-link"' in page


def test_next_years_criteria_are_copied_from_this_years(province, client_for):
    admin = client_for(province.province_admin)
    page = admin.get(f"{URL}?year={YEAR + 1}").content.decode()
    assert 'id="no-scheme"' in page
    assert admin.post(f"{URL}sao-chep/", {"year": YEAR + 1}).status_code == 302
    source, copy = ReformScheme.objects.get(year=YEAR), ReformScheme.objects.get(year=YEAR + 1)
    fields = ("code", "name", "measure", "threshold", "target", "max_points", "order")
    assert list(copy.criteria.values_list(*fields)) == list(source.criteria.values_list(*fields))
    assert copy.total_points == source.total_points
    refusals.refused(
        lambda: reform.reform_scheme_copy(actor=province.province_admin, year=YEAR + 1),
        ServiceError,
        "Năm 2027 đã có bộ tiêu chí: hãy sửa bộ tiêu chí đó.",
        state=state,
    )
    refusals.refused(
        lambda: reform.reform_scheme_copy(actor=province.province_admin, year=YEAR - 3),
        ServiceError,
        "Năm 2022 chưa có bộ tiêu chí để sao chép.",
        state=state,
    )


@pytest.mark.parametrize(
    ("share", "points"),
    [
        (None, "0.00"),
        (Decimal("49.99"), "0.00"),
        (Decimal("50"), "0.00"),
        (Decimal("70"), "2.50"),
        (Decimal("80"), "3.75"),
        (Decimal("90"), "5.00"),
        (Decimal("100"), "5.00"),
    ],
)
def test_the_points_of_a_criterion_grow_between_threshold_and_target(share, points):
    row = ReformCriterion(
        threshold=Decimal(50), target=Decimal(90), max_points=Decimal(5), code="A", name="A"
    )
    assert reform.criterion_points(row, share) == Decimal(points)
