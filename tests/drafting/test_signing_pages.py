"""Digital signatures on the draft's page (R11, R12, R16): the approver signs with a key
held by the server, asks for a signing request for the token on their computer, or uploads a
file signed elsewhere; the signed PDF is downloadable and its verification report shown; the
clerk issues only a signed draft, with the unit's organisation signature on the main file and
on every PDF attachment, and is told when a paper copy must go with it.

Every refusal shows its Vietnamese reason on the form and changes nothing."""

import hashlib
import re

import pytest
from asn1crypto import pem, x509
from django.core.files.storage import default_storage

from tests import signing
from tests.drafting.test_services import state, stored
from tests.support.documents import doc_type
from tests.support.drafting import (
    SUBJECT,
    create_draft,
    local_certificate,
    organisation_key,
    signed_elsewhere,
    signer_certificate,
    to_approved,
    to_signed,
)
from tests.support.files import docx_bytes, pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents.models import Document
from vanban.drafting.models import DraftAction
from vanban.signatures import verify
from vanban.signatures.models import SigningRequest, Trigger, VerificationReport

pytestmark = pytest.mark.django_db

MSG_WRONG_PIN = "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng."
MSG_UNSIGNED = (
    "Văn bản chưa được người có thẩm quyền ký số ở phiên bản đã phê duyệt; không thể phát hành "
    "điện tử."
)


def roots() -> list[x509.Certificate]:
    """The trust roots of the test PKI, as a recipient's checker would have them."""
    return [x509.Certificate.load(pem.unarmor(signing.pki().root_pem())[2])]


def check(data: bytes) -> verify.Report:
    return verify.verify_pdf(data, roots(), revocation="hard-fail", now=clock.now())


def form_block(html: str, form_id: str) -> str:
    match = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert match is not None, form_id
    return match.group(1)


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    assert match is not None, section_id
    return match.group(1)


def approved(team, **overrides):  # type: ignore[no-untyped-def]
    draft = create_draft(team, **overrides)
    to_approved(team, draft)
    return draft


def test_the_approver_signs_on_the_page_and_the_signed_file_is_kept_and_checked(team, client_for):
    draft = approved(team)
    certificate = signer_certificate(team)
    signer, clerk = client_for(team.signer), client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/"
    html = signer.get(url).content.decode()
    assert 'id="sign-form"' in html and 'id="signed-upload-form"' in html
    assert 'id="sign-request-form"' not in html  # no certificate with a key on their computer
    assert certificate.subject_name in form_block(html, "sign-form")
    html = clerk.get(url).content.decode()
    assert 'id="issue-form"' not in html and 'id="sign-form"' not in html
    assert "Chờ người có thẩm quyền ký số" in html

    response = signer.post(f"{url}ky-so/", {"certificate": certificate.pk, "pin": signing.PIN})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed
    assert (draft.signed_by, draft.signed_version, draft.signed_via) == (
        team.signer,
        draft.current_version,
        "pkcs12",
    )
    assert draft.events.filter(action=DraftAction.SIGNED).count() == 1

    html = signer.get(url).content.decode()
    assert "Đã ký số văn bản" in html  # the success message
    block = section(html, "draft-signature")
    assert 'id="sign-form"' not in block
    status = re.search(r'id="signed-status">(.*?)</p>', block, re.S).group(1)
    assert team.signer.full_name in status and "25/11/2026" in status
    assert certificate.serial in status and "Nguyễn Văn Ký" in status
    report = draft.verification_reports.get()
    assert (report.status, report.trigger, report.file_sha256) == (
        "valid",
        Trigger.SIGNING,
        draft.signed_sha256,
    )
    shown = re.search(rf'id="report-{report.pk}">(.*?)</div>\s*</div>', block, re.S).group(1)
    assert "Hợp lệ" in shown and "khi ký" in shown and "Nguyễn Văn Ký" in shown
    assert f"/du-thao/{draft.pk}/ky-so/tai-xuong/" in block

    # The clerk and the drafter download the signed PDF; it is the approved version with the
    # signature appended, valid for anyone who trusts the same root.
    for person in (team.clerk, team.drafter):
        download = client_for(person).get(f"{url}ky-so/tai-xuong/")
        assert download.status_code == 200
        data = b"".join(download.streaming_content)
        assert hashlib.sha256(data).hexdigest() == draft.signed_sha256
        assert download["Content-Type"] == "application/pdf"
        assert "filename" in download["Content-Disposition"]
    version = draft.current_version
    assert data.startswith(default_storage.open(version.storage_name).read())
    result = check(data)
    assert result.status == "valid" and len(result.signatures) == 1
    assert result.signatures[0].signer == "Nguyễn Văn Ký"
    assert AuditEvent.objects.filter(action="draft.signed_download").count() == 2
    assert client_for(team.staff_snv).get(f"{url}ky-so/tai-xuong/").status_code == 404

    # A signed file changed in storage is not sent.
    with default_storage.open(draft.signed_storage_name, "wb") as handle:
        handle.write(b"%PDF-1.7 changed")
    assert clerk.get(f"{url}ky-so/tai-xuong/").status_code == 409


def test_a_wrong_pin_is_refused_on_the_form_and_nothing_is_stored(team, client_for):
    draft = approved(team)
    certificate = signer_certificate(team)
    client, clerk = client_for(team.signer), client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/ky-so/"
    before = state()
    response = client.post(url, {"certificate": certificate.pk, "pin": "000000"})
    assert response.status_code == 200
    assert MSG_WRONG_PIN in form_block(response.content.decode(), "sign-form")
    response = client.post(url, {"pin": signing.PIN})
    assert response.status_code == 200
    assert "Hãy chọn chứng thư số." in form_block(response.content.decode(), "sign-form")
    draft.refresh_from_db()
    assert draft.signed_storage_name == "" and not draft.is_signed
    assert state() == before
    assert stored("signatures/signed") == []
    # Someone else's certificate is not offered, and refused if sent anyway.
    response = clerk.post(url, {"certificate": certificate.pk, "pin": signing.PIN})
    assert response.status_code == 403
    assert "Chỉ người đã phê duyệt dự thảo mới ký số văn bản." in response.content.decode()
    assert state() == before


def test_a_signing_request_shows_the_code_and_the_command(team, client_for):
    draft = approved(team)
    certificate = local_certificate(team)
    client = client_for(team.signer)
    url = f"/du-thao/{draft.pk}/"
    html = client.get(url).content.decode()
    assert 'id="sign-request-form"' in html and 'id="sign-form"' not in html
    assert "Tạo yêu cầu ký trên máy của tôi" in form_block(html, "sign-request-form")
    response = client.post(f"{url}ky-so/yeu-cau/", {"local_certificate": certificate.pk})
    assert response.status_code == 302
    request = SigningRequest.objects.get()
    assert (request.draft, request.requested_by, request.certificate) == (
        draft,
        team.signer,
        certificate,
    )
    html = client.get(url).content.decode()
    assert f'<code id="sign-request-code">{request.code}</code>' in html
    command = re.search(r'<pre id="sign-command">(.*?)</pre>', html, re.S).group(1)
    assert command == (
        f"vanban-sign --server http://testserver --token &lt;mã truy cập API&gt; "
        f"--code {request.code}"
    )
    assert "--pkcs11-module" in html
    # Nobody else sees the code.
    assert request.code not in client_for(team.drafter).get(url).content.decode()


def test_a_file_signed_elsewhere_is_checked_on_upload(team, client_for):
    draft = approved(team)
    signer_certificate(team)
    client = client_for(team.signer)
    url = f"/du-thao/{draft.pk}/ky-so/tai-len/"
    version = draft.current_version
    unsigned = default_storage.open(version.storage_name).read()
    before = state()
    response = client.post(url, {"signed_file": upload("Chưa ký.pdf", unsigned, "application/pdf")})
    assert response.status_code == 200
    block = form_block(response.content.decode(), "signed-upload-form")
    assert "Chữ ký số không hợp lệ" in block
    response = client.post(url, {})
    assert "Hãy chọn tệp PDF đã ký số." in form_block(
        response.content.decode(), "signed-upload-form"
    )
    assert state() == before
    signed = signed_elsewhere(draft)
    response = client.post(url, {"signed_file": upload("Đã ký.pdf", signed, "application/pdf")})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.is_signed, draft.signed_via) == (True, "upload")
    assert draft.signed_sha256 == hashlib.sha256(signed).hexdigest()
    assert draft.verification_reports.get().trigger == Trigger.UPLOAD


def test_an_unsigned_draft_is_not_issued(team, client_for):
    draft = approved(team)
    key = organisation_key(team)
    clerk = client_for(team.clerk)
    before = state()
    response = clerk.post(
        f"/du-thao/{draft.pk}/ban-hanh/",
        {"certificate": key.certificate.pk, "pin": signing.PIN},
    )
    assert response.status_code == 200
    assert MSG_UNSIGNED in response.content.decode()
    assert state() == before
    assert not Document.objects.exists()


def test_issue_signs_the_main_file_and_the_attachments_for_the_organisation(team, client_for):
    draft = approved(team)
    to_signed(team, draft)
    key = organisation_key(team)
    clerk = client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/"
    html = clerk.get(url).content.decode()
    block = form_block(html, "issue-form")
    assert key.certificate.subject_name in block and 'name="attachments"' in block
    assert 'id="paper-copy-note"' not in html  # a plan is not kept permanently

    # Refusals first: a wrong PIN, an attachment that is not PDF.
    before = state()
    response = clerk.post(f"{url}ban-hanh/", {"certificate": key.certificate.pk, "pin": "1"})
    assert response.status_code == 200
    assert MSG_WRONG_PIN in form_block(response.content.decode(), "issue-form")
    response = clerk.post(
        f"{url}ban-hanh/",
        {
            "certificate": key.certificate.pk,
            "pin": signing.PIN,
            "attachments": [upload("Phụ lục.docx", docx_bytes("Phụ lục"), "application/msword")],
        },
    )
    assert response.status_code == 200
    assert "phải là PDF" in form_block(response.content.decode(), "issue-form")
    assert state() == before

    appendix = pdf_bytes("Phụ lục I", "Danh mục nhiệm vụ")
    response = clerk.post(
        f"{url}ban-hanh/",
        {
            "issued_amount": "3",
            "certificate": key.certificate.pk,
            "pin": signing.PIN,
            "attachments": [upload("Phụ lục I.pdf", appendix, "application/pdf")],
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    document = draft.document
    assert document.number_symbol == "01/KH-STTTT" and not document.needs_paper_copy
    html = clerk.get(url).content.decode()
    assert "Đã cấp số 01/KH-STTTT" in html and "cần gửi kèm bản giấy" not in html
    # The plain test PDF has no "Số:" nor date line: the clerk is told, in the message and on
    # the page, that the number and date were not written into the file.
    assert html.count("Không tự ghi được số văn bản và ngày tháng năm ban hành") >= 2
    assert 'id="number-date-note"' in html

    main = document.files.get(role="main")
    main_bytes = default_storage.open(main.storage_name).read()
    result = check(main_bytes)
    assert result.status == "valid"
    assert [s.signer for s in result.signatures] == [
        "Nguyễn Văn Ký",
        "Sở Thông tin và Truyền thông",
    ]
    attachment = document.files.get(role="attachment")
    data = default_storage.open(attachment.storage_name).read()
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert data.startswith(appendix)  # the appendix with the organisation signature appended
    result = check(data)
    assert result.status == "valid" and len(result.signatures) == 1
    assert result.signatures[0].signer == "Sở Thông tin và Truyền thông"
    assert result.signatures[0].fingerprint == key.certificate.fingerprint
    # Every file is verified at issue and its report kept with the document, the appendix too.
    reports = VerificationReport.objects.filter(document=document, trigger=Trigger.ISSUE)
    assert sorted((r.file_name, r.status, r.file_sha256) for r in reports) == sorted(
        [
            (draft.versions.order_by("-number").first().original_name, "valid", main.sha256),
            ("Phụ lục I.pdf", "valid", attachment.sha256),
        ]
    )
    assert "Phụ lục I.pdf" in clerk.get(f"/van-ban/{document.pk}/").content.decode()


@pytest.mark.parametrize(
    ("type_name", "paper"), [("Quyết định", True), ("Kế hoạch", False)], ids=["decision", "plan"]
)
def test_types_kept_permanently_need_a_paper_copy(team, client_for, type_name, paper):
    draft = approved(team, document_type=doc_type(type_name), subject=f"{type_name} {SUBJECT}")
    to_signed(team, draft)
    key = organisation_key(team)
    clerk = client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/"
    assert ('id="paper-copy-note"' in clerk.get(url).content.decode()) is paper
    response = clerk.post(
        f"{url}ban-hanh/", {"certificate": key.certificate.pk, "pin": signing.PIN}, follow=True
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.document.needs_paper_copy is paper
    html = response.content.decode()
    assert ("cần gửi kèm bản giấy" in html) is paper
    assert ('id="paper-copy"' in html) is paper
