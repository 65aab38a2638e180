"""The province password policy (R5, STANDARDS "Accounts") and one-time passwords."""

import secrets

from .models import AccountPolicy


def password_problems(password: str, *, username: str, policy: AccountPolicy) -> list[str]:
    """Every rule the password breaks, as Vietnamese sentences; empty when it is acceptable."""
    problems = []
    if len(password) < policy.password_min_length:
        problems.append(f"Mật khẩu phải có ít nhất {policy.password_min_length} ký tự.")
    if policy.password_require_upper and not any(c.isupper() for c in password):
        problems.append("Mật khẩu phải có ít nhất một chữ hoa.")
    if policy.password_require_lower and not any(c.islower() for c in password):
        problems.append("Mật khẩu phải có ít nhất một chữ thường.")
    if policy.password_require_digit and not any(c.isdigit() for c in password):
        problems.append("Mật khẩu phải có ít nhất một chữ số.")
    if policy.password_require_symbol and all(c.isalnum() for c in password):
        problems.append("Mật khẩu phải có ít nhất một ký tự đặc biệt (ví dụ ! @ # $).")
    if username and password.lower() == username.lower():
        problems.append("Mật khẩu không được trùng với tên tài khoản.")
    personal = username.split(".")[0]
    if len(personal) >= 3 and personal in password.lower():
        problems.append("Mật khẩu không được chứa tên tài khoản.")
    return problems


def password_rules(policy: AccountPolicy) -> list[str]:
    """The policy's rules as the password page states them before anything is typed (R5): the
    same rules `password_problems` checks, so a person is never told a rule only by an error."""
    rules = [f"ít nhất {policy.password_min_length} ký tự"]
    for required, rule in (
        (policy.password_require_upper, "một chữ hoa"),
        (policy.password_require_lower, "một chữ thường"),
        (policy.password_require_digit, "một chữ số"),
        (policy.password_require_symbol, "một ký tự đặc biệt (ví dụ ! @ # $)"),
    ):
        if required:
            rules.append(f"có ít nhất {rule}")
    rules.append("không trùng và không chứa tên tài khoản")
    return rules


def one_time_password(policy: AccountPolicy, *, username: str = "") -> str:
    """A random password that satisfies the policy, shown once to the admin who issued it."""
    while True:
        candidate = _random_password(policy)
        if not password_problems(candidate, username=username, policy=policy):
            return candidate


def _random_password(policy: AccountPolicy) -> str:
    length = max(policy.password_min_length, 12)
    # Letters and digits that cannot be confused when read aloud or copied by hand.
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnpqrstuvwxyz"
    digits = "23456789"
    symbols = "@#$%&*?"
    required = [
        secrets.choice(upper),
        secrets.choice(lower),
        secrets.choice(digits),
        secrets.choice(symbols),
    ]
    alphabet = upper + lower + digits
    rest = [secrets.choice(alphabet) for _ in range(length - len(required))]
    chars = required + rest
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
