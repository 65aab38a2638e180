"""`vanban testpki create` writes the test PKI and says where; `vanban testpki serve` answers
CRL and OCSP requests on loopback until stopped."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from asn1crypto import crl, pem, x509
from django.core.management import CommandError, call_command

from vanban.signatures import testpki

pytestmark = pytest.mark.process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("testpki", "create", *args, stdout=out)
    return out.getvalue()


def certificate(path: Path) -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


def test_create_writes_the_hierarchy_and_the_key_files(tmp_path):
    directory = tmp_path / "pki"
    output = create("--dir", str(directory), "--port", "18999")
    root = certificate(directory / "root.crt.pem")
    sub = certificate(directory / "sub-ca.crt.pem")
    assert root.subject.native["common_name"] == testpki.ROOT_NAME
    assert sub.issuer == root.subject and sub.ca
    labels = ["nguoi-ky", "het-han", "thu-hoi", "to-chuc", "la"]
    assert sorted(p.name for p in (directory / "p12").iterdir()) == sorted(
        f"{label}.p12" for label in labels
    )
    assert json.loads((directory / testpki.MANIFEST).read_text("utf-8"))["port"] == 18999
    assert f"CA gốc ({testpki.ROOT_NAME}): {directory / 'root.crt.pem'}" in output
    assert f"CA trung gian ({testpki.SUB_CA_NAME}): {directory / 'sub-ca.crt.pem'}" in output
    for label in labels:
        assert str(directory / "p12" / f"{label}.p12") in output
    assert "Lê Thị Thu Hồi (cá nhân, đã bị thu hồi)" in output
    assert "Sở Thông tin và Truyền thông (tổ chức, còn hiệu lực)" in output
    assert f"Mã PIN của mọi tệp khóa: {testpki.PIN}" in output
    assert "VANBAN_TSA_URL=http://127.0.0.1:18999/vanban/tsa/tsa" in output
    # The key files open with the PIN printed.
    from vanban.signatures import pdfsign

    holder = pdfsign.load_pkcs12((directory / "p12" / "nguoi-ky.p12").read_bytes(), testpki.PIN)
    assert holder.signing_cert.subject.native["common_name"] == "Nguyễn Văn Ký"


def test_create_again_keeps_keys_port_and_identities(tmp_path, settings):
    directory = tmp_path / "pki"
    settings.VANBAN_TESTPKI_DIR = directory
    testpki.build(
        directory,
        port=18998,
        identities=[testpki.Identity("demo", "Nguyễn Văn Trình Diễn", "UBND tỉnh")],
    )
    before = (directory / "root.crt.pem").read_bytes()
    output = create()  # default directory: settings.VANBAN_TESTPKI_DIR
    assert (directory / "root.crt.pem").read_bytes() == before
    assert testpki.load(directory).port == 18998
    assert "demo" in {i.label for i in testpki.load(directory).identities}
    assert "Nguyễn Văn Trình Diễn" in output


def test_create_default_port(tmp_path):
    directory = tmp_path / "pki"
    create("--dir", str(directory))
    assert testpki.load(directory).port == testpki.DEFAULT_PORT


def test_serve_needs_a_test_pki(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("testpki", "serve", "--dir", str(tmp_path / "none"))
    assert "hãy chạy `vanban testpki create` trước" in str(caught.value)


def test_serve_answers_crl_requests_until_stopped(tmp_path):
    directory = tmp_path / "pki"
    pki = testpki.build(directory, port=free_port())
    # The CRL address written in the personal certificate (issued by the subordinate CA).
    person = certificate(directory / "certs" / "nguoi-ky.crt.pem")
    [url] = person.crl_distribution_points[0]["distribution_point"].native
    assert url.startswith(pki.base_url)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "vanban", "testpki", "serve", "--dir", str(directory)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vanban.test_settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        data = None
        deadline = time.monotonic() + 60
        while data is None and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (http, loopback)
                    data = response.read()
            except OSError:
                time.sleep(0.3)
        assert data is not None, "the test PKI did not answer"
        revocations = crl.CertificateList.load(data)
        assert revocations.issuer.native["common_name"] == testpki.SUB_CA_NAME
        revoked = certificate(directory / "certs" / "thu-hoi.crt.pem")
        assert revoked.serial_number in {
            r["user_certificate"].native
            for r in revocations["tbs_cert_list"]["revoked_certificates"]
        }
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"tại {pki.base_url}" in output.decode("utf-8")
