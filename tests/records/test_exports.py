"""Exports of dossiers (R19; Appendix VI "Dossiers": a whole dossier to PDF and XML in
chronological order; "Search and use": export results): real files, read back."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.records.support_use import (
    add_item,
    build_use,
    docx_main,
    make_dossier,
    register,
    viewed,
)
from tests.support import drafting
from tests.support.drafting import create_draft
from vanban.audit.models import AuditEvent
from vanban.documents.models import DocumentFile
from vanban.records.exports import ACTION_SEARCH_EXPORTED
from vanban.records.models import DossierItem, ItemKind
from vanban.records.search import ACTION_EXPORTED


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


@pytest.fixture
def use(province, own_storage):
    return build_use(province)


@pytest.fixture
def dossier(use):
    """A dossier whose documents were added out of their chronological order."""
    dossier = make_dossier(use, "01.TCCB", "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử")
    late = register(
        use,
        subject="Quyết định ban hành Quy chế",
        issued=dt.date(2026, 11, 10),
        text="Noi dung van ban ban hanh quy che",
    )
    early = register(
        use,
        subject="Tờ trình dự thảo Quy chế",
        issued=dt.date(2026, 10, 1),
        text="Noi dung to trinh du thao",
    )
    report = register(
        use,
        subject="Báo cáo góp ý dự thảo",
        issued=dt.date(2026, 10, 15),
        main=docx_main(),
    )
    for document in (late, early, report):
        add_item(dossier, document, by=use.handler)
    return dossier


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION_EXPORTED))


def _text(page) -> str:
    return " ".join(page.extract_text().split())


# ---------------------------------------------------------------- the whole dossier as PDF


def test_dossier_pdf_in_chronological_order(use, dossier, client_for):
    response = client_for(use.handler).get(reverse("records:dossier_pdf", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    pages = [_text(page) for page in reader.pages]
    # The cover and the contents, then the two PDF files: the earlier document first.
    assert "HỒ SƠ" in pages[0]
    assert "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử" in pages[0]
    assert dossier.file_code in pages[0]
    assert "Từ ngày 01/10/2026 đến ngày 10/11/2026" in pages[0]
    contents = " ".join(pages[:-2])
    assert "MỤC LỤC VĂN BẢN" in contents
    assert contents.index("Tờ trình dự thảo") < contents.index("Báo cáo góp ý")
    assert contents.index("Báo cáo góp ý") < contents.index("Quyết định ban hành Quy chế")
    assert "bao-cao.docx" in contents and "không phải PDF" in contents
    assert "Bản PDF gồm 2/3 văn bản" in contents
    assert "Noi dung to trinh du thao" in pages[-2]
    assert "Noi dung van ban ban hanh quy che" in pages[-1]
    # The contents give the page of each document in the joined file.
    cover_pages = len(pages) - 2
    assert f"{cover_pages + 1}" in contents
    # The bookmarks: the cover's own headings, then one per joined document.
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == "HỒ SƠ"
    assert outline[-2].startswith("2. ") and "Tờ trình" in outline[-2]
    assert outline[-1].startswith("1. ") and "Quyết định ban hành" in outline[-1]
    (event,) = _exports()
    assert event.actor == use.handler
    assert event.target_id == str(dossier.pk)
    assert event.data["format"] == "pdf"


def test_dossier_pdf_lists_a_file_missing_from_storage(use, dossier, client_for):
    item = dossier.items.get(ordinal=1)
    main = DocumentFile.objects.get(document=item.document, role=DocumentFile.Role.MAIN)
    default_storage.delete(main.storage_name)
    response = client_for(use.clerk).get(reverse("records:dossier_pdf", args=[dossier.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(_text(page) for page in reader.pages)
    assert "không còn nguyên vẹn trong kho lưu trữ" in text
    assert "Bản PDF gồm 1/3 văn bản" in text
    assert "Noi dung van ban ban hanh quy che" not in text


def test_empty_dossier_pdf(use, client_for):
    empty = make_dossier(use, "09.VP", "Hồ sơ chưa có văn bản", ad_hoc=True)
    response = client_for(use.handler).get(reverse("records:dossier_pdf", args=[empty.pk]))
    assert response.status_code == 200
    text = " ".join(_text(p) for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Hồ sơ chưa có văn bản." in text
    assert "Hồ sơ phát sinh ngoài danh mục hồ sơ" in text


# ---------------------------------------------------------------- the metadata as XML


def test_dossier_xml_parses_back(use, dossier, client_for):
    response = client_for(use.clerk).get(reverse("records:dossier_xml", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(response.content)
    assert root.tag == "Dossier"
    assert root.findtext("FileCode") == dossier.file_code
    assert root.findtext("OrganId") == use.province.stttt.agency_code
    assert root.findtext("FileCatalog") == "2026"
    assert root.findtext("FileNotation") == "01.TCCB"
    assert root.findtext("Title") == "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử"
    assert root.findtext("Maintenance") == "10 năm"
    assert root.findtext("Rights") == "Hạn chế"
    assert root.findtext("Creator") == "Nguyễn Thị Hồng Nhung"
    assert root.findtext("Language") == "Tiếng Việt"
    assert root.findtext("StartDate") == "2026-10-01"
    assert root.findtext("EndDate") == "2026-11-10"
    assert root.findtext("DocTotal") == "3"
    documents = root.findall("Documents/Document")
    assert [d.findtext("IssuedDate") for d in documents] == [
        "2026-10-01",
        "2026-10-15",
        "2026-11-10",
    ]
    assert [d.findtext("DocOrdinal") for d in documents] == ["2", "3", "1"]
    first = documents[0]
    assert first.findtext("TypeName") == "Quyết định"
    assert first.findtext("CodeNotation") == "QĐ-UBND"
    assert first.findtext("Subject") == "Tờ trình dự thảo Quy chế"
    assert first.findtext("OrganName") == "Ủy ban nhân dân tỉnh Bến Tre"
    assert first.findtext("SignerInfo/FullName") == "Trần Ngọc Tam"
    assert first.findtext("ArrivalNumber")
    assert first.get("kind") == "document"
    (event,) = _exports()
    assert event.actor == use.clerk and event.data["format"] == "xml"


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", ["records:dossier_pdf", "records:dossier_xml"])
def test_exports_refused_to_who_may_not_read(use, dossier, client_for, name):
    url = reverse(name, args=[dossier.pk])
    for person in (use.outsider, use.other_staff, use.archivist):
        assert client_for(person).get(url).status_code == 404
    assert client_for(use.handler).get(reverse(name, args=[dossier.pk + 1000])).status_code == 404
    assert _exports() == []


# ---------------------------------------------------------------- the result list


def test_results_xlsx(use, dossier, client_for):
    make_dossier(use, "02.VP", "=Hồ sơ hội nghị", ad_hoc=True)
    viewed(dossier, use.head, times=2)
    response = client_for(use.head).get(reverse("records:search_xlsx"), {"sort": "title"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0].startswith("Kết quả tìm kiếm hồ sơ – ngày ")
    assert values[1][0] == "Điều kiện tìm kiếm: mọi hồ sơ được xem."
    assert values[3][0] == "Gồm 2 hồ sơ."
    header = values[5]
    assert header[:3] == ["STT", "Mã hồ sơ", "Tiêu đề hồ sơ"]
    rows = values[6:]
    assert rows[0][2] == "=Hồ sơ hội nghị (hồ sơ phát sinh)"
    assert sheet.cell(row=7, column=3).data_type == "s"  # never a formula
    assert rows[1][1] == dossier.file_code
    assert rows[1][6:8] == [3, 2]
    (event,) = AuditEvent.objects.filter(action=ACTION_SEARCH_EXPORTED)
    assert event.data["format"] == "xlsx" and event.data["count"] == 2


def test_results_pdf(use, dossier, client_for):
    response = client_for(use.handler).get(reverse("records:search_pdf"), {"q": "quy che"})
    assert response.status_code == 200
    text = " ".join(_text(p) for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kết quả tìm kiếm hồ sơ" in text
    assert "Điều kiện tìm kiếm: từ khóa “quy che”." in text
    assert "Hồ sơ xây dựng Quy chế" in text
    (event,) = AuditEvent.objects.filter(action=ACTION_SEARCH_EXPORTED)
    assert event.data["format"] == "pdf"


def test_results_export_refuses_bad_input(use, dossier, client_for):
    response = client_for(use.handler).get(reverse("records:search_xlsx"), {"year": "abc"})
    assert response.status_code == 400
    assert (
        "Điều kiện tìm kiếm không hợp lệ: Năm phải là số, ví dụ 2026." in response.content.decode()
    )
    assert not AuditEvent.objects.filter(action=ACTION_SEARCH_EXPORTED).exists()


def test_results_export_of_an_outsider_is_empty(use, dossier, client_for):
    response = client_for(use.outsider).get(reverse("records:search_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=4, column=1).value == "Gồm 0 hồ sơ."


def test_a_draft_version_joins_with_its_pdf(use, dossier, team, client_for):
    draft = create_draft(team)
    version = draft.versions.get()
    DossierItem.objects.create(
        dossier=dossier,
        ordinal=4,
        kind=ItemKind.DRAFT_VERSION,
        draft_version=version,
        added_by=use.handler,
        added_at=drafting.NOW,
    )
    client = client_for(use.handler)
    response = client.get(reverse("records:dossier_pdf", args=[dossier.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    pages = [_text(page) for page in reader.pages]
    # Uploaded on 25/11/2026: after the documents.
    assert "Bản PDF gồm 3/4 văn bản" in " ".join(pages[:-3])
    assert "Dự thảo, phiên bản 1" in " ".join(pages[:-3])
    assert drafting.SUBJECT in pages[-1]
    root = etree.fromstring(client.get(reverse("records:dossier_xml", args=[dossier.pk])).content)
    last = root.findall("Documents/Document")[-1]
    assert last.get("kind") == "draft_version"
    assert (last.findtext("DocOrdinal"), last.findtext("IssuedDate")) == ("4", "2026-11-25")
    assert last.findtext("TypeName") == "Kế hoạch"
    assert last.findtext("OrganName") == "Sở Thông tin và Truyền thông"
    assert root.findtext("EndDate") == "2026-11-25"
