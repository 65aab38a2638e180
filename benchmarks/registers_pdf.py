"""Measure the printed incoming register (R17) of a busy unit for a whole year.

Usage: .venv/bin/python benchmarks/registers_pdf.py [--documents 5000] [--repeat 1] [--out file.pdf]
Uses DATABASE_URL when set, else a new SQLite file in a temporary directory.

Measured on SQLite, 2 cores, 5,000 documents (404 pages, 1.8 MB): WeasyPrint takes 49 s (about
10 ms a row) and the process peaks at 1.2 GB; printed within a request the PDF takes 54 s, too close
to the web server's 60 s timeout. Above REGISTER_PDF_INLINE_MAX_ROWS (600 rows, about 6 s) the PDF
address answers in 0.2 s with the offer of a print job, and the worker prints the same file in 56 s.
The first web page of the register (200 rows) takes 60 ms.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VANBAN_DATA_DIR", tempfile.mkdtemp(prefix="vanban-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.test_settings")
os.environ["VANBAN_PLAIN_STATIC"] = "1"

SUBJECTS = (
    "về việc tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ năm 2026",
    "về việc ban hành Quy chế quản lý, sử dụng phần mềm quản lý văn bản và điều hành",
    "về việc góp ý dự thảo Kế hoạch chuyển đổi số giai đoạn 2026-2030",
    "về việc cử cán bộ tham dự lớp bồi dưỡng nghiệp vụ",
)
ISSUERS = ("Ủy ban nhân dân tỉnh Bến Tre", "Bộ Thông tin và Truyền thông", "Sở Nội vụ")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", help="also write the PDF to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if "DATABASE_URL" in os.environ:
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)

    from django.db import connection
    from django.template.loader import render_to_string

    from vanban.accounts import services as account_services
    from vanban.accounts.models import Role
    from vanban.core import clock
    from vanban.documents import registers
    from vanban.documents.models import (
        Direction,
        Document,
        DocumentShare,
        DocumentType,
        RegisterSeries,
    )
    from vanban.reports.pdf import render_pdf
    from vanban.reports.periods import REPORT_TZ, Period

    root = account_services.unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh Bến Tre",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    unit = account_services.unit_create(
        actor=None,
        name="Sở Thông tin và Truyền thông",
        symbol="STTTT",
        abbreviation="stttt",
        agency_code="000.00.12.H07",
        parent=root,
    )
    clerk = account_services.account_create(
        actor=None,
        unit=unit,
        full_name="Võ Thị Thu Trang",
        roles=[Role.CLERK],
        password="Bench-mark-1",
        must_change_password=False,
    ).user
    staff = account_services.account_create(
        actor=None,
        unit=unit,
        full_name="Nguyễn Thu Phương",
        roles=[Role.STAFF],
        password="Bench-mark-1",
        must_change_password=False,
    ).user

    # A year of incoming documents, spread evenly from 02/01 to 30/12, about 20 a working day.
    start = time.perf_counter()
    series = RegisterSeries.objects.create(
        unit=unit, year=2026, direction=Direction.INCOMING, name="Sổ đăng ký văn bản đến"
    )
    types = list(DocumentType.objects.order_by("order"))
    first_day = dt.datetime(2026, 1, 2, 7, 30, tzinfo=REPORT_TZ)
    step = dt.timedelta(days=362) / args.documents
    batch = []
    for n in range(args.documents):
        arrived = first_day + step * n
        batch.append(
            Document(
                unit=unit,
                direction=Direction.INCOMING,
                series=series,
                year=2026,
                register_number=n + 1,
                document_type=types[n % len(types)],
                code_number=f"{n % 900 + 1:02d}",
                code_notation="QĐ-UBND" if n % 2 else "UBND-VP",
                issued_date=(arrived - dt.timedelta(days=2)).date(),
                issuer_name=ISSUERS[n % len(ISSUERS)],
                subject=SUBJECTS[n % len(SUBJECTS)],
                description="Bản giấy" if n % 5 == 0 else "",
                arrival_date=arrived,
                to_places="Phòng Công nghệ thông tin; Văn phòng Sở" if n % 3 == 0 else "",
                sensitive_declared=True,
                registered_by=clerk,
                registered_at=arrived,
            )
        )
    documents = Document.objects.bulk_create(batch, batch_size=1000)
    DocumentShare.objects.bulk_create(
        [
            DocumentShare(
                document=document,
                document_unit_id=document.unit_id,
                user=staff,
                granted_by=clerk,
                granted_at=document.registered_at + dt.timedelta(hours=2),
            )
            for document in documents
            if document.register_number % 3 != 1
        ],
        batch_size=1000,
    )
    series.next_number = args.documents + 1
    series.save(update_fields=["next_number"])
    print(
        f"database: {connection.vendor}; {args.documents} incoming documents created in "
        f"{time.perf_counter() - start:.1f} s"
    )

    period = Period.year(2026)
    for attempt in range(1, args.repeat + 1):
        t0 = time.perf_counter()
        register = registers.register_build(
            user=clerk, unit=unit, direction=Direction.INCOMING, period=period
        )
        rows = register.rows()
        t1 = time.perf_counter()
        context = {"register": register, "unit": register.unit, "rows": rows}
        html = render_to_string("documents/registers/register_pdf.html", context)
        t2 = time.perf_counter()
        pdf = render_pdf("documents/registers/register_pdf.html", context)
        t3 = time.perf_counter()
        print(
            f"run {attempt}: rows {len(rows)} read in {t1 - t0:.2f} s; HTML "
            f"{len(html) // 1024} KB in {t2 - t1:.2f} s; PDF {len(pdf) // 1024} KB in "
            f"{t3 - t2:.1f} s"
        )

    from vanban.documents import register_views
    from vanban.documents.models import PrintJob

    client = Client()
    client.force_login(clerk, backend="vanban.accounts.backends.AccountBackend")
    query = {"unit": unit.pk, "period": "year", "year": "2026"}
    with clock.frozen(dt.datetime(2026, 12, 31, 16, 0, tzinfo=REPORT_TZ)):
        # Above REGISTER_PDF_INLINE_MAX_ROWS the PDF address only offers a print job.
        limit = register_views.REGISTER_PDF_INLINE_MAX_ROWS
        register_views.REGISTER_PDF_INLINE_MAX_ROWS = min(limit, args.documents - 1)
        t0 = time.perf_counter()
        offer = client.get("/van-ban/so/den/pdf/", query)
        offer_elapsed = time.perf_counter() - t0
        # Printed within the request, as a register up to the threshold is (limit lifted).
        register_views.REGISTER_PDF_INLINE_MAX_ROWS = args.documents
        t0 = time.perf_counter()
        response = client.get("/van-ban/so/den/pdf/", query)
        elapsed = time.perf_counter() - t0
        register_views.REGISTER_PDF_INLINE_MAX_ROWS = limit
        # The print job: with the immediate task backend of the test settings the task runs in
        # this process as soon as the request commits, so this is the worker's time.
        t0 = time.perf_counter()
        asked = client.post("/van-ban/so/tep-in/", {"direction": "in", **query})
        job_elapsed = time.perf_counter() - t0
        t0 = time.perf_counter()
        page = client.get("/van-ban/so/den/", query)
        page_elapsed = time.perf_counter() - t0
    assert offer.status_code == 200, offer.status_code
    assert offer["Content-Type"].startswith("text/html"), offer["Content-Type"]
    assert response.status_code == 200, response.status_code
    assert asked.status_code == 302, asked.status_code
    assert page.status_code == 200, page.status_code
    job = PrintJob.objects.get()
    assert job.status == PrintJob.Status.DONE, (job.status, job.error)

    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(response.content)).pages)
    print(
        f"GET /van-ban/so/den/pdf/ (whole year, offers a print job): {offer_elapsed * 1000:.0f} ms"
    )
    print(
        f"GET /van-ban/so/den/pdf/ (whole year, printed in the request): {elapsed:.1f} s, "
        f"{pages} pages, {len(response.content) // 1024} KB, "
        f"{elapsed / args.documents * 1000:.1f} ms a row"
    )
    print(
        f"print job (POST /van-ban/so/tep-in/, task run on commit): {job_elapsed:.1f} s, "
        f"{job.size // 1024} KB stored as {job.storage_name}"
    )
    print(f"GET /van-ban/so/den/ (whole year, first web page): {page_elapsed * 1000:.0f} ms")
    print(f"peak memory of this process: {peak_rss_mb():.0f} MB")
    if args.out:
        Path(args.out).write_bytes(response.content)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
