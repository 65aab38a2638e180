"""Checking a message we produce: `validate` against schema/edxml.xsd (which imports
schema/xmldsig.xsd from the same folder), plus what XML Schema 1.0 cannot say (how many times
each header element may appear, which ones packages and status messages need)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from .constants import NAMESPACE
from .message_reader import child_elements, local_name
from .model import MessageHeader, StatusMessage
from .reader import organ_id_problem
from .safety import EdxmlError, lxml_parser, parse_tree

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "edxml.xsd"

# Children of MessageHeader only a package has, and only a status message has.
_PACKAGE_ONLY = {c.xml for c in MessageHeader.CHILDREN} - {c.xml for c in StatusMessage.CHILDREN}
_STATUS_ONLY = {c.xml for c in StatusMessage.CHILDREN} - {c.xml for c in MessageHeader.CHILDREN}
_PACKAGE_REQUIRED = (
    "From",
    "To",
    "DocumentId",
    "Code",
    "PromulgationInfo",
    "DocumentType",
    "Subject",
)
_STATUS_REQUIRED = ("From", "ResponseFor", "StatusCode", "Timestamp")


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """schema/edxml.xsd (which imports schema/xmldsig.xsd from the same folder)."""
    document = etree.parse(str(SCHEMA_PATH), lxml_parser())
    return etree.XMLSchema(document)


def validate(data: bytes) -> list[str]:
    """What is wrong with a message we produce, one sentence each; empty when it is valid."""
    try:
        root, _xml, repairs = parse_tree(data)
    except EdxmlError as exc:
        return [exc.message]
    problems = [f"Gói dùng tiền tố không gian tên chưa khai báo: {repair}" for repair in repairs]
    checker = schema()
    if not checker.validate(root.getroottree()):
        problems += [f"Dòng {error.line}: {_shorten(error.message)}" for error in checker.error_log]
    problems += _header_problems(root)
    return problems


def _shorten(message: str) -> str:
    """The schema's message with a long quoted value (an attachment's base64) cut short."""
    return re.sub(r"'([^']{60})[^']{20,}'", r"'\1…'", message)


def _header_problems(root: Any) -> list[str]:
    """How many times each MessageHeader element appears (XML Schema 1.0 cannot count the
    elements of a content model in any order), and which ones each kind of message needs."""
    message = root.find(
        f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/{{{NAMESPACE}}}MessageHeader"
    )
    if message is None:
        return []
    counts: dict[str, int] = {}
    for child in child_elements(message):
        counts[local_name(child)] = counts.get(local_name(child), 0) + 1
    is_status = "StatusCode" in counts
    problems = []
    repeatable = {"To", "ResponseFor"} if not is_status else set()
    for name, count in counts.items():
        if count > 1 and name not in repeatable:
            problems.append(
                f"Phần tử MessageHeader/{name} xuất hiện {count} lần (chỉ được một lần)."
            )
    kind = "thông điệp trạng thái" if is_status else "gói văn bản"
    for name in _STATUS_REQUIRED if is_status else _PACKAGE_REQUIRED:
        if not counts.get(name):
            problems.append(f"MessageHeader của {kind} thiếu phần tử {name}.")
    for name in sorted(_PACKAGE_ONLY if is_status else _STATUS_ONLY):
        if counts.get(name):
            problems.append(f"MessageHeader của {kind} không được có phần tử {name}.")
    if is_status:
        header = message.getparent()
        envelope = header.getparent()
        if any(len(child_elements(e)) > 1 for e in (root, envelope, header)):
            problems.append(
                "Thông điệp trạng thái chỉ có MessageHeader, không có vết, chữ ký hay tệp đính kèm."
            )
    problems += _organ_id_problems(message)
    document_id = message.find(f"{{{NAMESPACE}}}DocumentId")
    if not is_status and document_id is not None and not (document_id.text or "").strip():
        problems.append("DocumentId của gói văn bản để trống.")
    return problems


def _organ_id_problems(message: Any) -> list[str]:
    """The agency codes of From and To (QĐ 20/2020/QĐ-TTg, `vanban.core.agency_codes`): the
    schema types OrganId as a string, so the structure is checked here, with the same rule as
    everywhere else."""
    problems = []
    senders = message.findall(f"{{{NAMESPACE}}}From")
    recipients = message.findall(f"{{{NAMESPACE}}}To")
    for role, label, elements in (
        ("From", "nơi gửi", senders),
        ("To", "nơi nhận", recipients),
    ):
        for number, element in enumerate(elements, start=1):
            where = f"{label} thứ {number} ({role})" if len(elements) > 1 else f"{label} ({role})"
            code = (element.findtext(f"{{{NAMESPACE}}}OrganId") or "").strip()
            if problem := organ_id_problem(where, code):
                problems.append(problem)
    return problems
