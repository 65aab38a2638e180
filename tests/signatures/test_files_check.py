"""`vanban files check` sees the signatures' files too: the kept PKCS#12 key files and the signed
PDFs of drafts are checked against their SHA-256 like every document file."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.support.drafting import create_draft, signer_certificate, to_approved, to_signed
from vanban.documents.files import files_check


def test_signed_drafts_and_key_files_are_checked(team):
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    certificate = signer_certificate(team)
    report = files_check()
    assert (report.missing, report.changed, report.orphans) == ([], [], [])

    default_storage.delete(draft.signed_storage_name)
    default_storage.save(draft.signed_storage_name, ContentFile(b"%PDF-1.7 khac"))
    default_storage.delete(certificate.pkcs12_storage_name)
    report = files_check()
    assert [(p.storage_name, p.kind) for p in report.changed] == [
        (draft.signed_storage_name, "bản ký số của dự thảo")
    ]
    assert [(p.storage_name, p.kind) for p in report.missing] == [
        (certificate.pkcs12_storage_name, "tệp khóa PKCS#12")
    ]
