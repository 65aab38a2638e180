from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# The menu's pages, by URL name (base.html): the one whose address is the longest start of the
# current address is marked as the current page.
MENU = (
    "portal:home",
    "workflow:my_work",
    "documents:incoming_list",
    "documents:outgoing_list",
    "documents:search",
    "drafting:draft_list",
    "agenda:week_current",
    "records:home",
    "exchange:queue",
    "documents:register_incoming",
    "workflow:dashboard",
    "accounts:account_list",
    "accounts:unit_list",
    "reports:account_changes",
    "oversight:statistics",
    "oversight:scheduled_report_list",
    "oversight:reform_unit",
    "oversight:electronic_compliance",
    "interop:monitor",
    "scanning:detection_list",
    "oversight:fault_queue_unit",
    "accounts:policy",
    "documents:document_policy",
    "interop:partner_list",
    "oversight:system_status",
    "reorganisation:plan_list",
    "core:notifications",
    "accounts:profile",
    "signatures:mine",
    "oversight:fault_mine",
)


# The items of the "Quản trị" group of the menu, and of the group under the person's name: a
# group is marked when one of its items is.
ADMIN_MENU = frozenset(MENU[MENU.index("accounts:account_list") : MENU.index("core:notifications")])
PERSON_MENU = frozenset(MENU[MENU.index("accounts:profile") :])


def current_menu_item(path: str) -> str:
    """The URL name of the menu item the page at `path` belongs to; empty when none does (the
    home page only at its own address)."""
    best, length = "", 0
    for name in MENU:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > length:
            best, length = name, len(url)
    return best


# The counts shown on the menu (R18), given by the apps that know the work, registered in their
# AppConfig.ready() (docs/architecture.md, "Layers"): `reader(request)` gives counts by name
# ("my_work", "drafts", "reception", and "unread" when it counts the unread notifications in the
# same query); a fixed number of queries whatever the amount of work.
NavCounts = Callable[[HttpRequest], Mapping[str, int]]
NAV_COUNTS: list[NavCounts] = []


def nav_counts_register(reader: NavCounts) -> None:
    NAV_COUNTS.append(reader)


# Notices shown above the content of every full page (base.html), given by the apps that know
# them and registered in their AppConfig.ready(): `reader(request)` returns None, or a mapping
# with the "template" to include and what it needs. A reader costs no query on an ordinary page
# (it reads the session); the release notice after an upgrade is one (R23).
PageNotice = Callable[[HttpRequest], Mapping[str, Any] | None]
PAGE_NOTICES: list[PageNotice] = []


def page_notice_register(reader: PageNotice) -> None:
    PAGE_NOTICES.append(reader)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu needs: which admin areas the signed-in person may open (R7)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    managed = user.managed_unit_ids()
    current = current_menu_item(request.path)
    counts: dict[str, int] = {}
    for reader in NAV_COUNTS:
        counts.update(reader(request))
    notices = [notice for notice in (reader(request) for reader in PAGE_NOTICES) if notice]
    return {
        "page_notices": notices,
        "app_version": settings.VANBAN_VERSION,
        "nav_counts": counts,
        "nav_is_admin": managed is None or bool(managed),
        "nav_is_province_admin": managed is None,
        "nav_unread": (
            counts["unread"]
            if "unread" in counts
            else user.notifications.filter(read_at__isnull=True).count()
        ),
        "nav_keeps_registers": any(r in ("clerk", "leader") for _, r in user.role_pairs()),
        "nav_current": current,
        "nav_admin_current": current in ADMIN_MENU,
        "nav_person_current": current in PERSON_MENU,
    }
