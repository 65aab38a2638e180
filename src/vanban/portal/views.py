from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from vanban.accounts import selectors as account_selectors
from vanban.accounts.models import Role
from vanban.agenda import selectors as agenda_selectors
from vanban.workflow.selectors.my_work import KINDS, request_work_counts


def _work_cards(
    request: HttpRequest, *, is_clerk: bool, is_leader: bool
) -> list[dict[str, object]]:
    """The kinds of work of the person's roles, and any other kind some work waits in (R18):
    label, count and the list it leads to."""
    counts = request_work_counts(request)
    by_kind = counts.by_kind()
    shown = {"xu-ly", "de-biet", "qua-han"}
    if is_clerk:
        shown |= {"cho-trinh", "phat-hanh"}
    if is_leader:
        shown |= {"chi-dao", "cho-ky"}
    my_work = reverse("workflow:my_work")
    cards: list[dict[str, object]] = [
        {"kind": kind, "label": label, "count": by_kind[kind], "url": f"{my_work}?loai={kind}"}
        for kind, label in KINDS.items()
        if kind in shown or by_kind[kind]
    ]
    if is_clerk or counts.to_receive:
        cards.append(
            {
                "kind": "tiep-nhan",
                "label": "Văn bản chờ tiếp nhận",
                "count": counts.to_receive,
                "url": reverse("exchange:queue"),
            }
        )
    return cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page; each role sees its own sections, its work first: how much waits of each
    kind, each count leading to its list (R18)."""
    user = request.user
    is_leader = user.has_role(Role.LEADER)
    is_clerk = user.has_role(Role.CLERK)
    context = {
        "work_cards": _work_cards(request, is_clerk=is_clerk, is_leader=is_leader),
        "roles": account_selectors.roles_of(user=user),
        "admin_summary": account_selectors.admin_summary(user=user),
        "recent_notifications": user.notifications.all()[:5],
        "password_age_warning": account_selectors.password_age_warning(user=user),
        "is_leader": is_leader,
        "is_clerk": is_clerk,
        "agenda_this_week": agenda_selectors.this_week_for(user=user),
    }
    if context["is_leader"] or context["is_clerk"]:
        context["unit_people"] = account_selectors.unit_people(user=user)
    return render(request, "portal/home.html", context)
