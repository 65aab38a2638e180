"""The buttons of the incoming documents list (`documents.list_actions`), registered by
`WorkflowConfig.ready()`: the same actions on the ticked documents as on "Việc của tôi"
(`bulk_views.my_work_bulk`)."""

from typing import Any

from django.urls import reverse

from vanban.documents.list_actions import ListActions

from . import selectors
from .access import authority_of


def incoming_list_actions(user: Any) -> ListActions:
    authority = authority_of(user)
    buttons: list[tuple[str, str]] = []
    leaders: list[tuple[int, str]] = []
    if authority.clerk_units:
        buttons.append(("present", "Trình các văn bản đã chọn"))
        leaders = [
            (p.pk, p.full_name) for p in selectors.leaders_of_units(unit_ids=authority.clerk_units)
        ]
    if authority.all_leader_units:
        buttons.append(("direct", "Giao xử lý các văn bản đã chọn"))
    buttons += [
        ("read", "Đánh dấu đã đọc"),
        ("export", "Xuất danh sách đã chọn (Excel)"),
    ]
    return ListActions(url=reverse("workflow:my_work_bulk"), buttons=buttons, leaders=leaders)
