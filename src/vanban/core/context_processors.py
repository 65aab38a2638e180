from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu needs: which admin areas the signed-in person may open (R7)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    managed = user.managed_unit_ids()
    return {
        "nav_is_admin": managed is None or bool(managed),
        "nav_is_province_admin": managed is None,
        "nav_unread": user.notifications.filter(read_at__isnull=True).count(),
        "nav_keeps_registers": any(r in ("clerk", "leader") for _, r in user.role_pairs()),
    }
