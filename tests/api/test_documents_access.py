"""Reading documents through the API: who sees what (R14), list, search, detail, download with the
SHA-256 check, and fixed query counts on the lists."""

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.api.test_documents import (
    DOCUMENT_PATHS,
    NOW,
    ONLY_CLERK,
    Desk,
    incoming_fields,
    make_desk,
    outgoing_fields,
    pdf_file,
    post_form,
    state,
)
from tests.support.api import token_for
from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import pdf_bytes, upload
from tests.support.matrix import Case, cell_params, every_cell
from tests.support.province import make_user
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents import services
from vanban.documents.models import Document, DocumentFile, Urgency
from vanban.documents.services import DocumentInput

pytestmark = pytest.mark.django_db

NO_DOCUMENT = "Không tìm thấy văn bản."
NO_FILE = "Không tìm thấy tệp."
MISSING_TOKEN = "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”."
FILE_LINES = ("Quyết định ban hành Quy chế", "Phụ lục: chuyển đổi số tại cơ sở")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(NOW):
        yield


@dataclass
class Library:
    """Three registered documents, one of them given to a member of staff."""

    desk: Desk
    incoming: Document
    outgoing: Document
    snv: Document
    main_file: DocumentFile
    pdf: bytes


@pytest.fixture
def library(province) -> Library:
    desk = make_desk(province)
    pdf = pdf_bytes(*FILE_LINES)
    incoming = services.incoming_register(
        actor=desk.clerk,
        unit=province.stttt,
        data=incoming_input(subject="Quyết định ban hành Quy chế làm việc"),
        refusals=DECLARED,
        main_file=upload("Quyết định 15.pdf", pdf, "application/pdf"),
    )
    outgoing = services.outgoing_register(
        actor=desk.clerk,
        unit=province.stttt,
        data=DocumentInput(
            document_type=doc_type("Công văn"),
            subject="Góp ý dự thảo Quy chế văn thư",
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_file(),
    )
    snv = services.incoming_register(
        actor=desk.clerk_snv,
        unit=province.snv,
        data=incoming_input(code_number="44", subject="Quy chế thi đua khen thưởng"),
        refusals=DECLARED,
        main_file=scan(),
    )
    shared = make_user(province.stttt, "Lý Văn Nhận")
    services.document_share(actor=desk.leader, document=incoming, user=shared)
    desk.tokens["shared"] = token_for(shared)
    return Library(
        desk=desk,
        incoming=incoming,
        outgoing=outgoing,
        snv=snv,
        main_file=incoming.files.get(),
        pdf=pdf,
    )


# ---------------------------------------------------------------- authorization matrix

CALLERS = ["anonymous", "staff", "shared", "clerk_snv", "leader", "clerk"]

# What each caller sees among the three documents.
VISIBLE = {
    "staff": set(),
    "shared": {"incoming"},
    "clerk_snv": {"snv"},
    "leader": {"incoming", "outgoing"},
    "clerk": {"incoming", "outgoing"},
}


def _ids(library: Library, names: set[str]) -> list[int]:
    return sorted(getattr(library, name).pk for name in names)


def _page_check(library: Library, caller: str, response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    assert sorted(item["id"] for item in body["items"]) == _ids(library, VISIBLE[caller])
    assert body["count"] == len(VISIBLE[caller])


def _detail_check(library: Library, caller: str, response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    assert (body["id"], body["number_symbol"]) == (library.incoming.pk, "15/QĐ-UBND")
    assert [f["sha256"] for f in body["files"]] == [hashlib.sha256(library.pdf).hexdigest()]


def _download_check(library: Library, caller: str, response) -> None:  # type: ignore[no-untyped-def]
    assert b"".join(response.streaming_content) == library.pdf
    event = AuditEvent.objects.get(action="document.file_download")
    assert (event.target_id, event.data["file"]) == (
        str(library.incoming.pk),
        library.main_file.pk,
    )


def _created_check(library: Library, caller: str, response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    assert body["unit_id"] == library.desk.province.stttt.pk
    assert body["register_number"] == 2


def _types_check(library: Library, caller: str, response) -> None:  # type: ignore[no-untyped-def]
    assert len(response.json()) == 29


READERS = ["shared", "leader", "clerk"]
NOT_CLERKS = ["staff", "shared", "clerk_snv", "leader"]
NOT_READERS = ["staff", "clerk_snv"]

CASES = [
    Case(
        "GET /documents",
        "get",
        lambda lib: "/documents",
        allowed=set(VISIBLE),
        expect=dict.fromkeys(VISIBLE, 200),
        check=_page_check,
    ),
    Case(
        "GET /documents/search",
        "get",
        lambda lib: "/documents/search",
        data=lambda lib: {"q": "quy che"},
        allowed=set(VISIBLE),
        expect=dict.fromkeys(VISIBLE, 200),
        check=_page_check,
    ),
    Case(
        "GET /documents/{document_id}",
        "get",
        lambda lib: f"/documents/{lib.incoming.pk}",
        allowed=set(READERS),
        expect={**dict.fromkeys(READERS, 200), **dict.fromkeys(NOT_READERS, 404)},
        detail=dict.fromkeys(NOT_READERS, NO_DOCUMENT),
        check=_detail_check,
    ),
    Case(
        "GET /documents/files/{file_id}/download",
        "get",
        lambda lib: f"/documents/files/{lib.main_file.pk}/download",
        allowed=set(READERS),
        expect={**dict.fromkeys(READERS, 200), **dict.fromkeys(NOT_READERS, 404)},
        detail=dict.fromkeys(NOT_READERS, NO_FILE),
        check=_download_check,
    ),
    Case(
        "POST /documents/incoming",
        "post",
        lambda lib: "/documents/incoming",
        data=lambda lib: {
            **incoming_fields(code_number="99", unit_id=lib.desk.province.stttt.pk),
            "main_file": pdf_file(),
        },
        multipart=True,
        allowed={"clerk"},
        expect={"clerk": 201, **dict.fromkeys(NOT_CLERKS, 403)},
        detail=dict.fromkeys(NOT_CLERKS, ONLY_CLERK),
        check=_created_check,
    ),
    Case(
        "POST /documents/outgoing",
        "post",
        lambda lib: "/documents/outgoing",
        data=lambda lib: {
            **outgoing_fields(unit_id=lib.desk.province.stttt.pk),
            "main_file": pdf_file(),
        },
        multipart=True,
        allowed={"clerk"},
        expect={"clerk": 201, **dict.fromkeys(NOT_CLERKS, 403)},
        detail=dict.fromkeys(NOT_CLERKS, ONLY_CLERK),
        check=_created_check,
    ),
    Case(
        "GET /documents/types",
        "get",
        lambda lib: "/documents/types",
        allowed=set(VISIBLE),
        expect=dict.fromkeys(VISIBLE, 200),
        check=_types_check,
    ),
]


def _send(api, case: Case, token: str | None, library: Library):  # type: ignore[no-untyped-def]
    url = case.url(library)
    if case.method == "get":
        return api.get(url, token, **case.body(library))
    # Every POST here is a form with a file, as `curl -F` sends it.
    assert case.multipart, case.name
    return post_form(api, url.removeprefix("/documents"), token, case.body(library))


def test_the_matrix_covers_every_document_endpoint_and_caller(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in paths.items()
        if path.startswith("/api/v1/documents")
        for method in operations
    }
    assert documented == {case.name for case in CASES} == DOCUMENT_PATHS
    for case in CASES:
        assert set(case.expect) | {"anonymous"} == set(CALLERS), case.name
        assert "anonymous" not in case.expect, case.name
        # The allowed are answered with success; each refused person with a message.
        assert {c for c, status in case.expect.items() if status < 400} == set(case.allowed), (
            case.name
        )
        assert set(case.detail) == set(case.expect) - set(case.allowed), case.name
        assert case.check is not None, case.name


@pytest.mark.parametrize(("case", "caller"), cell_params(every_cell(CASES, CALLERS)))
def test_matrix(library, api, case: Case, caller: str):
    before = state()
    response = _send(api, case, library.desk.tokens.get(caller), library)
    if caller in case.allowed:
        assert response.status_code == case.expect[caller], response.content.decode()
        assert case.check is not None
        case.check(library, caller, response)
        return
    if caller == "anonymous":
        status, message = 401, MISSING_TOKEN
    else:
        status, message = case.expect[caller], case.detail[caller]
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"] == message
    assert state() == before


# ---------------------------------------------------------------- download


def test_download_sends_the_bytes_with_the_vietnamese_name_and_is_audited(library, api):
    desk = library.desk
    response = api.get(f"/documents/files/{library.main_file.pk}/download", desk.tokens["leader"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == library.pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(library.pdf))
    assert response["Content-Disposition"] == (
        'attachment; filename="Quyet dinh 15.pdf"; '
        "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2015.pdf"
    )
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="document.file_download")
    assert (event.actor, event.unit) == (desk.leader, desk.province.stttt)
    assert (event.target_type, event.target_id) == ("documents.document", str(library.incoming.pk))
    assert event.data == {
        "file": library.main_file.pk,
        "name": "Quyết định 15.pdf",
        "sha256": hashlib.sha256(library.pdf).hexdigest(),
    }


def _refused_download(library: Library, api, detail: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    before = state()
    response = api.get(
        f"/documents/files/{library.main_file.pk}/download", library.desk.tokens["clerk"]
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "detail": detail,
        "field": None,
        "document_id": library.incoming.pk,
    }
    # Nothing sent and nothing changed, but the refusal is in the audit trail.
    assert state() == {**before, "audit": before["audit"] + 1}
    assert not AuditEvent.objects.filter(action="document.file_download").exists()
    event = AuditEvent.objects.get(action="document.file_download_refused")
    assert (event.actor, event.data["reason"]) == (library.desk.clerk, reason)


def test_a_changed_stored_file_is_not_sent(library, api):
    name = library.main_file.storage_name
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(library.pdf + b"%")) == name
    _refused_download(
        library,
        api,
        "Tệp trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với lúc vào sổ) nên "
        "không tải xuống. Hãy báo quản trị hệ thống.",
        "changed",
    )


def test_a_missing_stored_file_is_not_sent(library, api):
    default_storage.delete(library.main_file.storage_name)
    _refused_download(
        library,
        api,
        "Tệp không còn trong kho lưu trữ nên không tải xuống được. Hãy báo quản trị hệ thống để "
        "khôi phục từ bản sao lưu.",
        "missing",
    )


def test_unknown_objects_are_404(library, api):
    token = library.desk.tokens["clerk"]
    for path, detail in (
        ("/documents/999999", NO_DOCUMENT),
        ("/documents/files/999999/download", NO_FILE),
    ):
        response = api.get(path, token)
        assert response.status_code == 404
        assert response.json() == {"detail": detail, "field": None}


# ---------------------------------------------------------------- list


def test_list_filters_and_puts_urgent_documents_first(library, api):
    desk = library.desk
    flash = services.incoming_register(
        actor=desk.clerk,
        unit=desk.province.stttt,
        data=incoming_input(code_number="20", urgency=Urgency.FLASH),
        refusals=DECLARED,
        main_file=scan(),
    )
    token = desk.tokens["clerk"]

    def ids(**params: Any) -> list[int]:
        response = api.get("/documents", token, **params)
        assert response.status_code == 200, response.content.decode()
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [flash.pk, library.outgoing.pk, library.incoming.pk]
    assert ids(direction="in") == [flash.pk, library.incoming.pk]
    assert ids(direction="out") == [library.outgoing.pk]
    assert ids(unit=desk.province.snv.pk) == []
    assert ids(year=2026) == ids()
    assert ids(year=2025) == []
    assert ids(page_size=2, page=2) == [library.incoming.pk]
    item = api.get("/documents", token, direction="in").json()["items"][0]
    assert (item["urgency"], item["urgency_label"], item["arrival_number"]) == (3, "Hỏa tốc", "2")
    assert item["unit_name"] == "Sở Thông tin và Truyền thông"
    response = api.get("/documents", token, direction="den")
    assert response.status_code == 422
    body = response.json()
    assert (body["detail"], body["field"]) == (
        "Dữ liệu gửi lên không hợp lệ: direction: phải là một trong: “”, in, out.",
        "direction",
    )


# ---------------------------------------------------------------- search


def test_search_ignores_diacritics_and_matches_symbols_whole(library, api):
    desk = library.desk
    exact = services.incoming_register(
        actor=desk.clerk,
        unit=desk.province.stttt,
        data=incoming_input(code_number="613", code_notation="QĐ-PVHTT", subject="Về lễ hội"),
        refusals=DECLARED,
        main_file=scan(),
    )
    services.incoming_register(
        actor=desk.clerk,
        unit=desk.province.stttt,
        data=incoming_input(code_number="1613", code_notation="QĐ-PVHTT", subject="Về lễ hội"),
        refusals=DECLARED,
        main_file=scan(),
    )
    token = desk.tokens["clerk"]

    def found(**params: Any) -> list[int]:
        response = api.get("/documents/search", token, **params)
        assert response.status_code == 200, response.content.decode()
        body = response.json()
        assert (body["count"], body["count_exact"], body["has_next"]) == (
            len(body["items"]),
            True,
            False,
        )
        return sorted(item["id"] for item in body["items"])

    assert found(q="quyet dinh QUY CHE lam viec") == [library.incoming.pk]
    assert found(q="613/QD-PVHTT") == [exact.pk]
    # The text of the PDF file counts too.
    assert found(q="chuyen doi so") == [library.incoming.pk]
    assert found(q="quy che", direction="out") == [library.outgoing.pk]
    assert found(q="quy che", type=doc_type("Công văn").pk) == [library.outgoing.pk]
    assert found(q="quy che", **{"from": "2026-11-21"}) == [library.outgoing.pk]
    assert found(q="quy che", to="2026-11-20") == [library.incoming.pk]
    assert found(q="khong co tu nay") == []
    # Another unit's document matches the words but is not the clerk's to see.
    assert found(q="thi dua") == []
    response = api.get(
        "/documents/search", token, q="quy che", **{"from": "2026-11-21", "to": "2026-11-20"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Ngày bắt đầu phải trước ngày kết thúc.",
        "field": "from",
    }
    response = api.get("/documents/search", token, q="quy che", type=999999)
    assert response.status_code == 400
    assert response.json() == {"detail": "Không tìm thấy loại văn bản.", "field": "type"}
    response = api.get("/documents/search", token, q="quy che", sort="abc")
    assert response.status_code == 422
    body = response.json()
    assert (body["detail"], body["field"]) == (
        "Dữ liệu gửi lên không hợp lệ: sort: phải là một trong: relevance, newest, oldest, issued, "
        "number, urgency.",
        "sort",
    )


def test_search_pages_and_sorts(library, api):
    token = library.desk.tokens["clerk"]
    first = api.get("/documents/search", token, q="quy che", sort="oldest", page_size=1).json()
    assert (first["count"], first["count_exact"], first["has_next"]) == (2, True, True)
    assert [item["id"] for item in first["items"]] == [library.incoming.pk]
    second = api.get(
        "/documents/search", token, q="quy che", sort="oldest", page_size=1, page=2
    ).json()
    assert (second["count"], second["has_next"]) == (2, False)
    assert [item["id"] for item in second["items"]] == [library.outgoing.pk]
    newest = api.get("/documents/search", token, q="quy che").json()
    assert [item["id"] for item in newest["items"]] == [library.outgoing.pk, library.incoming.pk]


# ---------------------------------------------------------------- query counts


def _add_documents(desk: Desk, count: int) -> None:
    """Half in the caller's unit, half in another unit that the caller may not see."""
    for i in range(count):
        clerk, unit = (
            (desk.clerk, desk.province.stttt) if i % 2 else (desk.clerk_snv, desk.province.snv)
        )
        services.incoming_register(
            actor=clerk,
            unit=unit,
            data=incoming_input(code_number=str(100 + i), subject=f"Quy chế số {i}"),
            refusals=DECLARED,
            main_file=scan(),
        )


# The token with its account, the caller's roles, then for the list the count and one page (with
# types and units); for the search one page read as page size + 1 rows, and the count only when
# there is a next page. The leader keeps a register: the documents given to the leader outside
# the unit are read first (their ids: none here, so half 2 of the visibility rule is not read),
# then the count and the page of half 1 (the unit's documents).
@pytest.mark.parametrize(
    ("path", "params", "queries"),
    [
        ("/documents", {"page_size": 200}, 5),
        ("/documents/search", {"q": "quy che", "page_size": 200}, 4),
        ("/documents/search", {"q": "quy che", "page_size": 1}, 5),
    ],
)
@pytest.mark.parametrize("size", [2, 14])
def test_list_query_count_is_fixed(
    library, api, django_assert_num_queries, path, params, queries, size
):
    desk = library.desk
    _add_documents(desk, size)
    token = desk.tokens["leader"]
    api.get("/documents/types", token)  # writes the "last used" stamp once
    with django_assert_num_queries(queries):
        response = api.get(path, token, **params)
    body = response.json()
    expected = Document.objects.filter(unit=desk.province.stttt).count()
    assert expected == 2 + size // 2
    assert body["count"] == expected
    assert len(body["items"]) == min(expected, params["page_size"])
    assert {item["unit_name"] for item in body["items"]} == {"Sở Thông tin và Truyền thông"}


def test_detail_query_count_does_not_grow_with_files(library, api, django_assert_num_queries):
    desk = library.desk
    document = services.incoming_register(
        actor=desk.clerk,
        unit=desk.province.stttt,
        data=incoming_input(code_number="31"),
        refusals=DECLARED,
        main_file=pdf_file(),
        attachments=[pdf_file(f"phu-luc-{i}.pdf", f"Phụ lục {i}") for i in range(4)],
    )
    token = desk.tokens["clerk"]
    api.get("/documents/types", token)
    # The token with its account, the roles, the document with its relations, its files, the
    # latest signature report of each file (R11).
    with django_assert_num_queries(5):
        response = api.get(f"/documents/{document.pk}", token)
    assert [f["name"] for f in response.json()["files"]] == [
        "Quyết định 15.pdf",
        *(f"phu-luc-{i}.pdf" for i in range(4)),
    ]


def test_a_share_lets_one_person_see_one_document(library, api):
    token = library.desk.tokens["shared"]
    assert api.get(f"/documents/{library.incoming.pk}", token).status_code == 200
    response = api.get(f"/documents/{library.outgoing.pk}", token)
    assert response.status_code == 404
    assert response.json()["detail"] == NO_DOCUMENT
