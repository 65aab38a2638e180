"""Checking a PDF's signatures on request (R11): `vanban signatures verify FILE [--json]` for
administrators, `POST /api/v1/signatures/verify` for any clerk; nothing is stored."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.signatures.test_real_signature import real_pdf  # noqa: F401 (fixture)
from tests.signatures.test_verify import signed_both
from tests.signing import pki
from tests.support.api import token_for
from tests.support.files import docx_bytes
from tests.support.province import make_user
from tests.support.snapshots import snapshot
from vanban.accounts.models import Role
from vanban.signatures import services
from vanban.signatures.models import VerificationReport

pytestmark = pytest.mark.django_db

UNTRUSTED = (
    "Chứng thư số không được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy của tỉnh."
)


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("signatures", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_the_command_prints_the_real_2018_report_and_fails(real_pdf, tmp_path):  # noqa: F811
    path = tmp_path / "cong-van-2018.pdf"
    path.write_bytes(real_pdf)
    code, output = run("verify", str(path))
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == "Kết quả: Không hợp lệ"
    for line in [
        "Chữ ký 1 (Signature1): không hợp lệ",
        "  Người ký: Đỗ Tiến Thắng",
        "  Tổ chức: Bộ Thông tin và Truyền thông – Trung tâm Thông tin",
        "  Chứng thư số: số hiệu 2e1ee4, do “Co quan chung thuc so Chinh phu” cấp, hiệu lực từ "
        "28/11/2013 14:59:47 đến 27/11/2018 14:59:47",
        "  Thời điểm ký: 02/01/2018 22:16:08",
        "  Dấu thời gian: 02/01/2018 22:15:25 (do “Máy chủ cấp dấu thời gian” cấp)",
        "  Thuật toán: SHA-1, RSA (PKCS#1 v1.5), khóa 2048 bit",
        "  Toàn vẹn: có; tin cậy: không; phủ toàn bộ tệp: có",
        f"  Lý do: {UNTRUSTED}",
        "  Chi tiết kỹ thuật: pyHanko: NO_CERTIFICATE_CHAIN_FOUND",
    ]:
        assert line in lines
    assert any(line.startswith("  Ghi chú: Chữ ký dùng hàm băm SHA-1") for line in lines)


def test_the_command_prints_json(real_pdf, tmp_path):  # noqa: F811
    path = tmp_path / "a.pdf"
    path.write_bytes(real_pdf)
    code, output = run("verify", str(path), "--json")
    assert code == 1
    report = json.loads(output)
    assert report["status"] == "invalid"
    [check] = report["signatures"]
    assert (check["digest_algorithm"], check["key_size"], check["reasons"]) == (
        "SHA-1",
        2048,
        [UNTRUSTED],
    )


def test_the_command_passes_a_document_signed_under_an_installed_root(province, tmp_path):
    services.trust_root_add(actor=province.province_admin, data=pki().root_pem())
    path = tmp_path / "ke-hoach.pdf"
    path.write_bytes(signed_both())
    code, output = run("verify", str(path))
    assert (code, output.splitlines()[0]) == (0, "Kết quả: Hợp lệ")
    assert output.count(": hợp lệ") == 2


def test_the_command_refuses_what_it_cannot_check(tmp_path):
    missing = tmp_path / "khong-co.pdf"
    with pytest.raises(CommandError, match=f"Không đọc được tệp {missing}"):
        call_command("signatures", "verify", str(missing))
    word = tmp_path / "du-thao.docx"
    word.write_bytes(docx_bytes("Dự thảo"))
    with pytest.raises(CommandError) as refused:
        call_command("signatures", "verify", str(word))
    assert refused.value.args[0] == (
        "Tệp “du-thao.docx” không phải tệp PDF: chỉ kiểm tra được chữ ký số trong tệp PDF."
    )


def _post(client, token: str | None, name: str, data: bytes):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/api/v1/signatures/verify", {"file": upload}, headers=headers)


def test_a_clerk_gets_the_report_through_the_api(client, province, real_pdf):  # noqa: F811
    clerk = make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    before = VerificationReport.objects.count()
    answer = _post(client, token_for(clerk), "cong-van.pdf", real_pdf)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["label"]) == ("invalid", "Không hợp lệ")
    [check] = body["signatures"]
    assert check["signer"] == "Đỗ Tiến Thắng"
    assert check["timestamp_authority"] == "Máy chủ cấp dấu thời gian"
    assert check["reasons"] == [UNTRUSTED]
    assert check["technical"] == ["pyHanko: NO_CERTIFICATE_CHAIN_FOUND"]
    assert VerificationReport.objects.count() == before  # nothing stored


def test_the_api_refuses_others_and_bad_files(client, province, real_pdf):  # noqa: F811
    clerk = token_for(make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,)))
    leader_token = token_for(province.leader_stttt)
    state = snapshot()
    assert _post(client, None, "a.pdf", real_pdf).status_code == 401
    leader = _post(client, leader_token, "a.pdf", real_pdf)
    assert leader.status_code == 403
    assert leader.json()["detail"] == "Chỉ văn thư của đơn vị được kiểm tra chữ ký số của một tệp."
    word = _post(client, clerk, "du-thao.docx", docx_bytes("Dự thảo"))
    assert word.status_code == 400
    assert word.json()["detail"] == (
        "Tệp “du-thao.docx” không phải tệp PDF: chỉ kiểm tra được chữ ký số trong tệp PDF."
    )
    empty = _post(client, clerk, "rong.pdf", b"")
    assert empty.status_code == 400 and empty.json()["detail"] == "Tệp “rong.pdf” rỗng."
    assert snapshot() == state
