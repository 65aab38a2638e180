"""The whole outgoing path through the pages, as the people who do it (R15, R16):
the drafter creates a draft with a real PDF, asks a colleague for comments, sends it for checking;
the head checks the content, the checker the format, the leader approves; a new version voids
the approval and the leader approves again and signs it digitally; the clerk issues it with its
number from the series and the unit's organisation signature;
the Sở Nội vụ's clerk finds it in the reception queue and registers it (arrival number 1); the
sender's page shows "đã vào sổ" for the Sở Nội vụ."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from tests.documents.test_pages import table_rows
from tests.signing import PIN
from tests.support.documents import doc_type
from tests.support.drafting import SUBJECT, organisation_key, signer_certificate
from tests.support.files import pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.drafting.models import Draft, DraftAction, DraftStatus
from vanban.exchange.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

FIRST = pdf_bytes("Kế hoạch chuyển đổi số", "Dự thảo lần 1")
SECOND = pdf_bytes("Kế hoạch chuyển đổi số", "Dự thảo lần 2, đã sửa theo góp ý")


def create_form(team, **overrides):
    data = {
        "issuing_unit": team.province.stttt.pk,
        "document_type": doc_type("Kế hoạch").pk,
        "subject": SUBJECT,
        "urgency": "1",
        "recipient_units": [team.province.snv.pk],
        "external_recipients": "Bộ Thông tin và Truyền thông; 000.00.00.G22",
        "signer": team.signer.pk,
        "authority": "KT",
        "authority_title": "Giám đốc",
        "signer_position": "Phó Giám đốc",
        "note": "Bản đầu tiên",
        "sensitive_declared": "on",
        "content_file": upload("Kế hoạch CĐS.pdf", FIRST, "application/pdf"),
    }
    data.update(overrides)
    return data


def test_outgoing_path_from_draft_to_registered_at_the_recipient(team, client_for):
    drafter, head, checker = (
        client_for(team.drafter),
        client_for(team.head),
        client_for(team.checker),
    )
    signer, clerk, colleague = (
        client_for(team.signer),
        client_for(team.clerk),
        client_for(team.colleague),
    )
    clerk_snv = client_for(team.clerk_snv)

    # The drafter creates the draft with a real PDF.
    assert drafter.get("/du-thao/moi/").status_code == 200
    response = drafter.post("/du-thao/moi/", create_form(team))
    draft = Draft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/du-thao/{draft.pk}/"
    url = f"/du-thao/{draft.pk}/"
    assert draft.status == DraftStatus.DRAFTING
    assert (draft.unit, draft.issuing_unit, draft.drafter) == (
        team.province.stttt,
        team.province.stttt,
        team.drafter,
    )
    version1 = draft.current_version
    assert (version1.number, version1.sha256, version1.page_count) == (
        1,
        hashlib.sha256(FIRST).hexdigest(),
        1,
    )
    assert default_storage.open(version1.storage_name).read() == FIRST
    assert version1.storage_name.startswith("drafts/")
    html = drafter.get(url).content.decode()
    assert "KT. GIÁM ĐỐC" in html and "PHÓ GIÁM ĐỐC" in html and team.signer.full_name in html
    assert "Bộ Thông tin và Truyền thông (000.00.00.G22)" in html
    assert drafter.get("/du-thao/").status_code == 200

    # Comments from a colleague, with a deadline.
    response = drafter.post(
        f"{url}xin-y-kien/",
        {
            "comment-request-people": [team.colleague.pk],
            "comment-request-deadline": "2026-11-27",
            "comment-request-note": "Góp ý phần kinh phí",
        },
    )
    assert response.status_code == 302
    waiting = colleague.get("/du-thao/cho-toi/").content.decode()
    assert table_rows(waiting, "comment-table")[0][2] == "27/11/2026"
    page = colleague.get(url)
    assert page.status_code == 200 and 'id="comment-form"' in page.content.decode()
    response = colleague.post(f"{url}gop-y/", {"text": "Đề nghị bổ sung dự toán kinh phí."})
    assert response.status_code == 302

    # Sent for checking: the head checks the content, the checker the format.
    response = drafter.post(
        f"{url}trinh/", {"submit-reviewer": team.head.pk, "submit-checker": team.checker.pk}
    )
    assert response.status_code == 302
    assert SUBJECT in head.get("/du-thao/cho-toi/").content.decode()
    response = head.post(f"{url}kiem-tra-noi-dung/", {"content-decision": "accept"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REVIEWING
    response = checker.post(f"{url}kiem-tra-the-thuc/", {"format-decision": "accept"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVING

    # The leader approves; a new version voids the approval; the leader approves again.
    assert table_rows(signer.get("/du-thao/cho-toi/").content.decode(), "approve-table")[0][1]
    response = signer.post(f"{url}phe-duyet/", {"approve-decision": "accept"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.approved_version, draft.is_approved) == (
        DraftStatus.APPROVED,
        version1,
        True,
    )
    response = drafter.post(
        f"{url}phien-ban/",
        {
            "version-content_file": upload("Kế hoạch CĐS v2.pdf", SECOND, "application/pdf"),
            "version-note": "Bổ sung dự toán",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    # The checks of version 1 do not count for version 2: both checkers check it again.
    assert draft.status == DraftStatus.REVIEWING
    assert not draft.is_approved
    assert draft.current_version.number == 2
    assert default_storage.open(version1.storage_name).read() == FIRST  # never overwritten
    refused = clerk.post(f"{url}ban-hanh/", {})
    assert refused.status_code == 404  # the clerk does not see it until approved again
    assert not Document.objects.exists()
    page = head.get(url).content.decode()
    assert "Lần kiểm tra trước là của phiên bản 1, không tính cho phiên bản 2." in page
    assert head.post(f"{url}kiem-tra-noi-dung/", {"content-decision": "accept"}).status_code == 302
    response = checker.post(f"{url}kiem-tra-the-thuc/", {"format-decision": "accept"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVING
    response = signer.post(f"{url}phe-duyet/", {"approve-decision": "accept", "approve-note": "Ký"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.approved_version.number == 2

    # The leader signs the approved version with their certificate (registered beforehand, with
    # their signature image, as on the "Chữ ký số" page); the clerk waits for it.
    certificate = signer_certificate(team)
    key = organisation_key(team)
    assert 'id="issue-form"' not in clerk.get(url).content.decode()
    assert 'id="sign-form"' in signer.get(url).content.decode()
    response = signer.post(f"{url}ky-so/", {"certificate": certificate.pk, "pin": PIN})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_by == team.signer

    # The clerk issues it: number and symbol from the series, the signed latest version as main
    # file with the organisation signature.
    issue_rows = table_rows(clerk.get("/du-thao/cho-toi/").content.decode(), "issue-table")
    assert len(issue_rows) == 1 and SUBJECT in issue_rows[0][1]
    response = clerk.post(
        f"{url}ban-hanh/",
        {"issued_amount": "5", "certificate": key.certificate.pk, "pin": PIN},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    document = draft.document
    assert draft.status == DraftStatus.ISSUED
    assert (document.direction, document.number_symbol, document.register_number) == (
        Direction.OUTGOING,
        "01/KH-STTTT",
        1,
    )
    assert document.signer_name == team.signer.full_name
    assert document.signer_position == "KT. Giám đốc, Phó Giám đốc"
    assert document.recipients == (
        "Sở Nội vụ (000.00.05.H07); Bộ Thông tin và Truyền thông (000.00.00.G22)"
    )
    assert (document.issued_amount, document.urgency, document.page_amount) == (5, 1, 1)
    main = document.files.get()
    issued_bytes = default_storage.open(main.storage_name).read()
    assert issued_bytes.startswith(SECOND)  # version 2 with the signatures appended
    assert main.sha256 == hashlib.sha256(issued_bytes).hexdigest()
    assert main.original_name == "Kế hoạch CĐS v2.pdf"
    timeline = [e.action for e in draft.events.order_by("at", "pk")]
    assert timeline == [
        DraftAction.CREATED,
        DraftAction.COMMENT_REQUEST,
        DraftAction.COMMENT,
        DraftAction.SUBMITTED,
        DraftAction.CONTENT_ACCEPTED,
        DraftAction.FORMAT_ACCEPTED,
        DraftAction.APPROVED,
        DraftAction.VERSION,
        DraftAction.APPROVAL_VOIDED,
        DraftAction.CHECKS_AGAIN,
        DraftAction.CONTENT_ACCEPTED,
        DraftAction.FORMAT_ACCEPTED,
        DraftAction.APPROVED,
        DraftAction.SIGNED,
        DraftAction.ISSUED,
    ]
    html = drafter.get(url).content.decode()
    assert "Phê duyệt hết hiệu lực" in html and "Đề nghị bổ sung dự toán kinh phí." in html
    assert "01/KH-STTTT" in html
    assert AuditEvent.objects.filter(action="draft.issue", actor=team.clerk).count() == 1

    # The recipient unit's clerk finds it in the reception queue, with its file, and registers it.
    delivery = Delivery.objects.get()
    assert (delivery.recipient_unit, delivery.status) == (team.province.snv, DeliveryStatus.ARRIVED)
    queue = clerk_snv.get("/lien-thong/hang-cho/")
    assert queue.status_code == 200
    rows = table_rows(queue.content.decode(), "queue-table")
    assert [row[1] for row in rows] == ["01/KH-STTTT"]
    assert rows[0][3] == "Sở Thông tin và Truyền thông"
    page = clerk_snv.get(f"/lien-thong/hang-cho/{delivery.pk}/").content.decode()
    assert f"/lien-thong/hang-cho/{delivery.pk}/tep/{main.pk}/" in page
    download = clerk_snv.get(f"/lien-thong/hang-cho/{delivery.pk}/tep/{main.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == issued_bytes
    response = clerk_snv.post(
        f"/lien-thong/hang-cho/{delivery.pk}/vao-so/", {"sensitive_declared": "on"}
    )
    incoming = Document.objects.get(direction=Direction.INCOMING)
    assert response.status_code == 302
    assert response["Location"] == f"/van-ban/{incoming.pk}/"
    assert (incoming.unit, incoming.register_number, incoming.number_symbol) == (
        team.province.snv,
        1,
        "01/KH-STTTT",
    )
    assert (incoming.issuer_unit, incoming.issuer_code, incoming.subject) == (
        team.province.stttt,
        "000.00.12.H07",
        SUBJECT,
    )
    assert incoming.is_electronic and incoming.urgency == 1
    copy = DocumentFile.objects.get(document=incoming)
    assert copy.sha256 == main.sha256 and copy.storage_name != main.storage_name
    assert default_storage.open(copy.storage_name).read() == issued_bytes
    assert table_rows(clerk_snv.get("/lien-thong/hang-cho/").content.decode(), "queue-table") == [
        ["Không có văn bản nào chờ vào sổ."]
    ]

    # The sender's page shows "đã vào sổ" for the Sở Nội vụ, with the time.
    sent = clerk.get(f"/lien-thong/van-ban/{document.pk}/")
    assert sent.status_code == 200
    rows = table_rows(sent.content.decode(), "recipient-table")
    assert rows[0][0] == "Sở Nội vụ"
    assert rows[0][1] == "03 đã vào sổ"
    assert rows[0][2] == "25/11/2026 09:30"
    assert "01 đã đến" in rows[0][4] and "Số đến 1" in rows[0][4]
    assert signer.get(f"/lien-thong/van-ban/{document.pk}/").status_code == 200
