from django.contrib.auth.backends import ModelBackend

from vanban.core.errors import ServiceError
from vanban.core.http import client_ip

from . import services


class AccountBackend(ModelBackend):
    """Django's backend, with the login rules of accounts.services (lock, revoke, counting)."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
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
