"""A Word (DOCX) draft is converted on the server to PDF/A-2b, and the checks and the approval
hold for the version they saw (NĐ 30/2020 Art. 12-13; docs/drafting.md "Word drafts and their
PDF").

The conversions run the real LibreOffice (tests/support/libreoffice.py: skipped without it,
failing with VANBAN_REQUIRE_LIBREOFFICE=1); the refusals of a missing LibreOffice point the
setting at a binary that does not exist, or leave it out of PATH.
"""

import hashlib
import io
import zipfile
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from tests.signing import PIN
from tests.support.documents import DECLARED
from tests.support.drafting import (
    create_draft,
    draft_input,
    issue,
    pdf,
    signer_certificate,
    to_approved,
    to_approving,
    to_approving_again,
    to_reviewing,
    to_signed,
)
from tests.support.files import docx_bytes, odt_bytes, upload
from tests.support.libreoffice import output_intents, pdfa_identification, require_soffice
from tests.support.refusals import refused
from vanban.accounts.models import AccountStatus
from vanban.audit.models import AuditEvent
from vanban.core.errors import ServiceError
from vanban.documents.files import file_read_verified, files_check
from vanban.documents.pdfconvert import MSG_MISSING
from vanban.drafting import services
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import Decision, Draft, DraftStatus, DraftVersion
from vanban.signatures import services as signature_services
from vanban.signatures import verify

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY = "Kế hoạch chuyển đổi số của tỉnh năm 2027"


def word(name: str = "Kế hoạch.docx", *paragraphs: str):
    return upload(name, docx_bytes(*(paragraphs or (BODY, "Điều 1. Nội dung."))), DOCX_TYPE)


def create_word_draft(team, content=None) -> Draft:  # type: ignore[no-untyped-def]
    return services.draft_create(
        actor=team.drafter,
        issuing_unit=team.province.stttt,
        data=draft_input(),
        signer=team.signer,
        refusals=DECLARED,
        content_file=content or word(),
        recipient_units=[team.province.snv],
    )


def stored(prefix: str = "drafts") -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        try:
            dirs, names = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{n}" for n in names)
        for d in dirs:
            walk(f"{path}/{d}")

    walk(prefix)
    return sorted(found)


def corrupt_docx() -> bytes:
    """A DOCX by its parts (the format check accepts it) whose main part is broken XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes(BODY))) as source, zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = b"<w:document><w:body><w:p>hong"
            z.writestr(info, data)
    return out.getvalue()


def drafts_state() -> tuple[object, ...]:
    return (
        list(Draft.objects.values_list("pk", "status", "current_version_id")),
        list(DraftVersion.objects.values_list("pk", "pdf_storage_name")),
        stored(),
    )


# ---------------------------------------------------------------- conversion


def test_a_docx_version_is_converted_to_pdfa_2b_and_stored_beside_it(team, client_for):
    require_soffice()
    draft = create_word_draft(team)
    version = draft.current_version
    assert version.file_format == "docx"
    shown = version.pdf_to_show()
    assert shown is not None and shown.converted
    assert shown.file_name == "Kế hoạch.pdf"
    # Stored beside the DOCX and hashed like every stored file.
    assert sorted([version.storage_name, version.pdf_storage_name]) == stored()
    converted = file_read_verified(version.pdf_storage_name, version.pdf_sha256)
    assert hashlib.sha256(converted).hexdigest() == version.pdf_sha256
    assert version.pdf_size == len(converted)
    assert converted.startswith(b"%PDF-")
    assert pdfa_identification(converted) == ("2", "B")
    assert output_intents(converted) >= 1
    reader = PdfReader(BytesIO(converted))
    assert version.pdf_page_count == len(reader.pages) == 1
    assert BODY in reader.pages[0].extract_text()
    # `vanban files check` knows the converted PDF: neither an orphan nor missing.
    report = files_check()
    assert (report.missing, report.changed, report.orphans) == ([], [], [])

    # The draft page links to the PDF to show; the link gives the stored PDF.
    page = client_for(team.drafter).get(f"/du-thao/{draft.pk}/").content.decode()
    link = f"/du-thao/{draft.pk}/phien-ban/1/pdf/"
    assert f'href="{link}" id="current-pdf-link"' in page
    assert "máy chủ chuyển từ tệp Kế hoạch.docx sang PDF/A" in page
    response = client_for(team.head).get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == converted
    assert "attachment" in response["Content-Disposition"]

    # The viewer of the draft page reads the Word version through its PDF/A, inline, and the
    # access is recorded as viewed (docs/files.md "Viewer").
    assert f'data-pdf="{link}?xem=1"' in page
    shown_inline = client_for(team.head).get(f"{link}?xem=1")
    assert shown_inline["Content-Disposition"].startswith("inline")
    assert b"".join(shown_inline.streaming_content) == converted
    viewed = AuditEvent.objects.filter(action="draft.version_pdf").order_by("pk").last()
    assert viewed is not None and viewed.data.get("viewed") is True


def test_an_odt_version_is_converted_too(team):
    require_soffice()
    draft = create_word_draft(
        team,
        upload(
            "Kế hoạch.odt",
            odt_bytes(BODY, "Bản ODT"),
            "application/vnd.oasis.opendocument.text",
        ),
    )
    version = draft.current_version
    assert version.file_format == "odt"
    converted = file_read_verified(version.pdf_storage_name, version.pdf_sha256)
    assert pdfa_identification(converted) == ("2", "B")
    assert "Bản ODT" in PdfReader(BytesIO(converted)).pages[0].extract_text()


def test_a_new_docx_version_is_converted_too_and_the_message_says_so(team, client_for):
    require_soffice()
    draft = create_draft(team)
    drafter = client_for(team.drafter)
    response = drafter.post(
        f"/du-thao/{draft.pk}/phien-ban/",
        {"version-content_file": word("Bản 2.docx", BODY, "Bản sửa")},
        follow=True,
    )
    assert "Đã tải lên phiên bản 2. Máy chủ đã chuyển tệp sang PDF/A" in response.content.decode()
    version = DraftVersion.objects.get(draft=draft, number=2)
    converted = file_read_verified(version.pdf_storage_name, version.pdf_sha256)
    assert pdfa_identification(converted) == ("2", "B")
    assert "Bản sửa" in PdfReader(BytesIO(converted)).pages[0].extract_text()


def test_the_signer_signs_and_the_clerk_issues_the_converted_pdf(team):
    require_soffice()
    draft = create_word_draft(team)
    to_approved(team, draft)
    version = draft.current_version
    converted = file_read_verified(version.pdf_storage_name, version.pdf_sha256)
    to_signed(team, draft)
    draft.refresh_from_db()
    assert draft.is_signed
    signed = file_read_verified(draft.signed_storage_name, draft.signed_sha256)
    # The signature is appended to the converted PDF (incremental update), and valid.
    assert signed.startswith(converted)
    assert signature_services.verify_bytes(signed).status == verify.VALID
    document = issue(team, draft)
    main = document.files.get()
    assert (main.original_name, main.file_format) == ("Kế hoạch.pdf", "pdf")
    assert document.page_amount == version.pdf_page_count == 1
    issued = default_storage.open(main.storage_name).read()
    assert issued.startswith(b"%PDF-") and len(issued) > len(signed)


# ---------------------------------------------------------------- refusals


def test_a_corrupt_docx_is_refused_and_nothing_changes(team):
    require_soffice()
    draft = create_draft(team)
    refused(
        lambda: services.draft_version_add(
            actor=team.drafter,
            draft=draft,
            content_file=upload("Hỏng.docx", corrupt_docx(), DOCX_TYPE),
        ),
        ServiceError,
        "Không chuyển được tệp “Hỏng.docx” sang PDF: LibreOffice không đọc được tệp (tệp hỏng, "
        "không đúng định dạng Word/ODT hoặc có mật khẩu). Hãy kiểm tra lại tệp hoặc tải lên bản "
        "PDF.",
        "content_file",
        state=drafts_state,
    )
    refused(
        lambda: create_word_draft(team, upload("Hỏng.docx", corrupt_docx(), DOCX_TYPE)),
        ServiceError,
        "Không chuyển được tệp “Hỏng.docx” sang PDF: LibreOffice không đọc được tệp (tệp hỏng, "
        "không đúng định dạng Word/ODT hoặc có mật khẩu). Hãy kiểm tra lại tệp hoặc tải lên bản "
        "PDF.",
        "content_file",
        state=drafts_state,
    )


def test_a_conversion_past_its_deadline_is_refused_and_nothing_changes(team, settings):
    require_soffice()
    draft = create_draft(team)
    settings.VANBAN_CONVERSION_TIMEOUT = 0.01
    refused(
        lambda: services.draft_version_add(actor=team.drafter, draft=draft, content_file=word()),
        ServiceError,
        "Không chuyển được tệp “Kế hoạch.docx” sang PDF trong 0.01 giây: tệp quá lớn hoặc quá "
        "phức tạp. Hãy tải lên bản PDF của dự thảo.",
        "content_file",
        state=drafts_state,
    )


def test_a_conversion_past_its_memory_cap_is_refused(team, settings):
    require_soffice()
    draft = create_draft(team)
    settings.VANBAN_CONVERSION_MEMORY_MB = 16
    refused(
        lambda: services.draft_version_add(actor=team.drafter, draft=draft, content_file=word()),
        ServiceError,
        "Không chuyển được tệp “Kế hoạch.docx” sang PDF: LibreOffice dừng bất thường (tệp quá "
        "lớn hoặc quá phức tạp so với giới hạn bộ nhớ của máy chủ). Hãy tải lên bản PDF của dự "
        "thảo.",
        "content_file",
        state=drafts_state,
    )


@pytest.mark.parametrize("how", ["setting", "path"])
def test_without_libreoffice_the_docx_is_kept_but_goes_nowhere_until_a_pdf_exists(
    team, settings, monkeypatch, tmp_path, client_for, how
):
    if how == "setting":
        settings.VANBAN_SOFFICE = str(tmp_path / "khong-co" / "soffice")
    else:
        settings.VANBAN_SOFFICE = "soffice"
        monkeypatch.setenv("PATH", str(tmp_path))
    draft = create_word_draft(team)
    version = draft.current_version
    assert (version.file_format, version.pdf_storage_name, version.pdf_note) == (
        "docx",
        "",
        MSG_MISSING,
    )
    assert MSG_MISSING.startswith(
        "Máy chủ chưa cài LibreOffice để chuyển tệp Word sang PDF: dự thảo vẫn giữ tệp đã tải lên"
    )
    assert version.pdf_to_show() is None and stored() == [version.storage_name]
    page = client_for(team.drafter).get(f"/du-thao/{draft.pk}/").content.decode()
    assert "Phiên bản 1 chưa có bản PDF. Máy chủ chưa cài LibreOffice" in page
    assert client_for(team.drafter).get(f"/du-thao/{draft.pk}/phien-ban/1/pdf/").status_code == 404
    # Never a silent pass: it cannot be sent for checking (so neither approved nor signed).
    refused(
        lambda: to_reviewing(team, draft),
        ServiceError,
        f"Chưa trình kiểm tra được: phiên bản mới nhất chưa có bản PDF. {MSG_MISSING}",
        state=drafts_state,
    )
    # A PDF version lets it go on.
    services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf("Bản 2.pdf"))
    to_reviewing(team, draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REVIEWING


def test_a_version_approved_without_a_pdf_is_not_signed(team, settings):
    """A Word version approved before its PDF existed (before conversion on upload) cannot be
    signed; the refusal says what to do."""
    settings.VANBAN_SOFFICE = "/khong-co/soffice"
    draft = create_word_draft(team)
    Draft.objects.filter(pk=draft.pk).update(
        status=DraftStatus.APPROVED, approved_by=team.signer, approved_version=draft.current_version
    )
    draft.refresh_from_db()
    certificate = signer_certificate(team)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=PIN
        ),
        ServiceError,
        "Chỉ ký số được tệp PDF: phiên bản đã phê duyệt chưa có bản PDF; hãy tải lên bản PDF "
        "của dự thảo (phiên bản mới cần kiểm tra và phê duyệt lại).",
        state=drafts_state,
    )


# ---------------------------------------------------------------- checks hold for their version


def test_checks_and_approval_of_version_1_do_not_count_for_version_2(team, client_for):
    draft = create_draft(team)
    to_approving(team, draft)
    draft.refresh_from_db()
    v1 = draft.current_version
    assert (draft.content_version, draft.format_version) == (v1, v1)
    assert draft.content_passed and draft.format_passed
    services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf("Bản 2.pdf"))
    draft.refresh_from_db()
    v2 = draft.current_version
    # Back to the same checkers; version 1's checks are kept as such, and do not count.
    assert draft.status == DraftStatus.REVIEWING
    assert (draft.reviewer, draft.checker) == (team.head, team.checker)
    assert (draft.content_version, draft.format_version) == (v1, v1)
    assert (draft.content_decision, draft.format_decision) == (Decision.PENDING, Decision.PENDING)
    assert not draft.content_passed and not draft.format_passed
    page = client_for(team.head).get(f"/du-thao/{draft.pk}/").content.decode()
    assert page.count("Lần kiểm tra trước là của phiên bản 1, không tính cho phiên bản 2.") == 2
    assert 'id="content-form"' in page
    refused(
        lambda: services.draft_approve(actor=team.signer, draft=draft, accept=True),
        ServiceError,
        "Dự thảo đang được kiểm tra nội dung và thể thức.",
    )
    # One check of version 2 is not enough.
    services.draft_review_content(actor=team.head, draft=draft, accept=True)
    draft.refresh_from_db()
    assert (draft.status, draft.content_version, draft.format_version) == (
        DraftStatus.REVIEWING,
        v2,
        v1,
    )
    assert draft.content_passed and not draft.format_passed
    # A row that says "waiting for approval" with a check of version 1 (as kept from before
    # checks were tied to versions) is still not approved.
    Draft.objects.filter(pk=draft.pk).update(
        status=DraftStatus.APPROVING, format_decision=Decision.ACCEPTED
    )
    draft.refresh_from_db()
    refused(
        lambda: services.draft_approve(actor=team.signer, draft=draft, accept=True),
        ServiceError,
        "Phiên bản 2 chưa được kiểm tra nội dung và thể thức; kết quả kiểm tra phiên bản trước "
        "không áp dụng cho phiên bản này.",
    )
    Draft.objects.filter(pk=draft.pk).update(
        status=DraftStatus.REVIEWING, format_decision=Decision.PENDING
    )
    draft.refresh_from_db()
    services.draft_check_format(actor=team.checker, draft=draft, accept=True)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVING
    approved = services.draft_approve(actor=team.signer, draft=draft, accept=True)
    assert approved.approved_version == v2 and approved.is_approved
    # The approval of version 2 does not count for version 3 either.
    services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf("Bản 3.pdf"))
    draft.refresh_from_db()
    assert (draft.status, draft.is_approved, draft.approved_version) == (
        DraftStatus.REVIEWING,
        False,
        v2,
    )
    to_approving_again(team, draft)
    draft.refresh_from_db()
    assert draft.content_version.number == draft.format_version.number == 3


def test_a_new_version_goes_back_to_the_drafter_when_a_checker_left(team):
    draft = create_draft(team)
    to_approving(team, draft)
    team.checker.status = AccountStatus.LOCKED
    team.checker.save(update_fields=["status"])
    services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf("Bản 2.pdf"))
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTING
    assert (
        draft.events.filter(action="checks_again")
        .get()
        .text.endswith(
            "người kiểm tra không còn hoạt động, người soạn thảo cần trình kiểm tra lại."
        )
    )
