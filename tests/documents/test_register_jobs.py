"""R17: registers too long to print within a web request are printed by a worker (print jobs)."""

import datetime as dt
import hashlib
import re
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.documents.test_registers import (
    IN_PDF_URL,
    IN_URL,
    INCOMING_HEADERS,
    OUT_PDF_URL,
    Q4,
    compact,
    local,
    page_texts,
    register_in,
)
from vanban.accounts import services as account_services
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.models import Notification
from vanban.documents import register_views, registers
from vanban.documents.files import storage_walk
from vanban.documents.models import Direction, PrintJob
from vanban.documents.tasks import render_register_task

pytestmark = pytest.mark.django_db

JOBS_URL = "/van-ban/so/tep-in/"
ASKED_AT = local(2027, 1, 5, 9, 30)
FILE_NAME = "so-van-ban-den-stttt-2026-q4.pdf"


def download_url(job: PrintJob) -> str:
    return f"{JOBS_URL}{job.pk}/tai-xuong/"


def stored_print_files() -> set[str]:
    return storage_walk(registers.PRINT_JOBS_PREFIX)


@pytest.fixture
def long_register(office, monkeypatch):
    """Three incoming documents in the fourth quarter of 2026, above a threshold lowered to 2."""
    monkeypatch.setattr(register_views, "REGISTER_PDF_INLINE_MAX_ROWS", 2)
    for n in range(3):
        register_in(
            office,
            local(2026, 10, 5 + n, 9, 0),
            code_number=str(30 + n),
            subject=f"về việc triển khai nhiệm vụ chuyển đổi số đợt {n + 1}",
        )
    office.params = {"unit": office.province.stttt.pk, **Q4}
    return office


def job_fields(html: str) -> dict[str, str]:
    """The hidden fields of the form that asks for a print job, as a browser would send them."""
    found = re.search(r'<form[^>]*id="print-job-form".*?</form>', html, re.S)
    assert found, "no print job form"
    return {
        name: unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(0)
        )
    }


def ask(client, fields: dict[str, str], *, capture, execute: bool = True):
    """POST the print job form; the worker runs the task when the request's transaction commits."""
    with clock.frozen(ASKED_AT), capture(execute=execute) as callbacks:
        response = client.post(JOBS_URL, fields)
    return response, callbacks


# ---------------------------------------------------------------- the whole path


def test_a_long_register_is_printed_by_a_worker_and_downloaded(
    long_register, client_for, django_capture_on_commit_callbacks
):
    office = long_register
    client = client_for(office.clerk)

    # The register page offers a print job instead of the direct link.
    page = client.get(IN_URL, office.params).content.decode()
    assert 'id="register-pdf"' not in page
    assert "tệp PDF được tạo trong nền" in page

    # The PDF address does not print: it explains and offers the same job.
    offer = client.get(IN_PDF_URL, office.params)
    assert offer.status_code == 200
    assert offer["Content-Type"].startswith("text/html")
    html = offer.content.decode()
    assert "Sổ có 3 văn bản, nhiều hơn 2 văn bản có thể in ngay." in html
    fields = job_fields(html)
    assert fields == {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "direction": "in",
        "unit": str(office.province.stttt.pk),
        "period": "quarter",
        "year": "2026",
        "quarter": "4",
    }
    assert job_fields(page) == {
        **fields,
        "csrfmiddlewaretoken": job_fields(page)["csrfmiddlewaretoken"],
    }
    assert not PrintJob.objects.exists()

    before = stored_print_files()
    response, callbacks = ask(client, fields, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == JOBS_URL
    assert len(callbacks) == 1

    job = PrintJob.objects.get()
    assert (job.requested_by, job.unit, job.direction) == (
        office.clerk,
        office.province.stttt,
        Direction.INCOMING,
    )
    assert job.params == {"period": "quarter", "year": 2026, "quarter": 4}
    assert (job.status, job.error, job.total, job.file_name) == ("done", "", 3, FILE_NAME)
    assert job.created_at == job.started_at == ASKED_AT
    assert job.finished_at is not None
    assert re.fullmatch(r"print-jobs/2027/01/[0-9a-f]{32}\.pdf", job.storage_name)
    assert stored_print_files() - before == {job.storage_name}
    with default_storage.open(job.storage_name, "rb") as handle:
        stored = handle.read()
    assert (job.size, job.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    request_event = AuditEvent.objects.get(action="register.print_request")
    assert (request_event.actor, request_event.target_id) == (office.clerk, str(job.pk))

    notification = Notification.objects.get(recipient=office.clerk)
    assert notification.title == (
        "Đã tạo xong tệp PDF: Sổ đăng ký văn bản đến – Sở Thông tin và Truyền thông – "
        "Quý IV năm 2026"
    )
    assert notification.body == f"Sổ có 3 văn bản. Tệp “{FILE_NAME}” đã sẵn sàng để tải xuống."
    assert notification.link == download_url(job)

    # The list shows the message of the request and the link to the file.
    listing = client.get(JOBS_URL).content.decode()
    assert "Sổ có 3 văn bản; tệp PDF đang được tạo, bạn sẽ nhận thông báo khi xong." in listing
    assert f'href="{download_url(job)}"' in listing
    assert "Đã xong" in listing

    download = client.get(notification.link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{FILE_NAME}"' in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith("attachment;")
    body = b"".join(download.streaming_content)
    assert body == stored
    assert int(download["Content-Length"]) == len(body)
    reader, pages = page_texts(body)
    for pdf_page in reader.pages:
        assert round(float(pdf_page.mediabox.width)) == 842
        assert round(float(pdf_page.mediabox.height)) == 595
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in pages[0]
    assert "Quý IV năm 2026" in pages[0]
    assert "Từ số 1 đến số 3" in pages[0]
    text = compact(" ".join(pages[1:]))
    for header in INCOMING_HEADERS:
        assert compact(header) in text, header
    for n in (1, 3):
        assert compact(f"Quyết định về việc triển khai nhiệm vụ chuyển đổi số đợt {n}") in text


def test_a_register_at_the_threshold_is_still_printed_at_once(office, client_for, monkeypatch):
    monkeypatch.setattr(register_views, "REGISTER_PDF_INLINE_MAX_ROWS", 2)
    for n in range(2):
        register_in(office, local(2026, 10, 5 + n, 9, 0), code_number=str(30 + n))
    client = client_for(office.clerk)
    response = client.get(IN_PDF_URL, {"unit": office.province.stttt.pk, **Q4})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        'id="register-pdf"'
        in client.get(IN_URL, {"unit": office.province.stttt.pk, **Q4}).content.decode()
    )
    assert not PrintJob.objects.exists()


# ---------------------------------------------------------------- no duplicates


def test_asking_again_while_waiting_shows_the_same_job(
    long_register, client_for, django_capture_on_commit_callbacks
):
    office = long_register
    client = client_for(office.clerk)
    fields = job_fields(client.get(IN_PDF_URL, office.params).content.decode())

    first, callbacks = ask(
        client, fields, capture=django_capture_on_commit_callbacks, execute=False
    )
    assert (first.status_code, len(callbacks)) == (302, 1)  # queued; no worker has run yet
    job = PrintJob.objects.get()
    assert job.status == "queued"

    again, callbacks = ask(
        client, fields, capture=django_capture_on_commit_callbacks, execute=False
    )
    assert (again.status_code, len(callbacks)) == (302, 0)
    assert list(PrintJob.objects.all()) == [job]
    assert AuditEvent.objects.filter(action="register.print_request").count() == 1
    listing = client.get(JOBS_URL).content.decode()
    assert (
        "Tệp PDF của sổ này đã được yêu cầu lúc 09:30 05/01/2027 và đang được tạo; bạn sẽ nhận "
        "thông báo khi xong." in listing
    )
    assert "Đang chờ" in listing
    assert 'hx-trigger="every 5s"' in listing  # the list refreshes itself while a job waits

    # The PDF address now says the file is being made, and offers no second job.
    offer = client.get(IN_PDF_URL, office.params).content.decode()
    assert "Sổ có 3 văn bản; tệp PDF đang được tạo, bạn sẽ nhận thông báo khi xong." in offer
    assert 'id="print-job-form"' not in offer

    # Another reader of the same register gets a job of their own.
    leader = client_for(office.leader)
    ask(leader, fields, capture=django_capture_on_commit_callbacks, execute=False)
    assert PrintJob.objects.filter(requested_by=office.leader).count() == 1
    # Another period is another register.
    ask(
        client,
        {**fields, "quarter": "3"},
        capture=django_capture_on_commit_callbacks,
        execute=False,
    )
    assert PrintJob.objects.filter(requested_by=office.clerk).count() == 2


def test_a_job_lost_by_a_stopped_worker_is_replaced(
    long_register, client_for, django_capture_on_commit_callbacks
):
    office = long_register
    client = client_for(office.clerk)
    fields = job_fields(client.get(IN_PDF_URL, office.params).content.decode())
    ask(client, fields, capture=django_capture_on_commit_callbacks, execute=False)
    lost = PrintJob.objects.get()
    with (
        clock.frozen(ASKED_AT + dt.timedelta(hours=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(JOBS_URL, fields)
    lost.refresh_from_db()
    assert lost.status == "failed"
    assert lost.error == (
        "Tệp không được tạo xong trong thời gian cho phép; đã có yêu cầu tạo lại."
    )
    fresh = PrintJob.objects.exclude(pk=lost.pk).get()
    assert fresh.status == "done"
    # The old job's task, arriving late, does not print it.
    assert render_register_task.enqueue(lost.pk).return_value == "failed"
    assert PrintJob.objects.get(pk=lost.pk).storage_name == ""


# ---------------------------------------------------------------- the worker's side


def test_the_task_does_not_print_a_finished_job_again(
    long_register, client_for, django_capture_on_commit_callbacks
):
    office = long_register
    client = client_for(office.clerk)
    fields = job_fields(client.get(IN_PDF_URL, office.params).content.decode())
    ask(client, fields, capture=django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    files_before = stored_print_files()

    result = render_register_task.enqueue(job.pk)
    assert result.return_value == "done"
    again = PrintJob.objects.get()
    assert (again.storage_name, again.sha256, again.finished_at) == (
        job.storage_name,
        job.sha256,
        job.finished_at,
    )
    assert stored_print_files() == files_before
    assert Notification.objects.filter(recipient=office.clerk).count() == 1
    assert render_register_task.enqueue(job.pk + 1000).return_value == "missing"


def test_a_job_that_cannot_be_printed_ends_failed_with_the_reason(office, client_for):
    p = office.province
    with clock.frozen(ASKED_AT):
        job = PrintJob.objects.create(
            requested_by=office.clerk,
            unit=p.stttt,
            direction=Direction.INCOMING,
            params={"period": "tuần", "year": 2026},
            key="broken",
            file_name="so-van-ban-den-stttt-x.pdf",
            created_at=clock.now(),
        )
    before = stored_print_files()

    result = render_register_task.enqueue(job.pk)
    assert result.return_value == "failed"
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Không tạo được tệp PDF: Kỳ không hợp lệ.")
    assert (job.storage_name, job.sha256, job.size) == ("", "", None)
    assert job.finished_at is not None
    assert stored_print_files() == before
    notification = Notification.objects.get(recipient=office.clerk)
    assert notification.title == (
        "Không tạo được tệp PDF: Sổ đăng ký văn bản đến – Sở Thông tin và Truyền thông"
    )
    assert notification.body == "Không tạo được tệp PDF: Kỳ không hợp lệ."
    assert notification.link == JOBS_URL

    # Run again (a retried task): nothing changes, no second notification.
    assert render_register_task.enqueue(job.pk).return_value == "failed"
    assert Notification.objects.filter(recipient=office.clerk).count() == 1
    # The failure shows in the person's list; there is nothing to download.
    client = client_for(office.clerk)
    html = client.get(JOBS_URL).content.decode()
    assert "Không tạo được tệp PDF: Kỳ không hợp lệ." in html
    assert "tai-xuong" not in html
    assert client.get(download_url(job)).status_code == 404


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"period": "quarter", "year": 2026, "quarter": 5}, "Quý phải từ 1 đến 4."),
        ({"period": "month", "year": "2026", "month": 1}, "Năm không hợp lệ."),
        ({"period": "year", "year": 1999}, "Năm phải trong khoảng từ 2000 đến 2100."),
        ([], "Kỳ không hợp lệ."),
    ],
)
def test_stored_parameters_that_name_no_period(office, params, error):
    job = PrintJob.objects.create(
        requested_by=office.clerk,
        unit=office.province.stttt,
        direction=Direction.INCOMING,
        params=params,
        key="broken",
        file_name="x.pdf",
        created_at=clock.now(),
    )
    render_register_task.enqueue(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", f"Không tạo được tệp PDF: {error}")


def test_a_person_who_no_longer_reads_the_register_gets_nothing(
    long_register, client_for, django_capture_on_commit_callbacks
):
    office = long_register
    p = office.province
    client = client_for(office.clerk)
    fields = job_fields(client.get(IN_PDF_URL, office.params).content.decode())
    ask(client, fields, capture=django_capture_on_commit_callbacks, execute=False)
    waiting = PrintJob.objects.get()
    ask(client, {**fields, "quarter": "3"}, capture=django_capture_on_commit_callbacks)
    done = PrintJob.objects.get(status="done")

    account_services.account_set_roles(actor=p.admin_stttt, user=office.clerk, roles={Role.STAFF})
    # The waiting job is refused by the worker: the register is not theirs to read any more.
    render_register_task.enqueue(waiting.pk)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.error) == (
        "failed",
        "Không tạo được tệp PDF: Không tìm thấy đơn vị.",
    )
    # The finished file is not given any more (the signed-in session reads the new roles).
    staff = client_for(office.clerk)
    assert staff.get(download_url(done)).status_code == 404
    assert staff.get(JOBS_URL).status_code == 403


# ---------------------------------------------------------------- downloads


@pytest.fixture
def done_job(long_register, client_for, django_capture_on_commit_callbacks) -> PrintJob:
    client = client_for(long_register.clerk)
    fields = job_fields(client.get(IN_PDF_URL, long_register.params).content.decode())
    ask(client, fields, capture=django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert job.status == "done"
    return job


@pytest.mark.parametrize("who", ["leader", "clerk_snv", "staff"])
def test_only_the_person_who_asked_downloads_the_file(done_job, long_register, client_for, who):
    p = long_register.province
    user = {
        "leader": long_register.leader,  # reads the same register, did not ask
        "clerk_snv": long_register.clerk_snv,
        "staff": p.staff_stttt,
    }[who]
    response = client_for(user).get(download_url(done_job))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert not AuditEvent.objects.filter(action="register.print_download_refused").exists()


def test_anonymous_goes_to_the_login_page(done_job, client):
    for url in (JOBS_URL, download_url(done_job)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert client.post(JOBS_URL, {"direction": "in"}).status_code == 302
    assert PrintJob.objects.count() == 1


@pytest.mark.parametrize("change", ["changed", "missing"])
def test_a_changed_or_missing_file_is_refused(done_job, long_register, client_for, change):
    default_storage.delete(done_job.storage_name)
    if change == "changed":
        default_storage.save(done_job.storage_name, ContentFile(b"%PDF-1.7 altered"))
    response = client_for(long_register.clerk).get(download_url(done_job))
    assert response.status_code == 409
    html = response.content.decode()
    expected = {
        "changed": "Tệp PDF trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với "
        "lúc tạo tệp) nên không tải xuống.",
        "missing": "Tệp PDF không còn trong kho lưu trữ nên không tải xuống được.",
    }[change]
    assert expected in unescape(html)
    assert "Hãy báo quản trị hệ thống và yêu cầu tạo lại tệp từ trang sổ." in unescape(html)
    event = AuditEvent.objects.get(action="register.print_download_refused")
    assert (event.actor, event.data["reason"]) == (long_register.clerk, change)
    assert PrintJob.objects.get().status == "done"  # the record is kept as it was


# ---------------------------------------------------------------- asking, refused


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"quarter": "5"}, 400, "Quý phải từ 1 đến 4."),
        ({"period": "custom"}, 400, "Kỳ không hợp lệ."),
        ({"unit": "999999"}, 404, "Không tìm thấy đơn vị."),
        ({"series": "999999"}, 404, "Không tìm thấy sổ văn bản."),
        ({"direction": "sideways"}, 404, "Không tìm thấy trang"),
    ],
)
def test_a_bad_request_is_refused_and_makes_no_job(
    long_register, client_for, django_capture_on_commit_callbacks, changes, status, message
):
    client = client_for(long_register.clerk)
    fields = job_fields(client.get(IN_PDF_URL, long_register.params).content.decode())
    response, callbacks = ask(
        client, {**fields, **changes}, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == status
    assert message in unescape(response.content.decode())
    assert callbacks == []
    assert not PrintJob.objects.exists()
    assert not AuditEvent.objects.filter(action="register.print_request").exists()


def test_another_units_register_is_not_printed(
    long_register, client_for, django_capture_on_commit_callbacks
):
    client = client_for(long_register.clerk_snv)
    fields = {"direction": "in", **long_register.params}
    response, _ = ask(client, fields, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert "Không tìm thấy đơn vị." in response.content.decode()
    assert not PrintJob.objects.exists()


@pytest.mark.parametrize("who", ["staff", "unit_admin", "province_admin"])
def test_people_without_a_register_role_are_refused(long_register, client_for, who):
    p = long_register.province
    user = {
        "staff": p.staff_stttt,
        "unit_admin": p.admin_stttt,
        "province_admin": p.province_admin,
    }[who]
    client = client_for(user)
    for response in (
        client.get(JOBS_URL),
        client.post(JOBS_URL, {"direction": "in", **long_register.params}),
    ):
        assert response.status_code == 403
        assert "Chỉ văn thư và lãnh đạo đơn vị được xem sổ đăng ký văn bản." in (
            response.content.decode()
        )
    assert not PrintJob.objects.exists()


# ---------------------------------------------------------------- the list


def test_the_list_shows_only_the_persons_jobs_with_a_fixed_number_of_queries(
    office, client_for, django_assert_num_queries
):
    p = office.province

    def add(count: int) -> None:
        for n in range(count):
            for user in (office.clerk, office.leader):
                PrintJob.objects.create(
                    requested_by=user,
                    unit=p.stttt,
                    direction=Direction.OUTGOING if n % 2 else Direction.INCOMING,
                    params={"period": "month", "year": 2026, "month": n % 12 + 1},
                    key=f"{n}",
                    status="failed",
                    error="Không tạo được tệp PDF: thử nghiệm.",
                    file_name=f"so-{n}.pdf",
                    created_at=local(2026, 12, 1, 8, n),
                )

    client = client_for(office.clerk)
    add(2)
    with django_assert_num_queries(6):
        html = client.get(JOBS_URL).content.decode()
    assert html.count('id="print-job-') == 2
    add(8)
    with django_assert_num_queries(6):
        html = client.get(JOBS_URL).content.decode()
    assert html.count('id="print-job-') == 10
    assert "Sổ đăng ký văn bản đi – Sở Thông tin và Truyền thông – Tháng 2 năm 2026" in html
    assert "Không tạo được tệp PDF: thử nghiệm." in html
    assert "every 5s" not in html  # nothing waits: no refreshing
    mine = set(PrintJob.objects.filter(requested_by=office.clerk).values_list("pk", flat=True))
    shown = {int(pk) for pk in re.findall(r'id="print-job-(\d+)"', html)}
    assert shown == mine


def test_an_empty_list(office, client_for):
    html = client_for(office.leader).get(JOBS_URL).content.decode()
    assert "Bạn chưa yêu cầu tạo tệp in sổ nào." in html


def test_the_outgoing_register_takes_the_same_path(
    office, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    from tests.documents.test_registers import register_out

    monkeypatch.setattr(register_views, "REGISTER_PDF_INLINE_MAX_ROWS", 1)
    for n in range(2):
        register_out(office, local(2026, 10, 5 + n, 9, 0))
    client = client_for(office.leader)
    params = {"unit": office.province.stttt.pk, "period": "year", "year": "2026"}
    fields = job_fields(client.get(OUT_PDF_URL, params).content.decode())
    assert fields["direction"] == "out"
    ask(client, fields, capture=django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert (job.status, job.file_name, job.params) == (
        "done",
        "so-van-ban-di-stttt-2026.pdf",
        {"period": "year", "year": 2026},
    )
    body = b"".join(client.get(download_url(job)).streaming_content)
    _reader, pages = page_texts(body)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in pages[0]
    assert "Từ số 01 đến số 02" in pages[0]


def test_the_database_holds_one_active_job_per_person_and_register(office):
    from django.db import IntegrityError, transaction

    values = {
        "requested_by": office.clerk,
        "unit": office.province.stttt,
        "direction": Direction.INCOMING,
        "params": {"period": "year", "year": 2026},
        "key": "same",
        "file_name": "x.pdf",
        "created_at": clock.now(),
    }
    PrintJob.objects.create(**values, status="done")
    PrintJob.objects.create(**values, status="failed")
    PrintJob.objects.create(**values, status="queued")
    for status in ("queued", "running"):
        with pytest.raises(IntegrityError), transaction.atomic():
            PrintJob.objects.create(**values, status=status)
    PrintJob.objects.create(**{**values, "requested_by": office.leader}, status="running")
    assert PrintJob.objects.count() == 4
