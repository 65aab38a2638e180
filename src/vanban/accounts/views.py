"""Signing in and out, the forced password change (R5), "my account is compromised" (R6) and
the second factor (R6)."""

import base64
import time
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vanban.core.errors import ServiceError
from vanban.core.forms import Form, show_service_error
from vanban.core.http import client_ip

from . import selectors, services
from .forms import CodeForm
from .http import request_user
from .models import AccountPolicy, User
from .passwords import password_rules
from .session_views import keep_only_this_session

BACKEND = "vanban.accounts.backends.AccountBackend"
# Between the password and the code: the account, its session hash and when (R6).
PENDING_KEY = "vanban_login_pending"
PENDING_SECONDS = 300
# How this session passed the second factor: "verified", "none" (not required) or "enrol".
SECOND_FACTOR_KEY = "vanban_second_factor"


def _next_target(request: HttpRequest, target: str) -> str:
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return ""
    return target


class LoginForm(Form):
    username = forms.CharField(label="Tên tài khoản", max_length=100)
    password = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, max_length=256)


def login_view(request: HttpRequest) -> HttpResponse:
    """Password step. Every refusal reads the same for every account name (R6)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step = services.login_password_step(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            target = _next_target(
                request, request.POST.get("next") or request.GET.get("next") or ""
            )
            if step.needs_code:
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": step.user.pk,
                    "hash": step.user.get_session_auth_hash(),
                    "at": time.time(),
                    "next": target,
                    "notice": step.notice,
                }
                return redirect("accounts:login_code")
            login(request, step.user, backend=BACKEND)
            if step.notice:
                messages.warning(request, step.notice)
            required = services.second_factor_required(step.user)
            request.session[SECOND_FACTOR_KEY] = "enrol" if required else "none"
            return redirect(target or "portal:home")
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _pending_user(request: HttpRequest) -> tuple[User, str, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.select_related("unit").filter(pk=pending.get("user")).first()
    if user is None or not user.is_active or user.get_session_auth_hash() != pending.get("hash"):
        return None
    return user, pending.get("next", ""), pending.get("notice", "")


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Second step (R6): the code of the authenticator app, or a one-time recovery code."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    pending = _pending_user(request)
    if pending is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu.")
        return redirect("accounts:login")
    user, target, notice = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step = services.login_code_step(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            if _pending_user(request) is None:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, exc.message)
                return redirect("accounts:login")
        else:
            request.session.pop(PENDING_KEY, None)
            user.otp_device = step.device  # type: ignore[attr-defined]
            login(request, user, backend=BACKEND)
            request.session[SECOND_FACTOR_KEY] = "verified"
            if notice:
                messages.warning(request, notice)
            if step.recovery_left is not None:
                messages.warning(
                    request,
                    f"Bạn vừa dùng một mã khôi phục; còn {step.recovery_left} mã chưa dùng. "
                    "Nếu mất điện thoại, hãy báo quản trị đơn vị để đặt lại xác thực hai bước.",
                )
            return redirect(target or "portal:home")
    return render(request, "accounts/login_code.html", {"form": form})


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "Hai lần nhập mật khẩu mới không khớp.")
        return data


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_change_password(
                user=request_user(request),
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
            return redirect("portal:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": request_user(request).must_change_password,
            "rules": password_rules(AccountPolicy.current()),
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
            user=request_user(request), note=form.cleaned_data["note"], ip=client_ip(request)
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
            "roles": selectors.roles_of(user=request_user(request)),
            "second_factor_enrolled": services.second_factor_enrolled(request_user(request)),
        },
    )


@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, a first code, then recovery codes (R6)."""
    user = request_user(request)
    if services.second_factor_enrolled(user):
        return render(request, "accounts/second_factor.html", {"enrolled": True})
    device = services.second_factor_pending_device(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.second_factor_confirm(
                user=user, device=device, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            keep_only_this_session(request, enrolment.user)
            request.session[SECOND_FACTOR_KEY] = "verified"
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": enrolment.recovery_codes},
            )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor.html",
        {
            "enrolled": False,
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": services.second_factor_required(user),
        },
    )
