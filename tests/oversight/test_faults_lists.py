"""The lists of fault reports (R21): "Báo lỗi của tôi", the unit IT staff's queue with its
filters, the Department's queue; their cost does not grow with the number of reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.oversight.support_faults import report
from vanban.oversight import faults
from vanban.oversight.models_faults import FaultKind

pytestmark = pytest.mark.django_db

# The session, the person and their roles, the page's count and rows, the menu's counts.
LIST_QUERIES = 6


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _escalated(province, number: int) -> None:
    for n in range(number):
        made = report(province.staff_stttt, text=f"Lỗi thứ {n}", kind=FaultKind.HELP)
        faults.fault_report_change(
            actor=province.admin_stttt, report_id=made.pk, to_status="escalated", note="Sở xem."
        )


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/giam-sat/bao-loi/", "staff_stttt"),
        ("/giam-sat/bao-loi/don-vi/", "admin_stttt"),
        ("/giam-sat/bao-loi/so/", "province_admin"),
    ],
    ids=["mine", "unit", "department"],
)
def test_list_queries_do_not_grow_with_the_reports(province, client_for, url, who):
    client = client_for(getattr(province, who))
    client.get(url)  # the session's first page
    _escalated(province, 2)
    few = _queries(client, url)
    _escalated(province, 8)
    many = _queries(client, url)
    assert few == many
    assert many == LIST_QUERIES, many


def test_the_unit_queue_filters_by_status_and_kind(province, client_for):
    help_request = report(province.staff_stttt, kind=FaultKind.HELP, text="Xin hướng dẫn ký số.")
    fault = report(province.leader_stttt, text="Không in được sổ.")
    faults.fault_report_change(
        actor=province.admin_stttt, report_id=fault.pk, to_status="fixed", note=""
    )
    client = client_for(province.admin_stttt)

    def rows(**params):
        page = client.get("/giam-sat/bao-loi/don-vi/", params).content.decode()
        return {pk for pk in (help_request.pk, fault.pk) if f'id="fault-{pk}"' in page}

    assert rows() == {help_request.pk, fault.pk}
    assert rows(**{"trang-thai": "new"}) == {help_request.pk}
    assert rows(**{"trang-thai": "fixed"}) == {fault.pk}
    assert rows(loai="help") == {help_request.pk}
    assert rows(loai="fault", **{"trang-thai": "new"}) == set()
    assert rows(loai="khong-co") == {help_request.pk, fault.pk}  # an unknown filter is ignored


def test_my_list_holds_my_reports_only(province, client_for):
    mine = report(province.staff_stttt)
    theirs = report(province.leader_stttt)
    page = client_for(province.staff_stttt).get("/giam-sat/bao-loi/").content.decode()
    assert f'id="fault-{mine.pk}"' in page and f'id="fault-{theirs.pk}"' not in page
    assert "Chờ xử lý" in page
