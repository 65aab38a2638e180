"""Signing several approved drafts at once (R11; NĐ 68/2024/NĐ-CP, TT 15/2025/TT-BKHCN): one
certificate and one PIN for the batch, each draft checked and signed on its own with its own
signature, one draft that cannot be signed does not stop or undo the others, a wrong PIN signs
nothing; the approver's page lists the drafts waiting for their signature and says for each
whether it was signed or why not."""

import re

import pytest
from django.core.files.storage import default_storage

from tests import signing
from tests.drafting.test_signing_pages import check
from tests.support.drafting import (
    create_draft,
    organisation_key,
    signer_certificate,
    to_approved,
    to_approving,
)
from tests.support.files import pdf_bytes, upload
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.drafting import services as drafting
from vanban.drafting.batch_signing import drafts_issue_batch, drafts_sign_batch
from vanban.drafting.models import Draft, DraftAction, DraftStatus
from vanban.signatures.models import VerificationReport

pytestmark = pytest.mark.django_db

MSG_WRONG_PIN = "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng."
MSG_NOT_APPROVED = "Chỉ ký số được dự thảo đã được phê duyệt ở phiên bản mới nhất."
MSG_NOT_APPROVER = "Chỉ người đã phê duyệt dự thảo mới ký số văn bản."
URL = "/du-thao/ky-so-nhieu/"


def approved_drafts(team, count: int) -> list[Draft]:  # type: ignore[no-untyped-def]
    drafts = []
    for n in range(count):
        draft = create_draft(team, subject=f"Kế hoạch số {n + 1} về chuyển đổi số")
        to_approved(team, draft)
        drafts.append(draft)
    return drafts


def new_version(team, draft: Draft) -> None:  # type: ignore[no-untyped-def]
    """The drafter uploads a new version after approval: approval no longer holds."""
    drafting.draft_version_add(
        actor=team.drafter,
        draft=draft,
        content_file=upload("Kế hoạch.pdf", pdf_bytes("Kế hoạch, bản sửa"), "application/pdf"),
        note="Sửa sau khi phê duyệt",
    )


def signed_data(draft: Draft) -> bytes:
    draft.refresh_from_db()
    return default_storage.open(draft.signed_storage_name).read()


def test_three_drafts_are_signed_with_one_pin_each_with_its_own_signature(team):
    drafts = approved_drafts(team, 3)
    result = drafts_sign_batch(
        actor=team.signer, drafts=drafts, certificate=signer_certificate(team), pin=signing.PIN
    )
    assert [i.signed for i in result.items] == [True, True, True]
    assert result.stopped == "" and result.refused == []
    values = set()
    for draft in drafts:
        data = signed_data(draft)
        assert draft.is_signed and draft.signed_by == team.signer
        assert data.startswith(default_storage.open(draft.current_version.storage_name).read())
        report = check(data)
        assert report.status == "valid" and len(report.signatures) == 1
        assert report.signatures[0].signer == "Nguyễn Văn Ký"
        assert draft.events.filter(action=DraftAction.SIGNED).count() == 1
        values.add(draft.signed_sha256)
    assert len(values) == 3  # three different signed files, three signatures
    assert VerificationReport.objects.filter(draft__in=drafts).count() == 3
    assert AuditEvent.objects.filter(action="signatures.draft_sign").count() == 3
    # Nothing in the audit trail carries the PIN.
    assert not AuditEvent.objects.filter(data__icontains=signing.PIN).exists()


def test_one_draft_not_signable_does_not_stop_the_others(team):
    first, changed, last = approved_drafts(team, 3)
    new_version(team, changed)  # after the approver loaded the list
    result = drafts_sign_batch(
        actor=team.signer,
        drafts=[first, changed, last],
        certificate=signer_certificate(team),
        pin=signing.PIN,
    )
    assert [(i.draft.pk, i.signed, i.reason) for i in result.items] == [
        (first.pk, True, ""),
        (changed.pk, False, MSG_NOT_APPROVED),
        (last.pk, True, ""),
    ]
    changed.refresh_from_db()
    assert not changed.is_signed and changed.signed_storage_name == ""
    assert not VerificationReport.objects.filter(draft=changed).exists()
    for draft in (first, last):
        assert check(signed_data(draft)).status == "valid"


def test_a_wrong_pin_signs_nothing(team, tmp_path):
    drafts = approved_drafts(team, 3)
    certificate = signer_certificate(team)
    before = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    result = drafts_sign_batch(
        actor=team.signer, drafts=drafts, certificate=certificate, pin="sai-pin"
    )
    assert result.stopped == MSG_WRONG_PIN
    assert [(i.signed, i.reason) for i in result.items] == [(False, MSG_WRONG_PIN)] * 3
    assert (
        not Draft.objects.filter(pk__in=[d.pk for d in drafts])
        .exclude(signed_storage_name="")
        .exists()
    )
    assert not AuditEvent.objects.filter(action="signatures.draft_sign").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == before


def test_a_draft_approved_by_someone_else_is_refused_and_the_others_signed(team, province):
    mine = approved_drafts(team, 2)
    other_leader = make_user(province.stttt, "Phạm Văn Duyệt", (Role.LEADER,), position="Giám đốc")
    theirs = create_draft(team, subject="Kế hoạch do người khác phê duyệt")
    theirs.signer = other_leader
    theirs.save(update_fields=["signer"])
    to_approving(team, theirs)
    drafting.draft_approve(actor=other_leader, draft=theirs, accept=True)
    result = drafts_sign_batch(
        actor=team.signer,
        drafts=[mine[0], theirs, mine[1]],
        certificate=signer_certificate(team),
        pin=signing.PIN,
    )
    assert [(i.signed, i.reason) for i in result.items] == [
        (True, ""),
        (False, MSG_NOT_APPROVER),
        (True, ""),
    ]
    theirs.refresh_from_db()
    assert not theirs.is_signed


# ---------------------------------------------------------------- the page


def rows(html: str) -> list[str]:
    body = re.search(r'<table id="sign-batch-table".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None
    return re.findall(r'name="drafts" value="(\d+)"', body.group(1))


def test_the_page_lists_the_drafts_to_sign_in_a_fixed_number_of_queries(
    team, client_for, django_assert_num_queries
):
    client = client_for(team.signer)
    signer_certificate(team)
    drafts = approved_drafts(team, 2)
    with django_assert_num_queries(QUERIES):
        html = client.get(URL).content.decode()
    assert rows(html) == [str(d.pk) for d in drafts]
    assert "Ký các dự thảo đã chọn" in html and 'name="pin"' in html
    assert 'class="table-wrap"' in html and 'class="cards-narrow"' in html
    drafts += approved_drafts(team, 3)
    with django_assert_num_queries(QUERIES):
        html = client.get(URL).content.decode()
    assert len(rows(html)) == 5
    # The waiting list links to it; nobody else's drafts are listed.
    assert 'id="sign-batch-link"' in client.get("/du-thao/cho-toi/").content.decode()
    assert rows(client_for(team.clerk).get(URL).content.decode()) == []


QUERIES = 6  # session, user, the drafts, the certificates, roles and counts of the menu


def test_the_page_signs_those_chosen_and_says_which_failed_and_why(team, client_for):
    first, changed, last, left = approved_drafts(team, 4)
    certificate = signer_certificate(team)
    client = client_for(team.signer)
    assert len(rows(client.get(URL).content.decode())) == 4
    new_version(team, changed)
    response = client.post(
        URL,
        {
            "drafts": [first.pk, changed.pk, last.pk],
            "certificate": certificate.pk,
            "pin": signing.PIN,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã ký 2 văn bản; 1 văn bản không ký được." in html
    for draft in (first, last):
        row = re.search(rf'id="batch-result-{draft.pk}" class="(\w+-\w+)"', html).group(1)
        assert row == "batch-signed"
        draft.refresh_from_db()
        assert draft.is_signed
    refused = re.search(rf'id="batch-result-{changed.pk}".*?</tr>', html, re.S).group(0)
    assert "batch-refused" in refused and f"Không ký: {MSG_NOT_APPROVED}" in refused
    left.refresh_from_db()
    assert not left.is_signed  # not ticked
    assert signing.PIN not in html
    # The signed ones leave the list; the one not ticked stays.
    assert rows(client.get(URL).content.decode()) == [str(left.pk)]


def test_the_page_refuses_a_wrong_pin_and_an_empty_choice_and_signs_nothing(team, client_for):
    drafts = approved_drafts(team, 2)
    certificate = signer_certificate(team)
    client = client_for(team.signer)
    ids = [d.pk for d in drafts]
    response = client.post(URL, {"drafts": ids, "certificate": certificate.pk, "pin": "sai"})
    html = response.content.decode()
    assert response.status_code == 200 and MSG_WRONG_PIN in html
    assert all(f'value="{pk}" id="batch-draft-{pk}" checked' in html for pk in ids)
    response = client.post(URL, {"certificate": certificate.pk, "pin": signing.PIN})
    assert "Hãy chọn ít nhất một dự thảo để ký." in response.content.decode()
    assert not Draft.objects.exclude(signed_storage_name="").exists()
    assert not AuditEvent.objects.filter(action="signatures.draft_sign").exists()


def test_a_draft_someone_may_not_sign_is_refused_on_the_page(team, client_for):
    (draft,) = approved_drafts(team, 1)
    head = team.head  # a leader who did not approve it
    certificate = signing.personal(head)
    response = client_for(head).post(
        URL, {"drafts": [draft.pk], "certificate": certificate.pk, "pin": signing.PIN}
    )
    html = response.content.decode()
    assert f"Không ký: {MSG_NOT_APPROVER}" in html
    draft.refresh_from_db()
    assert not draft.is_signed


# ---------------------------------------------------------------- the clerk issues several


def test_the_clerk_issues_several_signed_drafts_with_one_pin(team):
    first, unsigned, last = approved_drafts(team, 3)
    drafts_sign_batch(
        actor=team.signer,
        drafts=[first, last],
        certificate=signer_certificate(team),
        pin=signing.PIN,
    )
    key = organisation_key(team)
    result = drafts_issue_batch(
        actor=team.clerk, drafts=[first, unsigned, last], certificate=key.certificate, pin=key.pin
    )
    assert [(i.draft.pk, i.signed) for i in result.items] == [
        (first.pk, True),
        (unsigned.pk, False),
        (last.pk, True),
    ]
    assert result.items[1].reason.startswith("Văn bản chưa được người có thẩm quyền ký số")
    numbers = set()
    for draft in (first, last):
        draft.refresh_from_db()
        assert draft.status == DraftStatus.ISSUED
        main = draft.document.files.get(role="main")
        report = check(default_storage.open(main.storage_name).read())
        assert report.status == "valid"
        assert [s.signer for s in report.signatures] == [
            "Nguyễn Văn Ký",
            "Sở Thông tin và Truyền thông",
        ]
        numbers.add(draft.document.register_number)
    assert len(numbers) == 2  # each its own number
    unsigned.refresh_from_db()
    assert unsigned.status == DraftStatus.APPROVED


def test_a_wrong_organisation_pin_issues_nothing(team):
    drafts = approved_drafts(team, 2)
    drafts_sign_batch(
        actor=team.signer, drafts=drafts, certificate=signer_certificate(team), pin=signing.PIN
    )
    key = organisation_key(team)
    result = drafts_issue_batch(
        actor=team.clerk, drafts=drafts, certificate=key.certificate, pin="sai"
    )
    assert result.stopped == MSG_WRONG_PIN
    assert not result.signed
    assert Document.objects.count() == 0


# ---------------------------------------------------------------- the clerk's page

ISSUE_URL = "/du-thao/ban-hanh-nhieu/"


def issue_rows(html: str) -> list[str]:
    body = re.search(r'<table id="issue-batch-table".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None
    return re.findall(r'name="drafts" value="(\d+)"', body.group(1))


def signed_drafts(team, count: int) -> list[Draft]:  # type: ignore[no-untyped-def]
    drafts = approved_drafts(team, count)
    drafts_sign_batch(
        actor=team.signer, drafts=drafts, certificate=signer_certificate(team), pin=signing.PIN
    )
    return drafts


def test_the_clerk_page_lists_the_signed_drafts_in_a_fixed_number_of_queries(
    team, client_for, django_assert_num_queries
):
    organisation_key(team)
    drafts = signed_drafts(team, 2)
    client = client_for(team.clerk)
    with django_assert_num_queries(ISSUE_QUERIES):
        html = client.get(ISSUE_URL).content.decode()
    assert issue_rows(html) == [str(d.pk) for d in drafts]
    assert "Ban hành các văn bản đã chọn" in html and 'name="pin"' in html
    assert 'class="table-wrap"' in html and 'class="cards-narrow"' in html
    drafts += signed_drafts(team, 2)
    with django_assert_num_queries(ISSUE_QUERIES):
        html = client.get(ISSUE_URL).content.decode()
    assert len(issue_rows(html)) == 4
    assert 'id="issue-batch-link"' in client.get("/du-thao/cho-toi/").content.decode()
    # The approver is not a clerk of the issuing unit: nothing for them to issue.
    assert issue_rows(client_for(team.signer).get(ISSUE_URL).content.decode()) == []


ISSUE_QUERIES = 6  # session, user, the drafts, the certificates, roles and counts of the menu


def test_the_clerk_page_issues_those_chosen_and_says_which_failed_and_why(team, client_for):
    first, last, left = signed_drafts(team, 3)
    (unsigned,) = approved_drafts(team, 1)
    key = organisation_key(team)
    client = client_for(team.clerk)
    response = client.post(
        ISSUE_URL,
        {
            "drafts": [first.pk, unsigned.pk, last.pk],
            "certificate": key.certificate.pk,
            "pin": key.pin,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã ban hành 2 văn bản; 1 văn bản không ban hành được." in html
    for draft in (first, last):
        draft.refresh_from_db()
        assert draft.status == DraftStatus.ISSUED
        assert f'id="batch-result-{draft.pk}" class="batch-signed"' in html
    refused = re.search(rf'id="batch-result-{unsigned.pk}".*?</tr>', html, re.S).group(0)
    assert "Không ban hành: Văn bản chưa được người có thẩm quyền ký số" in refused
    assert key.pin not in html
    assert issue_rows(client.get(ISSUE_URL).content.decode()) == [str(left.pk)]


def test_the_clerk_page_refuses_a_wrong_pin_and_an_empty_choice_and_issues_nothing(
    team, client_for
):
    drafts = signed_drafts(team, 2)
    key = organisation_key(team)
    client = client_for(team.clerk)
    ids = [d.pk for d in drafts]
    response = client.post(
        ISSUE_URL, {"drafts": ids, "certificate": key.certificate.pk, "pin": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and MSG_WRONG_PIN in html
    assert all(f'value="{pk}" id="batch-draft-{pk}" checked' in html for pk in ids)
    response = client.post(ISSUE_URL, {"certificate": key.certificate.pk, "pin": key.pin})
    assert "Hãy chọn ít nhất một dự thảo để ban hành." in response.content.decode()
    assert Document.objects.count() == 0


def test_someone_who_is_not_the_clerk_issues_nothing_from_the_page(team, client_for):
    (draft,) = signed_drafts(team, 1)
    key = organisation_key(team)
    response = client_for(team.signer).post(
        ISSUE_URL, {"drafts": [draft.pk], "certificate": key.certificate.pk, "pin": key.pin}
    )
    # The approver is no clerk of the unit: no organisation certificate to choose, no draft to
    # issue; the form refuses the certificate sent and nothing is issued.
    assert response.status_code == 200
    assert "Không có văn bản nào chờ ban hành." in response.content.decode()
    assert Document.objects.count() == 0
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED
