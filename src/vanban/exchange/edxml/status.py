"""Status messages (QCVN 102:2016/BTTTT; status codes of QĐ 28/2018/QĐ-TTg): the record of one
to write (`status_message`, written by `writer.write_status`), and the few facts of one received
from a partner (`read_status`), read with the same safety rules as packages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .constants import STATUS_CODES
from .message_reader import unknown_code
from .model import Organ, ResponseFor, StaffInfo, StatusMessage, timestamp_to_text
from .reader import child_text, find_child, organ_id_problem, read_organ, staff_info, tree
from .safety import EdxmlError


def status_message(
    from_organ: Organ,
    response_for: ResponseFor,
    code: str,
    description: str,
    timestamp: dt.datetime | str,
    staff: StaffInfo | None = None,
) -> StatusMessage:
    """A status message answering `response_for` with `code` (one of STATUS_CODES); the
    timestamp is a datetime (written in Vietnam's time) or the text already formatted."""
    if code not in STATUS_CODES:
        raise EdxmlError(unknown_code(code))
    text = timestamp if isinstance(timestamp, str) else timestamp_to_text(timestamp)
    return StatusMessage(
        from_organ=from_organ,
        response_for=response_for,
        staff_info=staff,
        status_code=code,
        description=description,
        timestamp=text,
    )


@dataclass
class StatusRead:
    from_code: str
    from_name: str
    document_id: str
    code: str
    description: str
    timestamp: str
    # The responding agency with how it is reached (From), and who acted there (StaffInfo).
    from_organ: Organ = field(default_factory=Organ)
    staff: StaffInfo | None = None


def read_status(data: bytes) -> StatusRead:
    """A status message from a partner, read with the same safety rules as packages (no DTD or
    entity); the code is checked by the caller, which answers an unknown one."""
    root, _data, _repairs = tree(data)
    header = find_child(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader")
    if header is None:
        raise EdxmlError("Thông điệp trạng thái thiếu phần MessageHeader.")
    code = child_text(header, "StatusCode")
    if not code:
        raise EdxmlError("Thông điệp trạng thái không có StatusCode.")
    document_id = child_text(header, "ResponseFor", "DocumentId")
    if not document_id:
        raise EdxmlError("Thông điệp trạng thái không ghi DocumentId của văn bản.")
    from_code = child_text(header, "From", "OrganId")
    if problem := organ_id_problem("nơi gửi (From)", from_code):
        raise EdxmlError(f"Thông điệp trạng thái bị từ chối: {problem}")
    return StatusRead(
        from_code=from_code,
        from_name=child_text(header, "From", "OrganName"),
        document_id=document_id,
        code=code,
        description=child_text(header, "Description", multiline=True),
        timestamp=child_text(header, "Timestamp"),
        from_organ=read_organ(find_child(header, "From")),
        staff=staff_info(find_child(header, "StaffInfo")),
    )
