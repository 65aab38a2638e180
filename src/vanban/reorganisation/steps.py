"""The apps that hand over what they keep per unit (docs/reorganisation.md, "What moves, and
what stays"): each is a module with `transfer_preview(transfer) -> list[PreviewLine]` and
`transfer_apply(transfer) -> dict[str, int]`, given an `accounts.unit_history.Transfer`.

Listed once, in the order they run for each transfer: the preview shows their lines in this
order and the apply calls them in this order inside the transaction of the target unit."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

STEP_MODULES: tuple[str, ...] = (
    # Accounts first: the delegations (workflow) are re-checked against where people now are.
    "vanban.accounts.reorganise",
    "vanban.documents.reorganise",
    "vanban.records.reorganise",
    "vanban.workflow.reorganise",
    "vanban.drafting.reorganise",
    # After the link is written: later messages to the closed code follow it (exchange.addressing).
    "vanban.exchange.reorganise",
)

# The heading of each app's part of the preview and of the report.
STEP_LABELS = {
    "accounts": "Tài khoản",
    "documents": "Văn bản, sổ văn bản",
    "workflow": "Xử lý văn bản đến",
    "drafting": "Dự thảo",
    "exchange": "Liên thông văn bản",
    "records": "Hồ sơ, phông lưu trữ",
}


# What each count of a step module's `transfer_apply` counts, as the report and the command say it.
COUNT_LABELS = {
    "accounts": "tài khoản chuyển",
    "renamed": "tài khoản đổi tên",
    "aliases": "tên cũ còn đăng nhập được",
    "roles": "vai trò chuyển",
    "series_closed": "sổ khóa",
    "series_opened": "sổ mở mới",
    "fonds_closed": "phông đóng",
    "fonds_opened": "phông mở",
    "processing_moved": "văn bản đến đang xử lý chuyển",
    "assignments_moved": "phân công chuyển",
    "delegations_ended": "ủy quyền kết thúc",
    "drafts_moved": "dự thảo chuyển",
    "deliveries": "văn bản chờ vào sổ chuyển",
    "inbound": "gói văn bản của hệ thống khác chuyển",
    "requests": "đề nghị lấy lại chuyển",
    "partners": "hệ thống liên thông cho đơn vị kế thừa gửi",
}


def count_label(key: str) -> str:
    """`series_closed` -> "sổ khóa"; a key without a label is shown as it is."""
    return COUNT_LABELS.get(key, key)


@dataclass(frozen=True)
class StepModule:
    name: str  # the dotted module name
    label: str  # Vietnamese heading
    module: ModuleType


def step_label(name: str) -> str:
    """`vanban.documents.reorganise` -> "Văn bản, sổ văn bản"."""
    parts = name.split(".")
    app = parts[1] if len(parts) > 2 and parts[0] == "vanban" else parts[0]
    return STEP_LABELS.get(app, app)


def step_modules(names: tuple[str, ...] | None = None) -> list[StepModule]:
    """The step modules, imported; `names` replaces `STEP_MODULES` (tests, the integrator)."""
    result = []
    for name in STEP_MODULES if names is None else names:
        module = importlib.import_module(name)
        label = getattr(module, "LABEL", "") or step_label(name)
        result.append(StepModule(name=name, label=label, module=module))
    return result
