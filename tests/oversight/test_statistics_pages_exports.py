"""The statistics pages as XLSX and PDF (R24; Art. 11.1.đ, 11.2.b): the same numbers as the page
and the service, with Vietnamese headings."""

import io
import shutil
import subprocess

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.oversight.statistics_pages_world import NOVEMBER, QUERY, READ_AT, build_world
from vanban.core import clock
from vanban.oversight import statistics
from vanban.oversight.charts import number_vi
from vanban.oversight.statistics import Scope
from vanban.oversight.statistics_pages import COLUMNS, FIGURES, SHORT_LABELS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

PDFTOTEXT = shutil.which("pdftotext")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(office):
    return build_world(office)


def download(client: Client, url: str, query: dict | None = None):
    with clock.frozen(READ_AT):
        return client.get(url, QUERY if query is None else query)


def pdf_text(content: bytes) -> str:
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
        [PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(text.split())


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_province_as_a_spreadsheet(world, client_for):
    p = world.work.province
    response = download(client_for(p.province_admin), "/giam-sat/thong-ke/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="thong-ke-su-dung-toan-tinh-2026-11.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Biểu đồ 1", "Biểu đồ 2"]
    rows = sheet_rows(book["Tổng hợp"])
    assert rows[0][0] == "Thống kê sử dụng – Toàn tỉnh"
    assert rows[1][0] == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    with clock.frozen(READ_AT):
        province = statistics.usage(scope=Scope.province(), period=NOVEMBER)
        under_root = statistics.usage_by_unit(parent=p.root, period=NOVEMBER)
    by_label = {row[0]: row[1] for row in rows if row[0] and row[1] is not None}
    for name, label in FIGURES:
        assert by_label[label] == int(getattr(province, name) or 0), label
    header = rows.index(["STT", "Đơn vị", *(SHORT_LABELS[n] for n in COLUMNS)])
    table = {row[1]: row[2:] for row in rows[header + 1 :]}
    for unit, figures in under_root:
        assert table[unit.name] == [int(getattr(figures, n) or 0) for n in COLUMNS]
    assert table["Tổng cộng"] == [int(getattr(province, n) or 0) for n in COLUMNS]
    # The numbers of each chart, as on the page.
    series = sheet_rows(book["Biểu đồ 2"])
    assert series[3] == ["Ngày", "Văn bản đến điện tử", "Văn bản đến bản giấy", "Văn bản đi"]
    days = {row[0]: row[1:] for row in series[4:]}
    assert len(days) == 30
    assert days["12/11"] == [0, 2, 0]


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_unit_as_a_printed_report(world, client_for):
    work = world.work
    response = download(
        client_for(work.province.admin_stttt), f"/giam-sat/thong-ke/don-vi/{work.so.pk}/pdf/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    flat = pdf_text(response.content)
    assert "BÁO CÁO" in flat
    assert "TÌNH HÌNH SỬ DỤNG PHẦN MỀM QUẢN LÝ VĂN BẢN VÀ ĐIỀU HÀNH" in flat
    assert (
        "Sở Thông tin và Truyền thông và các đơn vị trực thuộc – "
        "Từ ngày 01/11/2026 đến ngày 30/11/2026" in flat
    )
    with clock.frozen(READ_AT):
        so = statistics.usage(scope=Scope.of_unit(work.so), period=NOVEMBER)
        children = statistics.usage_by_unit(parent=work.so, period=NOVEMBER)
    for name, label in FIGURES:
        assert f"{label} {number_vi(int(getattr(so, name) or 0))} " in flat, label
    for position, (unit, figures) in enumerate(children, start=1):
        values = " ".join(number_vi(int(getattr(figures, n) or 0)) for n in COLUMNS)
        assert f" {position} {unit.name} {values} " in flat, unit.name
    own = " ".join(str(getattr(so, n) or 0) for n in COLUMNS)
    assert f" 3 {work.so.name} (riêng đơn vị) {own} " in flat
    assert "Tổng cộng" in flat


def test_exports_are_refused_as_the_page_is(world, client_for):
    p = world.work.province
    assert download(client_for(p.staff_stttt), "/giam-sat/thong-ke/xlsx/").status_code == 403
    assert download(client_for(p.staff_stttt), "/giam-sat/thong-ke/pdf/").status_code == 403
    assert (
        download(
            client_for(p.admin_snv), f"/giam-sat/thong-ke/don-vi/{p.stttt.pk}/pdf/"
        ).status_code
        == 404
    )
    # A unit administrator's province export is their unit's.
    response = download(client_for(p.admin_stttt), "/giam-sat/thong-ke/xlsx/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/giam-sat/thong-ke/don-vi/{p.stttt.pk}/xlsx/?")
