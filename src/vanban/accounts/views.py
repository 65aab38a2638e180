"""Signing in and out, the forced password change (R5) and "my account is compromised" (R6)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from vanban.core.errors import ServiceError
from vanban.core.forms import Form, show_service_error

from . import selectors, services
from .session_views import keep_only_this_session


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class LoginForm(Form):
    username = forms.CharField(label="Tên tài khoản", max_length=100)
    password = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, max_length=256)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="vanban.accounts.backends.AccountBackend")
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = ""
            return redirect(target or "core:home")
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        label="Mật khẩu hiện tại", widget=forms.PasswordInput, max_length=256
    )
    new_password = forms.CharField(label="Mật khẩu mới", widget=forms.PasswordInput, max_length=256)
    new_password_again = forms.CharField(
        label="Nhập lại mật khẩu mới", widget=forms.PasswordInput, max_length=256
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "Hai lần nhập mật khẩu mới không khớp.")
        return data


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            # Every other session of the account ends; this one stays (R6).
            keep_only_this_session(request, user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": request.user.must_change_password,
        },
    )


class CompromisedForm(Form):
    note = forms.CharField(
        label="Mô tả ngắn (không bắt buộc)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label="Tôi xác nhận tài khoản của tôi bị lộ và muốn khóa ngay.")


@login_required
def compromised(request: HttpRequest) -> HttpResponse:
    """R6: lock my own account at once, end all its sessions, alert the unit's admins."""
    form = CompromisedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_report_compromised(
            user=request.user, note=form.cleaned_data["note"], ip=client_ip(request)
        )
        logout(request)
        messages.warning(
            request,
            "Tài khoản đã bị khóa và mọi phiên đăng nhập đã kết thúc. "
            "Quản trị đơn vị đã được báo để cấp lại mật khẩu.",
        )
        return redirect("accounts:login")
    return render(request, "accounts/compromised.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": selectors.roles_of(user=request.user),
        },
    )
