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
