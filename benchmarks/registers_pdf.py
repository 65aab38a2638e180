"""Measure the printed incoming register (R17) of a busy unit for a whole year.

Usage: .venv/bin/python benchmarks/registers_pdf.py [--documents 5000] [--repeat 1] [--out file.pdf]
Uses DATABASE_URL when set, else a new SQLite file in a temporary directory.
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

    client = Client()
    client.force_login(clerk, backend="vanban.accounts.backends.AccountBackend")
    with clock.frozen(dt.datetime(2026, 12, 31, 16, 0, tzinfo=REPORT_TZ)):
        t0 = time.perf_counter()
        response = client.get(
            "/van-ban/so/den/pdf/", {"unit": unit.pk, "period": "year", "year": "2026"}
        )
        elapsed = time.perf_counter() - t0
        t0 = time.perf_counter()
        page = client.get("/van-ban/so/den/", {"unit": unit.pk, "period": "year", "year": "2026"})
        page_elapsed = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    assert page.status_code == 200, page.status_code

    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(response.content)).pages)
    print(
        f"GET /van-ban/so/den/pdf/ (whole year): {elapsed:.1f} s, {pages} pages, "
        f"{len(response.content) // 1024} KB, {elapsed / args.documents * 1000:.1f} ms a row"
    )
    print(f"GET /van-ban/so/den/ (whole year, first web page): {page_elapsed * 1000:.0f} ms")
    print(f"peak memory of this process: {peak_rss_mb():.0f} MB")
    if args.out:
        Path(args.out).write_bytes(response.content)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
