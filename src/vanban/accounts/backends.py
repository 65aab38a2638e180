from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from vanban.core.errors import ServiceError
from vanban.core.http import client_ip

from . import services
from .models import User


class AccountBackend(ModelBackend):
    """Django's backend, with the login rules of accounts.services (lock, revoke, counting)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        try:
            return services.login_attempt(
                username=username,
                password=password,
                ip=client_ip(request) if request else None,
            )
        except ServiceError:
            return None
