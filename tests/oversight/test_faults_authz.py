"""Who sees and changes a fault report (R7, R21): the reporter, another specialist of the same
unit, the unit's IT staff (its administrator), the IT staff of another unit and the Department's
administrator (the province administrator), each tried on every page and action. A report one
may not see does not exist for them (404); an action one's role lacks is refused (403) and
changes nothing."""

import pytest
from django.test import Client

from tests.oversight.support_faults import image, report, sub_unit
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.oversight import faults
from vanban.oversight.models_faults import FaultReport, FaultReportChange, FaultStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

PEOPLE = ("reporter", "other", "it", "other_it", "department")


@pytest.fixture
def people(province):
    return {
        "reporter": province.staff_stttt,
        "other": make_user(province.stttt, "Bùi Thị Mai", (Role.STAFF,)),
        "it": province.admin_stttt,
        "other_it": province.admin_snv,
        "department": province.province_admin,
    }


@pytest.fixture
def clients(people, client_for):
    return {name: client_for(user) for name, user in people.items()}


def _report_in(people, status: str) -> FaultReport:
    made = report(people["reporter"], screenshot=image())
    if status != FaultStatus.NEW:
        to = FaultStatus.NEEDS_INFO if status == FaultStatus.NEEDS_INFO else FaultStatus.ESCALATED
        faults.fault_report_change(
            actor=people["it"], report_id=made.pk, to_status=to, note="Ghi chú."
        )
    return made


def _state(made: FaultReport):
    made.refresh_from_db()
    return made.status, FaultReportChange.objects.filter(report=made).count()


READS = {
    # page: (reporter, other, it, other_it, department)
    "detail": (200, 404, 200, 404, 200),
    "screenshot": (200, 404, 200, 404, 200),
}


@pytest.mark.parametrize("page", READS)
def test_who_reads_a_report(people, clients, page):
    made = _report_in(people, FaultStatus.NEW)
    url = f"/giam-sat/bao-loi/{made.pk}/" + ("anh/" if page == "screenshot" else "")
    answers = {name: clients[name].get(url).status_code for name in PEOPLE}
    assert answers == dict(zip(PEOPLE, READS[page], strict=True))
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]


# (status of the report, what is posted, where): answers of each person.
CHANGES = [
    (
        FaultStatus.NEW,
        "chuyen/",
        {"to_status": "escalated", "note": "Lỗi chung."},
        (403, 404, 302, 404, 302),
        FaultStatus.ESCALATED,
    ),
    (
        FaultStatus.ESCALATED,
        "chuyen/",
        {"to_status": "wont_fix", "note": "Đúng quy định, không phải lỗi."},
        (403, 404, 403, 404, 302),
        FaultStatus.WONT_FIX,
    ),
    (
        FaultStatus.NEEDS_INFO,
        "bo-sung/",
        {"note": "Lỗi xảy ra từ sáng nay."},
        (302, 404, 403, 404, 403),
        FaultStatus.NEW,
    ),
]


@pytest.mark.parametrize(
    ("status", "action", "data", "expected", "after"),
    CHANGES,
    ids=["triage", "department-close", "reporter-answers"],
)
def test_who_changes_a_report(people, clients, status, action, data, expected, after):
    for name, answer in zip(PEOPLE, expected, strict=True):
        made = _report_in(people, status)
        before = _state(made)
        response = clients[name].post(f"/giam-sat/bao-loi/{made.pk}/{action}", data)
        assert response.status_code == answer, name
        if answer == 302:
            assert _state(made) == (after, before[1] + 1), name
        else:
            assert _state(made) == before, name
        if answer == 403:
            assert "Chỉ " in response.content.decode(), name


LISTS = {
    "/giam-sat/bao-loi/": (True, False, False, False, False),
    "/giam-sat/bao-loi/don-vi/": (403, 403, True, False, True),
    "/giam-sat/bao-loi/so/": (403, 403, 403, 403, False),
}


@pytest.mark.parametrize("url", LISTS)
def test_who_finds_a_new_report_in_which_list(people, clients, url):
    made = _report_in(people, FaultStatus.NEW)
    row = f'id="fault-{made.pk}"'
    for name, expected in zip(PEOPLE, LISTS[url], strict=True):
        response = clients[name].get(url)
        if expected == 403:
            assert response.status_code == 403, name
            continue
        assert response.status_code == 200, name
        assert (row in response.content.decode()) is expected, name


def test_the_department_queue_holds_escalated_reports_of_every_unit(people, clients):
    made = _report_in(people, FaultStatus.ESCALATED)
    other = report(people["other_it"].unit.members.exclude(pk=people["other_it"].pk).first())
    faults.fault_report_change(
        actor=people["other_it"], report_id=other.pk, to_status="escalated", note="Chuyển Sở."
    )
    page = clients["department"].get("/giam-sat/bao-loi/so/").content.decode()
    assert f'id="fault-{made.pk}"' in page and f'id="fault-{other.pk}"' in page
    for name in ("it", "other_it"):
        queue = clients[name].get("/giam-sat/bao-loi/don-vi/").content.decode()
        assert (f'id="fault-{made.pk}"' in queue) is (name == "it")
        assert (f'id="fault-{other.pk}"' in queue) is (name == "other_it")


def test_the_it_staff_of_a_unit_see_the_reports_of_the_units_below(province, client_for):
    room, specialist = sub_unit(province)
    made = report(specialist)
    assert made.unit == room
    assert client_for(province.admin_stttt).get(f"/giam-sat/bao-loi/{made.pk}/").status_code == 200
    queue = client_for(province.admin_stttt).get("/giam-sat/bao-loi/don-vi/").content.decode()
    assert f'id="fault-{made.pk}"' in queue
    assert client_for(province.admin_snv).get(f"/giam-sat/bao-loi/{made.pk}/").status_code == 404
    # The Sở's administrator triages it; the Sở's administrators were told of it, as no one
    # administers the room itself.
    faults.fault_report_change(
        actor=province.admin_stttt, report_id=made.pk, to_status="fixed", note=""
    )
    assert province.admin_stttt.notifications.filter(
        title__startswith=f"Báo lỗi mới số {made.pk}"
    ).exists()
