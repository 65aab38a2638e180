"""How well a scanned paper document is read: OCR and the record proposed from its first page.

Usage:
    .venv/bin/python benchmarks/ocr_accuracy.py [--count 40] [--seed 1] [--corpus DIR]

Makes (or reads, with --corpus) a corpus of benchmarks/scan_corpus.py, runs every sample through
the real pipeline, OCR (`documents.ocr.ocr_scan`: ocrmypdf and Tesseract, Vietnamese) then
`documents.ocr_fields.propose` with a directory holding the corpus's issuers and decoys, and
reports:
  * per field of the registration form: right, wrong (a value that is not the page's) and absent
    (nothing proposed), compared after collapsing spaces (subjects also without case);
  * the word error rate of the body (word-level edit distance to the true paragraphs, found in the
    page's text by a semi-global alignment), with and without diacritics;
  * secrecy stamps (R13, `ocr_layout.scan_secrecy_marks`): recall and false alarms;
  * seconds per page of OCR and of the proposal, one process.
The table is printed and written to benchmarks/results/ocr-<count>.md with a JSON of every
sample. Run with OMP_THREAD_LIMIT=1 (Tesseract's threads) on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
os.environ.setdefault("VANBAN_DATA_DIR", str(ROOT / "var" / "bench"))
os.environ["VANBAN_PLAIN_STATIC"] = "1"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
RESULTS = ROOT / "benchmarks" / "results"

FIELDS = (
    "issuer",
    "code_number",
    "code_notation",
    "issued_date",
    "document_type",
    "subject",
    "signer_position",
    "signer_name",
    "urgency",
)
TYPE_NAMES = ("Công văn", "Quyết định", "Kế hoạch", "Báo cáo", "Thông báo", "Giấy mời", "Tờ trình")
# Bodies in the directory that issue nothing in the corpus: a match must tell them apart.
DECOYS = (
    ("Sở Tài chính tỉnh Trà Vinh", "000.00.02.H60"),
    ("Sở Tư pháp tỉnh Vĩnh Long", "000.00.04.H62"),
    ("Ủy ban nhân dân tỉnh Vĩnh Long", "000.00.00.H62"),
    ("Bộ Tư pháp", "000.00.00.G15"),
    ("Bộ Y tế", "000.00.00.G20"),
    ("Bảo hiểm xã hội tỉnh Trà Vinh", "000.00.00.G28"),
)


def ocr_pages(data: bytes, file_format: str) -> tuple[list[Any], str]:
    """The OCR layout of a scan, and which engine read it."""
    if importlib.util.find_spec("vanban.documents.ocr") is not None:
        from vanban.documents.ocr import ocr_scan

        result = ocr_scan(data, file_format)
        return list(result.pages), "ocrmypdf"
    return _tesseract_pages(data, file_format), "tesseract"


def _tesseract_pages(data: bytes, file_format: str) -> list[Any]:
    # Before documents.ocr exists: Tesseract alone on the image (a PDF's page rasterised at
    # 300 dpi by PDFium).
    from vanban.documents.ocr_layout import hocr_pages

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"scan.{file_format}"
        if file_format == "pdf":
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                document[0].render(scale=300 / 72).to_pil().save(Path(folder) / "scan.png")
            finally:
                document.close()
            source = Path(folder) / "scan.png"
        else:
            source.write_bytes(data)
        subprocess.run(  # noqa: S603 - our own arguments
            ["tesseract", str(source), str(Path(folder) / "out"), "-l", "vie", "hocr"],  # noqa: S607
            check=True,
            capture_output=True,
        )
        return hocr_pages((Path(folder) / "out.hocr").read_text(encoding="utf-8"))


def edit_distance_semiglobal(truth: list[str], text: list[str]) -> int:
    """Word edits to turn `truth` into some stretch of `text` (the rest of the page is free):
    the body's errors without counting the heading and the signature around it."""
    previous = [0] * (len(text) + 1)  # starting anywhere in text costs nothing
    for i, word in enumerate(truth, start=1):
        current = [i] + [0] * len(text)
        for j, other in enumerate(text, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return min(previous)  # ending anywhere costs nothing


def _words(text: str, folded: bool) -> list[str]:
    from vanban.core.text import fold, nfc

    text = nfc(text)
    if folded:
        text = fold(text)
    return text.split()


def _norm(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value.casefold() if field == "subject" else value


def proposed_values(proposal: Any, directory: list[Any]) -> dict[str, str]:
    by_unit = {entry.unit_id: entry for entry in directory if entry.unit_id is not None}
    values = {name: proposed.value for name, proposed in proposal.fields.items()}
    if "issuer_unit" in values:
        values["issuer"] = by_unit[int(values["issuer_unit"])].name
    elif "issuer_name" in values:
        values["issuer"] = values["issuer_name"]
    if "document_type" in values:
        values["document_type"] = TYPE_NAMES[int(values["document_type"]) - 1]
    values.setdefault("urgency", "0")  # nothing stamped: ordinary
    return values


def _pages_json(pages: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "width": page.width,
            "height": page.height,
            "lines": [
                {
                    "box": line.box,
                    "words": [[word.text, word.confidence, word.box] for word in line.words],
                }
                for line in page.lines
            ],
        }
        for page in pages
    ]


def _pages_from_json(data: list[dict[str, Any]]) -> list[Any]:
    from vanban.documents.ocr_layout import OcrLine, OcrPage, OcrWord

    return [
        OcrPage(
            page["width"],
            page["height"],
            tuple(
                OcrLine(
                    tuple(OcrWord(text, conf, tuple(box)) for text, conf, box in line["words"]),
                    tuple(line["box"]),
                )
                for line in page["lines"]
            ),
        )
        for page in data
    ]


def _record(corpus: Path, index: int, wait: float) -> dict[str, Any]:
    """The truth of sample `index`, waiting for it while scan_corpus.py is still writing."""
    path = corpus / f"{index:04d}.json"
    deadline = time.monotonic() + wait
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"Không có mẫu {path}")
        time.sleep(1)
    return dict(json.loads(path.read_text(encoding="utf-8")))


def run(corpus: Path, count: int, *, cache: bool, wait: float = 0.0) -> dict[str, Any]:
    """Every sample read and proposed. With `cache`, the OCR layout and time of each sample are
    kept under corpus/ocr-cache/ and reused: the proposal can be measured again without OCR."""
    from vanban.documents.ocr_fields import DirectoryEntry, propose
    from vanban.documents.ocr_layout import scan_secrecy_marks

    _record(corpus, 0, wait)
    entries = json.loads((corpus / "directory.json").read_text(encoding="utf-8"))
    directory = [DirectoryEntry(**entry) for entry in entries]
    directory += [DirectoryEntry(name=name, code=code) for name, code in DECOYS]
    document_types = list(enumerate(TYPE_NAMES, start=1))
    samples = []
    for index in range(count):
        record = _record(corpus, index, wait)
        cached = corpus / "ocr-cache" / f"{index:04d}.json"
        if cache and cached.exists():
            kept = json.loads(cached.read_text(encoding="utf-8"))
            pages, engine, ocr_seconds = (
                _pages_from_json(kept["pages"]),
                kept["engine"],
                kept["seconds"],
            )
        else:
            data = (corpus / record["file"]).read_bytes()
            start = time.perf_counter()
            pages, engine = ocr_pages(data, record["file_format"])
            ocr_seconds = time.perf_counter() - start
            if cache:
                cached.parent.mkdir(exist_ok=True)
                cached.write_text(
                    json.dumps(
                        {"engine": engine, "seconds": ocr_seconds, "pages": _pages_json(pages)},
                        ensure_ascii=False,
                    ),
                    encoding="utf-8",
                )
        start = time.perf_counter()
        proposal = propose(pages, directory=directory, document_types=document_types)
        propose_seconds = time.perf_counter() - start
        got = proposed_values(proposal, directory)
        truth = record["fields"]
        fields = {}
        for name in FIELDS:
            value, expected = _norm(name, got.get(name)), _norm(name, truth.get(name))
            fields[name] = (
                "absent" if value is None else ("right" if value == expected else "wrong")
            )
        text = "\n".join(page.text for page in pages)
        body = {}
        for folded in (False, True):
            truth_words = _words(record["body"], folded)
            errors = edit_distance_semiglobal(truth_words, _words(text, folded))
            body["folded" if folded else "exact"] = (errors, len(truth_words))
        marks = scan_secrecy_marks(pages)
        samples.append(
            {
                "index": record["index"],
                "file_format": record["file_format"],
                "dpi": record["dpi"],
                "degradations": record["degradations"],
                "engine": engine,
                "pages": len(pages),
                "ocr_seconds": round(ocr_seconds, 3),
                "propose_seconds": round(propose_seconds, 4),
                "fields": fields,
                "wrong": {
                    name: [got.get(name), truth.get(name)]
                    for name, verdict in fields.items()
                    if verdict == "wrong"
                },
                "body_errors": body,
                "secrecy": record["secrecy"],
                "secrecy_read": marks,
            }
        )
        print(
            f"{len(samples)}/{count} {record['file']}: "
            f"{sum(v == 'right' for v in fields.values())}/{len(FIELDS)} trường, "
            f"{ocr_seconds:.1f} s",
            flush=True,
        )
    return {"samples": samples}


def summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    count = len(samples)
    fields = {}
    for name in FIELDS:
        verdicts = [sample["fields"][name] for sample in samples]
        fields[name] = {v: verdicts.count(v) for v in ("right", "wrong", "absent")}
    wer = {}
    for kind in ("exact", "folded"):
        errors = sum(sample["body_errors"][kind][0] for sample in samples)
        words = sum(sample["body_errors"][kind][1] for sample in samples)
        wer[kind] = errors / words if words else 0.0
    stamped = [s for s in samples if s["secrecy"]]
    plain = [s for s in samples if not s["secrecy"]]
    pages = sum(sample["pages"] for sample in samples) or 1
    return {
        "samples": count,
        "fields": fields,
        "all_right": sum(all(v == "right" for v in s["fields"].values()) for s in samples),
        "wer": wer,
        "secrecy_stamped": len(stamped),
        "secrecy_found": sum(bool(s["secrecy_read"]) for s in stamped),
        "secrecy_level_right": sum(s["secrecy_read"][-1:] == [s["secrecy"]] for s in stamped),
        "secrecy_plain": len(plain),
        "secrecy_false_alarms": sum(bool(s["secrecy_read"]) for s in plain),
        "ocr_seconds_per_page": sum(s["ocr_seconds"] for s in samples) / pages,
        "ocr_seconds_p95": sorted(s["ocr_seconds"] for s in samples)[
            max(0, round(0.95 * count) - 1)
        ]
        if samples
        else 0.0,
        "propose_ms_median": 1000 * statistics.median(s["propose_seconds"] for s in samples)
        if samples
        else 0.0,
        "engine": samples[0]["engine"] if samples else "",
    }


LABELS = {
    "issuer": "Cơ quan ban hành (đơn vị hoặc tên, mã)",
    "code_number": "Số",
    "code_notation": "Ký hiệu",
    "issued_date": "Ngày văn bản",
    "document_type": "Loại văn bản",
    "subject": "Trích yếu",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Người ký",
    "urgency": "Độ khẩn",
}


def markdown(result: dict[str, Any], machine: str) -> str:
    s = result
    n = s["samples"]
    pct = lambda part, whole: f"{100 * part / whole:.1f}%" if whole else "–"  # noqa: E731
    lines = [
        f"OCR accuracy, {n} scans (seed {s['seed']}), {s['date']}, {machine}; "
        f"engine: {s['engine']}.",
        "",
        "| Field | Right | Wrong | Absent | Accuracy |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in FIELDS:
        counts = s["fields"][name]
        lines.append(
            f"| {name} ({LABELS[name]}) | {counts['right']} | {counts['wrong']} | "
            f"{counts['absent']} | {pct(counts['right'], n)} |"
        )
    lines += [
        f"| every field right | {s['all_right']} | | | {pct(s['all_right'], n)} |",
        "",
        "| Measure | Value |",
        "| --- | ---: |",
        f"| Body word error rate | {100 * s['wer']['exact']:.1f}% |",
        f"| Body word error rate without diacritics | {100 * s['wer']['folded']:.1f}% |",
        f"| Secrecy stamps found (recall) | {s['secrecy_found']}/{s['secrecy_stamped']} "
        f"({pct(s['secrecy_found'], s['secrecy_stamped'])}), level right "
        f"{s['secrecy_level_right']} |",
        f"| Secrecy false alarms | {s['secrecy_false_alarms']}/{s['secrecy_plain']} |",
        f"| OCR seconds per page (mean, one process) | {s['ocr_seconds_per_page']:.2f} |",
        f"| OCR seconds, p95 of a scan | {s['ocr_seconds_p95']:.2f} |",
        f"| Proposal from the layout, median | {s['propose_ms_median']:.1f} ms |",
    ]
    return "\n".join(lines) + "\n"


def _machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs {cpu}, Python {platform.python_version()}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="a folder made by scan_corpus.py")
    parser.add_argument(
        "--cache", action="store_true", help="keep and reuse each sample's OCR (corpus/ocr-cache)"
    )
    parser.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for a sample still being made"
    )
    args = parser.parse_args(argv)
    import django

    django.setup()
    corpus = args.corpus or ROOT / "var" / "bench" / f"scans-{args.seed}-{args.count}"
    made = len(list(corpus.glob("[0-9]*.json")))
    if not args.wait and made < args.count:
        import scan_corpus

        print(f"Tạo {args.count} bản quét trong {corpus}…", flush=True)
        scan_corpus.main(
            ["--count", str(args.count), "--seed", str(args.seed), "--out", str(corpus)]
        )
    result = run(corpus, args.count, cache=args.cache, wait=args.wait)
    table = summary(result["samples"])
    table["seed"] = args.seed
    table["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    machine = _machine()
    text = markdown(table, machine)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ocr-{table['samples']}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"ocr-{table['samples']}.json").write_text(
        json.dumps({"summary": table, "machine": machine, **result}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
