"""The yearly list of kinds exchanged electronically and the compliance report (R22; Art. 8.2)."""

import io
import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from tests.oversight.support_reform import outgoing
from tests.support import refusals
from tests.support.documents import doc_type
from tests.support.drafting import Team
from tests.support.province import add_unit, make_user
from vanban.accounts.models import Role, Unit
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import fold
from vanban.documents.models import Direction, Document, DocumentType
from vanban.exchange.models import Delivery
from vanban.oversight import exchange_kinds
from vanban.oversight.models import ElectronicKind
from vanban.reports.periods import Period
from vanban.signatures.models import VerificationReport

YEAR = 2026
LIST_URL = "/giam-sat/van-ban-bat-buoc-dien-tu/"
REPORT_URL = f"{LIST_URL}thuc-hien/"

pytestmark = pytest.mark.usefixtures("drafting_clock")


def kinds_state() -> list[tuple]:
    return list(
        ElectronicKind.objects.order_by("pk").values_list(
            "year", "document_type_id", "subject_keyword", "is_exception", "note"
        )
    )


def add_line(team: Team, type_name: str, keyword: str = "", *, exception: bool = False, year=YEAR):
    return exchange_kinds.kind_add(
        actor=team.province.province_admin,
        year=year,
        document_type=doc_type(type_name),
        subject_keyword=keyword,
        is_exception=exception,
    )


# ------------------------------------------------------------------------------------ the list


def test_the_province_admin_sets_the_years_list_on_its_page(team, client_for):
    admin = client_for(team.province.province_admin)
    response = admin.post(
        f"{LIST_URL}them/",
        {
            "year": YEAR,
            "document_type": doc_type("Công văn").pk,
            "subject_keyword": "  Kế hoạch   chuyển đổi số ",
            "note": "Theo Quyết định của UBND tỉnh",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?year={YEAR}"
    line = ElectronicKind.objects.get()
    assert (line.year, line.document_type.name, line.subject_keyword, line.is_exception) == (
        YEAR,
        "Công văn",
        "Kế hoạch chuyển đổi số",
        False,
    )
    event = AuditEvent.objects.get(action="oversight.electronic_kinds.add")
    assert event.data["year"] == YEAR
    page = admin.get(f"{LIST_URL}?year={YEAR}").content.decode()
    assert "Kế hoạch chuyển đổi số" in page
    assert 'id="kind-form"' in page
    # Any person of the province reads the list, without the form.
    page = client_for(team.drafter).get(f"{LIST_URL}?year={YEAR}").content.decode()
    assert "Kế hoạch chuyển đổi số" in page
    assert 'id="kind-form"' not in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"subject_keyword": "—…—"},
            "Cụm từ trong trích yếu phải có ít nhất một chữ hoặc số.",
        ),
        ({"year": 1999}, "Năm phải từ 2000 đến 2100."),
    ],
)
def test_bad_lines_are_refused_with_a_reason(team, values, message):
    arguments = {
        "actor": team.province.province_admin,
        "year": YEAR,
        "document_type": doc_type("Quyết định"),
        **values,
    }
    refusals.refused(
        lambda: exchange_kinds.kind_add(**arguments), ServiceError, message, state=kinds_state
    )


def test_a_line_twice_and_an_inactive_type_are_refused(team, client_for):
    add_line(team, "Quyết định", "khen thưởng", exception=True)
    refusals.refused(
        lambda: add_line(team, "Quyết định", "Khen   thưởng", exception=True),
        ServiceError,
        "Danh mục năm 2026 đã có dòng này (ngoại lệ: Quyết định, trích yếu có “Khen thưởng”).",
        state=kinds_state,
    )
    old = DocumentType.objects.create(name="Bản ghi nhớ cũ", abbreviation="GNC", is_active=False)
    refusals.refused(
        lambda: exchange_kinds.kind_add(
            actor=team.province.province_admin, year=YEAR, document_type=old
        ),
        ServiceError,
        "Loại văn bản “Bản ghi nhớ cũ” đã ngừng sử dụng, không đưa vào danh mục được.",
        state=kinds_state,
    )
    # On the page: the form again with the reason, nothing added.
    before = kinds_state()
    response = client_for(team.province.province_admin).post(
        f"{LIST_URL}them/",
        {
            "year": YEAR,
            "document_type": doc_type("Quyết định").pk,
            "subject_keyword": "khen thưởng",
            "is_exception": "on",
        },
    )
    assert response.status_code == 200
    assert "Danh mục năm 2026 đã có dòng này" in response.content.decode()
    assert kinds_state() == before


@pytest.mark.parametrize("who", ["admin_stttt", "staff_stttt", "leader_stttt"])
def test_only_the_province_admin_edits_the_list(team, client_for, who):
    line = add_line(team, "Quyết định")
    user = getattr(team.province, who)
    before = kinds_state()
    client = client_for(user)
    add = client.post(f"{LIST_URL}them/", {"year": YEAR, "document_type": doc_type("Công văn").pk})
    delete = client.post(f"{LIST_URL}{line.pk}/xoa/")
    copy = client.post(f"{LIST_URL}sao-chep/", {"year": YEAR + 1})
    assert [add.status_code, delete.status_code, copy.status_code] == [403, 403, 403]
    assert kinds_state() == before
    refusals.refused(
        lambda: exchange_kinds.kind_add(actor=user, year=YEAR, document_type=doc_type("Công văn")),
        AccessDenied,
        "Chỉ quản trị tỉnh được lập danh mục văn bản bắt buộc gửi điện tử.",
        state=kinds_state,
    )


def test_the_years_list_is_copied_from_the_previous_year_and_lines_deleted(team, client_for):
    add_line(team, "Quyết định", year=YEAR - 1)
    add_line(team, "Công văn", "kế hoạch", year=YEAR - 1)
    add_line(team, "Quyết định", "khen thưởng", exception=True, year=YEAR - 1)
    admin = client_for(team.province.province_admin)
    response = admin.post(f"{LIST_URL}sao-chep/", {"year": YEAR})
    assert response.status_code == 302
    copied = ElectronicKind.objects.filter(year=YEAR)
    assert sorted(copied.values_list("document_type__name", "subject_keyword", "is_exception")) == [
        ("Công văn", "kế hoạch", False),
        ("Quyết định", "", False),
        ("Quyết định", "khen thưởng", True),
    ]
    # A second copy, or a copy from an empty year, is refused and changes nothing.
    refusals.refused(
        lambda: exchange_kinds.kinds_copy(actor=team.province.province_admin, year=YEAR),
        ServiceError,
        "Danh mục năm 2026 đã có 3 dòng: chỉ sao chép vào một năm chưa có danh mục.",
        state=kinds_state,
    )
    refusals.refused(
        lambda: exchange_kinds.kinds_copy(actor=team.province.province_admin, year=YEAR - 5),
        ServiceError,
        "Năm 2020 chưa có danh mục để sao chép.",
        state=kinds_state,
    )
    line = copied.get(subject_keyword="kế hoạch")
    assert admin.post(f"{LIST_URL}{line.pk}/xoa/").status_code == 302
    assert not ElectronicKind.objects.filter(pk=line.pk).exists()
    assert ElectronicKind.objects.filter(year=YEAR - 1).count() == 3


# ---------------------------------------------------------------------------------- compliance


@dataclass
class Registers:
    ward: Unit  # a unit under Sở Nội vụ
    stttt: list[Document]
    snv: list[Document]


@pytest.fixture
def registers(team) -> Registers:
    """The year's list (Quyết định; Công văn about "kế hoạch chuyển đổi số"; except Quyết định
    about "khen thưởng") and outgoing documents of each case."""
    add_line(team, "Quyết định")
    add_line(team, "Công văn", "kế hoạch chuyển đổi số")
    add_line(team, "Quyết định", "khen thưởng", exception=True)
    p = team.province
    ward = add_unit("Phòng Tổ chức", "PTC", "ptcsnv", "000.01.05.H07", p.snv)
    clerk_ward = make_user(ward, "Lý Văn Sổ", (Role.CLERK,))
    clerk, snv = team.clerk, team.clerk_snv
    stttt_docs = [
        outgoing(
            clerk, p.stttt, "Quyết định", "Ban hành quy chế", sent_to=p.snv, signature="valid"
        ),
        outgoing(clerk, p.stttt, "Quyết định", "Phân công nhiệm vụ", signature="valid"),
        outgoing(clerk, p.stttt, "Quyết định", "Thành lập tổ", sent_to=p.snv),
        outgoing(clerk, p.stttt, "Quyết định", "Giao chỉ tiêu", signature="invalid"),
        outgoing(clerk, p.stttt, "Công văn", "V/v kế hoạch chuyển đổi số năm 2026"),
        outgoing(clerk, p.stttt, "Công văn", "V/v mời họp giao ban"),
        outgoing(clerk, p.stttt, "Quyết định", "Khen thưởng tập thể"),
        outgoing(clerk, p.stttt, "Kế hoạch", "Kế hoạch chuyển đổi số"),
    ]
    snv_docs = [
        outgoing(snv, p.snv, "Quyết định", "Tuyển dụng công chức"),
        outgoing(clerk_ward, ward, "Công văn", "Góp ý kế hoạch chuyển đổi số", sent_to=p.stttt),
    ]
    return Registers(ward=ward, stttt=stttt_docs, snv=snv_docs)


def independent_counts(year: int) -> dict[int, tuple[int, int, int, int]]:
    """The same counts read another way: every outgoing document of the year in Python."""
    lines = list(ElectronicKind.objects.filter(year=year))

    def matches(line, document) -> bool:
        words = " ".join(re.findall(r"[a-z0-9]+", fold(line.subject_keyword)))
        subject = " " + " ".join(re.findall(r"[a-z0-9]+", fold(document.subject))) + " "
        if line.document_type_id != document.document_type_id:
            return False
        return not words or f" {words} " in subject

    counts: dict[int, list[int]] = {}
    for document in Document.objects.filter(direction=Direction.OUTGOING, year=year):
        required = any(matches(x, document) for x in lines if not x.is_exception)
        if not required or any(matches(x, document) for x in lines if x.is_exception):
            continue
        sent = Delivery.objects.filter(document=document).exists()
        signed = VerificationReport.objects.filter(document=document, status="valid").exists()
        row = counts.setdefault(document.unit_id, [0, 0, 0, 0])
        row[0] += 1
        row[1] += not sent
        row[2] += not signed
        row[3] += not (sent and signed)
    return {unit: tuple(values) for unit, values in counts.items()}


def test_the_counts_follow_the_list_and_equal_the_registers(team, registers):
    p = team.province
    report = exchange_kinds.compliance_report(user=p.province_admin, period=Period.year(YEAR))
    counts = {
        row.unit.pk: (row.required, row.paper, row.unsigned, row.noncompliant)
        for row in report.rows
    }
    # Sở TTTT: 4 Quyết định (the one about khen thưởng is an exception) and the Công văn about
    # kế hoạch chuyển đổi số; a Kế hoạch and another Công văn are not in the list.
    assert counts == {
        p.stttt.pk: (5, 3, 3, 4),
        p.snv.pk: (1, 1, 1, 1),
        registers.ward.pk: (1, 0, 1, 1),
    }
    assert counts == independent_counts(YEAR)
    assert [row.unit for row in report.rows] == [p.stttt, registers.ward, p.snv]
    assert (report.total.required, report.total.noncompliant) == (7, 6)
    # The first quarter has none of them; a year with no list says so.
    assert (
        exchange_kinds.compliance_report(user=p.province_admin, period=Period.quarter(YEAR, 1)).rows
        == []
    )
    assert not exchange_kinds.compliance_report(
        user=p.province_admin, period=Period.year(YEAR + 1)
    ).has_list


def listed(client, unit: Unit, problem: str) -> list[int]:
    page = client.get(f"{REPORT_URL}don-vi/{unit.pk}/?year={YEAR}&problem={problem}")
    assert page.status_code == 200
    return [int(pk) for pk in re.findall(r'id="document-(\d+)"', page.content.decode())]


def test_each_count_opens_the_documents_it_counts(team, registers, client_for):
    p = team.province
    admin = client_for(p.province_admin)
    page = admin.get(f"{REPORT_URL}?year={YEAR}").content.decode()
    row = page.split(f'id="unit-{p.stttt.pk}"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    numbers = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert numbers == ["Sở Thông tin và Truyền thông", "5", "3", "3", "4", "20,0%"]
    docs = registers.stttt
    assert set(listed(admin, p.stttt, "paper")) == {docs[1].pk, docs[3].pk, docs[4].pk}
    assert set(listed(admin, p.stttt, "unsigned")) == {docs[2].pk, docs[3].pk, docs[4].pk}
    assert set(listed(admin, p.stttt, "all")) == {
        docs[1].pk,
        docs[2].pk,
        docs[3].pk,
        docs[4].pk,
    }
    assert admin.get(f"{REPORT_URL}don-vi/{p.stttt.pk}/?year={YEAR}&problem=x").status_code == 400
    # Every count of every unit is the number of documents its list shows.
    report = exchange_kinds.compliance_report(user=p.province_admin, period=Period.year(YEAR))
    for row in report.rows:
        for problem, count in (
            ("paper", row.paper),
            ("unsigned", row.unsigned),
            ("all", row.noncompliant),
        ):
            assert len(listed(admin, row.unit, problem)) == count, (row.unit.name, problem)


def test_the_document_list_costs_the_same_whatever_its_length(
    team, registers, client_for, django_assert_max_num_queries
):
    p = team.province
    admin = client_for(p.province_admin)
    url = f"{REPORT_URL}don-vi/{p.stttt.pk}/?year={YEAR}"
    admin.get(url)  # the session and the person's roles are read once
    with django_assert_max_num_queries(12) as few:
        assert admin.get(url).status_code == 200
    for n in range(3):
        outgoing(team.clerk, p.stttt, "Quyết định", f"Giao nhiệm vụ {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert admin.get(f"{REPORT_URL}?year={YEAR}").status_code == 200


def test_who_reads_the_compliance_report(team, registers, client_for):
    p = team.province
    url = f"{REPORT_URL}?year={YEAR}"
    assert client_for(p.province_admin).get(url).status_code == 200
    # Anonymous: to the login page. Staff, leader, clerk: refused.
    from django.test import Client

    assert Client().get(url).status_code == 302
    for user in (p.staff_stttt, p.leader_stttt, team.clerk):
        response = client_for(user).get(url)
        assert response.status_code == 403
        assert response.status_code == 403
        drill = client_for(user).get(f"{REPORT_URL}don-vi/{p.stttt.pk}/?year={YEAR}")
        assert drill.status_code == 403
        assert client_for(user).get(f"{REPORT_URL}xlsx/?year={YEAR}").status_code == 403
    # The unit admin of Sở Nội vụ sees Sở Nội vụ and the unit under it, not Sở TTTT.
    snv_admin = client_for(p.admin_snv)
    page = snv_admin.get(url).content.decode()
    assert f'id="unit-{p.snv.pk}"' in page
    assert f'id="unit-{registers.ward.pk}"' in page
    assert f'id="unit-{p.stttt.pk}"' not in page
    assert listed(snv_admin, registers.ward, "all") == [registers.snv[1].pk]
    assert snv_admin.get(f"{REPORT_URL}don-vi/{p.stttt.pk}/?year={YEAR}").status_code == 404
    report = exchange_kinds.compliance_report(user=p.admin_stttt, period=Period.year(YEAR))
    assert [row.unit for row in report.rows] == [p.stttt]
    with pytest.raises(AccessDenied):
        exchange_kinds.compliance_report(user=p.staff_snv, period=Period.year(YEAR))


def test_the_report_as_a_spreadsheet(team, registers, client_for):
    p = team.province
    response = client_for(p.admin_snv).get(f"{REPORT_URL}xlsx/?year={YEAR}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="van-ban-bat-buoc-gui-dien-tu-2026.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    units = workbook["Theo đơn vị"]
    rows = [
        [cell.value for cell in row]
        for row in units.iter_rows(min_row=7)
        if row[1].value is not None
    ]
    assert rows == [
        [1, "Phòng Tổ chức", 1, 0, 1, 1, 0],
        [2, "Sở Nội vụ", 1, 1, 1, 1, 0],
        [None, "Tổng cộng", 2, 1, 2, 2, 0],
    ]
    documents = workbook["Văn bản chưa thực hiện đúng"]
    subjects = sorted(row[4].value for row in documents.iter_rows(min_row=4))
    assert subjects == [
        "Công văn – Góp ý kế hoạch chuyển đổi số",
        "Quyết định – Tuyển dụng công chức",
    ]


def test_a_bad_period_is_refused_with_a_reason(team, client_for):
    response = client_for(team.province.province_admin).get(f"{REPORT_URL}?year=abc&quarter=7")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Năm không hợp lệ." in page
    assert "Quý phải từ 1 đến 4." in page
