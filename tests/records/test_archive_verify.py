"""`vanban archive verify` (R19): the package alone, no server, no network. The intact package
passes; each kind of tampering (a byte of a file, a metadata field, an event of the trail, the
validation data of a signature, a file added or removed, the original's bytes) is reported with
the file it concerns, and the exit code says so."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.records.support_package import (
    build_once,
    members,
    pdf_path,
    rehashed,
    rewrite,
    without_revocation_data,
)
from vanban.records.package import verify_package
from vanban.records.package.verify import (
    CHAIN,
    HASH,
    MANIFEST_STAMP,
    PREFIX,
    SCHEMA,
    SIGNATURE,
    STRUCTURE,
    TIMESTAMP,
)

# The package is built once for the module (rows rolled back); each test reads the ZIP alone.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_package(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    return build_once(django_db_blocker, tmp_path_factory)


SRC = Path(__file__).resolve().parents[2] / "src"

# Every attempt to open a network connection in the verifying process is written down, then
# refused: the test asserts that nothing was written.
NO_NETWORK = """
import os, socket

def _refuse(*args, **kwargs):
    with open(os.environ["ATTEMPTS_FILE"], "a") as out:
        out.write(repr(args[:2]) + "\\n")
    raise OSError("network refused in this test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


STAMP_FAILS = (MANIFEST_STAMP, "manifest-sha256.txt")


def failures(report):  # type: ignore[no-untyped-def]
    return [(c.group, c.file) for c in report.checks if not c.ok]


def tampered(built: Path, tmp_path: Path, files: dict[str, bytes]) -> Path:
    return rewrite(built, files, tmp_path / "goi-bi-sua.zip")


def run_cli(tmp_path: Path, package: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    block = tmp_path / "no-network"
    block.mkdir(exist_ok=True)
    (block / "sitecustomize.py").write_text(NO_NETWORK)
    attempts = tmp_path / "attempts.txt"
    env = {
        **os.environ,
        "PYTHONPATH": f"{block}{os.pathsep}{SRC}",
        "DJANGO_SETTINGS_MODULE": "vanban.settings",
        "ATTEMPTS_FILE": str(attempts),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "vanban", "archive", "verify", str(package), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert not attempts.exists(), attempts.read_text()
    return result


# ------------------------------------------------------------------ the intact package


def test_the_intact_package_passes_every_check(built_package):
    report = verify_package(built_package)
    assert failures(report) == []
    assert report.intact
    groups = {c.group for c in report.checks}
    assert {STRUCTURE, HASH, SCHEMA, PREFIX, SIGNATURE, TIMESTAMP, CHAIN, MANIFEST_STAMP} <= groups
    pdf = pdf_path(members(built_package))
    [signature] = [c for c in report.checks if c.group == SIGNATURE and c.file == pdf]
    assert signature.detail.startswith("2 chữ ký hợp lệ")
    assert report.lines()[-1].startswith("Kết luận: gói lưu trữ toàn vẹn")


def test_the_command_checks_with_no_network_and_exits_0(built_package, tmp_path):
    result = run_cli(tmp_path, built_package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[đạt] Chữ ký số: dossiers/01/001/files/01-tep-chinh.pdf — 2 chữ ký hợp lệ" in (
        result.stdout
    )
    assert "[đạt] Dấu thời gian lưu trữ: dossiers/01/001/files/01-tep-chinh.pdf" in result.stdout
    assert "Kết luận: gói lưu trữ toàn vẹn" in result.stdout
    as_json = json.loads(run_cli(tmp_path, built_package, "--json").stdout)
    assert as_json["intact"] is True and as_json["failures"] == 0
    unreadable = run_cli(tmp_path, built_package, "--trust-root", str(tmp_path / "khong-co.cer"))
    assert unreadable.returncode == 1
    assert "Không đọc được chứng thư gốc" in unreadable.stderr


# ------------------------------------------------------------------ tampering


def test_one_changed_byte_of_a_file_is_reported_with_its_name(built_package, tmp_path):
    files = members(built_package)
    pdf = pdf_path(files)
    data = bytearray(files[pdf])
    data[len(data) // 2] ^= 0x01
    files[pdf] = bytes(data)
    report = verify_package(tampered(built_package, tmp_path, files))
    assert not report.intact
    assert (HASH, pdf) in failures(report)
    result = run_cli(tmp_path, tmp_path / "goi-bi-sua.zip")
    assert result.returncode == 1
    assert f"[không đạt] Mã băm SHA-256: {pdf}" in result.stdout
    assert "Kết luận: gói lưu trữ KHÔNG toàn vẹn" in result.stdout


def test_a_byte_changed_inside_the_zip_itself_is_reported_with_its_name(built_package, tmp_path):
    """A change of the stored bytes, not through a ZIP writer: the member fails to read."""
    raw = bytearray(built_package.read_bytes())
    with zipfile.ZipFile(built_package) as archive:
        info = archive.getinfo("dossiers/01/dossier.xml")
    where = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5
    raw[where] ^= 0xFF
    path = tmp_path / "hong.zip"
    path.write_bytes(bytes(raw))
    report = verify_package(path)
    assert (STRUCTURE, "dossiers/01/dossier.xml") in failures(report)


def test_a_changed_metadata_field_is_reported(built_package, tmp_path):
    files = members(built_package)
    name = "dossiers/01/001/document.xml"
    files[name] = files[name].replace("Kế hoạch chuyển đổi số".encode(), "Kế hoạch khác".encode())
    report = verify_package(tampered(built_package, tmp_path, files))
    assert (HASH, name) in failures(report)


def test_a_metadata_field_against_the_schema_is_reported_even_with_its_hash_rewritten(
    built_package, tmp_path
):
    files = members(built_package)
    name = "dossiers/01/dossier.xml"
    old_size = len(files[name])
    files[name] = files[name].replace(b"<DocTotal>2</DocTotal>", b"<DocTotal>hai</DocTotal>")
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, name, old_size)))
    assert failures(report) == [(SCHEMA, name), STAMP_FAILS]
    [check, _] = [c for c in report.checks if not c.ok]
    assert "DocTotal" in check.detail


def test_a_valid_field_changed_with_every_hash_rewritten_fails_the_manifest_time_stamp(
    built_package, tmp_path
):
    """The manifest lists METS.xml and every file; its time-stamp token was made at export."""
    files = members(built_package)
    name = "dossiers/01/dossier.xml"
    old_size = len(files[name])
    files[name] = files[name].replace("Vĩnh viễn".encode(), "10 năm".encode())
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, name, old_size)))
    assert failures(report) == [STAMP_FAILS]
    [check] = [c for c in report.checks if not c.ok]
    assert "danh mục mã băm đã thay đổi sau khi đóng dấu thời gian" in check.detail


def test_the_manifest_time_stamp_without_its_ocsp_responses_and_crls_fails(built_package, tmp_path):
    """Either the OCSP response or the CRL proves the time-stamp service's certificate was not
    revoked; with both gone, nothing does."""
    files = members(built_package)
    removed = [
        n for n in files if n.startswith(("manifest-validation/ocsp-", "manifest-validation/crl-"))
    ]
    assert removed
    for name in removed:
        del files[name]
    report = verify_package(tampered(built_package, tmp_path, files))
    assert failures(report) == [STAMP_FAILS]
    [check] = [c for c in report.checks if not c.ok]
    assert "không xác thực được chứng thư của dịch vụ cấp dấu thời gian" in check.detail


def test_a_changed_event_of_the_trail_is_reported(built_package, tmp_path):
    files = members(built_package)
    name = "dossiers/01/001/events.xml"
    old_size = len(files[name])
    text = files[name].decode()
    first = text.index("<lt:Action>") + len("<lt:Action>")
    end = text.index("</lt:Action>", first)
    files[name] = (text[:first] + "draft.xoa" + text[end:]).encode()
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, name, old_size)))
    assert failures(report) == [(CHAIN, name), STAMP_FAILS]
    check = report.failures[0]
    assert "có nội dung khác mã băm của nó" in check.detail


def test_an_event_taken_out_of_the_chain_breaks_the_link(built_package, tmp_path):
    """An event changed together with its own hash still breaks the next event's prev_hash."""
    from lxml import etree

    from vanban.audit.services import digest_of
    from vanban.records.package.metadata import read_chain

    files = members(built_package)
    name = "dossiers/01/001/events.xml"
    old_size = len(files[name])
    root = etree.fromstring(files[name])
    lt = "{urn:vanban:luu-tru:1}"
    chains = list(root.iter(f"{lt}Chain"))
    seqs = [int(c.findtext(f"{lt}Seq")) for c in chains]
    index = next(i for i in range(len(seqs) - 1) if seqs[i + 1] == seqs[i] + 1)
    chain = chains[index]
    chain.find(f"{lt}Action").text = "draft.xoa"
    fields = read_chain(chain)
    fields.pop("hash")
    chain.find(f"{lt}Hash").text = digest_of(fields)
    files[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, name, old_size)))
    assert failures(report) == [(CHAIN, name), STAMP_FAILS]
    check = report.failures[0]
    assert f"sự kiện số {seqs[index] + 1} không nối với sự kiện số {seqs[index]}" in check.detail


def test_removed_ocsp_responses_and_crls_fail_the_signature_check(built_package, tmp_path):
    files = members(built_package)
    pdf = pdf_path(files)
    old_size = len(files[pdf])
    files[pdf] = without_revocation_data(files[pdf])
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, pdf, old_size)))
    failed = failures(report)
    assert (SIGNATURE, pdf) in failed
    assert (TIMESTAMP, pdf) in failed
    assert {group for group, _ in failed} == {SIGNATURE, TIMESTAMP, MANIFEST_STAMP}
    [check] = [c for c in report.checks if c.group == SIGNATURE and c.file == pdf]
    assert "Không kiểm tra được tình trạng thu hồi" in check.detail


def test_a_file_added_or_removed_is_a_structure_failure(built_package, tmp_path):
    files = members(built_package)
    files["dossiers/01/001/files/99-them.pdf"] = b"%PDF-1.7 them"
    report = verify_package(tampered(built_package, tmp_path, files))
    assert (STRUCTURE, "dossiers/01/001/files/99-them.pdf") in failures(report)

    files = members(built_package)
    removed = "dossiers/01/002/events.xml"
    del files[removed]
    report = verify_package(rewrite(built_package, files, tmp_path / "thieu.zip"))
    assert (STRUCTURE, removed) in failures(report)


def test_an_original_changed_before_the_time_stamp_fails_the_prefix_check(built_package, tmp_path):
    files = members(built_package)
    pdf = pdf_path(files)
    old_size = len(files[pdf])
    data = bytearray(files[pdf])
    where = data.index(b"WeasyPrint")
    data[where] = ord("X")
    files[pdf] = bytes(data)
    report = verify_package(tampered(built_package, tmp_path, rehashed(files, pdf, old_size)))
    failed = failures(report)
    assert (PREFIX, pdf) in failed
    assert (SIGNATURE, pdf) in failed


def test_a_file_that_is_no_zip_is_reported(tmp_path):
    path = tmp_path / "khong-phai-zip.zip"
    path.write_bytes(b"not a zip")
    report = verify_package(path)
    assert not report.intact
    assert report.checks[0].group == STRUCTURE
    assert "không mở được tệp ZIP" in report.checks[0].detail


def test_the_archive_own_trust_roots_replace_those_in_the_package(built_package, tmp_path):
    """An archive that trusts none of the package's roots: the signatures and the time-stamps
    fail; the report says whose roots were used."""
    report = verify_package(built_package, trust_roots=[])
    pdf = pdf_path(members(built_package))
    failed = failures(report)
    assert (SIGNATURE, pdf) in failed
    assert (TIMESTAMP, pdf) in failed
    assert any("gốc tin cậy do người kiểm tra cung cấp" in c.detail for c in report.checks)
