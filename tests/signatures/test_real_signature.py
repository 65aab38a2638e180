"""The real signature of 2018 that the national sample `edoc.edxml` carries (an official of the
Ministry of Information and Communications, SHA-1, time-stamped by the Government Cipher
Committee), verified as a clerk reads the report (R11; TT 15/2025/TT-BKHCN): every field, every
reason in Vietnamese, library codes only as technical details."""

import datetime as dt

import pytest

from tests.support.edxml import sample
from vanban.exchange.edxml import parse_package
from vanban.exchange.staging import package_files
from vanban.signatures import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    files, _notes = package_files(parse_package(sample("edoc.edxml"), max_bytes=10**8), "edoc")
    [pdf] = [item.data for item in files if item.data[:5] == b"%PDF-"]
    return pdf


def test_the_2018_signature_is_reported_field_by_field(real_pdf):
    report = verify.verify_pdf(real_pdf, trust_roots=[], allow_fetching=False)
    assert report.status == verify.INVALID
    [check] = report.signatures
    assert (check.signer, check.organisation, check.organisation_unit) == (
        "Đỗ Tiến Thắng",
        "Bộ Thông tin và Truyền thông",
        "Trung tâm Thông tin",
    )
    assert (check.serial, check.issuer) == ("2e1ee4", "Co quan chung thuc so Chinh phu")
    assert (check.not_before, check.not_after) == (
        "2013-11-28T14:59:47+07:00",
        "2018-11-27T14:59:47+07:00",
    )
    assert check.signing_time == "2018-01-02T22:16:08+07:00"
    assert check.timestamp_time == "2018-01-02T22:15:25+07:00"
    assert check.timestamp_authority == "Máy chủ cấp dấu thời gian"
    assert (check.digest_algorithm, check.signature_algorithm, check.key_size) == (
        "SHA-1",
        "RSA (PKCS#1 v1.5)",
        2048,
    )
    assert check.intact and check.covers_whole_file
    assert not check.trusted and not check.valid
    # The issuer is not among the province's trust roots: that is the reason, in words.
    assert check.reasons == [verify.REASON_UNTRUSTED]
    # SHA-1 was accepted when the time-stamp proves it was signed: a warning, not a reason.
    assert check.notes == [
        "Chữ ký dùng hàm băm SHA-1: hợp lệ tại thời điểm ký (02/01/2018, theo dấu thời gian, "
        "trước ngày 01/01/2020), nhưng hàm băm SHA-1 nay không còn an toàn cho chữ ký mới."
    ]
    assert check.technical == ["pyHanko: NO_CERTIFICATE_CHAIN_FOUND"]
    assert not any("_" in text for text in [*check.reasons, *check.notes])


def test_sha1_without_a_time_stamp_before_the_cutoff_is_a_reason(real_pdf, monkeypatch):
    """The same signature judged by a rule whose cutoff falls before its time-stamp."""
    earlier = tuple(
        verify.WeakAlgorithm(label=r.label, until=dt.date(2017, 1, 1), digest=r.digest)
        if r.digest == "sha1"
        else r
        for r in verify.WEAK_ALGORITHMS
    )
    monkeypatch.setattr(verify, "WEAK_ALGORITHMS", earlier)
    [check] = verify.verify_pdf(real_pdf, trust_roots=[], allow_fetching=False).signatures
    # Every reason, the algorithm's (checked first) and the issuer's.
    assert check.reasons == [
        "Chữ ký dùng hàm băm SHA-1, không còn được chấp nhận cho chữ ký tạo từ ngày 01/01/2017; "
        "không có dấu thời gian hợp lệ chứng minh chữ ký được tạo trước ngày đó.",
        verify.REASON_UNTRUSTED,
    ]
    assert check.notes == []
