from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.accounts import selectors as account_selectors
from vanban.accounts.models import Role
from vanban.agenda import selectors as agenda_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page; each role sees its own sections."""
    user = request.user
    context = {
        "roles": account_selectors.roles_of(user=user),
        "admin_summary": account_selectors.admin_summary(user=user),
        "recent_notifications": user.notifications.all()[:5],
        "password_age_warning": account_selectors.password_age_warning(user=user),
        "is_leader": user.has_role(Role.LEADER),
        "is_clerk": user.has_role(Role.CLERK),
        "agenda_this_week": agenda_selectors.this_week_for(user=user),
    }
    if context["is_leader"] or context["is_clerk"]:
        context["unit_people"] = account_selectors.unit_people(user=user)
    return render(request, "portal/home.html", context)
