"""Drafting test data: the people of an outgoing document's path in the Sở Thông tin và Truyền
thông (drafter, head, checker, signer, clerk) and the clerk of the Sở Nội vụ who receives it, and
helpers that move a draft along its steps through the services."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tests import signing
from tests.support.documents import DECLARED, doc_type
from tests.support.files import pdf_bytes, upload
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.core import clock
from vanban.documents.files import file_read_verified
from vanban.drafting import services
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import Draft
from vanban.drafting.services import DraftInput, ExternalRecipient
from vanban.signatures import pdfsign
from vanban.signatures import services as signature_services
from vanban.signatures.models import Certificate, CertificateKind, KeyStorage, MarkKind
from vanban.signatures.services import OrganisationKey

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VN)
SUBJECT = "Kế hoạch chuyển đổi số của tỉnh năm 2027"


@dataclass
class Team:
    province: Province
    drafter: User
    head: User  # leader of the drafting unit, checks the content
    checker: User  # checks the format
    signer: User  # the competent signer (leader)
    clerk: User  # clerk of the issuing unit
    colleague: User  # asked for comments
    outsider: User  # staff of the unit, not involved
    clerk_snv: User  # clerk of the recipient unit
    staff_snv: User  # staff of another unit


def own_storage(settings, directory) -> None:  # type: ignore[no-untyped-def]
    """Files go to `directory`, empty, so that a test can count the files it stored."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }


@contextmanager
def fixed_clock() -> Iterator[None]:
    """Everything happens on 25/11/2026, Vietnam time."""
    with clock.frozen(NOW):
        yield


def make_team(province: Province) -> Team:
    return Team(
        province=province,
        drafter=province.staff_stttt,
        head=make_user(province.stttt, "Lâm Quốc Hùng", (Role.LEADER,), position="Phó Giám đốc"),
        checker=make_user(province.stttt, "Trương Thị Mai", position="Chánh Văn phòng"),
        signer=province.leader_stttt,
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,)),
        colleague=make_user(province.stttt, "Đặng Văn Góp"),
        outsider=province.admin_stttt,
        clerk_snv=make_user(province.snv, "Đinh Văn Thư", (Role.CLERK,)),
        staff_snv=province.staff_snv,
    )


def pdf(name: str = "Kế hoạch.pdf", *lines: str):
    return upload(name, pdf_bytes(*(lines or (SUBJECT,))), "application/pdf")


GAP = "&nbsp;" * 7


def official_pdf(*, place: str = "Bến Tre") -> bytes:
    """An outgoing document as WeasyPrint renders it (NĐ 30/2020 Appendix I): the issuing body
    and the reserved "Số:       /STTTT-CĐS" line at the top left, the national title and the
    place-and-date line with blanks ("Bến Tre, ngày       tháng       năm 20…") at the top right,
    the body, the signer block."""
    import weasyprint

    html = f"""
    <html><head><style>
      @page {{ size: A4; margin: 20mm 15mm 20mm 30mm; }}
      body {{ font-family: serif; font-size: 13pt; }}
      td {{ vertical-align: top; text-align: center; }}
      td.body {{ width: 38%; }} td.nation {{ width: 62%; }}
    </style></head><body>
      <table style="width: 100%"><tr>
        <td class="body">SỞ THÔNG TIN<br>VÀ TRUYỀN THÔNG<br>Số:{GAP}/STTTT-CĐS</td>
        <td class="nation"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>
          <b>Độc lập - Tự do - Hạnh phúc</b><br>
          <i>{place}, ngày{GAP} tháng{GAP} năm 20…</i></td>
      </tr></table>
      <h3 style="text-align: center">KẾ HOẠCH<br>{SUBJECT}</h3>
      <p>Điều 1. Nội dung của kế hoạch.</p>
      <p style="text-align: right"><b>KT. GIÁM ĐỐC<br>PHÓ GIÁM ĐỐC</b></p>
    </body></html>"""
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def draft_input(**overrides) -> DraftInput:
    values = {
        "document_type": doc_type("Kế hoạch"),
        "subject": SUBJECT,
        "authority": "KT",
        "authority_title": "Giám đốc",
        "signer_position": "Phó Giám đốc",
    }
    values.update(overrides)
    return DraftInput(**values)


def create_draft(
    team: Team, *, units=None, external=None, content: bytes | None = None, **overrides
) -> Draft:
    return services.draft_create(
        actor=team.drafter,
        issuing_unit=team.province.stttt,
        data=draft_input(**overrides),
        signer=team.signer,
        refusals=DECLARED,
        content_file=pdf()
        if content is None
        else upload("Kế hoạch.pdf", content, "application/pdf"),
        recipient_units=[team.province.snv] if units is None else units,
        external_recipients=[ExternalRecipient("Bộ Thông tin và Truyền thông", "000.00.00.G22")]
        if external is None
        else external,
    )


def to_reviewing(team: Team, draft: Draft) -> Draft:
    return services.draft_submit(
        actor=team.drafter, draft=draft, reviewer=team.head, checker=team.checker
    )


def to_approving(team: Team, draft: Draft) -> Draft:
    to_reviewing(team, draft)
    services.draft_review_content(actor=team.head, draft=draft, accept=True)
    return services.draft_check_format(actor=team.checker, draft=draft, accept=True)


def to_approving_again(team: Team, draft: Draft) -> Draft:
    """A new version after both checks passed is checked again by the same people."""
    services.draft_review_content(actor=team.head, draft=draft, accept=True)
    return services.draft_check_format(actor=team.checker, draft=draft, accept=True)


def to_approved(team: Team, draft: Draft) -> Draft:
    to_approving(team, draft)
    return services.draft_approve(actor=team.signer, draft=draft, accept=True)


def signer_certificate(team: Team):  # type: ignore[no-untyped-def]
    """The signer's personal certificate (PKCS#12 of the test PKI) and signature image."""
    existing = Certificate.objects.filter(user=team.signer, active=True).first()
    return existing or signing.personal(team.signer)


def organisation_key(team: Team) -> OrganisationKey:
    """The Sở's organisation certificate and seal, as the clerk gives them when issuing."""
    existing = Certificate.objects.filter(unit=team.province.stttt, active=True).first()
    if existing is not None:
        return OrganisationKey(certificate=existing, pin=signing.PIN)
    return signing.organisation(team.province.stttt, team.province.admin_stttt)


def to_signed(team: Team, draft: Draft) -> Draft:
    return draft_signing.draft_sign(
        actor=team.signer, draft=draft, certificate=signer_certificate(team), pin=signing.PIN
    )


def issue(team: Team, draft: Draft, **kwargs):  # type: ignore[no-untyped-def]
    """The clerk issues a signed draft with the unit's organisation signature."""
    return services.draft_issue(
        actor=team.clerk, draft=draft, organisation_key=organisation_key(team), **kwargs
    )


def issued(team: Team, **overrides):  # type: ignore[no-untyped-def]
    draft = create_draft(team, **overrides)
    to_approved(team, draft)
    to_signed(team, draft)
    document = issue(team, draft)
    return draft, document


def local_certificate(team: Team) -> Certificate:
    """The signer's certificate whose key stays on their own computer (only the public part is
    registered), and their signature image."""
    signing.trust()
    certificate = signature_services.certificate_add(
        actor=team.signer,
        kind=CertificateKind.PERSONAL,
        user=team.signer,
        key_storage=KeyStorage.LOCAL,
        certificate=signing.pki().cert_pem("nguoi-ky") + signing.pki().sub_ca_pem(),
    )
    signature_services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    return certificate


def signed_elsewhere(draft: Draft, label: str = "nguoi-ky") -> bytes:
    """The approved version of `draft` signed by another tool with the key of `label` of the
    test PKI (nothing is written to the database)."""
    version = draft.current_version
    assert version is not None
    holder = pdfsign.load_pkcs12(signing.pki().p12(label), signing.PIN)
    return pdfsign.sign(
        file_read_verified(version.storage_name, version.sha256),
        holder,
        field_name="ChuKyPhanMemKhac",
        appearance=pdfsign.Appearance(pdfsign.Box(0, 300, 80, 500, 140), text="Đã ký số"),
        signing_time=clock.now(),
        validation_context=signature_services.validation_context(),
    )
