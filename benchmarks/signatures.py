"""Measure PAdES signing and verification of a 1 MB PDF with a key held by the server (PKCS#12).

Usage: .venv/bin/python benchmarks/signatures.py [--size-mb 1] [--repeat 7] [--out file.pdf]
Needs no database. The test PKI of vanban.signatures.testpki is built in a temporary directory
and serves its CRL, OCSP and time stamps on loopback, so the times include the HTTP round trips
to those services but not the latency of a real CA on the Internet. Prints the median of
`--repeat` runs as a Markdown table.

Measured on 2 cores, 1.01 MB, 5 pages, median of 7: opening the PKCS#12 file 73 ms; signing 217 ms,
with a time stamp 465 ms, with the validation data embedded 567 ms, with both 917 ms (the signed
file grows by 8 KB); verifying with OCSP/CRL fetched 399 ms, a B-LT file without network 129 ms.
"""

import argparse
import datetime as dt
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VANBAN_DATA_DIR", tempfile.mkdtemp(prefix="vanban-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.test_settings")
os.environ["VANBAN_PLAIN_STATIC"] = "1"

SIGNER = "Phạm Minh Đức"
TITLE = "PHÓ GIÁM ĐỐC"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def document(size_mb: float) -> bytes:
    """An A4 document of a few pages with a photo-like image (noise does not compress), so that
    the file weighs about `size_mb`; the signer block is on the last page."""
    import base64

    import weasyprint
    from PIL import Image

    side = int((size_mb * 1024 * 1024 / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    png = io.BytesIO()
    image.save(png, "PNG")
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    body = "".join(
        f"<p>Điều {n}. Các cơ quan, đơn vị triển khai nhiệm vụ chuyển đổi số thứ {n} theo kế "
        "hoạch của Ủy ban nhân dân tỉnh, báo cáo kết quả trước ngày 15 hằng tháng.</p>"
        for n in range(1, 40)
    )
    html = f"""
    <html><head><style>
      @page {{ size: A4; margin: 20mm 15mm 20mm 30mm; }}
      body {{ font-family: serif; font-size: 13pt; }}
      img {{ width: 120mm; }}
      .block {{ margin-left: 50%; text-align: center; font-weight: bold; }}
    </style></head><body>
      <h1>KẾ HOẠCH</h1>{body}<p><img src="{data_url}"></p>
      <div class="block"><p>KT. GIÁM ĐỐC<br>{TITLE}</p><div style="height: 28mm"></div>
      <p>{SIGNER}</p></div>
    </body></html>"""
    return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", help="also write the PDF signed with TSA and validation data")
    args = parser.parse_args()

    import django

    django.setup()
    from asn1crypto import pem, x509

    from vanban.signatures import pdfsign, testpki, verify

    pki = testpki.build(Path(tempfile.mkdtemp(prefix="vanban-bench-pki-")), port=free_port())
    server = testpki.serve(pki)
    root = x509.Certificate.load(pem.unarmor(pki.root_pem())[2])
    pdf = document(args.size_mb)
    holder = pdfsign.load_pkcs12(pki.p12("nguoi-ky"), testpki.PIN)
    box = pdfsign.personal_box(pdf, SIGNER, title=TITLE)
    image = _signature_png()

    def sign(*, tsa: bool, embed: bool) -> bytes:
        return pdfsign.sign(
            pdf,
            holder,
            field_name="ChuKyNguoiCoThamQuyen",
            appearance=pdfsign.Appearance(box, image_png=image),
            signing_time=dt.datetime.now(dt.UTC),
            tsa_url=pki.tsa_url if tsa else None,
            validation_context=verify.context([root]) if embed else None,
        )

    pdfsign.font_path()  # made once per machine, not part of a signature
    sign(tsa=True, embed=True)  # warm-up: imports, first connections
    rows: list[tuple[str, float, int]] = []
    t, _ = median_ms(lambda: pdfsign.load_pkcs12(pki.p12("nguoi-ky"), testpki.PIN), args.repeat)
    rows.append(("open the PKCS#12 file with the PIN", t, 0))
    signed: dict[tuple[bool, bool], bytes] = {}
    for tsa, embed, label in (
        (False, False, "sign (PKCS#12)"),
        (True, False, "sign + time stamp (TSA)"),
        (False, True, "sign + validation data (OCSP, CRL embedded: B-LT)"),
        (True, True, "sign + time stamp + validation data"),
    ):
        t, signed[(tsa, embed)] = median_ms(
            lambda tsa=tsa, embed=embed: sign(tsa=tsa, embed=embed), args.repeat
        )
        rows.append((label, t, len(signed[(tsa, embed)])))
    checks = (
        ("verify, hard-fail, fetching OCSP/CRL", signed[(False, False)], True),
        ("verify a B-LT file, hard-fail, no network", signed[(True, True)], False),
    )
    for label, data, fetch in checks:
        t, report = median_ms(
            lambda data=data, fetch=fetch: verify.verify_pdf(
                data, [root], revocation="hard-fail", allow_fetching=fetch
            ),
            args.repeat,
        )
        assert report.status == verify.VALID, report.reasons()
        rows.append((label, t, len(data)))
    server.shutdown()

    pages = len(pdfsign.page_sizes(pdf))
    print(
        f"Document: {len(pdf) / 1024 / 1024:.2f} MB, {pages} pages; median of {args.repeat} runs."
    )
    print()
    print("| operation | median (ms) | signed file (KB) |")
    print("| --- | ---: | ---: |")
    for label, ms, size in rows:
        print(f"| {label} | {ms:.0f} | {size // 1024 if size else ''} |")
    if args.out:
        Path(args.out).write_bytes(signed[(True, True)])
        print(f"\nwritten to {args.out}")


def _signature_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(20, 150), (120, 40), (200, 160), (380, 30)], fill=(20, 40, 200, 255), width=9
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


if __name__ == "__main__":
    main()
