"""The drafting and exchange pages keep a fixed number of SQL queries whatever the number of
rows they show (no N+1): each is measured with a small and a larger data set."""

import datetime as dt

import pytest

from tests.support.documents import DECLARED, doc_type
from tests.support.drafting import (
    create_draft,
    issue,
    issued,
    organisation_key,
    pdf,
    signer_certificate,
    to_approved,
    to_approving_again,
    to_signed,
)
from tests.support.files import pdf_upload
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.drafting import services
from vanban.exchange import delivery
from vanban.exchange.models import Delivery

pytestmark = pytest.mark.django_db

# Session, user, roles, the menu's counts with the unread notifications in one row (the base
# page), then the page's own queries (waiting: comments, content, format, approval, signature,
# issuing, for clerks only).
MY_DRAFTS = 7
WAITING = {"clerk": 10, "signer": 9}
# The draft's page also shows its discussion thread: the posts, the people they name, who may
# see the draft (the draft, the units' roles, the people asked to comment) and those of them
# who may be named: six queries, however long the thread.
THREAD = 6
DETAIL = 14 + THREAD
# The draft's page once approved: the approver who may sign (their certificates), then once
# signed the approver and the clerk (signer, verification reports; for the clerk the unit's
# organisation certificates).
TO_SIGN = 10 + THREAD
SIGNED = 11 + THREAD
TO_ISSUE = 12 + THREAD
# The reception queue also reads what came from other systems (one query); the sender's page
# reads every recipient, units of the deployment and agencies of other systems, in one query.
QUEUE = 8
SENT = 9


def test_my_drafts(team, client_for, django_assert_num_queries):
    client = client_for(team.drafter)
    first = create_draft(team)
    with django_assert_num_queries(MY_DRAFTS):
        html = client.get("/du-thao/").content.decode()
    assert html.count(f"/du-thao/{first.pk}/") == 1
    for _ in range(5):
        draft = create_draft(team)
    to_approved(team, draft)
    issue(team, to_signed(team, draft))
    with django_assert_num_queries(MY_DRAFTS):
        html = client.get("/du-thao/").content.decode()
    assert "6 dự thảo" in html and "01/KH-STTTT" in html


def test_waiting_for_me(team, client_for, django_assert_num_queries):
    """The clerk's drafts to issue (signed) and the approver's drafts to sign (approved)."""
    for _ in range(2):
        to_signed(team, to_approved(team, create_draft(team)))
        to_approved(team, create_draft(team))
    clerk, signer = client_for(team.clerk), client_for(team.signer)
    with django_assert_num_queries(WAITING["clerk"]):
        html = clerk.get("/du-thao/cho-toi/").content.decode()
    assert "Chờ cấp số và ban hành (2)" in html
    with django_assert_num_queries(WAITING["signer"]):
        html = signer.get("/du-thao/cho-toi/").content.decode()
    assert "Chờ ký số (2)" in html
    for _ in range(4):
        to_signed(team, to_approved(team, create_draft(team)))
        to_approved(team, create_draft(team))
    with django_assert_num_queries(WAITING["clerk"]):
        html = clerk.get("/du-thao/cho-toi/").content.decode()
    assert "Chờ cấp số và ban hành (6)" in html
    with django_assert_num_queries(WAITING["signer"]):
        html = signer.get("/du-thao/cho-toi/").content.decode()
    assert "Chờ ký số (6)" in html


def test_draft_page(team, client_for, django_assert_num_queries):
    draft = create_draft(team)
    client = client_for(team.drafter)
    with django_assert_num_queries(DETAIL):
        client.get(f"/du-thao/{draft.pk}/")
    people = [make_user(team.province.stttt, f"Người góp ý {i}") for i in range(4)]
    services.draft_comments_request(
        actor=team.drafter, draft=draft, people=people, deadline=dt.date(2026, 12, 1)
    )
    for person in people:
        services.draft_comment(actor=person, draft=draft, text=f"Ý kiến của {person.full_name}")
    for number in range(2, 5):
        services.draft_version_add(
            actor=team.drafter, draft=draft, content_file=pdf(f"{number}.pdf")
        )
    with django_assert_num_queries(DETAIL):
        html = client.get(f"/du-thao/{draft.pk}/").content.decode()
    # The version table, and the link to the PDF to show of the current version.
    assert html.count(f'<a href="/du-thao/{draft.pk}/phien-ban/') == 4 + 1
    assert f'<a href="/du-thao/{draft.pk}/phien-ban/4/pdf/" id="current-pdf-link"' in html
    assert html.count('class="secondary viewer-file"') == 4  # the viewer's choice of file
    assert html.count("Ý kiến của Người góp ý") == 8  # comment table and timeline


def test_draft_page_once_approved_and_signed(team, client_for, django_assert_num_queries):
    draft = create_draft(team)
    to_approved(team, draft)
    signer_certificate(team)
    organisation_key(team)
    signer, clerk = client_for(team.signer), client_for(team.clerk)
    url = f"/du-thao/{draft.pk}/"
    with django_assert_num_queries(TO_SIGN):
        assert 'id="sign-form"' in signer.get(url).content.decode()
    to_signed(team, draft)
    with django_assert_num_queries(SIGNED):
        signer.get(url)
    with django_assert_num_queries(TO_ISSUE):
        assert 'id="issue-form"' in clerk.get(url).content.decode()
    # More versions, approvals, signatures and reports: the same number of queries.
    for number in range(2, 4):
        services.draft_version_add(
            actor=team.drafter, draft=draft, content_file=pdf(f"{number}.pdf")
        )
        to_approving_again(team, draft)
        services.draft_approve(actor=team.signer, draft=draft, accept=True)
        to_signed(team, draft)
    assert draft.verification_reports.count() == 3
    with django_assert_num_queries(SIGNED):
        html = signer.get(url).content.decode()
    assert html.count('id="report-') == 3
    with django_assert_num_queries(TO_ISSUE):
        assert 'id="issue-form"' in clerk.get(url).content.decode()


def outgoing(team, subject: str):  # type: ignore[no-untyped-def]
    return document_services.outgoing_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=document_services.DocumentInput(
            document_type=doc_type("Công văn"), subject=subject, recipients="Sở Nội vụ"
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


def test_reception_queue(team, client_for, django_assert_num_queries):
    client = client_for(team.clerk_snv)
    _draft, first = issued(team)
    with django_assert_num_queries(QUEUE):
        html = client.get("/lien-thong/hang-cho/").content.decode()
    assert "01/KH-STTTT" in html
    for number in range(5):
        document = outgoing(team, f"Công văn thứ {number}")
        # The paper copy of R12 is read with the document: no query of its own.
        Document.objects.filter(pk=document.pk).update(needs_paper_copy=number % 2 == 0)
        delivery.deliveries_create(actor=team.clerk, document=document, units=[team.province.snv])
    # A registered copy is asked back (one still in the queue would be given back at once).
    delivery.delivery_register(
        actor=team.clerk_snv, delivery=Delivery.objects.get(document=first), refusals=DECLARED
    )
    delivery.document_recall(actor=team.clerk, document=first, reason="Sai")
    with django_assert_num_queries(QUEUE):
        html = client.get("/lien-thong/hang-cho/").content.decode()
    assert "Văn bản chờ vào sổ (5)" in html and "Đề nghị thu hồi chờ trả lời (1)" in html
    assert html.count(">Có bản giấy gửi kèm<") == 3


def test_sender_statuses(team, client_for, django_assert_num_queries):
    client = client_for(team.clerk)
    _draft, document = issued(team)
    with django_assert_num_queries(SENT):
        client.get(f"/lien-thong/van-ban/{document.pk}/")
    units = [
        account_services.unit_create(
            actor=None,
            name=f"Sở thử nghiệm {i}",
            symbol=f"ST{i}",
            abbreviation=f"sothu{i}",
            agency_code=f"000.00.{30 + i}.H07",
            parent=team.province.root,
        )
        for i in range(4)
    ]
    for unit in units:
        make_user(unit, f"Văn thư {unit.symbol}", (Role.CLERK,))
    delivery.deliveries_create(actor=team.clerk, document=document, units=units)
    incoming = delivery.delivery_register(
        actor=team.clerk_snv,
        delivery=document.deliveries.get(recipient_unit=team.province.snv),
        refusals=DECLARED,
    )
    delivery.delivery_status_update(incoming_document=incoming, status="04")
    with django_assert_num_queries(SENT):
        html = client.get(f"/lien-thong/van-ban/{document.pk}/").content.decode()
    assert html.count('<tr id="recipient-') == 5
    assert "04 đã giao xử lý" in html
