"""Checking an archival package with no server and no network (R19; `vanban archive verify`).

Every check is named with the file it concerns and is "đạt" or "không đạt":
- structure: METS.xml and manifest-sha256.txt present; every file of the ZIP referenced by
  METS.xml and listed in the manifest, every reference present, no unsafe path;
- SHA-256 of every file against METS.xml and against the manifest;
- the metadata against the schema shipped with the software (lxml, XSD 1.0);
- each file against its metadata: size and SHA-256, and the file as the system kept it
  (OriginalSHA256) is the prefix of the archival PDF;
- every signature of each PDF with pyHanko, `allow_fetching=False`, against the trust roots and
  only the validation data inside the PDF (its document security store), hard-fail;
- the document time-stamps (the archival time-stamp) the same way;
- the time-stamp token of the manifest (which lists METS.xml and every file), validated with the
  certificates, OCSP responses and CRLs kept beside it: a file changed together with every hash
  recorded of it is still found;
- the audit chain of the PREMIS events: each event's hash recomputed from its fields, and
  prev_hash equal to the previous event's hash where both events are in the package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from lxml import etree

from vanban.audit.services import digest_of
from vanban.signatures import verify as signature_verify
from vanban.signatures.pdfsign import VN_TZ, run

from . import layout
from .layout import lt, mets, premis, xlink

# Group names of the report (Vietnamese, shown to the archivist).
STRUCTURE = "Cấu trúc"
HASH = "Mã băm SHA-256"
SCHEMA = "Lược đồ siêu dữ liệu"
FILE_METADATA = "Tệp khớp siêu dữ liệu"
PREFIX = "Bản gốc là phần đầu của tệp lưu trữ"
SIGNATURE = "Chữ ký số"
TIMESTAMP = "Dấu thời gian lưu trữ"
MANIFEST_STAMP = "Dấu thời gian của danh mục mã băm"
CHAIN = "Chuỗi nhật ký"
ROOTS = "Gốc tin cậy"

_HASH_LINE = re.compile(r"^([0-9a-f]{64})  (.+)$")


@dataclass
class Check:
    group: str
    file: str
    ok: bool
    detail: str = ""


@dataclass
class PackageReport:
    package: str
    checks: list[Check] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, group: str, file: str, ok: bool, detail: str = "") -> None:
        self.checks.append(Check(group, file, ok, detail))

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "intact": self.intact,
            "checks": [asdict(c) for c in self.checks],
            "failures": len(self.failures),
        }

    def lines(self) -> list[str]:
        out = [f"Kiểm tra gói lưu trữ: {self.package}"]
        for check in self.checks:
            verdict = "đạt" if check.ok else "không đạt"
            detail = f" — {check.detail}" if check.detail else ""
            where = f" {check.file}" if check.file else ""
            out.append(f"[{verdict}] {check.group}:{where}{detail}")
        if self.intact:
            out.append(f"Kết luận: gói lưu trữ toàn vẹn ({len(self.checks)} kiểm tra đều đạt).")
        else:
            out.append(
                f"Kết luận: gói lưu trữ KHÔNG toàn vẹn ({len(self.failures)} trong "
                f"{len(self.checks)} kiểm tra không đạt)."
            )
        return out


def verify_package(
    path: Path | str, *, trust_roots: list[x509.Certificate] | None = None
) -> PackageReport:
    """Checks the package at `path`. `trust_roots` are the archive's own roots; without them
    the roots recorded in the package (metadata/trust-roots/) are used, and the report says so."""
    report = PackageReport(package=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.add(STRUCTURE, str(path), False, f"không mở được tệp ZIP: {exc}")
        return report
    with archive:
        files = _read_all(archive, report)
    if files is None:
        return report
    mets_root = _structure(files, report)
    if mets_root is None:
        return report
    _hashes(files, mets_root, report)
    documents = _schemas(files, report)
    roots = _roots(files, trust_roots, report)
    for doc_path, document in documents:
        _files_of(doc_path, document, files, roots, report)
    _chain(files, report)
    _manifest_stamp(files, roots, report)
    return report


def _read_all(archive: zipfile.ZipFile, report: PackageReport) -> dict[str, bytes] | None:
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            report.add(STRUCTURE, name, False, "đường dẫn không an toàn trong gói")
            continue
        try:
            files[name] = archive.read(info)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
            # A damaged member (its CRC does not match): named, the rest still checked.
            report.add(STRUCTURE, name, False, f"không đọc được tệp trong gói: {exc}")
    return files


def _parse(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def _mets_refs(root: etree._Element) -> list[tuple[str, str]]:
    """(href, checksum) of every metadata reference and every file location of METS.xml."""
    refs: list[tuple[str, str]] = []
    for ref in root.iter(mets("mdRef")):
        refs.append((ref.get(xlink("href"), ""), ref.get("CHECKSUM", "")))
    for item in root.iter(mets("file")):
        location = item.find(mets("FLocat"))
        href = location.get(xlink("href"), "") if location is not None else ""
        refs.append((href, item.get("CHECKSUM", "")))
    return refs


def _structure(files: dict[str, bytes], report: PackageReport) -> etree._Element | None:
    if layout.METS not in files:
        report.add(STRUCTURE, layout.METS, False, "thiếu tệp METS.xml ở gốc gói")
        return None
    root = _parse(files[layout.METS])
    if root is None or root.tag != mets("mets"):
        report.add(STRUCTURE, layout.METS, False, "METS.xml không phải tài liệu METS hợp lệ")
        return None
    report.add(STRUCTURE, layout.METS, True, "có METS.xml ở gốc gói")
    referenced = {href for href, _ in _mets_refs(root)}
    present = {n for n in files if n != layout.METS and not layout.outside_manifest(n)}
    for name in sorted(referenced - set(files)):
        report.add(STRUCTURE, name, False, "METS.xml tham chiếu tệp không có trong gói")
    for name in sorted(present - referenced):
        report.add(STRUCTURE, name, False, "tệp có trong gói nhưng METS.xml không tham chiếu")
    if referenced <= set(files) and present <= referenced:
        report.add(STRUCTURE, layout.METS, True, f"tham chiếu đủ {len(present)} tệp, không thừa")
    divs = list(root.iter(mets("div")))
    levels = [d.get("TYPE") for d in divs]
    shape = bool(levels) and levels[0] == "Phông" and "Hồ sơ" in levels
    report.add(
        STRUCTURE,
        layout.METS,
        shape,
        "bản đồ cấu trúc phông > hồ sơ > văn bản > tệp"
        if shape
        else "bản đồ cấu trúc không theo phông > hồ sơ > văn bản",
    )
    if layout.MANIFEST not in files:
        report.add(STRUCTURE, layout.MANIFEST, False, "thiếu danh mục mã băm")
    return root


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hashes(files: dict[str, bytes], root: etree._Element, report: PackageReport) -> None:
    """Every file's SHA-256 against METS.xml, then against the manifest."""
    wrong: dict[str, list[str]] = {}
    for href, checksum in _mets_refs(root):
        if href in files and _sha(files[href]) != checksum.lower():
            wrong.setdefault(href, []).append("khác giá trị ghi trong METS.xml")
    listed: dict[str, str] = {}
    for line in files.get(layout.MANIFEST, b"").decode("utf-8", "replace").splitlines():
        match = _HASH_LINE.match(line)
        if match is None:
            report.add(HASH, layout.MANIFEST, False, f"dòng không đúng dạng: {line[:80]}")
            continue
        listed[match.group(2)] = match.group(1)
    if layout.MANIFEST in files:
        unlisted = {n for n in files if not layout.outside_manifest(n)} - set(listed)
        for name in sorted(unlisted):
            report.add(HASH, name, False, "không có trong danh mục mã băm")
        for name in sorted(set(listed) - set(files)):
            report.add(HASH, name, False, "danh mục mã băm ghi tệp không có trong gói")
        for name, digest in listed.items():
            if name in files and _sha(files[name]) != digest:
                wrong.setdefault(name, []).append("khác giá trị ghi trong manifest-sha256.txt")
    for name in sorted(files):
        if layout.outside_manifest(name):
            continue  # the manifest's time-stamp covers the manifest (`_manifest_stamp`)
        problems = wrong.get(name)
        if problems:
            report.add(HASH, name, False, "mã băm của tệp " + "; ".join(problems))
        else:
            report.add(HASH, name, True)


_SCHEMAS: dict[str, etree.XMLSchema] = {}


def _schema(name: str) -> etree.XMLSchema:
    if name not in _SCHEMAS:
        _SCHEMAS[name] = etree.XMLSchema(etree.parse(str(layout.schema_path(name))))
    return _SCHEMAS[name]


def _schemas(files: dict[str, bytes], report: PackageReport) -> list[tuple[str, etree._Element]]:
    """The metadata against the schemas shipped with the software (never those in the package,
    which are checked by their hash only); returns the documents' metadata that parsed."""
    documents: list[tuple[str, etree._Element]] = []
    for name in sorted(files):
        base = name.rsplit("/", 1)[-1]
        if name == layout.FONDS or base in ("dossier.xml", "document.xml"):
            schema = _schema(layout.SCHEMA)
        elif base == "events.xml":
            schema = _schema(layout.PREMIS_SCHEMA)
        else:
            continue
        root = _parse(files[name])
        if root is None:
            report.add(SCHEMA, name, False, "không phải XML đọc được")
            continue
        if schema.validate(root):
            report.add(SCHEMA, name, True)
        else:
            errors = "; ".join(f"dòng {e.line}: {e.message}" for e in list(schema.error_log)[:3])
            report.add(SCHEMA, name, False, errors)
        if base == "document.xml":
            documents.append((name, root))
    if layout.FONDS not in files:
        report.add(SCHEMA, layout.FONDS, False, "thiếu siêu dữ liệu phông")
    return documents


def _roots(
    files: dict[str, bytes], given: list[x509.Certificate] | None, report: PackageReport
) -> list[x509.Certificate]:
    if given is not None:
        names = ", ".join(c.sha256.hex()[:16] for c in given) or "không có"
        report.add(ROOTS, "", True, f"dùng gốc tin cậy do người kiểm tra cung cấp: {names}")
        return given
    roots = []
    for name in sorted(files):
        if name.startswith(layout.ROOTS_DIR):
            try:
                roots.append(load_certificate(files[name]))
            except Exception:
                report.add(ROOTS, name, False, "không đọc được chứng thư gốc")
    names = ", ".join(c.sha256.hex()[:16] for c in roots) or "không có"
    report.add(
        ROOTS,
        layout.ROOTS_DIR,
        True,
        f"dùng gốc tin cậy ghi trong gói (nên đối chiếu với gốc của cơ quan lưu trữ): {names}",
    )
    return roots


def load_certificate(data: bytes) -> x509.Certificate:
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    return x509.Certificate.load(data)


def _value(element: etree._Element, name: str) -> str:
    found = element.find(lt(name))
    return "" if found is None or found.text is None else found.text


def _files_of(
    doc_path: str,
    document: etree._Element,
    files: dict[str, bytes],
    roots: list[x509.Certificate],
    report: PackageReport,
) -> None:
    block = document.find(lt("Files"))
    for item in [] if block is None else block.findall(lt("File")):
        path = _value(item, "Path")
        data = files.get(path)
        if data is None:
            report.add(FILE_METADATA, path or doc_path, False, f"{doc_path} ghi tệp không có")
            continue
        size_ok = _value(item, "Size") == str(len(data))
        hash_ok = _value(item, "SHA256") == _sha(data)
        report.add(
            FILE_METADATA,
            path,
            size_ok and hash_ok,
            "" if size_ok and hash_ok else f"dung lượng hoặc mã băm khác {doc_path}",
        )
        _prefix(path, item, data, report)
        if _value(item, "Format") == "pdf":
            _pdf(path, item, data, roots, report)


def _prefix(path: str, item: etree._Element, data: bytes, report: PackageReport) -> None:
    try:
        size = int(_value(item, "OriginalSize"))
    except ValueError:
        report.add(PREFIX, path, False, "không ghi dung lượng bản gốc")
        return
    expected = _value(item, "OriginalSHA256")
    ok = size <= len(data) and _sha(data[:size]) == expected
    detail = (
        f"{size} byte đầu có SHA-256 {expected[:16]}… như bản hệ thống lưu"
        if ok
        else "phần đầu của tệp không còn là bản gốc hệ thống đã lưu"
    )
    report.add(PREFIX, path, ok, detail)


def _pdf(
    path: str,
    item: etree._Element,
    data: bytes,
    roots: list[x509.Certificate],
    report: PackageReport,
) -> None:
    expected = int(_value(item, "Signatures") or 0)
    note = _value(item, "ValidationNote")
    if expected:
        checked = signature_verify.verify_pdf(
            data, roots, revocation="hard-fail", allow_fetching=False
        )
        found = len(checked.signatures)
        if checked.status == signature_verify.VALID and found == expected:
            signers = ", ".join(s.signer for s in checked.signatures)
            report.add(SIGNATURE, path, True, f"{found} chữ ký hợp lệ ({signers})")
        else:
            reasons = checked.reasons() or [checked.detail or checked.label]
            if found != expected:
                reasons.append(f"có {found} chữ ký, siêu dữ liệu ghi {expected}")
            if note:
                reasons.append(f"khi đóng gói: {note}")
            report.add(SIGNATURE, path, False, " ".join(dict.fromkeys(reasons)))
    if _value(item, "ArchivalTimeStamp") == "true":
        _timestamps(path, data, roots, report)


def _timestamps(
    path: str, data: bytes, roots: list[x509.Certificate], report: PackageReport
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_timestamp

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        stamps = list(reader.embedded_timestamp_signatures)
    except Exception as exc:
        report.add(TIMESTAMP, path, False, f"không đọc được tệp PDF: {exc}")
        return
    if not stamps:
        report.add(TIMESTAMP, path, False, "tệp không có dấu thời gian lưu trữ")
        return
    certs, crls, ocsps = signature_verify._dss(reader)
    for stamp in stamps:
        context = _stamp_context(roots, certs, crls, ocsps, _token_time(stamp.signed_data))
        try:
            status = run(async_validate_pdf_timestamp(stamp, validation_context=context), context)
        except Exception as exc:
            report.add(TIMESTAMP, path, False, f"không xác thực được dấu thời gian: {exc}")
            continue
        level = getattr(getattr(status, "modification_level", None), "name", "")
        when = status.timestamp.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")
        if status.intact and status.valid and status.trusted and level != "OTHER":
            report.add(TIMESTAMP, path, True, f"dấu thời gian lúc {when} hợp lệ")
            continue
        reasons = []
        if not status.intact:
            reasons.append("nội dung tệp đã thay đổi sau dấu thời gian")
        if not status.valid:
            reasons.append("chữ ký của dấu thời gian không khớp")
        if not status.trusted:
            reasons.append(
                "không xác thực được chứng thư của dịch vụ cấp dấu thời gian bằng dữ liệu "
                "xác thực kèm trong tệp"
            )
        if level == "OTHER":
            reasons.append("tệp bị sửa đổi sau dấu thời gian ngoài thêm dữ liệu xác thực")
        report.add(TIMESTAMP, path, False, f"dấu thời gian lúc {when}: " + "; ".join(reasons))


def _chain(files: dict[str, bytes], report: PackageReport) -> None:
    """Each event's hash recomputed from its fields; links between consecutive events."""
    by_seq: dict[int, tuple[str, dict[str, Any]]] = {}
    from .metadata import read_chain

    for name in sorted(files):
        if not name.endswith("/events.xml"):
            continue
        root = _parse(files[name])
        if root is None:
            continue  # reported by the schema check
        broken: list[str] = []
        count = 0
        for element in root.iter(lt("Chain")):
            try:
                fields = read_chain(element)
            except (ValueError, TypeError) as exc:
                broken.append(f"sự kiện không đọc được ({exc})")
                continue
            count += 1
            stated = fields.pop("hash")
            if digest_of(fields) != stated:
                broken.append(f"sự kiện số {fields['seq']} có nội dung khác mã băm của nó")
            fields["hash"] = stated
            by_seq.setdefault(fields["seq"], (name, fields))
        for event in root.iter(premis("event")):
            value = event.findtext(f"{premis('eventIdentifier')}/{premis('eventIdentifierValue')}")
            chain = event.find(f".//{lt('Chain')}")
            if chain is not None and value != chain.findtext(lt("Seq")):
                broken.append(f"định danh sự kiện {value} khác số thứ tự trong chuỗi")
        report.add(
            CHAIN,
            name,
            not broken,
            "; ".join(broken) if broken else f"{count} sự kiện, mã băm tính lại khớp",
        )
    links = 0
    unlinked = 0
    for seq in sorted(by_seq):
        following = by_seq.get(seq + 1)
        if following is None:
            continue
        links += 1
        name, fields = following
        if fields["prev_hash"] != by_seq[seq][1]["hash"]:
            unlinked += 1
            report.add(
                CHAIN,
                name,
                False,
                f"sự kiện số {seq + 1} không nối với sự kiện số {seq} (prev_hash khác hash)",
            )
    if by_seq and not unlinked:
        report.add(CHAIN, "", True, f"đã đối chiếu {links} mối nối giữa các sự kiện liền nhau")


def _manifest_stamp(
    files: dict[str, bytes], roots: list[x509.Certificate], report: PackageReport
) -> None:
    from asn1crypto import cms, crl, ocsp
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    token = files.get(layout.MANIFEST_STAMP)
    if token is None:
        report.add(MANIFEST_STAMP, layout.MANIFEST_STAMP, False, "thiếu dấu thời gian")
        return
    manifest = files.get(layout.MANIFEST, b"")
    certs, crls, ocsps = [], [], []
    for name in sorted(files):
        if not name.startswith(layout.MANIFEST_VALIDATION_DIR):
            continue
        base = name.removeprefix(layout.MANIFEST_VALIDATION_DIR)
        try:
            if base.startswith("cert-"):
                certs.append(x509.Certificate.load(files[name]))
            elif base.startswith("ocsp-"):
                ocsps.append(ocsp.OCSPResponse.load(files[name]))
            elif base.startswith("crl-"):
                crls.append(crl.CertificateList.load(files[name]))
            else:
                raise ValueError(base)
            _ = (certs[-1:] or ocsps[-1:] or crls[-1:])[0].native  # parse now, not later
        except Exception:
            report.add(MANIFEST_STAMP, name, False, "dữ liệu xác thực không đọc được")
    try:
        signed_data = cms.ContentInfo.load(token)["content"]
        context = _stamp_context(roots, certs, crls, ocsps, _token_time(signed_data))
        status = run(
            validate_tst_signed_data(
                signed_data, context, lambda algorithm: hashlib.new(algorithm, manifest).digest()
            ),
            context,
        )
    except Exception as exc:
        report.add(MANIFEST_STAMP, layout.MANIFEST_STAMP, False, f"không xác thực được: {exc}")
        return
    when = status["timestamp"].astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")
    reasons = []
    if not status.get("intact"):
        reasons.append("danh mục mã băm đã thay đổi sau khi đóng dấu thời gian")
    if not status.get("valid"):
        reasons.append("chữ ký của dấu thời gian không khớp")
    if status.get("trust_problem_indic") is not None:
        reasons.append(
            "không xác thực được chứng thư của dịch vụ cấp dấu thời gian bằng dữ liệu xác thực "
            "kèm trong gói"
        )
    report.add(
        MANIFEST_STAMP,
        layout.MANIFEST,
        not reasons,
        f"dấu thời gian lúc {when}" + (": " + "; ".join(reasons) if reasons else " hợp lệ"),
    )


def _token_time(signed_data: Any) -> dt.datetime | None:
    """The time a time-stamp token states (TSTInfo genTime), None when unreadable."""
    try:
        moment: dt.datetime = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:
        return None
    return moment


def _stamp_context(
    roots: list[x509.Certificate],
    certs: list[Any],
    crls: list[Any],
    ocsps: list[Any],
    moment: dt.datetime | None,
) -> Any:
    """A time-stamp is checked at its own time, with the validation data kept with it (hard-fail,
    no fetching): the OCSP responses and CRLs gathered when it was made were fresh then."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(roots),
        other_certs=certs,
        crls=crls,
        ocsps=ocsps,
        allow_fetching=False,
        revocation_mode="hard-fail",
        moment=moment,
        retroactive_revinfo=moment is not None,
        time_tolerance=dt.timedelta(minutes=5),
    )
