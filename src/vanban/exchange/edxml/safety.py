"""Reading XML that comes from other systems, safely: the part every edXML reader shares.

- any DTD or entity declaration is refused before a tree is built (no XXE, no "billion laughs");
- a message larger than the size limit is refused unread; the limit defaults to what the
  deployment configured (`configure`, called when the exchange app is ready: the province's
  file size limit);
- an undeclared namespace prefix (seen in the field: `xlink:href`) is repaired by declaring it on
  the root element, and the repair is recorded;
- anything else malformed raises EdxmlError with a Vietnamese reason; never another exception.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat

from lxml import etree

from vanban.core.errors import ServiceError

from .constants import KNOWN_PREFIXES, MB, UNKNOWN_PREFIX_URI

MAX_DEPTH = 1  # a package zipped inside an attachment is read; one inside that stays a file
MAX_ATTACHMENTS = 200
MAX_ZIP_MEMBERS = 50
MAX_MISSING_PREFIXES = 10
# The limit when the deployment configured none (a reader used outside the project).
FALLBACK_MAX_BYTES = 50 * MB


class EdxmlError(ServiceError):
    """A package that cannot be used; `message` says why, in Vietnamese. Nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="package")


def invalid(reason: str) -> EdxmlError:
    return EdxmlError(f"Gói edXML không hợp lệ: {reason}.")


def size_label(max_bytes: int) -> str:
    return f"{max_bytes // MB} MB" if max_bytes % MB == 0 else f"{max_bytes} byte"


# ---------------------------------------------------------------- what the deployment decides


@dataclass
class _Configuration:
    max_bytes: Callable[[], int] = lambda: FALLBACK_MAX_BYTES
    # Whether a ZIP attachment is a file in its own right (DOCX, ODT, ...) rather than an
    # archive of files to unzip.
    is_document: Callable[[bytes], bool] = lambda _data: False


_configuration = _Configuration()


def configure(*, max_bytes: Callable[[], int], is_document: Callable[[bytes], bool]) -> None:
    """Set the default size limit and the test of document formats packed as ZIP (the exchange
    app does it once, from the documents app's file policy and format detection)."""
    _configuration.max_bytes = max_bytes
    _configuration.is_document = is_document


def default_max_bytes() -> int:
    return _configuration.max_bytes()


def is_document(data: bytes) -> bool:
    return _configuration.is_document(data)


# ---------------------------------------------------------------- the scan


_ERRORS = expat.errors
_EXPAT_REASONS = {
    _ERRORS.codes[_ERRORS.XML_ERROR_NO_ELEMENTS]: "gói bị cắt cụt (thiếu phần cuối)",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNCLOSED_TOKEN]: "gói bị cắt cụt (thiếu phần cuối)",
    _ERRORS.codes[_ERRORS.XML_ERROR_PARTIAL_CHAR]: "gói bị cắt cụt giữa một ký tự",
    _ERRORS.codes[_ERRORS.XML_ERROR_TAG_MISMATCH]: "thẻ đóng không khớp với thẻ mở",
    _ERRORS.codes[_ERRORS.XML_ERROR_INVALID_TOKEN]: "có ký tự hoặc cú pháp không hợp lệ",
    _ERRORS.codes[_ERRORS.XML_ERROR_SYNTAX]: "sai cú pháp XML",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNDEFINED_ENTITY]: "dùng thực thể không khai báo",
    _ERRORS.codes[_ERRORS.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "có nội dung thừa sau phần tử gốc",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNKNOWN_ENCODING]: "bảng mã ký tự không được hỗ trợ",
    _ERRORS.codes[_ERRORS.XML_ERROR_INCORRECT_ENCODING]: "bảng mã ký tự không đúng",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNBOUND_PREFIX]: "tiền tố không gian tên chưa khai báo",
    _ERRORS.codes[_ERRORS.XML_ERROR_DUPLICATE_ATTRIBUTE]: "một thuộc tính lặp lại",
}


def syntax_error(code: int | None, line: int, column: int) -> EdxmlError:
    reason = _EXPAT_REASONS.get(code or 0, "không đúng cú pháp XML")
    return invalid(f"{reason} (dòng {line}, cột {column + 1})")


class _Refused(Exception):
    pass


@dataclass
class Scan:
    root_name: str = ""
    root_offset: int = -1  # byte offset of the root start tag's "<"
    unbound: list[str] = field(default_factory=list)  # prefixes used out of any declaration


def scan(data: bytes) -> Scan:
    """One pass of expat without namespace processing: refuse any DTD or entity, find syntax
    errors, and list the namespace prefixes used where no declaration is in scope."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found = Scan()
    scopes: list[set[str]] = [{"xml", "xmlns"}]

    def refuse(*_args: object) -> NoReturn:
        raise _Refused

    def start(name: str, attributes: dict[str, str]) -> None:
        if not found.root_name:
            found.root_name, found.root_offset = name, parser.CurrentByteIndex
        declared = {key[6:] for key in attributes if key.startswith("xmlns:")}
        bound = scopes[-1] | declared if declared else scopes[-1]
        scopes.append(bound)
        for qualified in (name, *attributes):
            prefix, colon, _local = qualified.partition(":")
            if colon and prefix not in bound and prefix not in found.unbound:
                found.unbound.append(prefix)

    def end(_name: str) -> None:
        scopes.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise invalid(
            "gói có khai báo DTD hoặc thực thể (<!DOCTYPE>, <!ENTITY>); vì an toàn hệ thống "
            "không nhận gói như vậy"
        ) from exc
    except expat.ExpatError as exc:
        raise syntax_error(exc.code, exc.lineno, exc.offset) from exc
    except (ValueError, LookupError) as exc:  # an encoding Python cannot decode
        raise invalid("bảng mã ký tự không được hỗ trợ") from exc
    return found


def declare_prefixes(data: bytes, found: Scan) -> tuple[bytes, list[str]]:
    """Declare the unbound prefixes on the root element: the lenient repair of a known fault."""
    if len(found.unbound) > MAX_MISSING_PREFIXES:
        raise invalid(f"gói dùng {len(found.unbound)} tiền tố không gian tên chưa khai báo")
    opening = b"<" + found.root_name.encode("utf-8")
    start = found.root_offset
    if start < 0 or data[start : start + len(opening)] != opening:
        # Not an ASCII-compatible encoding: the byte offset does not point at the tag.
        raise invalid("tiền tố không gian tên chưa khai báo, và không sửa được trong bảng mã này")
    declarations, repairs = [], []
    for prefix in found.unbound:
        uri = KNOWN_PREFIXES.get(prefix, UNKNOWN_PREFIX_URI + prefix)
        declarations.append(f' xmlns:{prefix}="{uri}"')
        repairs.append(
            f"Gói dùng tiền tố “{prefix}:” mà không khai báo (không đúng cú pháp XML); đã khai "
            f"báo {prefix} = {uri} ở phần tử gốc để đọc được gói."
        )
    at = start + len(opening)
    return data[:at] + "".join(declarations).encode("ascii") + data[at:], repairs


def scanned(data: bytes) -> tuple[bytes, list[str]]:
    """The bytes after the scan (refusing DTDs, entities and syntax errors) and the repair of
    undeclared prefixes, with the repairs made."""
    found = scan(data)
    if found.unbound:
        return declare_prefixes(data, found)
    return data, []


# ---------------------------------------------------------------- lxml, after the scan


def lxml_parser() -> etree.XMLParser:
    # DTDs and entities were refused by `scan` before; this parser would not expand or fetch
    # them anyway. huge_tree lifts libxml2's 10 MB limit on one text node (an attachment's
    # base64); the package's size is bounded by the caller's limit.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def parse_tree(data: bytes, *, max_bytes: int | None = None) -> tuple[Any, bytes, list[str]]:
    """(root element, the bytes parsed, repairs) of a message, read safely: the size limit
    (`max_bytes`, None: none), the scan for DTDs and entities, the repair of undeclared prefixes,
    then lxml. EdxmlError (Vietnamese) for anything that is not well-formed XML."""
    if not isinstance(data, bytes | bytearray):
        raise invalid("gói phải là dãy byte")
    data = bytes(data)
    if max_bytes is not None and len(data) > max_bytes:
        raise EdxmlError(f"Gói edXML lớn hơn giới hạn {size_label(max_bytes)} của một tệp.")
    if not data.strip():
        raise invalid("gói rỗng")
    data, repairs = scanned(data)
    try:
        root = etree.fromstring(data, lxml_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise invalid(f"không đúng cú pháp XML (dòng {line}, cột {column})") from exc
    return root, data, repairs
