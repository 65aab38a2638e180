"""The one snapshot of what a refused action must not change: accounts, units and roles, the
account policy, incoming documents' processing (workflow) and everything around it, the audit
trail and notifications.

A test takes it before a refused action and compares it after (`snapshot() == before`); an
allowed action must change it (`snapshot() != before`).
"""

from typing import Any

from vanban.accounts.models import AccountChange, AccountPolicy, RoleAssignment, Unit, User
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification
from vanban.documents.models import DocumentShare
from vanban.workflow.models import (
    Assignment,
    DeadlineAlert,
    DeadlinePolicy,
    Delegation,
    ExtensionRequest,
    Processing,
    ProgressEntry,
    ProgressFile,
    Reminder,
    TrailEntry,
)


def snapshot() -> dict[str, Any]:
    """Everything an administration page, an API write or a workflow step could change."""
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk",
                "username",
                "full_name",
                "position",
                "email",
                "phone",
                "unit_id",
                "status",
                "status_reason",
                "password",
                "must_change_password",
                "session_salt",
            )
        ),
        "roles": sorted(RoleAssignment.objects.values_list("user_id", "unit_id", "role")),
        "units": list(
            Unit.objects.order_by("pk").values_list(
                "pk", "name", "symbol", "abbreviation", "agency_code", "parent_id", "is_active"
            )
        ),
        "policy": list(AccountPolicy.objects.values()),
        "changes": AccountChange.objects.count(),
        "processing": list(
            Processing.objects.order_by("pk").values_list(
                "pk", "status", "presented_to_id", "deadline", "direction", "reply_reference"
            )
        ),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "status", "deadline", "reminder_count", "result"
            )
        ),
        "trail": TrailEntry.objects.count(),
        "progress": ProgressEntry.objects.count(),
        "files": ProgressFile.objects.count(),
        "extensions": list(
            ExtensionRequest.objects.order_by("pk").values_list("pk", "status", "decided_by_id")
        ),
        "reminders": Reminder.objects.count(),
        "delegations": list(
            Delegation.objects.order_by("pk").values_list("pk", "ends_at", "ended_at")
        ),
        "policies": list(DeadlinePolicy.objects.order_by("pk").values()),
        "alerts": DeadlineAlert.objects.count(),
        "shares": DocumentShare.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
