"""Administration pages for units and accounts (R7)."""

from django.http import Http404


def _todo(request, pk=None):  # type: ignore[no-untyped-def]
    raise Http404


account_list = account_create = account_detail = unit_list = policy = _todo
