"""Every write on units and accounts: one function per action, permission first, audited.

Requirements: R2 (account names), R3 (temporary lock), R4 (revocation), R5 (passwords),
R6 (compromised accounts), R7 (who administers what), R25 (audit of security actions).

One module per sub-process: `units` (the province's tree of units), `accounts` (account names,
issuing an account, a person's details and roles), `status` (locking, unlocking, revoking, an
account reported compromised), `passwords` (one-time and changed passwords), `login` (the
password and code steps of signing in, failures and their limits), `second_factor` (enrolling
and resetting the authenticator, recovery codes), `lifecycle` (the daily sweep and the account
policy) and `sessions` (signed-in sessions); `_common` holds what they share. This package
exports the public names of all of them.
"""

from ._common import require_active
from .accounts import (
    IssuedAccount,
    account_alias_end,
    account_create,
    account_set_roles,
    account_update,
    live_aliases,
    username_problem,
    username_suggest,
    username_taken_problem,
)
from .lifecycle import SweepResult, accounts_sweep, policy_update
from .login import (
    GENERIC_LOGIN_ERROR,
    LIFECYCLE_LOCKS,
    CodeStep,
    PasswordStep,
    login_attempt,
    login_code_step,
    login_error_message,
    login_password_step,
)
from .passwords import account_change_password, account_reset_password
from .second_factor import (
    RECOVERY_CODE_COUNT,
    Enrolment,
    second_factor_confirm,
    second_factor_enrolled,
    second_factor_pending_device,
    second_factor_required,
    second_factor_reset,
    totp_device,
)
from .sessions import (
    session_end,
    session_keep_only,
    session_record_login,
    session_touch,
    sessions_end_others,
)
from .status import (
    account_lock,
    account_report_compromised,
    account_revoke,
    account_unlock,
)
from .units import CONTACT_FIELDS, UNIT_DATA_FIELDS, unit_create, unit_update

__all__ = [
    "CONTACT_FIELDS",
    "GENERIC_LOGIN_ERROR",
    "LIFECYCLE_LOCKS",
    "RECOVERY_CODE_COUNT",
    "UNIT_DATA_FIELDS",
    "CodeStep",
    "Enrolment",
    "IssuedAccount",
    "PasswordStep",
    "SweepResult",
    "account_alias_end",
    "account_change_password",
    "account_create",
    "account_lock",
    "account_report_compromised",
    "account_reset_password",
    "account_revoke",
    "account_set_roles",
    "account_unlock",
    "account_update",
    "accounts_sweep",
    "live_aliases",
    "login_attempt",
    "login_code_step",
    "login_error_message",
    "login_password_step",
    "policy_update",
    "require_active",
    "second_factor_confirm",
    "second_factor_enrolled",
    "second_factor_pending_device",
    "second_factor_required",
    "second_factor_reset",
    "session_end",
    "session_keep_only",
    "session_record_login",
    "session_touch",
    "sessions_end_others",
    "totp_device",
    "unit_create",
    "unit_update",
    "username_problem",
    "username_suggest",
    "username_taken_problem",
]
