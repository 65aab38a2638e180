"""A registered incoming document its sender took back (status 15 "đồng ý thu hồi"; QĐ
28/2018/QĐ-TTg, NĐ 30/2020 Appendix VI): its processing ends.

Registered in `documents.withdrawals` by `WorkflowConfig.ready()`: the exchange, below the
workflow in the layers, calls it in the transaction of the clerk's answer. The processing is
marked "Đã thu hồi"; every open part of the work is ended ("Đã kết thúc"), so it leaves "Việc
của tôi" and the daily reminders (which read open parts of documents in progress); each person
who answered for one, and the leader it was presented to, is told. Progress, completion,
extensions and reminders are refused afterwards (`_check_running`).
"""

import datetime as dt
from typing import Any

from vanban.accounts.models import User
from vanban.documents.models import Document

from ..models import Assignment, AssignmentStatus, ProcessingStatus, TrailAction
from ._common import _lock, _notify, _processing_start, _trail, document_label
from .assignments import handler_ids


class ProcessingWithdrawal:
    """`documents.withdrawals.WithdrawalHandler` of the workflow."""

    def lock(self, document: Document) -> None:
        _lock(document)

    def withdraw(self, document: Document, *, actor: Any, reason: str, at: dt.datetime) -> None:
        processing = _lock(document)
        if processing is not None and processing.status in (
            ProcessingStatus.DONE,
            ProcessingStatus.WITHDRAWN,
        ):
            return  # completed before the take-back: its record stays as it was
        if processing is None:
            # Not presented yet: a record that says so, so that it no longer waits to be.
            processing = _processing_start(
                document, status=ProcessingStatus.WITHDRAWN, created_at=at
            )
        concerned: set[int] = set()
        if processing.presented_to_id and processing.status == ProcessingStatus.PRESENTED:
            concerned.add(processing.presented_to_id)
        processing.status = ProcessingStatus.WITHDRAWN
        processing.save(update_fields=["status"])
        open_parts = list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(processing=processing, status=AssignmentStatus.OPEN)
            .order_by("pk")
        )
        for assignment in open_parts:
            concerned |= handler_ids(assignment)
        Assignment.objects.filter(pk__in=[a.pk for a in open_parts]).update(
            status=AssignmentStatus.CLOSED, completed_at=at
        )
        if isinstance(actor, User):
            _trail(
                processing=processing,
                action=TrailAction.WITHDRAWN,
                actor=actor,
                on_behalf_of=None,
                summary=(
                    f"Nơi gửi thu hồi văn bản; văn thư đồng ý thu hồi, kết thúc "
                    f"{len(open_parts)} việc đang xử lý."
                ),
                text=reason,
                at=at,
            )
        _notify(
            concerned,
            title=f"Văn bản đã bị nơi gửi thu hồi: {document_label(document)}",
            body=(
                f"{document.subject}. Lý do thu hồi: {reason}. Việc xử lý văn bản đã kết thúc, "
                "không cần cập nhật tiến độ nữa."
            ),
            document=document,
        )


PROCESSING_WITHDRAWAL = ProcessingWithdrawal()
