"""The performance suite's checks of search (benchmarks/suite_truth.py) and its growth table
(benchmarks/growth.py): the ground truth must disagree with a wrong search, not only agree with a
right one."""

import io
import json
from contextlib import redirect_stdout

import pytest
from benchmarks.bench_data import main as bench_data_main
from benchmarks.suite_truth import (
    PROVINCE,
    Matcher,
    accuracy,
    ceiling_sql,
    ground_truth,
    match_hits,
    person_read,
    province,
    query_parts,
    search_hits,
)
from django.db import connection
from django.db.models import Count

from benchmarks import growth
from tests.benchmarks.test_bench_data import NOW
from vanban.accounts.models import Role, User
from vanban.core import clock
from vanban.documents.models import Document, DocumentShare

TEXT = " 613/qd-pvhtt 613 qd pvhtt | cong van ve viec nao vet kenh thuy loi | ubnd | manh me "


def test_the_matcher_takes_whole_words_and_phrases_in_order():
    assert Matcher("Nạo vét kênh")(TEXT)
    assert Matcher("kênh nạo")(TEXT)  # words, any order
    assert Matcher('"nạo vét kênh"')(TEXT)
    assert not Matcher('"kênh nạo vét"')(TEXT)  # a phrase keeps its order
    assert not Matcher("man")(TEXT)  # "mạnh" is not "man"
    assert not Matcher("nạo vét sông")(TEXT)  # every word must be there
    assert Matcher("613/QĐ-PVHTT")(TEXT)
    assert not Matcher("1613/QĐ-PVHTT")(TEXT)
    assert not Matcher("13/QĐ-PVHTT")(TEXT)
    assert query_parts('"Nạo vét" kênh').phrases == ["nao vet"]
    assert query_parts('"Nạo vét" kênh').words == ["nao", "vet", "kenh"]


def test_precision_and_recall_count_what_is_wrong_and_what_is_missing():
    right = accuracy({1, 2, 3}, {1, 2, 3})
    assert (right.precision, right.recall) == (1.0, 1.0)
    found = accuracy({1, 2, 3, 4}, {1, 2, 5, 6})  # 2 of 4 hits right, 2 of 4 found
    assert (found.precision, found.recall) == (0.5, 0.5)
    assert found.label() == "0.500 / 0.500"
    assert found.as_json()["hits_in_truth"] == 2
    assert accuracy(set(), {1}).recall == 0.0


def test_the_ceiling_is_the_full_text_query_without_visibility():
    sql, params = ceiling_sql("Nạo vét kênh", relevance=True)
    assert "search_vector @@ to_tsquery('simple', %s)" in sql
    assert "ts_rank_cd(" in sql and sql.endswith("LIMIT 51")
    assert params == ["'nao' & 'vet' & 'kenh'", "'nao' & 'vet' & 'kenh'"]
    assert "unit_id" not in sql and "documentshare" not in sql
    sql, params = ceiling_sql("30/2020/NĐ-CP", relevance=True)
    assert "search_vector" not in sql and "registered_at DESC" in sql
    assert params == ["% 30/2020/nd-cp %"]
    sql, params = ceiling_sql('"nạo vét kênh"', relevance=False)
    assert "ts_rank_cd" not in sql
    assert params == ["'nao' & 'vet' & 'kenh'", "% nao vet kenh %"]


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_database")
def test_the_ground_truth_agrees_with_the_search_on_a_generated_province():
    out = io.StringIO()
    with clock.frozen(NOW):
        assert bench_data_main(["--docs", "300", "--seed", "3"], stdout=out, stderr=out) == 0
    busiest = (
        Document.objects.filter(unit__role_assignments__role=Role.LEADER)
        .values("unit_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n")
        .first()
    )
    leader = User.objects.filter(
        role_assignments__unit_id=busiest["unit_id"], role_assignments__role=Role.LEADER
    ).first()
    readers = User.objects.filter(role_assignments__role__in=(Role.CLERK, Role.LEADER))
    given = (
        DocumentShare.objects.exclude(user__in=readers)
        .values("user_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]
    )
    staff = User.objects.get(pk=given["user_id"])
    queries = ["kế hoạch", "ke hoach", '"nạo vét kênh"', "Phú Khương", "30/2020/NĐ-CP", "xyzzy"]
    people = [person_read("leader", leader), person_read("staff", staff)]
    truth = ground_truth(queries, people, chunk=50)
    assert truth[("kế hoạch", "leader")], "a common word is found"
    assert truth[("kế hoạch", "leader")] == truth[("ke hoach", "leader")]
    assert truth[("30/2020/NĐ-CP", "leader")]
    assert not truth[("xyzzy", "leader")]
    # The staff member sees the documents given to them, and only those.
    shared = set(DocumentShare.objects.filter(user=staff).values_list("document_id", flat=True))
    assert truth[("kế hoạch", "staff")] <= shared
    for query in queries:
        for person, user in zip(people, (leader, staff), strict=True):
            found = accuracy(search_hits(user, query), truth[(query, person.key)])
            assert (found.precision, found.recall) == (1.0, 1.0), (query, person.key)
    # The match condition alone, over the whole province.
    whole = ground_truth(queries, [province()])
    for query in queries:
        found = accuracy(match_hits(query), whole[(query, PROVINCE)])
        assert (found.precision, found.recall) == (1.0, 1.0), query
    # Hits the leader may not see are counted as wrong.
    wider = whole[("kế hoạch", PROVINCE)]
    assert wider > truth[("kế hoạch", "leader")]
    assert accuracy(wider, truth[("kế hoạch", "leader")]).precision < 1.0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search: PostgreSQL")
@pytest.mark.usefixtures("empty_database")
def test_the_ceiling_finds_documents_that_hold_the_words():
    out = io.StringIO()
    with clock.frozen(NOW):
        assert bench_data_main(["--docs", "300", "--seed", "3"], stdout=out, stderr=out) == 0
    for query in ("kế hoạch", '"nạo vét kênh"', "30/2020/NĐ-CP"):
        sql, params = ceiling_sql(query, relevance=True)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        assert ids, query
        texts = Document.objects.filter(pk__in=ids).values_list("search_text", flat=True)
        assert all(Matcher(query)(text) for text in texts), query


def suite_json(rows: list[tuple[str, str, float]]) -> str:
    return json.dumps(
        {
            "rows": [
                {"scenario": s, "user": u, "ours": {"p95_ms": p}}
                for s, u, p in rows
                # A row without a timing, as the HTTP load's, is left out of the table.
            ]
            + [{"scenario": "HTTP mixed workload", "user": "50 people", "ours": None}]
        }
    )


def test_growth_prints_each_rows_p95_at_each_size_and_the_ratio(tmp_path):
    (tmp_path / "10000.json").write_text(
        suite_json(
            [
                ("my work", "leader (a), x", 50.0),
                ("incoming register, Q2/2026", "leader (a)", 20.0),
                ("search number-symbol “12/BC-UBND”", "staff (b), 1 hit", 30.0),
            ]
        )
    )
    (tmp_path / "1000000-partial.json").write_text(
        suite_json(
            [
                ("my work", "leader (c)", 75.0),
                ("incoming register, Q4/2025", "leader (c)", 80.0),
                ("search number-symbol “7/QĐ-SYT”", "staff (d), 2 hits", 15.0),
                ("search moderate “Phú Khương”", "leader (c)", 40.0),
            ]
        )
    )
    out = io.StringIO()
    with redirect_stdout(out):
        code = growth.main(["--results", str(tmp_path), "10000", "1000000"])
    table = out.getvalue()
    assert code == 0
    assert "| scenario | as | 10k p95 | 1M p95 | 1M / 10k |" in table
    assert "| my work | leader | 50.0 | 75.0 | 1.50 |" in table
    assert "| incoming register, Q (busiest) | leader | 20.0 | 80.0 | 4.00 |" in table
    assert "| search number-symbol (as typed) | staff | 30.0 | 15.0 | 0.50 |" in table
    assert "| search moderate “Phú Khương” | leader |  | 40.0 |  |" in table
    assert "HTTP" not in table


def test_growth_refuses_fewer_than_two_sizes(tmp_path, capsys):
    (tmp_path / "10000.json").write_text(suite_json([("my work", "leader", 50.0)]))
    assert growth.main(["--results", str(tmp_path), "10000", "1000000"]) == 1
    assert "two sizes" in capsys.readouterr().err
