"""The whole path of a fault report through the pages (R21; Art. 9.1.c, 9.2.e, 11.1.đ): a
specialist reports from the page she is on, with a screenshot; her unit's IT staff ask for more,
she answers, they escalate it to the Department, whose administrator closes it; each change is a
history line and an audit event, and she is told every time, in the application and by e-mail
when a mail server is configured."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from tests.oversight.support_faults import BROWSER, image, png_bytes
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification
from vanban.documents.files import files_check
from vanban.oversight.models_faults import FaultReport, FaultReportChange, FaultStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

NEW = "/giam-sat/bao-loi/moi/"


def detail(report: FaultReport) -> str:
    return f"/giam-sat/bao-loi/{report.pk}/"


def change(client, report, to_status, note="", duplicate_of=""):
    return client.post(
        f"{detail(report)}chuyen/",
        {"to_status": to_status, "note": note, "duplicate_of": duplicate_of},
    )


@pytest.mark.parametrize(
    "path",
    ["/", "/van-ban/den/", "/thong-bao/", "/tai-khoan/cua-toi/", "/du-thao/", "/ho-so/cua-toi/"],
)
def test_every_signed_in_page_offers_the_report_link_with_its_address(province, client_for, path):
    client = client_for(province.staff_stttt)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="fault-report-link"' in html
    from urllib.parse import quote

    assert f'href="{NEW}?tu={quote(path, safe="")}"' in html


def test_no_report_link_for_anyone_signed_out(db, client):
    page = client.get("/tai-khoan/dang-nhap/")
    assert 'id="fault-report-link"' not in page.content.decode()


def test_the_form_captures_where_when_who_and_the_browser(province, client_for, settings):
    staff = province.staff_stttt
    client = client_for(staff)
    form = client.get(NEW, {"tu": "/van-ban/den/?trang=2"})
    assert form.status_code == 200
    assert 'value="/van-ban/den/?trang=2"' in form.content.decode()
    answer = client.post(
        NEW,
        {
            "kind": "fault",
            "text": "Bấm “Vào sổ” thì trang trắng.",
            "page_url": "/van-ban/den/?trang=2",
            "screenshot": image("trang-trang.png"),
        },
        HTTP_USER_AGENT=BROWSER,
    )
    report = FaultReport.objects.get(reporter=staff)
    assert answer.status_code == 302 and answer["Location"] == detail(report)
    assert report.status == FaultStatus.NEW
    assert report.page_url == "/van-ban/den/?trang=2"
    assert report.user_agent == BROWSER
    assert report.unit == province.stttt
    assert report.roles == ["staff"]
    assert report.text == "Bấm “Vào sổ” thì trang trắng."
    assert report.screenshot_name == "trang-trang.png"
    assert report.screenshot_type == "image/png"
    assert default_storage.open(report.screenshot_storage_name).read() == png_bytes()
    assert report.screenshot_storage_name.startswith("faults/")
    # `vanban files check` knows the screenshot: no orphan, nothing missing.
    check = files_check()
    assert check.problems == 0 and check.records >= 1
    page = client.get(detail(report)).content.decode()
    assert "Nguyễn Thu Phương" in page and "Sở Thông tin và Truyền thông" in page
    assert "Chuyên viên" in page and BROWSER in page
    shot = client.get(f"{detail(report)}anh/")
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"
    assert b"".join(shot.streaming_content) == png_bytes()
    assert AuditEvent.objects.filter(action="fault.screenshot_view").count() == 1
    # The unit's IT staff are told of the new report.
    assert Notification.objects.filter(
        recipient=province.admin_stttt, title=f"Báo lỗi mới số {report.pk}: Lỗi phần mềm"
    ).exists()


def test_a_page_address_of_another_site_is_not_kept(province, client_for):
    client = client_for(province.staff_stttt)
    client.post(NEW, {"kind": "help", "text": "Xin hướng dẫn.", "page_url": "//evil.example/x"})
    assert FaultReport.objects.get(reporter=province.staff_stttt).page_url == ""


def test_the_whole_path_with_notices_and_e_mails(
    province, client_for, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    staff, it, department = province.staff_stttt, province.admin_stttt, province.province_admin
    staff.email = "phuong@bentre.gov.vn"
    staff.save(update_fields=["email"])
    reporter, unit_it, dept = client_for(staff), client_for(it), client_for(department)
    with django_capture_on_commit_callbacks(execute=True):
        reporter.post(NEW, {"kind": "fault", "text": "Không tải được tệp.", "page_url": "/"})
    report = FaultReport.objects.get(reporter=staff)

    steps = [
        (unit_it, "needs_info", "Anh chị dùng trình duyệt nào?", FaultStatus.NEEDS_INFO),
    ]
    for client, to_status, note, expected in steps:
        with django_capture_on_commit_callbacks(execute=True):
            assert change(client, report, to_status, note).status_code == 302
        report.refresh_from_db()
        assert report.status == expected
    with django_capture_on_commit_callbacks(execute=True):
        answer = reporter.post(f"{detail(report)}bo-sung/", {"note": "Chrome 131 trên Android."})
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == FaultStatus.NEW
    with django_capture_on_commit_callbacks(execute=True):
        assert change(unit_it, report, "escalated", "Lỗi chung của hệ thống.").status_code == 302
        assert change(dept, report, "department_fixed", "Đã sửa ở bản 2.3.").status_code == 302
    report.refresh_from_db()
    assert report.status == FaultStatus.DEPARTMENT_FIXED

    history = list(
        FaultReportChange.objects.filter(report=report).values_list(
            "actor__username", "from_status", "to_status", "note"
        )
    )
    assert history == [
        (staff.username, "", "new", ""),
        (it.username, "new", "needs_info", "Anh chị dùng trình duyệt nào?"),
        (staff.username, "needs_info", "new", "Chrome 131 trên Android."),
        (it.username, "new", "escalated", "Lỗi chung của hệ thống."),
        (department.username, "escalated", "department_fixed", "Đã sửa ở bản 2.3."),
    ]
    audited = list(
        AuditEvent.objects.filter(target_type="oversight.faultreport", target_id=str(report.pk))
        .order_by("seq")
        .values_list("action", "data__to")
    )
    assert audited == [
        ("fault.reported", None),
        ("fault.status_changed", "needs_info"),
        ("fault.status_changed", "new"),
        ("fault.status_changed", "escalated"),
        ("fault.status_changed", "department_fixed"),
    ]
    titles = list(
        Notification.objects.filter(recipient=staff).order_by("pk").values_list("title", flat=True)
    )
    assert titles == [
        f"Báo lỗi số {report.pk} của bạn: Cần bổ sung thông tin",
        f"Báo lỗi số {report.pk} của bạn: Đã chuyển Sở",
        f"Báo lỗi số {report.pk} của bạn: Sở đã khắc phục",
    ]
    assert [m.subject for m in mail.outbox if m.to == ["phuong@bentre.gov.vn"]] == titles
    assert Notification.objects.filter(
        recipient=department, title__startswith=f"Báo lỗi số {report.pk} được chuyển Sở"
    ).exists()
    assert Notification.objects.filter(
        recipient=it, title=f"Báo lỗi số {report.pk} đã được bổ sung thông tin"
    ).exists()
    page = reporter.get(detail(report)).content.decode()
    assert "Sở đã khắc phục" in page and "Đã sửa ở bản 2.3." in page
    assert 'id="fault-change-form"' not in page and 'id="fault-answer-form"' not in page


def test_a_duplicate_points_at_its_original(province, client_for):
    from tests.oversight.support_faults import report as make

    first = make(province.staff_stttt)
    second = make(province.leader_stttt, text="Cũng không mở được tệp.")
    unit_it = client_for(province.admin_stttt)
    assert change(unit_it, second, "duplicate", duplicate_of=first.pk).status_code == 302
    second.refresh_from_db()
    assert second.status == FaultStatus.DUPLICATE and second.duplicate_of == first
    page = client_for(province.leader_stttt).get(detail(second)).content.decode()
    assert f'href="{detail(first)}" id="fault-original"' in page


def test_the_unit_fixes_a_report_itself(province, client_for):
    from tests.oversight.support_faults import report as make

    report = make(province.staff_stttt)
    assert change(client_for(province.admin_stttt), report, "fixed").status_code == 302
    report.refresh_from_db()
    assert report.status == FaultStatus.FIXED
    assert Notification.objects.filter(
        recipient=province.staff_stttt, title=f"Báo lỗi số {report.pk} của bạn: Đơn vị đã khắc phục"
    ).exists()


def test_the_menu_leads_to_my_reports_and_administrators_to_the_unit_queue(province, client_for):
    staff = client_for(province.staff_stttt).get("/").content.decode()
    assert 'href="/giam-sat/bao-loi/">Báo lỗi của tôi</a>' in staff
    assert 'href="/giam-sat/bao-loi/don-vi/"' not in staff
    admin = client_for(province.admin_stttt).get("/giam-sat/bao-loi/don-vi/").content.decode()
    assert (
        '<a href="/giam-sat/bao-loi/don-vi/" aria-current="page" class="current">Báo lỗi</a>'
        in admin
    )
