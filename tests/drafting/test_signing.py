"""Refusals and results of signing a draft: the competent signer's signature on the approved
version (a key held by the server, or a PDF signed by another tool) and the clerk's organisation
signature when issuing. Every refusal asserts the Vietnamese reason and that nothing changed: no
row, no stored file, no audit event, no number taken (`state`, `refused` of the signature
service tests)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage

from tests import signing
from tests.signatures.test_services import add_p12, refused, state
from tests.support.drafting import (
    create_draft,
    issue,
    organisation_key,
    signer_certificate,
    to_approved,
    to_approving_again,
    to_signed,
)
from tests.support.files import pdf_bytes, upload
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import FileUnavailable
from vanban.documents.models import Document, RegisterSeries
from vanban.drafting import services as drafting
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import Draft, DraftAction, DraftStatus
from vanban.signatures import pdfsign, services, verify
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    VerificationReport,
)
from vanban.signatures.services import OrganisationKey

pytestmark = pytest.mark.django_db
PIN = signing.PIN


# ---------------------------------------------------------------- the competent signer signs


def test_the_approver_signs_the_approved_pdf(team):
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    assert draft.is_signed
    assert (draft.signed_by, draft.signed_via) == (team.signer, KeyStorage.PKCS12)
    data = default_storage.open(draft.signed_storage_name).read()
    approved = default_storage.open(draft.current_version.storage_name).read()
    assert data.startswith(approved)  # an incremental update of the approved bytes
    report = VerificationReport.objects.get(draft=draft)
    assert report.status == verify.VALID
    assert draft.events.filter(action=DraftAction.SIGNED).count() == 1


def test_one_rule_says_who_may_sign(team):
    """The draft's page offers signing exactly when the signing services accept: both ask
    draft_sign_refusal, which gives the reason of the refusal."""
    rule = draft_signing.draft_sign_refusal
    draft = create_draft(team)
    refusal = rule(user=team.signer, draft=draft)
    assert (type(refusal), refusal.message) == (  # type: ignore[union-attr]
        ServiceError,
        "Chỉ ký số được dự thảo đã được phê duyệt ở phiên bản mới nhất.",
    )
    to_approved(team, draft)
    assert rule(user=team.signer, draft=draft) is None
    assert draft_signing.draft_may_sign(user=team.signer, draft=draft)
    for other in (team.head, team.drafter, team.clerk):
        refusal = rule(user=other, draft=draft)
        assert (type(refusal), refusal.message) == (  # type: ignore[union-attr]
            AccessDenied,
            "Chỉ người đã phê duyệt dự thảo mới ký số văn bản.",
        )
        assert not draft_signing.draft_may_sign(user=other, draft=draft)
    refusal = rule(user=AnonymousUser(), draft=draft)  # type: ignore[arg-type]
    assert (type(refusal), refusal.message) == (  # type: ignore[union-attr]
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    to_signed(team, draft)
    refusal = rule(user=team.signer, draft=draft)
    assert (type(refusal), refusal.message) == (  # type: ignore[union-attr]
        ServiceError,
        "Phiên bản này đã được ký số.",
    )
    assert not draft_signing.draft_may_sign(user=team.signer, draft=draft)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=signer_certificate(team), pin=PIN
        ),
        ServiceError,
        "Phiên bản này đã được ký số.",
    )


def test_draft_sign_refusals(team, province):
    draft = create_draft(team)
    to_approved(team, draft)
    certificate = signer_certificate(team)
    approver_only = "Chỉ người đã phê duyệt dự thảo mới ký số văn bản."
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.head, draft=draft, certificate=certificate, pin=PIN
        ),
        AccessDenied,
        approver_only,
    )
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.clerk, draft=draft, certificate=certificate, pin=PIN
        ),
        AccessDenied,
        approver_only,
    )
    own_only = "Chỉ ký bằng chứng thư số cá nhân của chính mình."
    key = organisation_key(team)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=key.certificate, pin=PIN
        ),
        AccessDenied,
        own_only,
    )
    # Another person's certificate: the head's, while the signer has none of their own.
    Certificate.objects.filter(pk=certificate.pk).update(user=team.head)
    certificate.refresh_from_db()
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=PIN
        ),
        AccessDenied,
        own_only,
    )
    Certificate.objects.filter(pk=certificate.pk).update(user=team.signer)
    certificate.refresh_from_db()
    # A wrong PIN.
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin="000000"
        ),
        ServiceError,
        "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng.",
    )
    # A certificate switched off by its owner.
    services.certificate_set_active(actor=team.signer, certificate=certificate, active=False)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=PIN
        ),
        AccessDenied,
        own_only,
    )
    # A draft that is not approved yet.
    services.certificate_set_active(actor=team.signer, certificate=certificate, active=True)
    other = create_draft(team)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=other, certificate=certificate, pin=PIN
        ),
        ServiceError,
        "Chỉ ký số được dự thảo đã được phê duyệt ở phiên bản mới nhất.",
    )


def test_signing_needs_the_signature_image(team):
    draft = create_draft(team)
    to_approved(team, draft)
    certificate = signing.personal(team.signer, with_image=False)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=PIN
        ),
        ServiceError,
        "Chưa có hình chữ ký của người ký (PNG nền trong suốt, màu xanh): hãy tải lên ở trang "
        "“Chữ ký số”.",
    )


def test_a_revoked_certificate_does_not_sign(team):
    """Registration checks the chain only; signing checks revocation and refuses."""
    draft = create_draft(team)
    to_approved(team, draft)
    certificate = signing.personal(team.signer, "thu-hoi")
    before = state()
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_sign(actor=team.signer, draft=draft, certificate=certificate, pin=PIN)
    assert caught.value.message.startswith("Chứng thư số đã bị thu hồi từ 01/06/2026")
    assert state() == before
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_new_version_after_signing_voids_approval_and_signature(team):
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    assert draft.is_signed
    drafting.draft_version_add(
        actor=team.drafter,
        draft=draft,
        content_file=upload("Kế hoạch.pdf", pdf_bytes("Kế hoạch, bản sửa"), "application/pdf"),
        note="Sửa sau khi ký",
    )
    draft.refresh_from_db()
    assert (draft.status, draft.is_approved, draft.is_signed) == (
        DraftStatus.REVIEWING,
        False,
        False,
    )
    key = organisation_key(team)
    refused(
        lambda: drafting.draft_issue(actor=team.clerk, draft=draft, organisation_key=key),
        ServiceError,
        drafting.STATUS_REFUSALS[DraftStatus.REVIEWING],
    )
    # Checked and approved again: the old signature does not count for the new version.
    to_approving_again(team, draft)
    drafting.draft_approve(actor=team.signer, draft=draft, accept=True)
    draft.refresh_from_db()
    assert draft.is_approved and not draft.is_signed
    refused(
        lambda: drafting.draft_issue(actor=team.clerk, draft=draft, organisation_key=key),
        ServiceError,
        "Văn bản chưa được người có thẩm quyền ký số ở phiên bản đã phê duyệt; không thể phát "
        "hành điện tử.",
    )


# ---------------------------------------------------------------- a PDF signed with another tool


def approved_bytes(draft: Draft) -> bytes:
    version = draft.current_version
    with default_storage.open(version.storage_name) as handle:  # type: ignore[union-attr]
        return handle.read()


def sign_elsewhere(pdf: bytes, label: str = "nguoi-ky") -> bytes:
    holder = pdfsign.load_pkcs12(signing.pki().p12(label), PIN)
    return pdfsign.sign(
        pdf,
        holder,
        field_name="Signature1",
        appearance=pdfsign.Appearance(pdfsign.personal_box(pdf, ""), text="Đã ký số %(ts)s"),
        signing_time=dt.datetime.now(dt.UTC),
        validation_context=services.validation_context(),
    )


def test_a_pdf_signed_elsewhere_is_accepted(team):
    draft = create_draft(team)
    to_approved(team, draft)
    signer_certificate(team)
    data = sign_elsewhere(approved_bytes(draft))
    draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=data)
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_via == "upload"
    assert default_storage.open(draft.signed_storage_name).read() == data


def test_draft_signed_upload_refusals(team):
    draft = create_draft(team)
    to_approved(team, draft)
    signing.trust()
    approved = approved_bytes(draft)
    refused(
        lambda: draft_signing.draft_signed_upload(
            actor=team.signer, draft=draft, data=sign_elsewhere(pdf_bytes("Một văn bản khác"))
        ),
        ServiceError,
        "Tệp đã ký không phải là phiên bản đã được phê duyệt (nội dung khác hoặc đã bị sửa).",
    )
    refused(
        lambda: draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=approved),
        ServiceError,
        "Chữ ký số không hợp lệ: Không có chữ ký số",
    )
    # Valid, but the certificate is not registered for the approver.
    signed = sign_elsewhere(approved)
    refused(
        lambda: draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=signed),
        ServiceError,
        "Tệp được ký bằng chứng thư số không đăng ký cho người phê duyệt văn bản.",
    )
    # Registered for someone else.
    signing.personal(team.head)
    refused(
        lambda: draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=signed),
        ServiceError,
        "Tệp được ký bằng chứng thư số không đăng ký cho người phê duyệt văn bản.",
    )
    # Signed by an untrusted certificate.
    untrusted = pdfsign.sign(
        approved,
        pdfsign.load_pkcs12(signing.pki().p12("la"), PIN),
        field_name="Signature1",
        appearance=pdfsign.Appearance(pdfsign.personal_box(approved, ""), text="%(ts)s"),
        signing_time=dt.datetime.now(dt.UTC),
    )
    refused(
        lambda: draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=untrusted),
        ServiceError,
        f"Chữ ký số không hợp lệ: {verify.REASON_UNTRUSTED}",
    )
    # Only the approver uploads.
    refused(
        lambda: draft_signing.draft_signed_upload(actor=team.head, draft=draft, data=signed),
        AccessDenied,
        "Chỉ người đã phê duyệt dự thảo mới ký số văn bản.",
    )


# ---------------------------------------------------------------- issuing with the organisation key


def signed_draft(team) -> Draft:  # type: ignore[no-untyped-def]
    draft = create_draft(team)
    to_approved(team, draft)
    return to_signed(team, draft)


def test_issue_signs_with_the_organisation_key(team):
    draft = signed_draft(team)
    document = issue(team, draft)
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        data = handle.read()
    report = verify.verify_pdf(data, services.trust_roots(), revocation="hard-fail")
    assert report.status == verify.VALID
    assert [s.field for s in report.signatures] == [
        services.PERSONAL_FIELD,
        services.ORGANISATION_FIELD,
    ]
    assert [s.signer for s in report.signatures] == [
        "Nguyễn Văn Ký",
        "Sở Thông tin và Truyền thông",
    ]


def test_issue_refusals(team, province):
    draft = signed_draft(team)
    refused(
        lambda: drafting.draft_issue(actor=team.clerk, draft=draft, organisation_key=None),
        ServiceError,
        "Cần chứng thư số tổ chức của đơn vị để ký số khi phát hành (R11).",
        "certificate",
    )
    # The organisation certificate of another unit.
    other = add_p12(province.admin_snv, "to-chuc", unit=province.snv)
    services.mark_upload(
        actor=province.admin_snv, kind=MarkKind.SEAL, unit=province.snv, data=signing.seal_png()
    )
    refused(
        lambda: drafting.draft_issue(
            actor=team.clerk, draft=draft, organisation_key=OrganisationKey(other, PIN)
        ),
        AccessDenied,
        "Chỉ ký bằng chứng thư số tổ chức của đơn vị phát hành.",
    )
    # A personal certificate is not an organisation key.
    personal = Certificate.objects.get(user=team.signer)
    refused(
        lambda: drafting.draft_issue(
            actor=team.clerk, draft=draft, organisation_key=OrganisationKey(personal, PIN)
        ),
        AccessDenied,
        "Chỉ ký bằng chứng thư số tổ chức của đơn vị phát hành.",
    )


def test_issue_needs_the_unit_seal(team, province):
    draft = signed_draft(team)
    Certificate.objects.filter(kind=CertificateKind.ORGANISATION).delete()
    key = signing.organisation(province.stttt, province.admin_stttt, with_seal=False)
    refused(
        lambda: drafting.draft_issue(actor=team.clerk, draft=draft, organisation_key=key),
        ServiceError,
        "Chưa có hình con dấu của đơn vị (PNG nền trong suốt, màu đỏ): quản trị đơn vị tải lên ở "
        "trang “Chữ ký số”.",
    )


def test_only_the_clerk_applies_the_organisation_signature(team, province):
    draft = signed_draft(team)
    key = organisation_key(team)
    clerk_elsewhere = make_user(province.snv, "Văn Thư Khác", (Role.CLERK,))
    for actor in (team.signer, clerk_elsewhere):
        with pytest.raises(AccessDenied):
            drafting.draft_issue(actor=actor, draft=draft, organisation_key=key)
    assert Document.objects.count() == 0


def test_a_changed_signed_file_stops_the_issue(team):
    draft = signed_draft(team)
    key = organisation_key(team)
    series = list(RegisterSeries.objects.values_list("pk", "next_number"))
    signed = default_storage.open(draft.signed_storage_name).read()
    with default_storage.open(draft.signed_storage_name, "wb") as handle:
        handle.write(signed.replace(b"WeasyPrint", b"XeasyPrint", 1))
    before = state()
    with pytest.raises(FileUnavailable) as caught:
        drafting.draft_issue(actor=team.clerk, draft=draft, organisation_key=key)
    assert caught.value.reason == "changed"
    assert state() == before
    assert Document.objects.count() == 0
    assert list(RegisterSeries.objects.values_list("pk", "next_number")) == series
