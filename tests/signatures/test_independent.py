"""The PDF that the real issue path produces (personal signature of the competent signer, then
the organisation signature of the clerk) checked by validators that are not ours: poppler's
`pdfsig` with an NSS database that trusts the test root (NSS's `vfychain` for the chain), and
pyHanko's command line. The document has the reserved "Số:" and date lines, so the issue writes
the number and the date into it between the two signatures (form filling after the personal
signature). A copy with one changed byte is reported invalid by both.

Without these tools the tests are skipped, or fail when VANBAN_REQUIRE_VALIDATORS=1 (CI)."""

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing import pki
from tests.support.drafting import issued, official_pdf
from vanban.signatures import numberdate

pytestmark = [pytest.mark.django_db, pytest.mark.process]

FIELDS = ["ChuKyNguoiCoThamQuyen", "ChuKyCoQuan"]
SIGNERS = ["nguoi-ky", "to-chuc"]  # labels of the test PKI, in signing order


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if name == "pyhanko":
        local = Path(sys.executable).with_name("pyhanko")
        found = str(local) if local.exists() else found
    if found is None:
        message = f"`{name}` is not installed (package {package}): independent validation not run"
        if os.environ.get("VANBAN_REQUIRE_VALIDATORS") == "1":
            pytest.fail(message + " and VANBAN_REQUIRE_VALIDATORS=1")
        pytest.skip(message)
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def issued_files(team, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The issued main file, read from storage, and a copy with one byte changed in the range
    that both signatures cover."""
    _draft, document = issued(team, content=official_pdf())
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        data = handle.read()
    assert numberdate.filled_after(*reader_and_first_revision(data))
    signed = tmp_path / "van-ban.pdf"
    signed.write_bytes(data)
    where = data.index(b"WeasyPrint")  # the producer, in the original document
    tampered = tmp_path / "van-ban-bi-sua.pdf"
    tampered.write_bytes(data[:where] + b"X" + data[where + 1 :])
    return signed, tampered


def reader_and_first_revision(data: bytes):  # type: ignore[no-untyped-def]
    """The file and the revision the personal signature covers."""
    reader = PdfFileReader(io.BytesIO(data))
    return reader, reader.embedded_signatures[0].signed_revision


def nss_db(certutil: str, directory: Path, *, with_root: bool) -> str:
    directory.mkdir()
    db = f"sql:{directory}"
    assert run(certutil, "-N", "--empty-password", "-d", db).returncode == 0
    if with_root:
        root = str(pki().directory / "root.crt.pem")
        added = run(certutil, "-A", "-n", "root", "-t", "C,C,C", "-i", root, "-d", db)
        assert added.returncode == 0, added.stderr
    return db


def pdfsig_report(pdfsig: str, db: str | None, path: Path) -> list[dict[str, str]]:
    result = run(pdfsig, *(["-nssdir", db] if db else []), str(path))
    signatures: list[dict[str, str]] = []
    for line in result.stdout.splitlines():
        if re.match(r"Signature #\d+:", line):
            signatures.append({})
        elif line.strip().startswith("- ") and signatures:
            key, _, value = line.strip()[2:].partition(": ")
            signatures[-1][key] = value
    return signatures


def test_pdfsig_validates_both_signatures(team, tmp_path):
    pdfsig = tool("pdfsig", "poppler-utils")
    certutil, vfychain = shutil.which("certutil"), shutil.which("vfychain")
    signed, tampered = issued_files(team, tmp_path)
    db = nss_db(certutil, tmp_path / "nss", with_root=True) if certutil else None
    report = pdfsig_report(pdfsig, db, signed)
    assert [s["Signature Field Name"] for s in report] == FIELDS
    assert [s["Signer Certificate Common Name"] for s in report] == [
        "Nguyễn Văn Ký",
        "Sở Thông tin và Truyền thông",
    ]
    for sig in report:
        assert sig["Signature Validation"] == "Signature is Valid."
        assert sig["Signature Type"] == "ETSI.CAdES.detached"
    bad = pdfsig_report(pdfsig, db, tampered)
    assert len(bad) == 2
    for sig in bad:
        assert sig["Signature Validation"] in ("Digest Mismatch.", "Signature is Invalid.")
    if certutil is None:
        return  # without libnss3-tools, only the signatures themselves are checked
    # Without the test root NSS does not know the issuer; with it, the issuer is no longer the
    # problem. Poppler before 23.x reads NSS's error code even when the check succeeded and may
    # then print "Unknown issue" for a good chain, so NSS's own chain check decides trust.
    untrusted = pdfsig_report(pdfsig, nss_db(certutil, tmp_path / "empty", with_root=False), signed)
    assert len(untrusted) == 2
    for sig in untrusted:
        assert sig["Certificate Validation"] in (
            "Certificate issuer isn't Trusted.",
            "Certificate issuer is unknown.",
        )
    for sig in report:
        assert sig["Certificate Validation"] in (
            "Certificate is Trusted.",
            "Unknown issue with Certificate or corrupted data.",
        )
    if vfychain is None or db is None:
        return
    for label in SIGNERS:
        chain = run(
            vfychain, "-d", db, "-pp", "-u", "4",  # 4: certificateUsageEmailSigner, as poppler
            "-a", str(pki().directory / "certs" / f"{label}.crt.pem"),
            "-a", str(pki().directory / "sub-ca.crt.pem"),
        )  # fmt: skip
        output = chain.stdout + chain.stderr
        assert chain.returncode == 0 and "Chain is good!" in output, output


def test_pyhanko_command_line_validates_both_signatures(team, tmp_path):
    pyhanko = tool("pyhanko", "pyhanko-cli")
    signed, tampered = issued_files(team, tmp_path)
    root = str(pki().directory / "root.crt.pem")
    pretty = run(pyhanko, "sign", "validate", "--trust", root, "--pretty-print", str(signed))
    assert pretty.returncode == 0, pretty.stdout + pretty.stderr
    for field in FIELDS:
        assert f"Field {FIELDS.index(field) + 1}: {field}" in pretty.stdout
    assert pretty.stdout.count("The signer's certificate is trusted.") == 2
    assert pretty.stdout.count("The signature is cryptographically sound.") == 2
    assert pretty.stdout.count("The signature is judged VALID.") == 2
    # The short form: FIELD:FINGERPRINT:INTACT:TRUSTED,...
    summary = run(pyhanko, "sign", "validate", "--trust", root, str(signed))
    assert summary.returncode == 0, summary.stdout + summary.stderr
    lines = summary_lines(summary.stdout)
    assert [line[0] for line in lines] == FIELDS
    for line, label in zip(lines, SIGNERS, strict=True):
        assert line[1] == fingerprint(label)
        assert line[2] == "INTACT"
        assert "TRUSTED" in line[3].split(",")
    # Another root only: intact but untrusted, and the command fails.
    other = str(pki().directory / "other-root.crt.pem")
    untrusted = run(pyhanko, "sign", "validate", "--trust", other, str(signed))
    assert untrusted.returncode != 0
    for line in summary_lines(untrusted.stdout):
        assert line[2] == "INTACT"
        assert "UNTRUSTED" in line[3].split(",") and "TRUSTED" not in line[3].split(",")
    broken = run(pyhanko, "sign", "validate", "--trust", root, "--pretty-print", str(tampered))
    assert broken.returncode != 0
    assert "The signature is judged VALID." not in broken.stdout
    assert "INVALID" in broken.stdout


def summary_lines(output: str) -> list[list[str]]:
    return [line.split(":") for line in output.split() if line.count(":") >= 3]


def fingerprint(label: str) -> str:
    from asn1crypto import pem, x509

    return x509.Certificate.load(pem.unarmor(pki().cert_pem(label))[2]).sha256.hex()
