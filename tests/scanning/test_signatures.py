"""Files stored by the signature pages go through the same gate (R20): a signature image, and a
PDF signed with another tool (its appended revision is new content)."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import signing
from tests.support.clamd import EICAR
from tests.support.drafting import create_draft, signed_elsewhere, signer_certificate, to_approved
from tests.support.files import upload
from vanban.scanning.models import Detection
from vanban.signatures.models import SignatureMark

pytestmark = pytest.mark.django_db


def with_text_chunk(png: bytes, text: bytes) -> bytes:
    """The PNG with a tEXt chunk (valid CRC) before IEND: still a good image."""
    body = b"Comment\0" + text
    chunk = struct.pack("!I", len(body)) + b"tEXt" + body
    chunk += struct.pack("!I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF)
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def test_an_infected_signature_image_is_refused(team, client_for, scanning):
    image = with_text_chunk(signing.signature_png(), EICAR)
    client = client_for(team.signer)
    response = client.post(
        "/chu-ky-so/hinh-chu-ky/",
        {"mark-image": SimpleUploadedFile("chu-ky.png", image, content_type="image/png")},
    )
    assert response.status_code == 200
    assert "Tệp “chu-ky.png” chứa mã độc (Eicar-Test-Signature)" in response.content.decode()
    assert not SignatureMark.objects.exists()
    detection = Detection.objects.get()
    assert (detection.uploaded_by, detection.source) == (team.signer, "Hình chữ ký, con dấu")


def test_a_clean_signature_image_is_kept(team, client_for, scanning):
    client = client_for(team.signer)
    response = client.post(
        "/chu-ky-so/hinh-chu-ky/",
        {"mark-image": SimpleUploadedFile("chu-ky.png", signing.signature_png())},
    )
    assert response.status_code == 302
    assert SignatureMark.objects.filter(user=team.signer).exists()


def test_a_signed_upload_carrying_malware_after_its_end_is_refused(team, client_for, scanning):
    draft = create_draft(team)
    to_approved(team, draft)
    signer_certificate(team)
    signed = signed_elsewhere(draft) + b"\n" + EICAR
    response = client_for(team.signer).post(
        f"/du-thao/{draft.pk}/ky-so/tai-len/",
        {"signed_file": upload("Đã ký.pdf", signed, "application/pdf")},
    )
    assert response.status_code == 200
    assert "chứa mã độc (Eicar-Test-Signature)" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed
    assert Detection.objects.get().source == "Văn bản đã ký số tải lên"


def test_a_signed_upload_whose_new_revision_adds_javascript_is_refused(team, client_for, scanning):
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    draft = create_draft(team)
    to_approved(team, draft)
    signer_certificate(team)
    signed = signed_elsewhere(draft)
    writer = PdfWriter(io.BytesIO(signed), incremental=True)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    hostile = out.getvalue()
    assert hostile.startswith(signed)  # an appended revision, as a signing tool writes
    response = client_for(team.signer).post(
        f"/du-thao/{draft.pk}/ky-so/tai-len/",
        {"signed_file": upload("Đã ký.pdf", hostile, "application/pdf")},
    )
    assert response.status_code == 200
    assert "chứa mã JavaScript" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed
    assert not Detection.objects.exists()
