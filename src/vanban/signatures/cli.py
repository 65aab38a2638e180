"""`vanban-sign`: signs a signing request of vanban with a key that stays on the signer's
computer (a PKCS#12 file or a PKCS#11 token; R11).

The server prepared the PDF and keeps it; this command fetches only the bytes to sign (the CMS
signed attributes, which contain the document's digest) and the certificate the server expects,
checks that the local key belongs to that certificate, signs with SHA-256 and sends the
signature value back. The private key and the PIN never leave the computer.

HTTP goes through the standard library only (urllib): nothing but this package is needed on
the signer's computer.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any, NoReturn

from vanban.core.console import quiet_library_warnings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
TIMEOUT = 60  # seconds for each HTTP request
USER_AGENT = "vanban-sign/1"


class Refused(Exception):
    """The signing cannot go on; the message says why (Vietnamese)."""


class _Formatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, prefix or "Cách dùng: ")


_ARGPARSE_MESSAGES = [
    ("unrecognized arguments:", "không nhận ra tham số"),
    ("expected one argument", "cần một giá trị"),
    ("argument ", "tham số "),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        for english, vietnamese in _ARGPARSE_MESSAGES:
            message = message.replace(english, vietnamese)
        self.exit(
            EXIT_USAGE, f"Tham số không hợp lệ: {message}\nXem hướng dẫn: vanban-sign --help\n"
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vanban-sign",
        formatter_class=_Formatter,
        add_help=False,
        description=(
            "Ký số một yêu cầu ký của hệ thống quản lý văn bản bằng khóa trên máy người ký "
            "(tệp PKCS#12 hoặc thiết bị ký PKCS#11). Khóa bí mật và mã PIN không rời khỏi máy."
        ),
    )
    parser._optionals.title = "tùy chọn"
    parser.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    parser.add_argument(
        "--server",
        metavar="ĐỊA_CHỈ",
        default=os.environ.get("VANBAN_SERVER", ""),
        help="địa chỉ hệ thống, ví dụ https://vanban.tinh.gov.vn (hoặc biến VANBAN_SERVER)",
    )
    parser.add_argument(
        "--token",
        metavar="MÃ_TRUY_CẬP",
        default=os.environ.get("VANBAN_TOKEN", ""),
        help="mã truy cập API cá nhân vbt_... (hoặc biến VANBAN_TOKEN)",
    )
    parser.add_argument(
        "--code", metavar="MÃ_YÊU_CẦU", default="", help="mã yêu cầu ký số hiển thị trên trang ký"
    )
    parser.add_argument(
        "--pin",
        metavar="PIN",
        default=os.environ.get("VANBAN_PIN"),
        help="mã PIN của khóa (hoặc biến VANBAN_PIN; nếu không có sẽ được hỏi khi chạy)",
    )
    parser.add_argument("--pkcs12", metavar="TỆP", default="", help="tệp khóa PKCS#12 (.p12, .pfx)")
    parser.add_argument(
        "--pkcs11-module",
        metavar="THƯ_VIỆN",
        default="",
        help="thư viện PKCS#11 của thiết bị ký (.so, .dll), do nhà cung cấp thiết bị cài đặt",
    )
    parser.add_argument(
        "--token-label", metavar="NHÃN", default="", help="nhãn thiết bị ký PKCS#11"
    )
    parser.add_argument(
        "--key-label", metavar="NHÃN", default="", help="nhãn khóa bí mật trên thiết bị ký"
    )
    return parser


# ---------------------------------------------------------------- HTTP


def _call(server: str, token: str, code: str, body: dict[str, Any] | None = None) -> Any:
    url = f"{server.rstrip('/')}/api/v1/signatures/requests/{urllib.parse.quote(code, safe='')}"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked in main)
        url, data=data, headers=headers, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise Refused(f"Máy chủ từ chối: {_detail(exc)}") from exc
    except urllib.error.URLError as exc:
        raise Refused(f"Không kết nối được tới máy chủ {server}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise Refused(f"Không kết nối được tới máy chủ {server}: {exc}") from exc
    except ValueError as exc:
        raise Refused(f"Máy chủ {server} trả lời không đúng định dạng JSON.") from exc


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(exc.read().decode("utf-8"))
        detail = str(payload.get("detail") or "")
    except Exception:
        detail = ""
    return detail or f"lỗi HTTP {exc.code}."


# ---------------------------------------------------------------- keys


def _describe(cert: Any) -> str:
    name = cert.subject.native.get("common_name", "") or cert.subject.human_friendly
    issuer = cert.issuer.native.get("common_name", "")
    return f"{name} (số hiệu {cert.serial_number:x}, do {issuer} cấp)"


def _pkcs12_holder(path: str, pin: str, expected: Any) -> Any:
    from vanban.signatures import pdfsign

    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise Refused(f"Không đọc được tệp khóa {path}: {exc.strerror or exc}") from exc
    holder = pdfsign.load_pkcs12(data, pin)
    own = holder.signing_cert
    if own.sha256 != expected.sha256:
        raise Refused(
            "Khóa trong tệp không thuộc chứng thư số mà máy chủ yêu cầu.\n"
            f"  Máy chủ yêu cầu: {_describe(expected)}\n"
            f"  Tệp khóa chứa:   {_describe(own)}\n"
            "Không ký và không gửi gì."
        )
    return holder


def _pkcs11_holder(args: argparse.Namespace, pin: str, expected: Any) -> Any:
    from vanban.signatures.pkcs11 import Pkcs11Key

    holder = Pkcs11Key(
        module=args.pkcs11_module,
        token_label=args.token_label,
        key_label=args.key_label,
        pin=pin,
        certificate=expected,
        not_configured="Cần đường dẫn thư viện PKCS#11 của thiết bị ký (--pkcs11-module).",
    )
    holder.check()  # wrong PIN, missing key, key of another certificate
    return holder


# ---------------------------------------------------------------- main


def sign(args: argparse.Namespace) -> str:
    """Does the whole exchange; returns the message of success or raises Refused."""
    from asn1crypto import x509

    from vanban.signatures import pdfsign

    server = args.server.strip()
    token = (args.token or "").strip()
    code = args.code.strip()
    if not server:
        raise Refused("Cần địa chỉ hệ thống (--server hoặc biến VANBAN_SERVER).")
    if urllib.parse.urlsplit(server).scheme not in ("http", "https"):
        raise Refused("Địa chỉ hệ thống phải bắt đầu bằng https:// (hoặc http://).")
    if not token:
        raise Refused("Cần mã truy cập API cá nhân (--token hoặc biến VANBAN_TOKEN).")
    if not code:
        raise Refused("Cần mã yêu cầu ký số (--code).")
    if bool(args.pkcs12) == bool(args.pkcs11_module):
        raise Refused(
            "Chọn đúng một nơi giữ khóa: tệp PKCS#12 (--pkcs12) hoặc thiết bị ký PKCS#11 "
            "(--pkcs11-module cùng --key-label)."
        )
    if args.pkcs11_module and not args.key_label:
        raise Refused("Cần nhãn khóa trên thiết bị ký (--key-label).")

    print(f"Đang lấy yêu cầu ký số {code} từ {server} ...")
    request = _call(server, token, code)
    try:
        algorithm = str(request["digest_algorithm"]).lower()
        to_be_signed = base64.b64decode(request["to_be_signed"], validate=True)
        expected = x509.Certificate.load(base64.b64decode(request["certificate"], validate=True))
        expected.native  # noqa: B018  (parses every field)
    except Exception as exc:
        raise Refused("Máy chủ trả về yêu cầu ký số không hợp lệ.") from exc
    if algorithm != pdfsign.DIGEST:
        raise Refused(f"Thuật toán băm {algorithm} không được hỗ trợ (chỉ SHA-256).")
    print(f"Chứng thư số được yêu cầu: {_describe(expected)}")

    pin = args.pin
    if pin is None:
        pin = getpass.getpass("Mã PIN của khóa: ")
    if args.pkcs12:
        holder = _pkcs12_holder(args.pkcs12, pin, expected)
    else:
        holder = _pkcs11_holder(args, pin, expected)

    value = pdfsign.sign_raw(holder, to_be_signed)
    if not pdfsign.signature_matches(expected, to_be_signed, value):
        raise Refused(
            "Chữ ký tạo ra không khớp với chứng thư số mà máy chủ yêu cầu (khóa khác); không "
            "gửi gì."
        )
    result = _call(server, token, code, {"signature": base64.b64encode(value).decode()})
    subject = result.get("subject", "") if isinstance(result, dict) else ""
    return f"Đã ký số văn bản “{subject}”. Máy chủ đã kiểm tra và lưu bản đã ký."


def main(argv: list[str] | None = None) -> int:
    quiet_library_warnings()
    from vanban.signatures.pdfsign import SigningFailed

    args = _parser().parse_args(argv)
    try:
        print(sign(args))
    except (Refused, SigningFailed) as exc:
        print(f"Không ký được: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("\nĐã dừng, không ký.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
