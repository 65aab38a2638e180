"""Search: matching rules, access, filters, sorting, pagination and counting (selector level)."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import docx_bytes, pdf_upload, upload
from vanban.accounts.models import Role, RoleAssignment, User
from vanban.core import clock
from vanban.documents import search, selectors, services, visibility
from vanban.documents.models import Direction, Document, DocumentShare, RegisterSeries, Urgency
from vanban.documents.search import (
    SearchSort,
    document_search,
    result_rows,
    search_export_rows,
    search_page,
)
from vanban.documents.services import DocumentInput

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))


def incoming(office, *, at=NOW, clerk=None, unit=None, main_file=None, **fields) -> Document:
    with clock.frozen(at):
        return services.incoming_register(
            actor=clerk or office.clerk,
            unit=unit or office.province.stttt,
            data=incoming_input(**fields),
            refusals=DECLARED,
            main_file=main_file or scan(),
            confirm_duplicate=True,
        )


def outgoing(office, *, at=NOW, subject="Công văn về việc góp ý dự thảo", **fields) -> Document:
    data = DocumentInput(
        document_type=fields.pop("document_type", doc_type("Công văn")),
        subject=subject,
        recipients="Như trên; Lưu: VT.",
        signer_name="Phạm Minh Đức",
        **fields,
    )
    with clock.frozen(at):
        return services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=data,
            refusals=DECLARED,
            main_file=pdf_upload("di.pdf", subject),
        )


def found(user, query="", **filters) -> list[int]:
    return [d.pk for d in document_search(user=user, query=query, **filters)]


# ---------------------------------------------------------------- matching rules


def test_query_without_diacritics_or_case_finds_the_document(office):
    decision = incoming(
        office, subject="Quyết định về việc ban hành Quy chế văn thư", code_notation="QĐ-UBND"
    )
    other = incoming(
        office,
        subject="Quyết định về việc khen thưởng",
        code_notation="QĐ-SNV",
        issuer_name="Sở Nội vụ",
        issuer_code="",
    )
    clerk = office.clerk
    assert found(clerk, "quyet dinh ubnd") == [decision.pk]
    assert found(clerk, "QUYẾT ĐỊNH UBND") == [decision.pk]
    assert found(clerk, "Quyết Định") == [other.pk, decision.pk]


def test_d_with_stroke_folds_to_d(office):
    plan = incoming(
        office,
        subject="Đề án phát triển đô thị",
        document_type=doc_type("Đề án"),
        code_notation="ĐA-UBND",
    )
    assert found(office.clerk, "de an do thi") == [plan.pk]
    assert found(office.clerk, "quyet dinh") == []
    decision = incoming(office, subject="Quyết định giao chỉ tiêu")
    assert found(office.clerk, "quyet dinh") == [decision.pk]
    assert found(office.clerk, "đề án") == [plan.pk]


def test_no_word_is_dropped_as_a_stop_word(office):
    with_words = incoming(office, subject="Báo cáo về tình hình của Sở và các ngành")
    without = incoming(office, subject="Báo cáo tình hình Sở ngành")
    assert found(office.clerk, "bao cao tinh hinh so nganh") == [without.pk, with_words.pk]
    # Each query below finds both documents if its short word is ignored.
    assert found(office.clerk, "sở và ngành") == [with_words.pk]
    assert found(office.clerk, "cua so nganh") == [with_words.pk]
    assert found(office.clerk, "báo cáo về tình hình") == [with_words.pk]


def test_a_number_symbol_matches_exactly(office):
    exact = incoming(office, code_number="613", code_notation="QĐ-PVHTT")
    incoming(office, code_number="1613", code_notation="QĐ-PVHTT")
    incoming(office, code_number="613", code_notation="QĐ-PVHTTX")
    incoming(office, code_number="6130", code_notation="QĐ-PVHTT")
    assert found(office.clerk, "613/QD-PVHTT") == [exact.pk]
    assert found(office.clerk, "613/qđ-pvhtt") == [exact.pk]
    assert found(office.clerk, "613/QĐ-PVHTT về việc") == [exact.pk]


def test_a_pure_number_matches_whole_numbers_only(office):
    first = incoming(office, code_number="613", code_notation="QĐ-PVHTT")
    second = incoming(office, code_number="613", code_notation="CV-UBND")
    incoming(office, code_number="1613", code_notation="QĐ-PVHTT")
    incoming(office, code_number="6130", code_notation="QĐ-PVHTT")
    assert found(office.clerk, "613") == [second.pk, first.pk]
    assert found(office.clerk, "61") == []


def test_every_word_must_match(office):
    both = incoming(office, subject="Kế hoạch chuyển đổi số năm 2026")
    incoming(office, subject="Kế hoạch tuyển dụng viên chức")
    incoming(office, subject="Hội nghị chuyển đổi số")
    assert found(office.clerk, "ke hoach chuyen doi so") == [both.pk]
    assert found(office.clerk, "ke hoach chuyen doi so tuyen dung") == []


def test_every_word_is_matched_whole_the_last_one_too(office):
    document = incoming(office, subject="Quyết định phê duyệt quy hoạch")
    assert found(office.clerk, "phe duyet quy hoach") == [document.pk]
    # No word is the start of a longer word, the last one included.
    assert found(office.clerk, "phe duyet quy ho") == []
    assert found(office.clerk, "quyet di") == []
    assert found(office.clerk, "quye dinh") == []
    assert found(office.clerk, "duyet qu hoach") == []


def test_man_finds_neither_manh_nor_mang(office):
    strength = incoming(office, subject="Phát huy sức mạnh đoàn kết")
    network = incoming(office, subject="Bảo đảm an toàn mạng máy tính")
    bring = incoming(office, subject="Mang theo giấy tờ tùy thân")
    screen = incoming(office, subject="Mua màn hình cho bộ phận một cửa")
    assert found(office.clerk, "man") == [screen.pk]
    assert found(office.clerk, "mua man") == [screen.pk]
    assert found(office.clerk, "manh") == [strength.pk]
    assert found(office.clerk, "mang") == [bring.pk, network.pk]
    # A place ending "tre" (every issuing body here is of Bến Tre) does not find "trên".
    above = incoming(
        office, subject="Công văn gửi các đơn vị nêu trên", issuer_name="Sở Nội vụ", issuer_code=""
    )
    assert found(office.clerk, "ben tre") == [screen.pk, bring.pk, network.pk, strength.pk]
    assert above.pk not in found(office.clerk, "tre")
    assert found(office.clerk, "tren") == [above.pk]


def test_words_in_double_quotes_must_follow_one_another(office):
    phrase = incoming(office, subject="Kế hoạch chuyển đổi số năm 2026")
    scattered = incoming(office, subject="Kế hoạch số 12 về chuyển đổi mô hình")
    assert found(office.clerk, "ke hoach chuyen doi so") == [scattered.pk, phrase.pk]
    assert found(office.clerk, '"kế hoạch chuyển đổi số"') == [phrase.pk]
    assert found(office.clerk, "“ke hoach chuyen doi so” 2026") == [phrase.pk]
    assert found(office.clerk, '"ke hoach chuyen doi so" 2025') == []
    assert found(office.clerk, '"chuyen doi mo hinh"') == [scattered.pk]
    # A phrase never spans two fields: the subject and the file text are apart.
    assert found(office.clerk, '"nam 2026 quyet dinh"') == []
    # An unclosed quote runs to the end of the query.
    assert found(office.clerk, '"so nam 2026') == [phrase.pk]
    citing = incoming(office, subject="Thực hiện Quyết định 15/QĐ-UBND về chuyển đổi số")
    assert found(office.clerk, '"quyết định 15/QĐ-UBND về"') == [citing.pk]
    assert found(office.clerk, '"quyết định về"') == []


@pytest.mark.parametrize(
    "query",
    [
        "a & b | !c",
        ":*",
        "kế hoạch:*",
        "'",
        "''",
        "\\",
        "(",
        "<-> <2>",
        "!!",
        '"',
        '""',
        "&&|| 'ke' hoach'",
        "ke:* & !hoach",
        "%_%",
        "x" * 200,
    ],
)
def test_a_hostile_query_neither_errs_nor_matches_operators(office, query):
    plan = incoming(office, subject="Kế hoạch công tác năm")
    results = found(office.clerk, query)
    results_ranked = found(office.clerk, query, sort=SearchSort.RELEVANCE)
    assert results == results_ranked
    assert results in ([], [plan.pk])


def test_a_symbol_broken_across_lines_in_a_file_is_found(office):
    citing = incoming(
        office,
        subject="Công văn triển khai",
        main_file=pdf_upload(
            "cv.pdf", "Căn cứ Quyết định số 1366/QĐ-", "UBND ngày 15/6/2026 của Ủy ban nhân dân"
        ),
    )
    # PDFium gives the hyphen that ends a line as U+0002 and joins the lines.
    assert "1366/QĐ\x02UBND" in citing.files.get().text
    assert found(office.clerk, "1366/QĐ-UBND") == [citing.pk]
    assert found(office.clerk, "1366/qd-ubnd ngay") == [citing.pk]


def test_only_a_code_at_the_next_line_start_is_joined():
    text = search.search_text_build(
        fields=search.SearchFields(number=[], subject=[], people=[], other=[]),
        file_texts=[
            "số 12/QĐ-\nUBND và 7/\r\n  SNV; phát triển kinh tế-\nXã hội; QĐ -\nUBND; 8/QĐ\x02SNV"
        ],
    )
    assert " 12/qd-ubnd " in text and " 7/snv " in text and " 8/qd-snv " in text
    assert " xa " in text and " kinh " in text and "te-xa" not in text
    assert " qd ubnd " in text


# ---------------------------------------------------------------- relevance


def test_sections_of_the_search_text():
    text = search.search_text_build(
        fields=search.SearchFields(
            number=["15/QĐ-UBND"], subject=["Kế hoạch"], people=["Sở Nội vụ"], other=["ghi chú"]
        ),
        file_texts=["Nội dung tệp"],
    )
    assert (
        text
        == " 15/qd-ubnd 15 qd ubnd 15/qd qd-ubnd | ke hoach | so noi vu | ghi chu noi dung tep "
    )


def test_relevance_puts_subject_and_number_before_file_text(office):
    in_file = incoming(
        office,
        subject="Công văn về việc báo cáo",
        main_file=pdf_upload("a.pdf", "Đề nghị các đơn vị tăng cường an ninh mạng"),
    )
    in_subject = incoming(
        office, at=NOW - dt.timedelta(days=5), subject="Kế hoạch bảo đảm an ninh mạng"
    )
    relevance = found(office.clerk, "an ninh mang", sort=SearchSort.RELEVANCE)
    newest = found(office.clerk, "an ninh mang", sort=SearchSort.NEWEST)
    assert newest == [in_file.pk, in_subject.pk]
    if connection.vendor == "postgresql":
        assert relevance == [in_subject.pk, in_file.pk]
    else:  # SQLite ranks by date (search.py)
        assert relevance == newest


def test_relevance_puts_the_document_bearing_the_number_first(office):
    bearing = incoming(
        office, at=NOW - dt.timedelta(days=2), code_number="99", code_notation="BC-SNV"
    )
    incoming(office, code_number="199", code_notation="BC-SNV")
    citing = incoming(
        office,
        subject="Công văn đôn đốc",
        main_file=pdf_upload("b.pdf", "Thực hiện Báo cáo số 99/BC-SNV của Sở Nội vụ"),
    )
    relevance = found(office.clerk, "99/BC-SNV", sort=SearchSort.RELEVANCE)
    if connection.vendor == "postgresql":
        assert relevance == [bearing.pk, citing.pk]
    else:
        assert relevance == [citing.pk, bearing.pk]


def test_a_query_with_diacritics_ranks_the_same_diacritics_first(office):
    milk = incoming(office, at=NOW - dt.timedelta(days=3), subject="Kiểm tra an toàn thực phẩm sữa")
    repair = incoming(office, subject="Kế hoạch sửa chữa trụ sở")
    assert found(office.clerk, "sua", sort=SearchSort.RELEVANCE) == [repair.pk, milk.pk]
    ranked = found(office.clerk, "SỮA", sort=SearchSort.RELEVANCE)
    if connection.vendor == "postgresql":
        assert ranked == [milk.pk, repair.pk]
        assert found(office.clerk, "sửa", sort=SearchSort.RELEVANCE) == [repair.pk, milk.pk]
    else:
        assert ranked == [repair.pk, milk.pk]


def test_a_one_digit_number_finds_its_two_digit_form(office):
    five = incoming(office, code_number="5", code_notation="QĐ-UBND")
    incoming(office, code_number="15", code_notation="QĐ-UBND")
    assert five.number_symbol == "05/QĐ-UBND"
    assert found(office.clerk, "5/QĐ-UBND") == [five.pk]
    assert found(office.clerk, "05/QD-UBND") == [five.pk]


def test_parts_and_runs_of_a_number_symbol_are_found(office):
    decision = incoming(office, code_number="15", code_notation="QĐ-UBND")
    incoming(office, code_number="115", code_notation="QĐ-UBND")
    legal = incoming(
        office,
        code_number="44",
        code_notation="2017/QĐ-UBND",
        subject="Quyết định ban hành quy định phân cấp",
    )
    assert found(office.clerk, "15/QĐ") == [decision.pk]
    assert legal.pk in found(office.clerk, "QĐ-UBND")
    assert found(office.clerk, "44/2017/QĐ-UBND") == [legal.pk]
    assert found(office.clerk, "2017/qd-ubnd") == [legal.pk]


def test_issuing_body_signer_and_file_text_are_searched(office):
    by_pdf = incoming(
        office,
        subject="Công văn đề nghị phối hợp",
        main_file=pdf_upload("cv.pdf", "Triển khai nền tảng chuyển đổi số dùng chung"),
    )
    by_docx = incoming(
        office,
        subject="Thông báo kết luận",
        main_file=upload(
            "tb.docx", docx_bytes("Kết luận của đồng chí Chủ tịch về an toàn thực phẩm")
        ),
    )
    by_people = incoming(
        office,
        subject="Giấy mời họp",
        issuer_name="Bộ Thông tin và Truyền thông",
        issuer_code="",
        signer_name="Nguyễn Mạnh Hùng",
    )
    assert found(office.clerk, "nen tang chuyen doi so") == [by_pdf.pk]
    assert found(office.clerk, "an toan thuc pham") == [by_docx.pk]
    assert found(office.clerk, "bo thong tin truyen thong") == [by_people.pk]
    assert found(office.clerk, "nguyen manh hung") == [by_people.pk]


def test_special_characters_in_the_query_are_not_patterns(office):
    document = incoming(office, subject="Báo cáo tiến độ 100% kế hoạch")
    assert found(office.clerk, "100%") == [document.pk]
    assert found(office.clerk, "%") == [document.pk]  # no word: every visible document
    assert found(office.clerk, "bao_cao") == []


# ---------------------------------------------------------------- access


def test_documents_of_another_unit_never_appear(office):
    own = incoming(office, subject="Kế hoạch cải cách hành chính")
    other = incoming(
        office,
        subject="Kế hoạch cải cách hành chính",
        clerk=office.clerk_snv,
        unit=office.province.snv,
    )
    assert found(office.clerk, "cai cach hanh chinh") == [own.pk]
    assert found(office.leader, "cai cach hanh chinh") == [own.pk]
    assert found(office.clerk_snv, "cai cach hanh chinh") == [other.pk]
    assert found(office.clerk, "") == [own.pk]
    assert found(office.province.province_admin, "cai cach") == []


def test_a_person_finds_the_documents_given_to_them_only(office):
    given = incoming(office, subject="Kế hoạch kiểm tra công vụ")
    incoming(office, subject="Kế hoạch kiểm tra nội bộ")
    staff = office.province.staff_stttt
    assert found(staff, "ke hoach kiem tra") == []
    services.document_share(actor=office.clerk, document=given, user=staff)
    assert found(staff, "ke hoach kiem tra") == [given.pk]
    assert found(staff) == [given.pk]


def test_a_shared_document_is_listed_once(office):
    document = incoming(office, subject="Chỉ thị tăng cường kỷ luật")
    # The leader holds a share as presenting gives one (the processing's own share): an incoming
    # document waiting to be presented is not given to a leader for reading (share_rules).
    DocumentShare.objects.create(
        document=document, user=office.leader, granted_by=office.clerk, granted_at=clock.now()
    )
    services.document_share(actor=office.clerk, document=document, user=office.province.staff_stttt)
    assert found(office.leader, "chi thi") == [document.pk]
    page = search_page(document_search(user=office.leader, query="chi thi"))
    assert (page.count, page.exact, len(page.rows)) == (1, True, 1)


# ---------------------------------------------------------------- the two halves (visibility.py)


def two_halves(office) -> tuple[list[Document], list[Document], list[Document]]:
    """Documents of the leader's unit (half 1) and of another unit given to the leader (half 2),
    registered in turns with mixed urgencies, dates and subjects, so that every page and every
    order mixes the halves; two documents of the other unit are not given to the leader; the
    first of the unit's documents is given to the leader as well."""
    leader, snv = office.leader, office.province.snv
    own, given, hidden = [], [], []
    urgencies = [Urgency.NORMAL, Urgency.FLASH, Urgency.URGENT]
    for i in range(6):
        own.append(
            incoming(
                office,
                at=NOW + dt.timedelta(minutes=2 * i),
                subject=f"Kế hoạch kiểm tra số {i}" + (" kế hoạch năm" if i % 2 else ""),
                urgency=urgencies[i % 3],
                issued_date=dt.date(2026, 11, 1 + (7 * i) % 10),
                code_number=str(10 + i),
            )
        )
        other = incoming(
            office,
            at=NOW + dt.timedelta(minutes=2 * i + 1),
            clerk=office.clerk_snv,
            unit=snv,
            subject=f"Ke hoach phối hợp số {i}" + (" kế hoạch quý" if i % 2 == 0 else ""),
            urgency=urgencies[(i + 1) % 3],
            issued_date=dt.date(2026, 11, 1 + (3 * i) % 10),
            code_number=str(20 + i),
        )
        (hidden if i % 3 == 0 else given).append(other)
    for document in [*given, own[0]]:
        DocumentShare.objects.create(
            document=document, user=leader, granted_by=office.clerk_snv, granted_at=clock.now()
        )
    return own, given, hidden


def test_a_person_sees_the_two_halves_and_nothing_else(office):
    own, given, hidden = two_halves(office)
    leader = office.leader
    listed = found(leader)
    # Every document of the unit and every one given, each once (own[0] is in both).
    assert sorted(listed) == sorted(d.pk for d in [*own, *given])
    assert not {d.pk for d in hidden} & set(listed)
    assert listed.count(own[0].pk) == 1
    assert found(leader, "phoi hop") == [d.pk for d in reversed(given)]
    # A person without a register unit: the documents given to them only (the second half).
    staff_snv = office.province.staff_snv
    assert found(staff_snv) == []
    DocumentShare.objects.create(
        document=hidden[0], user=staff_snv, granted_by=office.clerk_snv, granted_at=clock.now()
    )
    assert found(staff_snv) == [hidden[0].pk]
    assert len(document_search(user=staff_snv).halves()) == 1
    assert found(office.clerk_snv) == [d.pk for d in sorted([*given, *hidden], key=lambda d: -d.pk)]
    # The halves are disjoint and each stays within the rule.
    first, second = document_search(user=leader).halves()
    assert {d.pk for d in first} == {d.pk for d in own}
    assert {d.pk for d in second} == {d.pk for d in given}


@pytest.mark.parametrize("inline", [True, False], ids=["ids", "subquery"])
@pytest.mark.parametrize("query", ["", "ke hoach", "Kế hoạch phối hợp"])
@pytest.mark.parametrize("sort", SearchSort.values)
def test_pages_across_the_halves_make_the_full_ordered_list(
    office, monkeypatch, sort, query, inline
):
    two_halves(office)
    if not inline:  # more documents given outside the units than are read as ids
        monkeypatch.setattr(visibility, "GIVEN_INLINE", 1)
    results = document_search(user=office.leader, query=query, sort=sort)
    # The same documents in the same order as the rule read as one condition.
    expected = [d.pk for d in result_rows(results).as_one_query()]
    assert expected, "the query finds documents of both halves"
    assert [d.pk for d in results] == expected
    for size in (1, 2, 3, 5):
        pages, number = [], 1
        while True:
            page = search_page(result_rows(results), page=number, page_size=size)
            pages.extend(d.pk for d in page.rows)
            assert page.count == len(expected) and page.exact
            if not page.has_next:
                break
            number += 1
        assert pages == expected, size
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    capped = search_page(results, page_size=2)
    assert (capped.count, capped.exact) == (min(3, len(expected)), len(expected) <= 3)
    rows, truncated = search_export_rows(result_rows(results), limit=4)
    assert ([d.pk for d in rows], truncated) == (expected[:4], len(expected) > 4)


@pytest.mark.parametrize("sort", [SearchSort.NEWEST, SearchSort.URGENCY, SearchSort.RELEVANCE])
def test_a_person_with_two_register_units_sees_both_once(office, sort):
    own, given, hidden = two_halves(office)
    leader = office.leader
    # Leader of the other unit too: every document of both units, the shares add nothing.
    RoleAssignment.objects.create(user=leader, unit=office.province.snv, role=Role.LEADER)
    leader = User.objects.get(pk=leader.pk)
    results = document_search(user=leader, query="ke hoach", sort=sort)
    expected = [d.pk for d in results.as_one_query()]
    assert sorted(expected) == sorted(d.pk for d in [*own, *given, *hidden])
    pages = []
    for number in (1, 2, 3, 4, 5, 6):
        page = search_page(results, page=number, page_size=3)
        pages.extend(d.pk for d in page.rows)
        assert page.count == len(expected)
    assert pages == expected
    first, second = results.halves()
    assert len(list(first)) == len(expected) and list(second) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="relevance order on PostgreSQL")
def test_relevance_ranks_the_newest_hits_and_the_older_follow_by_date(office, monkeypatch):
    own, given, _hidden = two_halves(office)
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    results = document_search(user=office.leader, query="ke hoach", sort=SearchSort.RELEVANCE)
    ranked = list(result_rows(results).as_one_query())  # every hit ranked, as one query
    newest_first = sorted(ranked, key=lambda d: (d.registered_at, d.pk), reverse=True)
    # Each half ranks its two newest hits; the older hits follow, newest first.
    window: set[int] = set()
    for half in (own, given):
        pks = {d.pk for d in half}
        window |= set([d.pk for d in newest_first if d.pk in pks][:2])
    expected = [d.pk for d in ranked if d.pk in window]
    expected += [d.pk for d in newest_first if d.pk not in window]
    assert len(window) == 4 and len(expected) == len(ranked) == 10
    assert expected != [d.pk for d in ranked] or expected != [d.pk for d in newest_first]
    for size in (1, 3, 4, 5):
        pages, number = [], 1
        while True:
            page = search_page(result_rows(results), page=number, page_size=size)
            assert page.rank_window_exceeded
            pages.extend(d.pk for d in page.rows)
            if not page.has_next:
                break
            number += 1
        assert pages == expected, size
    # Within the window, nothing changes.
    monkeypatch.setattr(search, "RANK_WINDOW", 1000)
    results = document_search(user=office.leader, query="ke hoach", sort=SearchSort.RELEVANCE)
    page = search_page(result_rows(results), page_size=20)
    assert [d.pk for d in page.rows] == [d.pk for d in ranked]
    assert not page.rank_window_exceeded


def test_a_share_carries_its_documents_unit(office):
    document = incoming(office)
    share = services.document_share(
        actor=office.clerk, document=document, user=office.province.staff_stttt
    )
    assert DocumentShare.objects.get(pk=share.pk).document_unit_id == document.unit_id
    # A share without it (made before the column, or by hand) still counts: as outside.
    DocumentShare.objects.filter(pk=share.pk).update(document_unit=None)
    assert found(office.province.staff_stttt) == [document.pk]


def test_the_document_list_pages_across_the_halves(office):
    own, given, _hidden = two_halves(office)
    listed = selectors.document_list(user=office.leader, direction=Direction.INCOMING)
    expected = [d.pk for d in listed.as_one_query()]
    assert sorted(expected) == sorted(d.pk for d in [*own, *given])
    paginator = Paginator(listed, 4)
    assert paginator.count == len(expected) == 10
    pages = [d.pk for n in paginator.page_range for d in paginator.page(n).object_list]
    assert pages == expected
    assert selectors.document_list(user=office.leader, unit=office.province.snv).count() == 4


def test_an_inactive_or_anonymous_person_finds_nothing(office):
    from django.contrib.auth.models import AnonymousUser

    incoming(office)
    assert found(AnonymousUser()) == []
    office.clerk.status = "locked"
    assert found(office.clerk) == []


# ---------------------------------------------------------------- filters


def test_filters_by_direction_type_urgency_unit_and_series(office):
    received = incoming(office, subject="Quyết định điều động", urgency=Urgency.URGENT)
    invitation = incoming(
        office,
        subject="Giấy mời dự hội nghị",
        document_type=doc_type("Giấy mời"),
        code_notation="GM-UBND",
    )
    sent = outgoing(office, subject="Công văn về việc điều động cán bộ")
    clerk = office.clerk
    assert found(clerk, direction=Direction.INCOMING) == [invitation.pk, received.pk]
    assert found(clerk, direction=Direction.OUTGOING) == [sent.pk]
    assert found(clerk, document_types=[doc_type("Giấy mời")]) == [invitation.pk]
    assert found(clerk, "dieu dong", document_types=[doc_type("Quyết định")]) == [received.pk]
    assert found(clerk, urgencies=[Urgency.URGENT]) == [received.pk]
    assert found(clerk, urgencies=[Urgency.FLASH]) == []
    assert found(clerk, unit=office.province.stttt) == [sent.pk, invitation.pk, received.pk]
    assert found(clerk, unit=office.province.snv) == []
    out_series = RegisterSeries.objects.get(direction=Direction.OUTGOING)
    assert found(clerk, series=out_series) == [sent.pk]


def test_filters_by_issued_date_and_by_local_registration_day(office):
    late = incoming(
        office,
        at=timezone.make_aware(dt.datetime(2026, 10, 31, 23, 30)),
        issued_date=dt.date(2026, 10, 20),
        subject="Văn bản tối 31/10",
    )
    early = incoming(
        office,
        at=timezone.make_aware(dt.datetime(2026, 11, 1, 0, 10)),
        issued_date=dt.date(2026, 10, 30),
        subject="Văn bản sáng 01/11",
    )
    clerk = office.clerk
    assert found(clerk, registered_to=dt.date(2026, 10, 31)) == [late.pk]
    assert found(clerk, registered_from=dt.date(2026, 11, 1)) == [early.pk]
    assert found(
        clerk, registered_from=dt.date(2026, 10, 31), registered_to=dt.date(2026, 10, 31)
    ) == [late.pk]
    assert found(clerk, issued_from=dt.date(2026, 10, 21)) == [early.pk]
    assert found(clerk, issued_to=dt.date(2026, 10, 20)) == [late.pk]
    assert found(clerk, issued_from=dt.date(2026, 10, 20), issued_to=dt.date(2026, 10, 30)) == [
        early.pk,
        late.pk,
    ]


# ---------------------------------------------------------------- sorting and pagination


def test_sort_orders(office):
    a = incoming(
        office,
        at=NOW - dt.timedelta(days=3),
        issued_date=dt.date(2026, 11, 10),
        urgency=Urgency.NORMAL,
    )
    b = incoming(
        office,
        at=NOW - dt.timedelta(days=2),
        issued_date=dt.date(2026, 11, 1),
        urgency=Urgency.FLASH,
    )
    c = incoming(
        office,
        at=NOW - dt.timedelta(days=1),
        issued_date=dt.date(2026, 11, 5),
        urgency=Urgency.URGENT,
    )
    assert (a.register_number, b.register_number, c.register_number) == (1, 2, 3)
    clerk = office.clerk
    assert found(clerk) == [c.pk, b.pk, a.pk]
    assert found(clerk, sort=SearchSort.NEWEST) == [c.pk, b.pk, a.pk]
    assert found(clerk, sort=SearchSort.OLDEST) == [a.pk, b.pk, c.pk]
    assert found(clerk, sort=SearchSort.ISSUED) == [a.pk, c.pk, b.pk]
    assert found(clerk, sort=SearchSort.NUMBER) == [c.pk, b.pk, a.pk]
    assert found(clerk, sort=SearchSort.URGENCY) == [b.pk, c.pk, a.pk]
    assert found(clerk, sort="nonsense") == [c.pk, b.pk, a.pk]


def test_pages_are_read_one_row_ahead(office):
    documents = [incoming(office, at=NOW + dt.timedelta(minutes=i)) for i in range(5)]
    newest_first = [d.pk for d in reversed(documents)]
    results = document_search(user=office.clerk)
    first = search_page(results, page=1, page_size=2)
    assert [d.pk for d in first.rows] == newest_first[:2]
    assert (first.has_next, first.has_previous, first.count, first.exact) == (True, False, 5, True)
    assert (first.first_index, first.last_index, first.num_pages) == (1, 2, 3)
    last = search_page(results, page=3, page_size=2)
    assert [d.pk for d in last.rows] == newest_first[4:]
    assert (last.has_next, last.has_previous, last.count, last.exact) == (False, True, 5, True)
    beyond = search_page(results, page=9, page_size=2)
    assert (beyond.rows, beyond.count, beyond.exact) == ([], 5, True)


def test_count_is_exact_up_to_the_cap_and_marked_approximate_above(office, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for i, week in enumerate(["một", "hai", "ba", "bốn", "năm"]):
        incoming(office, at=NOW + dt.timedelta(minutes=i), subject=f"Báo cáo tuần thứ {week}")
    page = search_page(document_search(user=office.clerk, query="bao cao"), page_size=2)
    assert (page.count, page.exact) == (3, False)
    assert page.count_label == "khoảng hơn 3 kết quả"
    assert page.num_pages is None
    # Every result can still be reached: the cap limits the counting, not the list.
    third = search_page(document_search(user=office.clerk, query="bao cao"), page=3, page_size=2)
    assert len(third.rows) == 1 and third.exact and third.count == 5
    exact = search_page(document_search(user=office.clerk, query="tuan thu hai"), page_size=2)
    assert (exact.count, exact.exact, exact.count_label) == (1, True, "1 kết quả")


def test_a_large_count_is_written_the_vietnamese_way(office, monkeypatch):
    incoming(office)
    page = search_page(document_search(user=office.clerk))
    page.count, page.exact = 10_000, False
    assert page.count_label == "khoảng hơn 10.000 kết quả"
    page.exact, page.count = True, 1234
    assert page.count_label == "1.234 kết quả"


def test_the_last_page_in_hand_needs_no_count(office, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    for i in range(3):
        incoming(office, at=NOW + dt.timedelta(minutes=i))
    # A clerk: the documents given to the clerk outside the unit are read first (their ids:
    # none here, so half 2 of the visibility rule is not read at all), then half 1.
    with django_assert_num_queries(2):
        page = search_page(document_search(user=office.clerk), page_size=10)
    assert (page.count, page.exact) == (3, True)
    with django_assert_num_queries(3):  # the ids, the page, then the capped count
        page = search_page(document_search(user=office.clerk), page_size=2)
    assert (page.count, page.exact) == (1, False)
    # A person without a register unit has the second half only, read by the ids given.
    for document in Document.objects.all():
        services.document_share(
            actor=office.clerk, document=document, user=office.province.staff_stttt
        )
    staff = office.province.staff_stttt
    staff.role_pairs()  # the roles are read once a request (the session's user)
    with django_assert_num_queries(2):
        page = search_page(document_search(user=staff), page_size=10)
    assert (page.count, page.exact) == (3, True)
    with django_assert_num_queries(3):
        page = search_page(document_search(user=staff), page_size=2)
    assert (page.count, page.exact) == (1, False)
    # Read once per search: the count the page asks for reuses the ids of its page.
    results = document_search(user=staff)
    search_page(results, page_size=2)
    with django_assert_num_queries(1):
        assert search.capped_count(results) == (1, False)


# ---------------------------------------------------------------- PostgreSQL indexes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text index on PostgreSQL")
def test_postgresql_answers_words_from_the_vector_and_symbols_from_trigrams(office):
    incoming(office, subject="Kế hoạch chuyển đổi số", code_number="15", code_notation="QĐ-UBND")

    def plan_of(query: str):
        found = Document.objects.filter(search.fts_condition(search.query_parse(query)))
        with connection.cursor() as cursor:
            # A few rows are read fastest by a scan; forbid it to see which index can be used.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            return found.explain(), [d.subject for d in found]

    plan, subjects = plan_of("chuyen doi so 15/qd-ubnd")
    assert "Bitmap Index Scan on documents_document_search_vector" in plan
    assert "''chuyen'' & ''doi'' & ''so''" in plan
    assert "% chuyen %" not in plan  # words are not matched by LIKE any more
    assert "search_text ~~ '% 15/qd-ubnd %'::text" in plan
    assert subjects == ["Kế hoạch chuyển đổi số"]
    plan, subjects = plan_of("15/qd-ubnd")
    assert "Bitmap Index Scan on documents_document_search_trgm" in plan
    assert subjects == ["Kế hoạch chuyển đổi số"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text index on PostgreSQL")
def test_postgresql_vector_is_weighted_by_section(office):
    document = incoming(
        office,
        subject="Kế hoạch chuyển đổi số",
        code_number="15",
        code_notation="QĐ-UBND",
        main_file=pdf_upload("c.pdf", "Nội dung tệp"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM documents_document WHERE id = %s", [document.pk]
        )
        (vector,) = cursor.fetchone()
    assert "'15':" in vector and "A" in vector.split("'15':")[1].split(" ")[0]
    assert "'chuyen':" in vector and vector.split("'chuyen':")[1].split(" ")[0].endswith("B")
    assert "'tep':" in vector and vector.split("'tep':")[1].split(" ")[0][-1].isdigit()
    assert "/" not in vector  # number-symbols stay out of the vector
