"""The order of the status messages a partner system sends about a document we sent it
(edXML StatusCode, QĐ 28/2018/QĐ-TTg): the one table of what may come after what, read by the
receiving services and described in docs/interop.md ("The order of status messages").

The state is where the document stands as the partner reported it (`Delivery.status`, blank
before any report), except that a take-back we asked for (13) and the document given back (15)
are the state whatever progress came meanwhile (`Delivery.recall_status`). A progress code at or
below the current one (04 after 06: messages may overtake each other) is allowed and kept in the
trail, but the status does not go back (`PROGRESS`).
"""

from __future__ import annotations

from vanban.exchange.edxml import STATUS_CODES

from .deliveries import DeliveryStatus, RecallStatus

# Progress of a document at its recipient, in order: a later code never goes back to an earlier.
PROGRESS: tuple[str, ...] = ("01", "03", "04", "05", "06")

_ANY_PROGRESS = frozenset(PROGRESS)
_BEFORE_PROCESSING = frozenset({*PROGRESS, "02"})

# state -> the codes the partner may report next.
PARTNER_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    # Nothing reported yet: a system may report 01 or go straight to a later code.
    "": _BEFORE_PROCESSING,
    "01": _BEFORE_PROCESSING,  # arrived: registered (03) or refused (02)
    "03": _BEFORE_PROCESSING,  # registered: still returned with a reason (02), or processed
    "04": _ANY_PROGRESS,  # assigned, processing, done: no refusal any more
    "05": _ANY_PROGRESS,
    "06": _ANY_PROGRESS,
    "02": frozenset(),  # refused: final
    # Our take-back request (13) waits: the answer (15 or 16), or progress meanwhile.
    "13": frozenset({*PROGRESS, "15", "16"}),
    "15": frozenset(),  # given back: final
    "16": _ANY_PROGRESS,  # the take-back refused: the document stays and is processed
}


def partner_status_state(status: str, recall_status: str) -> str:
    """The state of the table for a delivery to a partner with this `status` and take-back."""
    if recall_status in (RecallStatus.REQUESTED, RecallStatus.ACCEPTED):
        return recall_status
    return status


def partner_status_refusal(state: str, code: str) -> str:
    """Why the status `code` may not follow `state` (a Vietnamese sentence); empty when it may."""
    if code in PARTNER_STATUS_TRANSITIONS.get(state, frozenset()):
        return ""
    label = STATUS_CODES.get(code, "")
    if state == DeliveryStatus.RETURNED:
        return f"Văn bản đã bị từ chối (02); không nhận trạng thái {code} {label} sau đó."
    if state == RecallStatus.ACCEPTED:
        return f"Văn bản đã được thu hồi (15); không nhận trạng thái {code} {label} sau đó."
    if code in (RecallStatus.ACCEPTED, RecallStatus.REFUSED):
        return (
            f"Không có đề nghị thu hồi (13) nào đang chờ trả lời; không nhận trạng thái {code} "
            f"{label}."
        )
    current = f"{state} {STATUS_CODES.get(state, '')}" if state else "chưa có trạng thái"
    return f"Trạng thái {code} {label} không thể đến sau trạng thái {current}."
