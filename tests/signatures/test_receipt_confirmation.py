"""Verification before registration (R11; TT 15/2025/TT-BKHCN): the clerk sees the report of
every PDF of an incoming document before registering it (upload, package, reception queue, API),
and a file whose signature is invalid or untrusted is registered only with an explicit
confirmation and a reason, both kept with the report and in the audit trail.

A file with no signature (a scan) and a valid signature need no confirmation. Every refusal
changes nothing: no document, no file, no number taken, no report.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import signing
from tests.signatures.test_pages import register_by_hand, signed_pdf, tampered
from tests.support.api import token_for
from tests.support.documents import DECLARED, doc_type, incoming_input
from tests.support.drafting import issued
from tests.support.edxml import sample
from tests.support.files import pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.documents import services as document_services
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.exchange import delivery
from vanban.exchange.models import Delivery, DeliveryStatus
from vanban.signatures import verify
from vanban.signatures.models import TrustRoot, VerificationReport

pytestmark = pytest.mark.django_db

PAGE = "/van-ban/den/vao-so/"
CONFIRM = "Vẫn vào sổ dù chữ ký số không hợp lệ hoặc không được tin cậy"
PROBLEM = "Chữ ký số của văn bản không hợp lệ hoặc không được tin cậy."
NEEDS_REASON = "Hãy ghi lý do vẫn vào sổ."
REASON = "Đã gọi điện xác minh với Văn phòng Sở; bản giấy có chữ ký và dấu."


def state() -> dict[str, Any]:
    return {
        "documents": list(Document.objects.values_list("pk", flat=True)),
        "files": DocumentFile.objects.count(),
        "series": list(RegisterSeries.objects.values_list("pk", "next_number")),
        "reports": VerificationReport.objects.count(),
        "registered": AuditEvent.objects.filter(action="document.register_in").count(),
    }


def text(response: Any) -> str:
    return html_lib.unescape(response.content.decode())


def section(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</section>', page, re.DOTALL)
    assert match is not None, element_id
    return match.group(0)


def form_post(team: Any, *files: tuple[str, bytes], **extra: str) -> dict[str, Any]:
    uploads = [SimpleUploadedFile(name, data, "application/pdf") for name, data in files]
    return {
        "unit": team.province.stttt.pk,
        "document_type": doc_type("Quyết định").pk,
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": "2026-11-20",
        "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
        "subject": "Về việc ban hành quy chế",
        "urgency": "0",
        "sensitive_declared": "on",
        "main_file": uploads[0],
        "attachments": uploads[1:],
        **extra,
    }


# ---------------------------------------------------------------- the service


def test_an_invalid_signature_is_registered_only_with_a_reason(team):
    signing.trust()
    files = (("Quyết định.pdf", signed_pdf()), ("Bản sửa.pdf", tampered(signed_pdf())))
    before = state()
    with pytest.raises(document_services.SignaturesNotConfirmed) as refused:
        register_by_hand(team, *files)
    assert "“Bản sửa.pdf”" in refused.value.message
    assert "“Quyết định.pdf”" not in refused.value.message
    assert [(r.file_name, r.status, r.accepted) for r in refused.value.reports] == [
        ("Quyết định.pdf", verify.VALID, True),
        ("Bản sửa.pdf", verify.INVALID, False),
    ]
    assert verify.REASON_TAMPERED in refused.value.reports[1].signatures[0]["reasons"]
    assert state() == before

    uploads = [upload(name, data, "application/pdf") for name, data in files]
    for reason, message in (
        ("   ", "Hãy xem kết quả kiểm tra; nếu vẫn vào sổ, hãy xác nhận và ghi lý do."),
        ("x" * 501, "Lý do vẫn vào sổ dài quá 500 ký tự"),
    ):
        with pytest.raises(document_services.SignaturesNotConfirmed) as refused:
            document_services.incoming_register(
                actor=team.clerk,
                unit=team.province.stttt,
                data=incoming_input(),
                refusals=DECLARED,
                main_file=uploads[0],
                attachments=uploads[1:],
                signature_reason=reason,
            )
        assert message in refused.value.message
        assert state() == before
        for item in uploads:
            item.seek(0)

    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=uploads[0],
        attachments=uploads[1:],
        signature_reason=f"  {REASON}\n",
    )
    kept = {
        r.file_name: r.confirmation for r in VerificationReport.objects.filter(document=document)
    }
    assert kept == {"Quyết định.pdf": "", "Bản sửa.pdf": REASON}
    event = AuditEvent.objects.get(action="document.register_in", target_id=str(document.pk))
    assert event.data["signature_confirmation"] == REASON


def test_valid_and_unsigned_files_need_no_confirmation(team):
    signing.trust()
    document = register_by_hand(
        team, ("Quyết định.pdf", signed_pdf()), ("Bản quét.pdf", pdf_bytes("Bản quét"))
    )
    reports = VerificationReport.objects.filter(document=document)
    assert sorted((r.status, r.confirmation) for r in reports) == [
        (verify.UNSIGNED, ""),
        (verify.VALID, ""),
    ]
    event = AuditEvent.objects.get(action="document.register_in", target_id=str(document.pk))
    assert "signature_confirmation" not in event.data


def test_an_untrusted_issuer_needs_the_confirmation_too(team):
    """The province's roots do not include the signer's: a signature intact but not trusted."""
    with pytest.raises(document_services.SignaturesNotConfirmed) as refused:
        register_by_hand(team, ("Quyết định.pdf", signed_pdf()))
    [report] = refused.value.reports
    assert (report.status, report.accepted) == (verify.INVALID, False)
    assert report.signatures[0]["intact"] and not report.signatures[0]["trusted"]


# ---------------------------------------------------------------- the upload page


def test_the_upload_page_shows_the_reports_and_asks_for_the_confirmation(team, client_for):
    signing.trust()
    client = client_for(team.clerk)
    files = (("Quyết định.pdf", signed_pdf()), ("Bản sửa.pdf", tampered(signed_pdf())))
    before = state()

    response = client.post(PAGE, form_post(team, *files))
    assert response.status_code == 200
    page = text(response)
    shown = section(page, "signature-check")
    assert "Kiểm tra chữ ký số trước khi vào sổ" in shown
    assert "Quyết định.pdf" in shown and "Bản sửa.pdf" in shown
    assert verify.REASON_TAMPERED in shown
    assert "Nguyễn Văn Ký" in shown  # the signer, read from the certificate
    assert PROBLEM in shown and CONFIRM in shown
    assert "Chữ ký số của tệp “Bản sửa.pdf” không hợp lệ hoặc không được tin cậy." in shown
    assert state() == before

    # Confirmed without a reason, or a reason without the confirmation: refused on the form.
    response = client.post(PAGE, form_post(team, *files, confirm_signatures="on"))
    assert NEEDS_REASON in text(response)
    assert state() == before
    response = client.post(PAGE, form_post(team, *files, signature_reason=REASON))
    assert "Hãy đánh dấu xác nhận vẫn vào sổ, hoặc xóa lý do." in text(response)
    assert CONFIRM in text(response)  # the confirmation stays on the form
    assert state() == before

    response = client.post(
        PAGE, form_post(team, *files, confirm_signatures="on", signature_reason=REASON)
    )
    assert response.status_code == 302
    document = Document.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert {
        r.file_name: r.confirmation for r in VerificationReport.objects.filter(document=document)
    } == {"Quyết định.pdf": "", "Bản sửa.pdf": REASON}


def test_a_valid_upload_registers_at_once(team, client_for):
    signing.trust()
    response = client_for(team.clerk).post(PAGE, form_post(team, ("Quyết định.pdf", signed_pdf())))
    assert response.status_code == 302
    assert VerificationReport.objects.get().status == verify.VALID


# ---------------------------------------------------------------- a package read on the page


def test_a_package_shows_the_real_2018_signature_before_registering(team, client_for):
    """The national sample's PDF is signed by a certificate the province does not trust, with
    SHA-1: the report is on the page as soon as the package is read."""
    client = client_for(team.clerk)
    package = SimpleUploadedFile("edoc_new.edxml", sample("edoc_new.edxml"), "application/xml")
    response = client.post(PAGE, {"read_package": "1", "package": package})
    page = text(response)
    shown = section(page, "signature-check")
    assert "GUIDE_INSTALL OPENVPN.SIGNED.PDF" in shown
    assert "Không hợp lệ" in shown and "SHA-1" in shown
    assert PROBLEM in shown and CONFIRM in shown
    token = re.search(r'name="package_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    post = {
        "unit": team.province.stttt.pk,
        "document_type": doc_type("Công văn").pk,
        "code_number": "7816",
        "code_notation": "VPCP-TTĐT",
        "issued_date": "2018-10-19",
        "issuer_name": "Văn phòng Chính phủ",
        "subject": "V/v kết nối, liên thông phần mềm quản lý văn bản",
        "urgency": "0",
        "sensitive_declared": "on",
        "package_token": token,
    }
    before = state()
    response = client.post(PAGE, post)
    assert "“GUIDE_INSTALL OPENVPN.SIGNED.PDF” không hợp lệ" in text(response)
    assert state() == before
    response = client.post(PAGE, {**post, "confirm_signatures": "on", "signature_reason": REASON})
    assert response.status_code == 302
    [report] = VerificationReport.objects.filter(document__isnull=False)
    assert (report.file_name, report.confirmation) == ("GUIDE_INSTALL OPENVPN.SIGNED.PDF", REASON)


# ---------------------------------------------------------------- the reception queue


def untrusted_delivery(team: Any) -> Delivery:
    """A document issued to the Sở Nội vụ, whose roots the province then stops trusting."""
    signing.trust()
    _draft, sent = issued(team, units=[team.province.snv])
    TrustRoot.objects.update(active=False)
    return Delivery.objects.get(document=sent, recipient_unit=team.province.snv)


def test_the_queue_page_shows_the_reports_and_asks_for_the_confirmation(team, client_for):
    item = untrusted_delivery(team)
    client = client_for(team.clerk_snv)
    page = text(client.get(f"/lien-thong/hang-cho/{item.pk}/"))
    shown = section(page, "signature-check")
    assert PROBLEM in shown and CONFIRM in shown
    assert "Sở Thông tin và Truyền thông" in shown  # the organisation signature's owner
    before = state()
    response = client.post(f"/lien-thong/hang-cho/{item.pk}/vao-so/", {"sensitive_declared": "on"})
    assert response.status_code == 200
    assert "không hợp lệ hoặc không được tin cậy" in text(response)
    item.refresh_from_db()
    assert item.status == DeliveryStatus.ARRIVED
    assert state() == before

    response = client.post(
        f"/lien-thong/hang-cho/{item.pk}/vao-so/",
        {"sensitive_declared": "on", "confirm_signatures": "on", "signature_reason": REASON},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == DeliveryStatus.REGISTERED
    reports = VerificationReport.objects.filter(document=item.incoming_document)
    assert reports and {r.confirmation for r in reports} == {REASON}


def test_a_trusted_delivery_registers_without_confirmation(team, client_for):
    signing.trust()
    _draft, sent = issued(team, units=[team.province.snv])
    item = Delivery.objects.get(document=sent, recipient_unit=team.province.snv)
    client = client_for(team.clerk_snv)
    page = text(client.get(f"/lien-thong/hang-cho/{item.pk}/"))
    assert "Kiểm tra chữ ký số trước khi vào sổ" in page
    assert CONFIRM not in page
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    assert {r.status for r in VerificationReport.objects.filter(document=incoming)} == {
        verify.VALID
    }


# ---------------------------------------------------------------- the API


def multipart(api: Any, token: str, data: dict[str, Any]) -> Any:
    """A multipart/form-data request, as `curl -F` sends it."""
    return api.client.post(
        "/api/v1/documents/incoming", data=data, headers={"Authorization": f"Bearer {token}"}
    )


def test_the_api_answers_409_with_the_reports_then_registers_with_the_reason(team, api):
    signing.trust()
    token = token_for(team.clerk)
    files = {
        "main_file": SimpleUploadedFile("Quyết định.pdf", signed_pdf(), "application/pdf"),
        "attachments": [
            SimpleUploadedFile("Bản sửa.pdf", tampered(signed_pdf()), "application/pdf")
        ],
    }
    fields = {
        "unit_id": team.province.stttt.pk,
        "document_type_id": doc_type("Quyết định").pk,
        "subject": "Về việc ban hành quy chế",
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": "2026-11-20",
        "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
        "sensitive_declared": "true",
    }
    before = state()
    response = multipart(api, token, {**fields, **files})
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["field"] == "signature_reason"
    assert [(s["file_name"], s["status"], s["accepted"]) for s in body["signatures"]] == [
        ("Quyết định.pdf", "valid", True),
        ("Bản sửa.pdf", "invalid", False),
    ]
    assert verify.REASON_TAMPERED in body["signatures"][1]["signatures"][0]["reasons"]
    assert state() == before

    for item in (files["main_file"], *files["attachments"]):
        item.seek(0)
    response = multipart(api, token, {**fields, **files, "signature_reason": REASON})
    assert response.status_code == 201, response.content
    reports = response.json()["signature_reports"]
    assert [(r["file_name"], r["status"], r["confirmation"]) for r in reports] == [
        ("Quyết định.pdf", "valid", ""),
        ("Bản sửa.pdf", "invalid", REASON),
    ]


def test_the_delivery_api_gives_the_reports_before_registering(team, api):
    item = untrusted_delivery(team)
    token = token_for(team.clerk_snv)
    response = api.get(f"/exchange/queue/{item.pk}/signatures", token)
    assert response.status_code == 200, response.content
    reports = response.json()
    assert reports and not any(r["accepted"] for r in reports if r["status"] != "unsigned")
    declared = {"sensitive_declared": True}
    response = api.post(f"/exchange/queue/{item.pk}/register", token, declared)
    assert response.status_code == 409
    assert response.json()["signatures"]
    item.refresh_from_db()
    assert item.status == DeliveryStatus.ARRIVED
    response = api.post(
        f"/exchange/queue/{item.pk}/register",
        token,
        {**declared, "signature_reason": REASON},
    )
    assert response.status_code == 201, response.content
    assert {r["confirmation"] for r in response.json()["signature_reports"]} == {REASON}
    assert api.get(f"/exchange/queue/{item.pk}/signatures", token).json() == []
