"""Each unit's administrative-reform points and the ranking (R24; Art. 12.2): the points worked
out by hand for a small unit equal the page's, the PDF and the spreadsheet say the same, and
only administrators read them."""

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.oversight.support_reform import incoming, outgoing
from tests.support.documents import doc_type
from tests.support.province import add_unit
from vanban.core.errors import AccessDenied, ServiceError
from vanban.oversight import exchange_kinds, reform
from vanban.oversight.reform import CriterionInput
from vanban.oversight.statistics_build import usage_rebuild

YEAR = 2026
TODAY = dt.date(2026, 11, 25)
BASE = "/giam-sat/cai-cach-hanh-chinh/"
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.usefixtures("drafting_clock")

# (code, measure, threshold, target, points) and, by hand, the share and points of Sở TTTT.
CRITERIA = [
    ("A", "sent_electronic", "40", "90", "2"),
    ("B", "received_electronic", "0", "100", "2"),
    ("C", "signed", "0", "100", "3"),
    ("D", "processed_on_system", "10", "90", "1"),
    ("E", "on_time", "50", "90", "1"),
    ("F", "mandatory_electronic", "0", "80", "1"),
]
# A: 2 of 4 outgoing sent = 50% -> 2 * (50 - 40) / 50 = 0.40
# B: 1 of 2 incoming electronic = 50% -> 2 * 50 / 100 = 1.00
# C: 3 validly signed of 6 registered = 50% -> 3 * 50 / 100 = 1.50
# D: 0 processed of 2 incoming = 0% (below 10%) -> 0
# E: nothing processed: no figure -> 0
# F: 1 of 2 Quyết định sent and signed = 50% -> 1 * 50 / 80 = 0.625 -> 0.63
BY_HAND = {
    "A": ("50", "0.40"),
    "B": ("50", "1.00"),
    "C": ("50", "1.50"),
    "D": ("0", "0.00"),
    "E": (None, "0.00"),
    "F": ("50", "0.63"),
}
TOTAL = Decimal("3.53")


@pytest.fixture
def year_data(team):
    """The year's criteria and list, and the documents of Sở TTTT on 25/11/2026, aggregated."""
    p = team.province
    reform.reform_scheme_save(
        actor=p.province_admin,
        year=YEAR,
        total_points=Decimal(10),
        criteria=[
            CriterionInput(
                code=code,
                name=f"Tiêu chí {code}",
                measure=measure,
                threshold=Decimal(threshold),
                target=Decimal(target),
                max_points=Decimal(points),
            )
            for code, measure, threshold, target, points in CRITERIA
        ],
    )
    exchange_kinds.kind_add(actor=p.province_admin, year=YEAR, document_type=doc_type("Quyết định"))
    clerk = team.clerk
    outgoing(
        clerk,
        p.stttt,
        "Quyết định",
        "Ban hành quy chế",
        sent_to=p.snv,
        signature="valid",
        electronic=True,
    )
    outgoing(clerk, p.stttt, "Quyết định", "Giao chỉ tiêu", sent_to=p.snv, electronic=True)
    outgoing(clerk, p.stttt, "Công văn", "V/v mời họp", signature="valid", electronic=True)
    outgoing(clerk, p.stttt, "Công văn", "V/v báo cáo")
    incoming(clerk, p.stttt, "21", electronic=True, signature="valid")
    incoming(clerk, p.stttt, "22")
    justice = add_unit("Sở Tư pháp", "STP", "stp", "000.00.07.H07", p.root)
    usage_rebuild(first=TODAY, last=TODAY)
    return justice


def test_the_points_by_hand_equal_the_service(team, year_data):
    p = team.province
    score = reform.unit_score(user=p.province_admin, unit=p.stttt, year=YEAR)
    found = {
        r.criterion.code: (None if r.share is None else f"{r.share.normalize():f}", f"{r.points}")
        for r in score.results
    }
    assert found == BY_HAND
    assert score.total == TOTAL
    assert [(r.part, r.whole) for r in score.results] == [
        (2, 4),
        (1, 2),
        (3, 6),
        (0, 2),
        (0, 0),
        (1, 2),
    ]


def test_the_unit_page_shows_the_points_by_hand(team, year_data, client_for):
    p = team.province
    page = client_for(p.admin_stttt).get(f"{BASE}ket-qua/?unit={p.stttt.pk}&year={YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    for code, (share, points) in BY_HAND.items():
        row = html.split(f'id="score-{code}"')[1].split("</tr>")[0]
        shown = re.search(r'class="points">([^<]*)<', row).group(1)
        assert shown == points.replace(".", ",").removesuffix(",00"), code
        if share is None:
            assert "không có số liệu" in row
    total = html.split('id="total-row"')[1].split("</tr>")[0]
    assert re.search(r'class="points">([^<]*)<', total).group(1) == "3,53"


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) missing")
def test_the_unit_report_as_a_pdf(team, year_data, client_for):
    p = team.province
    response = client_for(p.admin_stttt).get(f"{BASE}ket-qua/pdf/?unit={p.stttt.pk}&year={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="diem-cai-cach-hanh-chinh-stttt-2026.pdf"'
    )
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
        [PDFTOTEXT, "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert "KẾT QUẢ CHẤM ĐIỂM ỨNG DỤNG CÔNG NGHỆ THÔNG TIN" in flat
    assert "NĂM 2026" in flat
    assert "Sở Thông tin và Truyền thông và các đơn vị trực thuộc" in flat
    lines = [" ".join(line.split()) for line in text.splitlines()]
    total = next(line for line in lines if line.startswith("Tổng điểm"))
    assert total == "Tổng điểm 3,53 10"
    # Criterion C: its figures, share, range and points on its first line.
    assert "C Tiêu chí C 3 văn bản có chữ ký số 50% 0% – 1,50 3" in lines
    assert "E Tiêu chí E 0 văn bản xử lý xong không có 50% – 0 1" in lines
    # The closing names where the report goes: the unit, the Sở Nội vụ, the file copy.
    assert "Nơi nhận:" in flat and "- Sở Nội vụ;" in flat and "- Lưu: VT." in flat


def test_the_ranking_ranks_by_points_and_shares_equal_ranks(team, year_data, client_for):
    p = team.province
    justice = year_data
    scores = reform.ranking(user=p.province_admin, year=YEAR, parent=p.root)
    assert [(s.unit, s.rank, s.total) for s in scores] == [
        (p.stttt, 1, TOTAL),
        (p.snv, 2, Decimal("0.00")),
        (justice, 2, Decimal("0.00")),
    ]
    admin = client_for(p.province_admin)
    page = admin.get(f"{BASE}xep-hang/?year={YEAR}").content.decode()
    ranks = re.findall(r'id="unit-(\d+)">\s*<td class="rank">(\d+)</td>', page)
    assert ranks == [(str(p.stttt.pk), "1"), (str(p.snv.pk), "2"), (str(justice.pk), "2")]
    response = admin.get(f"{BASE}xep-hang/xlsx/?year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0] == [
        "Hạng",
        "Đơn vị",
        *(f"{c[0]} (tối đa {c[4]})" for c in CRITERIA),
        "Tổng điểm",
    ]
    assert rows[1] == [1, "Sở Thông tin và Truyền thông", 0.4, 1.0, 1.5, 0.0, 0.0, 0.63, 3.53]
    assert [row[:2] for row in rows[2:]] == [[2, "Sở Nội vụ"], [2, "Sở Tư pháp"]]


def test_who_reads_the_points_and_the_ranking(team, year_data, client_for):
    p = team.province
    unit_url = f"{BASE}ket-qua/?unit={p.stttt.pk}&year={YEAR}"
    pdf_url = f"{BASE}ket-qua/pdf/?unit={p.stttt.pk}&year={YEAR}"
    ranking_url = f"{BASE}xep-hang/?year={YEAR}"
    xlsx_url = f"{BASE}xep-hang/xlsx/?year={YEAR}"
    anonymous = Client()
    assert [anonymous.get(url).status_code for url in (unit_url, ranking_url)] == [302, 302]
    for user in (p.staff_stttt, p.leader_stttt, team.clerk):
        client = client_for(user)
        codes = [client.get(url).status_code for url in (unit_url, pdf_url, ranking_url, xlsx_url)]
        assert codes == [403, 403, 403, 403]
    # The unit admin of Sở TTTT: their unit, not another, and no ranking.
    own = client_for(p.admin_stttt)
    assert own.get(unit_url).status_code == 200
    assert own.get(f"{BASE}ket-qua/?unit={p.snv.pk}&year={YEAR}").status_code == 404
    assert own.get(ranking_url).status_code == 403
    assert own.get(xlsx_url).status_code == 403
    # The unit admin of Sở Nội vụ does not see Sở TTTT's points.
    other = client_for(p.admin_snv)
    assert other.get(unit_url).status_code == 404
    assert other.get(pdf_url).status_code == 404
    assert other.get(f"{BASE}ket-qua/?year={YEAR}").status_code == 200  # their own unit
    # The province administrator sees every unit and the ranking.
    admin = client_for(p.province_admin)
    assert [admin.get(url).status_code for url in (unit_url, pdf_url, ranking_url, xlsx_url)] == [
        200,
        200,
        200,
        200,
    ]
    with pytest.raises(AccessDenied):
        reform.ranking(user=p.admin_stttt, year=YEAR, parent=p.root)


def test_a_year_without_criteria_or_not_begun_is_refused_with_a_reason(team, year_data, client_for):
    p = team.province
    with pytest.raises(ServiceError) as refused:
        reform.unit_score(user=p.province_admin, unit=p.stttt, year=2025)
    assert refused.value.message == "Năm 2025 chưa có bộ tiêu chí chấm điểm."
    reform.reform_scheme_copy(actor=p.province_admin, year=YEAR + 1)
    with pytest.raises(ServiceError) as refused:
        reform.ranking(user=p.province_admin, year=YEAR + 1, parent=p.root)
    assert refused.value.message == "Năm 2027 chưa bắt đầu: chưa có số liệu để chấm điểm."
    page = client_for(p.province_admin).get(f"{BASE}xep-hang/?year=2025")
    assert page.status_code == 400
    assert "Năm 2025 chưa có bộ tiêu chí chấm điểm." in page.content.decode()


def test_the_ranking_costs_the_same_whatever_the_number_of_units(
    team, year_data, client_for, django_assert_max_num_queries
):
    p = team.province
    admin = client_for(p.province_admin)
    url = f"{BASE}xep-hang/?year={YEAR}"
    admin.get(url)
    with django_assert_max_num_queries(30) as few:
        assert admin.get(url).status_code == 200
    for n in range(3):
        add_unit(f"Sở thứ {n}", "S", f"so{n}", f"000.00.{60 + n}.H07", p.root)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin.get(url).status_code == 200
