"""The digital-signature pages under /chu-ky-so/ (my certificates and signature image, a unit's
certificates and seal, the trust list), the verification panel of a document's page with its
"Kiểm tra lại chữ ký số" button, and the reports kept when an incoming document is registered
by hand or from the reception queue (R11).

Refusals are shown on the form and change nothing."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from asn1crypto import pem, x509
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import signing
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import issued
from tests.support.files import docx_bytes, pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents import services as document_services
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.exchange import delivery
from vanban.exchange.models import Delivery
from vanban.signatures import pdfsign, verify
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    SignatureMark,
    Trigger,
    TrustRoot,
    VerificationReport,
)
from vanban.signatures.services import MSG_NOT_TRUSTED

pytestmark = pytest.mark.django_db
PIN = signing.PIN
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNED_AT = dt.datetime(2026, 11, 25, 9, 30, 5, tzinfo=VN)
SIGNER = "Nguyễn Văn Ký"  # the common name of the test PKI's "nguoi-ky"
SUB_CA = "CA phục vụ các cơ quan Nhà nước (thử nghiệm)"


# ---------------------------------------------------------------- helpers


def stored(prefix: str = "") -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        dirs, names = default_storage.listdir(path)
        found.extend(f"{path}/{n}".lstrip("/") for n in names)
        for d in dirs:
            walk(f"{path}/{d}".lstrip("/"))

    if prefix == "" or default_storage.exists(prefix):
        walk(prefix)
    return sorted(found)


def state() -> dict[str, Any]:
    return {
        "trust_roots": list(TrustRoot.objects.values_list("pk", "fingerprint", "active")),
        "certificates": list(Certificate.objects.values_list("pk", "fingerprint", "active")),
        "marks": list(SignatureMark.objects.values_list("pk", "sha256", "active")),
        "reports": VerificationReport.objects.count(),
        "documents": Document.objects.count(),
        "audit": AuditEvent.objects.count(),
        "stored": stored(),
    }


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html_lib.unescape(response.content.decode())


def errors(response, form: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = response.context[form].errors
    return [e for messages in found.values() for e in messages]


def refused_on_form(response, form: str, message: str, before: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert any(message in e for e in errors(response, form)), errors(response, form)
    assert "Chưa lưu gì" in text(response)
    assert message in text(response)
    assert state() == before


def p12_upload(label: str = "nguoi-ky") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{label}.p12", signing.pki().p12(label))


def pem_upload(label: str = "nguoi-ky") -> SimpleUploadedFile:
    """The public certificate followed by its issuing CA's (the chain up to the trust root)."""
    pki = signing.pki()
    return SimpleUploadedFile(f"{label}.pem", pki.cert_pem(label) + pki.sub_ca_pem())


def png(data: bytes, name: str = "hinh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def fingerprint(label: str) -> str:
    return x509.Certificate.load(pem.unarmor(signing.pki().cert_pem(label))[2]).sha256.hex()


def root_der() -> bytes:
    return pem.unarmor(signing.pki().root_pem())[2]


@cache
def signed_pdf() -> bytes:
    """A PDF signed by "nguoi-ky" of the test PKI, validation data embedded (PAdES B-LT)."""
    pdf = pdf_bytes("Quyết định về việc ban hành quy chế", SIGNER)
    root = x509.Certificate.load(root_der())
    return pdfsign.sign(
        pdf,
        pdfsign.load_pkcs12(signing.pki().p12("nguoi-ky"), PIN),
        field_name="ChuKyNguoiCoThamQuyen",
        appearance=pdfsign.Appearance(
            pdfsign.personal_box(pdf, SIGNER), image_png=signing.signature_png()
        ),
        signing_time=SIGNED_AT,
        reason="Người có thẩm quyền ký ban hành",
        validation_context=verify.context([root]),
    )


def tampered(pdf: bytes) -> bytes:
    """One byte changed inside the signed range."""
    data = bytearray(pdf)
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    start, length = (int(v) for v in match.groups())  # type: ignore[union-attr]
    where = data.index(b"WeasyPrint")
    assert start <= where < start + length
    data[where] = ord("X")
    return bytes(data)


def register_by_hand(
    team, *files: tuple[str, bytes], code: str = "15", reason: str = ""
) -> Document:  # type: ignore[no-untyped-def]
    """Registered as the clerk does; `reason`: why, when a file's signature is not accepted."""
    uploads = [upload(name, data, "application/pdf") for name, data in files]
    return document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(code_number=code),
        refusals=DECLARED,
        main_file=uploads[0] if uploads else None,
        attachments=uploads[1:],
        signature_reason=reason,
    )


# ---------------------------------------------------------------- my certificates


def test_my_page_lists_and_adds_a_pkcs12_certificate(team, client_for):
    signing.trust()
    client = client_for(team.signer)
    page = client.get("/chu-ky-so/")
    assert page.status_code == 200
    assert "Chữ ký số của tôi" in text(page)
    assert "Bạn chưa đăng ký chứng thư số nào." in text(page)
    assert "Bạn chưa có hình chữ ký." in text(page)

    response = client.post(
        "/chu-ky-so/chung-thu-ca-nhan/",
        {"cert-key_storage": "pkcs12", "cert-pkcs12": p12_upload(), "cert-pin": PIN},
    )
    assert response.status_code == 302
    assert response["Location"] == "/chu-ky-so/"
    certificate = Certificate.objects.get()
    assert (certificate.kind, certificate.user, certificate.key_storage, certificate.active) == (
        CertificateKind.PERSONAL,
        team.signer,
        KeyStorage.PKCS12,
        True,
    )
    assert stored("signatures/keys") == [certificate.pkcs12_storage_name]
    page = text(client.get("/chu-ky-so/"))
    assert f"Đã đăng ký chứng thư số {certificate.serial}." in page
    row = page[page.index(f'id="certificate-{certificate.pk}"') :].split("</tr>")[0]
    for expected in (
        SIGNER,
        SUB_CA,
        certificate.serial,
        "01/01/2025 – 31/12/2029",
        "còn hiệu lực",
        "Tệp khóa PKCS#12 lưu trên máy chủ",
        "Đang dùng",
        "Ngừng dùng",
    ):
        assert expected in row, expected
    # Four years later the same certificate is shown as expired.
    with clock.frozen(dt.datetime(2030, 1, 2, 9, 0, tzinfo=VN)):
        later = text(client.get("/chu-ky-so/"))
    row = later[later.index(f'id="certificate-{certificate.pk}"') :].split("</tr>")[0]
    assert "hết hạn" in row and "còn hiệu lực" not in row


@pytest.mark.parametrize(
    ("fields", "storage", "label", "shown"),
    [
        (
            {"cert-key_storage": "pkcs11", "cert-pkcs11_key_label": "khoa-ky-so-01"},
            KeyStorage.PKCS11,
            "khoa-ky-so-01",
            "Thiết bị ký PKCS#11/HSM gắn với máy chủ",
        ),
        (
            {"cert-key_storage": "local", "cert-pkcs11_key_label": "bo-qua"},
            KeyStorage.LOCAL,
            "",
            "Thiết bị ký trên máy người ký (vanban-sign)",
        ),
    ],
)
def test_a_public_certificate_with_a_token_or_a_local_key(
    team, client_for, fields, storage, label, shown
):
    signing.trust()
    client = client_for(team.signer)
    response = client.post(
        "/chu-ky-so/chung-thu-ca-nhan/", {**fields, "cert-certificate": pem_upload()}
    )
    assert response.status_code == 302, errors(response, "certificate_form")
    certificate = Certificate.objects.get()
    assert (
        certificate.key_storage,
        certificate.pkcs11_key_label,
        certificate.pkcs12_storage_name,
        certificate.fingerprint,
    ) == (storage, label, "", fingerprint("nguoi-ky"))
    assert stored() == []  # only the public part: no key file kept
    page = text(client.get("/chu-ky-so/"))
    assert shown in page
    assert ("nhãn khóa khoa-ky-so-01" in page) == bool(label)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cert-key_storage": "pkcs12", "cert-pkcs12": "p12", "cert-pin": "000000"}, "Mã PIN"),
        (
            {"cert-key_storage": "pkcs12", "cert-pkcs12": "p12"},
            "Cần mã PIN để mở tệp khóa PKCS#12.",
        ),
        ({"cert-key_storage": "pkcs12", "cert-pin": PIN}, "Cần tệp khóa PKCS#12 (.p12, .pfx)."),
        (
            {"cert-key_storage": "pkcs11", "cert-certificate": "pem"},
            "Cần nhãn khóa trên thiết bị PKCS#11.",
        ),
        ({"cert-key_storage": "local"}, "Cần tệp chứng thư số (.cer, .crt, .pem)."),
        (
            {"cert-key_storage": "local", "cert-certificate": "garbage"},
            "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM).",
        ),
        ({"cert-key_storage": "local", "cert-certificate": "la"}, MSG_NOT_TRUSTED),
        (
            {"cert-key_storage": "local", "cert-certificate": "het-han"},
            "Chứng thư số đã hết hạn từ 30/06/2025.",
        ),
        ({"cert-key_storage": "usb"}, "Hãy chọn nơi giữ khóa."),
    ],
)
def test_certificate_refusals_are_shown_on_the_form(team, client_for, fields, message):
    signing.trust()
    files = {
        "p12": p12_upload(),
        "pem": pem_upload(),
        "la": pem_upload("la"),
        "het-han": pem_upload("het-han"),
        "garbage": SimpleUploadedFile("x.cer", b"not a certificate"),
    }
    data = {k: files[v] if k.endswith(("pkcs12", "certificate")) else v for k, v in fields.items()}
    client = client_for(team.signer)
    before = state()
    response = client.post("/chu-ky-so/chung-thu-ca-nhan/", data)
    refused_on_form(response, "certificate_form", message, before)


def test_a_certificate_registered_twice_is_refused(team, client_for):
    signing.personal(team.signer, with_image=False)
    client = client_for(team.signer)
    before = state()
    response = client.post(
        "/chu-ky-so/chung-thu-ca-nhan/",
        {"cert-key_storage": "pkcs12", "cert-pkcs12": p12_upload(), "cert-pin": PIN},
    )
    refused_on_form(response, "certificate_form", "Chứng thư số này đã được đăng ký.", before)


def test_i_deactivate_and_use_again_my_certificate(team, client_for):
    certificate = signing.personal(team.signer, with_image=False)
    client = client_for(team.signer)
    response = client.post(f"/chu-ky-so/chung-thu/{certificate.pk}/trang-thai/", {"active": "0"})
    assert (response.status_code, response["Location"]) == (302, "/chu-ky-so/")
    certificate.refresh_from_db()
    assert not certificate.active
    page = text(client.get("/chu-ky-so/"))
    assert f"Đã ngừng dùng chứng thư số {certificate.serial}." in page
    assert "Dùng lại" in page
    assert AuditEvent.objects.filter(action="signatures.certificate_off").count() == 1
    client.post(f"/chu-ky-so/chung-thu/{certificate.pk}/trang-thai/", {"active": "1"})
    certificate.refresh_from_db()
    assert certificate.active
    before = state()
    assert (
        client.post(
            f"/chu-ky-so/chung-thu/{certificate.pk}/trang-thai/", {"active": "maybe"}
        ).status_code
        == 400
    )
    assert state() == before


# ---------------------------------------------------------------- my signature image


def test_i_upload_my_signature_image_and_see_it(team, client_for):
    client = client_for(team.signer)
    image = signing.signature_png()
    response = client.post(
        "/chu-ky-so/hinh-chu-ky/", {"mark-image": png(image, "chu-ky.png"), "mark-width_mm": "45"}
    )
    assert (response.status_code, response["Location"]) == (302, "/chu-ky-so/")
    mark = SignatureMark.objects.get()
    assert (mark.kind, mark.user, str(mark.width_mm), mark.original_name) == (
        MarkKind.SIGNATURE,
        team.signer,
        "45.0",
        "chu-ky.png",
    )
    page = text(client.get("/chu-ky-so/"))
    assert "Đã cập nhật hình chữ ký." in page
    assert f'src="/chu-ky-so/hinh/{mark.pk}/"' in page
    shown = client.get(f"/chu-ky-so/hinh/{mark.pk}/")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown.content == image
    # A new image replaces the one in use; without a width it is 40 mm wide.
    client.post("/chu-ky-so/hinh-chu-ky/", {"mark-image": png(image)})
    assert list(SignatureMark.objects.filter(active=True).values_list("width_mm", flat=True)) == [
        40
    ]


def test_a_changed_image_file_is_not_shown(team, client_for):
    client = client_for(team.signer)
    client.post("/chu-ky-so/hinh-chu-ky/", {"mark-image": png(signing.signature_png())})
    mark = SignatureMark.objects.get()
    with default_storage.open(mark.storage_name, "wb") as handle:
        handle.write(signing.seal_png())
    assert client.get(f"/chu-ky-so/hinh/{mark.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("data", "width", "message"),
    [
        (signing.signature_png(colour=(220, 20, 20, 255)), "", "Hình chữ ký phải có màu xanh"),
        (signing.signature_png(alpha=False), "", "Hình phải có nền trong suốt"),
        (b"GIF89a not a png", "", "Hình phải là tệp PNG."),
        (signing.signature_png(), "5", "Kích thước thật phải từ 10 đến 80 mm."),
        (signing.signature_png(), "abc", "Hãy nhập một số, ví dụ 36 hoặc 36,5."),
    ],
)
def test_signature_image_refusals(team, client_for, data, width, message):
    client = client_for(team.signer)
    before = state()
    response = client.post(
        "/chu-ky-so/hinh-chu-ky/", {"mark-image": png(data), "mark-width_mm": width}
    )
    assert response.status_code == 200
    assert any(message in e for e in errors(response, "mark_form")), errors(response, "mark_form")
    assert state() == before


# ---------------------------------------------------------------- a unit's signatures


def test_the_unit_admin_opens_the_page_of_their_unit(team, client_for):
    admin = team.province.admin_stttt
    client = client_for(admin)
    response = client.get("/chu-ky-so/don-vi/")
    assert response["Location"] == f"/chu-ky-so/don-vi/{team.province.stttt.pk}/"
    page = text(client.get(response["Location"]))
    assert "Chữ ký số của đơn vị: Sở Thông tin và Truyền thông" in page
    assert "Đơn vị chưa có chứng thư số tổ chức." in page
    assert "Đơn vị chưa có hình con dấu." in page
    assert 'id="unit-choice"' not in page  # one unit: nothing to choose
    # The menu and "my" page lead there.
    mine = text(client.get("/chu-ky-so/"))
    assert 'href="/chu-ky-so/don-vi/"' in mine
    assert 'href="/chu-ky-so/chung-thu-goc/"' not in mine


def test_the_unit_admin_adds_the_organisation_certificate_and_the_seal(team, client_for):
    signing.trust()
    unit = team.province.stttt
    client = client_for(team.province.admin_stttt)
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/chung-thu-to-chuc/",
        {"org-key_storage": "pkcs12", "org-pkcs12": p12_upload("to-chuc"), "org-pin": PIN},
    )
    assert (response.status_code, response["Location"]) == (302, f"/chu-ky-so/don-vi/{unit.pk}/")
    certificate = Certificate.objects.get()
    assert (certificate.kind, certificate.unit, certificate.user) == (
        CertificateKind.ORGANISATION,
        unit,
        None,
    )
    seal = signing.seal_png()
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/con-dau/", {"seal-image": png(seal), "seal-width_mm": "38"}
    )
    assert response.status_code == 302
    mark = SignatureMark.objects.get()
    assert (mark.kind, mark.unit, str(mark.width_mm)) == (MarkKind.SEAL, unit, "38.0")
    page = text(client.get(f"/chu-ky-so/don-vi/{unit.pk}/"))
    assert "Đã cập nhật hình con dấu của đơn vị." in page
    section = page[page.index('id="organisation-certificates"') : page.index('id="seal"')]
    assert certificate.serial in section and "Sở Thông tin và Truyền thông" in section
    assert f'src="/chu-ky-so/hinh/{mark.pk}/"' in page
    # Shown at its real size: 38 mm at 96 CSS pixels per 25.4 mm (a width attribute, not a style).
    assert 'id="seal-image" width="144"' in page
    assert re.search(r"Đường kính thật 38[,.]0 mm", page)
    assert client.get(f"/chu-ky-so/hinh/{mark.pk}/").content == seal
    # Deactivating sends the admin back to the unit's page.
    response = client.post(f"/chu-ky-so/chung-thu/{certificate.pk}/trang-thai/", {"active": "0"})
    assert response["Location"] == f"/chu-ky-so/don-vi/{unit.pk}/"
    certificate.refresh_from_db()
    assert not certificate.active


def test_a_seal_needs_its_diameter_and_the_red_colour(team, client_for):
    unit = team.province.stttt
    client = client_for(team.province.admin_stttt)
    before = state()
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/con-dau/", {"seal-image": png(signing.seal_png())}
    )
    assert response.status_code == 200
    assert errors(response, "seal_form") == ["Hãy nhập đường kính con dấu."]
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/con-dau/",
        {"seal-image": png(signing.signature_png()), "seal-width_mm": "36"},
    )
    assert errors(response, "seal_form") == [
        "Hình con dấu phải có màu đỏ (Phụ lục I, Nghị định 30/2020)."
    ]
    assert state() == before


def test_the_unit_admin_registers_a_persons_certificate(team, client_for):
    signing.trust()
    unit = team.province.stttt
    client = client_for(team.province.admin_stttt)
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/chung-thu-ca-nhan/",
        {
            "person-person": team.signer.pk,
            "person-key_storage": "pkcs12",
            "person-pkcs12": p12_upload(),
            "person-pin": PIN,
        },
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.user, certificate.added_by) == (team.signer, team.province.admin_stttt)
    page = text(client.get(f"/chu-ky-so/don-vi/{unit.pk}/"))
    assert f"Đã đăng ký chứng thư số {certificate.serial} cho {team.signer.full_name}." in page
    section = page[page.index('id="people-certificates"') :]
    row = section[section.index(f'id="certificate-{certificate.pk}"') :].split("</tr>")[0]
    assert team.signer.full_name in row and certificate.serial in row
    # The person sees it on their own page.
    assert certificate.serial in text(client_for(team.signer).get("/chu-ky-so/"))


def test_a_person_of_another_unit_cannot_be_chosen(team, client_for):
    signing.trust()
    unit = team.province.stttt
    client = client_for(team.province.admin_stttt)
    before = state()
    response = client.post(
        f"/chu-ky-so/don-vi/{unit.pk}/chung-thu-ca-nhan/",
        {
            "person-person": team.staff_snv.pk,
            "person-key_storage": "pkcs12",
            "person-pkcs12": p12_upload(),
            "person-pin": PIN,
        },
    )
    assert errors(response, "person_form") == ["Hãy chọn một người của đơn vị."]
    assert state() == before


def test_the_province_admin_chooses_any_unit(team, client_for):
    client = client_for(team.province.province_admin)
    snv = team.province.snv
    page = text(client.get(f"/chu-ky-so/don-vi/{snv.pk}/"))
    assert "Chữ ký số của đơn vị: Sở Nội vụ" in page
    assert 'id="unit-choice"' in page
    response = client.get("/chu-ky-so/don-vi/", {"don-vi": team.province.root.pk})
    assert response["Location"] == f"/chu-ky-so/don-vi/{team.province.root.pk}/"
    mine = text(client.get("/chu-ky-so/"))
    assert 'href="/chu-ky-so/chung-thu-goc/"' in mine


# ---------------------------------------------------------------- trust roots


def test_the_province_admin_manages_the_trust_list(team, client_for):
    root = signing.trust()
    client = client_for(team.province.province_admin)
    page = text(client.get("/chu-ky-so/chung-thu-goc/"))
    assert "Chứng thư gốc tin cậy" in page
    assert "Ban Cơ yếu Chính phủ - CA gốc (thử nghiệm)" in page
    assert "Đang tin cậy" in page

    other = SimpleUploadedFile("khac.pem", signing.pki().other_root_pem())
    response = client.post("/chu-ky-so/chung-thu-goc/them/", {"certificate": other})
    assert (response.status_code, response["Location"]) == (302, "/chu-ky-so/chung-thu-goc/")
    added = TrustRoot.objects.exclude(pk=root.pk).get()
    assert added.added_by == team.province.province_admin
    assert f"Đã thêm chứng thư gốc “{added.name}” vào danh sách tin cậy." in text(
        client.get("/chu-ky-so/chung-thu-goc/")
    )

    response = client.post(f"/chu-ky-so/chung-thu-goc/{added.pk}/trang-thai/", {"active": "0"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert not added.active
    page = text(client.get("/chu-ky-so/chung-thu-goc/"))
    assert f"Đã bỏ chứng thư gốc “{added.name}” khỏi danh sách tin cậy." in page
    assert "Tin cậy lại" in page
    client.post(f"/chu-ky-so/chung-thu-goc/{added.pk}/trang-thai/", {"active": "1"})
    added.refresh_from_db()
    assert added.active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            lambda: signing.pki().cert_pem("nguoi-ky"),
            "Đây không phải chứng thư của tổ chức chứng thực (CA gốc tự ký hoặc CA trung gian)",
        ),
        (lambda: signing.pki().root_pem(), "Chứng thư gốc này đã có trong danh sách."),
        (lambda: b"garbage", "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM)."),
    ],
)
def test_trust_root_refusals(team, client_for, data, message):
    signing.trust()
    client = client_for(team.province.province_admin)
    before = state()
    response = client.post(
        "/chu-ky-so/chung-thu-goc/them/", {"certificate": SimpleUploadedFile("a.pem", data())}
    )
    refused_on_form(response, "form", message, before)


def test_the_province_admin_adds_an_intermediate_ca(team, client_for):
    signing.trust()
    client = client_for(team.province.province_admin)
    response = client.post(
        "/chu-ky-so/chung-thu-goc/them/",
        {"certificate": SimpleUploadedFile("ca-trung-gian.pem", signing.pki().sub_ca_pem())},
    )
    assert response.status_code == 302
    added = TrustRoot.objects.get(kind="intermediate")
    page = client.get("/chu-ky-so/chung-thu-goc/").content.decode()
    row = page[page.index(f'id="trust-root-{added.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "CA trung gian" in row and added.name in row


# ---------------------------------------------------------------- the verification panel


def panel(html: str) -> str:
    return html[html.index('id="signature-verification"') : html.index('id="document-shares"')]


def file_panel(html: str, file: DocumentFile) -> str:
    """The part of the panel about one file."""
    part = panel(html)
    part = part[part.index(f'id="verification-{file.pk}"') :]
    following = part.find('<div class="verification"')
    return part if following < 0 else part[:following]


def test_registration_by_hand_keeps_a_report_per_pdf_and_the_panel_shows_them(team, client_for):
    signing.trust()
    document = register_by_hand(
        team,
        ("Quyết định.pdf", signed_pdf()),
        ("Bản sửa.pdf", tampered(signed_pdf())),
        ("Bản quét.pdf", pdf_bytes("Bản quét văn bản giấy")),
        reason="Đã xác minh với cơ quan gửi.",
    )
    reports = {r.file_name: r for r in VerificationReport.objects.filter(document=document)}
    assert {name: (r.status, r.trigger) for name, r in reports.items()} == {
        "Quyết định.pdf": (verify.VALID, Trigger.UPLOAD),
        "Bản sửa.pdf": (verify.INVALID, Trigger.UPLOAD),
        "Bản quét.pdf": (verify.UNSIGNED, Trigger.UPLOAD),
    }
    assert {r.checked_by for r in reports.values()} == {team.clerk}
    files = {f.original_name: f for f in DocumentFile.objects.filter(document=document)}
    assert {n: r.file_sha256 for n, r in reports.items()} == {n: f.sha256 for n, f in files.items()}

    page = text(client_for(team.signer).get(f"/van-ban/{document.pk}/"))
    valid = file_panel(page, files["Quyết định.pdf"])
    for expected in (
        "Hợp lệ",
        SIGNER,
        "Sở Thông tin và Truyền thông",
        SUB_CA,
        "25/11/2026 09:30:05",
        reports["Quyết định.pdf"].content["signatures"][0]["serial"],
        "khi tải lên hoặc vào sổ",
        team.clerk.full_name,
    ):
        assert expected in valid, expected
    assert "Không hợp lệ" not in valid
    bad = file_panel(page, files["Bản sửa.pdf"])
    assert "Không hợp lệ" in bad
    assert verify.REASON_TAMPERED in bad
    scan = file_panel(page, files["Bản quét.pdf"])
    assert "Không có chữ ký số" in scan
    assert SIGNER not in scan
    shown = panel(page)
    assert "Kiểm tra lại chữ ký số" in shown


def test_a_document_without_pdf_has_no_check(team, client_for):
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload(
            "Công văn.docx",
            docx_bytes("Nội dung"),
        ),
    )
    assert not VerificationReport.objects.exists()
    client = client_for(team.clerk)
    shown = panel(text(client.get(f"/van-ban/{document.pk}/")))
    assert "Văn bản không có tệp PDF" in shown
    assert "Kiểm tra lại chữ ký số" not in shown
    before = state()
    response = client.post(f"/chu-ky-so/van-ban/{document.pk}/kiem-tra/")
    assert response.status_code == 302
    assert state() == before
    assert "Văn bản không có tệp PDF nào để kiểm tra chữ ký số." in text(
        client.get(f"/van-ban/{document.pk}/")
    )


def test_check_again_keeps_a_new_report_and_shows_the_latest(team, client_for):
    root = signing.trust()
    document = register_by_hand(team, ("Quyết định.pdf", signed_pdf()))
    file = DocumentFile.objects.get(document=document)
    # The province stops trusting the root: the check on demand says why the file is refused.
    TrustRoot.objects.filter(pk=root.pk).update(active=False)
    client = client_for(team.signer)
    response = client.post(f"/chu-ky-so/van-ban/{document.pk}/kiem-tra/")
    assert (response.status_code, response["Location"]) == (302, f"/van-ban/{document.pk}/")
    assert list(
        VerificationReport.objects.filter(document=document)
        .order_by("pk")
        .values_list("trigger", "status", "checked_by")
    ) == [
        (Trigger.UPLOAD, verify.VALID, team.clerk.pk),
        (Trigger.DEMAND, verify.INVALID, team.signer.pk),
    ]
    event = AuditEvent.objects.get(action="signatures.verify")
    assert (event.actor, event.data) == (team.signer, {"trigger": "demand", "results": ["invalid"]})
    page = text(client.get(f"/van-ban/{document.pk}/"))
    assert "Đã kiểm tra lại chữ ký số. Quyết định.pdf: Không hợp lệ." in page
    shown = panel(page)
    assert shown.count(f'id="verification-{file.pk}"') == 1
    assert verify.REASON_UNTRUSTED in shown
    assert "kiểm tra theo yêu cầu" in shown


def test_the_panel_costs_one_query_however_many_reports(team, client_for):
    signing.trust()
    one = register_by_hand(team, ("Quyết định.pdf", signed_pdf()), code="1")
    many = register_by_hand(
        team,
        ("Quyết định.pdf", signed_pdf()),
        ("Bản sửa.pdf", tampered(signed_pdf())),
        ("Bản quét.pdf", pdf_bytes("Bản quét")),
        code="2",
        reason="Đã xác minh với cơ quan gửi.",
    )
    client = client_for(team.clerk)
    for _ in range(3):
        client.post(f"/chu-ky-so/van-ban/{many.pk}/kiem-tra/")
    counts = []
    for document in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/van-ban/{document.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- receipt


def test_registering_from_the_reception_queue_keeps_a_receipt_report(team, client_for):
    signing.trust()
    _draft, sent = issued(team, units=[team.province.snv])
    item = Delivery.objects.get(document=sent, recipient_unit=team.province.snv)
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    reports = list(VerificationReport.objects.filter(document=incoming))
    pdfs = list(DocumentFile.objects.filter(document=incoming, file_format="pdf"))
    assert pdfs
    assert sorted((r.file_sha256, r.trigger, r.status) for r in reports) == sorted(
        (f.sha256, Trigger.RECEIPT, verify.VALID) for f in pdfs
    )
    shown = panel(text(client_for(team.clerk_snv).get(f"/van-ban/{incoming.pk}/")))
    assert "Hợp lệ" in shown and "khi tiếp nhận" in shown
    assert "Sở Thông tin và Truyền thông" in shown  # the organisation signature


def test_a_check_that_cannot_run_does_not_stop_the_registration(team, settings):
    """A verification that fails to run (here a broken setting) leaves no report, and the
    document is registered and numbered all the same."""
    signing.trust()
    settings.VANBAN_SIGNATURE_REVOCATION = "no-such-mode"
    numbers = list(RegisterSeries.objects.values_list("pk", "next_number"))
    document = register_by_hand(team, ("Quyết định.pdf", signed_pdf()))
    assert document.register_number == 1
    assert DocumentFile.objects.filter(document=document).count() == 1
    assert not VerificationReport.objects.exists()
    assert list(RegisterSeries.objects.values_list("pk", "next_number")) != numbers


def test_the_panel_shows_the_real_2018_signature_field_by_field(team, client_for):
    """The national sample's signature: validity period, algorithms, key size, who time-stamped
    it, the reason and the SHA-1 warning in Vietnamese, the library's code only as a detail."""
    from tests.support.edxml import sample
    from vanban.exchange.edxml import parse_package
    from vanban.exchange.staging import package_files

    files, _notes = package_files(parse_package(sample("edoc.edxml"), max_bytes=10**8), "x")
    [real] = [item.data for item in files if item.data[:5] == b"%PDF-"]
    document = register_by_hand(team, ("Hướng dẫn 2018.pdf", real), reason="Đã xác minh.")
    [file] = DocumentFile.objects.filter(document=document)
    shown = file_panel(text(client_for(team.signer).get(f"/van-ban/{document.pk}/")), file)
    for expected in (
        "Không hợp lệ",
        "Đỗ Tiến Thắng",
        "Bộ Thông tin và Truyền thông",
        "Chứng thư số có hiệu lực từ 28/11/2013 14:59:47 đến 27/11/2018 14:59:47",
        "thuật toán: SHA-1, RSA (PKCS#1 v1.5), khóa 2048 bit",
        "dấu thời gian do “Máy chủ cấp dấu thời gian” cấp",
        "02/01/2018 22:15:25",
        verify.REASON_UNTRUSTED,
        "hàm băm SHA-1 nay không còn an toàn cho chữ ký mới",
        "Chi tiết kỹ thuật: pyHanko: NO_CERTIFICATE_CHAIN_FOUND",
    ):
        assert expected in shown, expected
    assert "CRYPTO_CONSTRAINTS" not in shown
