"""Saved searches: a person keeps a search under a name to run it again (Appendix VI, "lưu
điều kiện tìm kiếm"). They are private to their owner and hold no document data, so they are not
audited."""

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction

from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import fold, nfc

from .models import SavedSearch
from .search import SEARCH_PARAMS, access_saved_search

MAX_SAVED_SEARCHES = 100
NAME_MAX_LENGTH = 100
QUERY_MAX_LENGTH = 2000


def _require_person(actor: User) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()


def search_query_clean(query_string: str) -> str:
    """Only the search parameters, without empty values or the page number, in a fixed order."""
    values = dict(parse_qsl(query_string, keep_blank_values=False))
    return urlencode([(name, values[name]) for name in SEARCH_PARAMS if values.get(name)])


def saved_search_create(*, actor: User, name: str, query_string: str) -> SavedSearch:
    """Save the current search under a name, unique for the person (case and diacritics aside)."""
    _require_person(actor)
    name = " ".join(nfc(name or "").split())
    if not name:
        raise ServiceError("Hãy đặt tên cho tìm kiếm cần lưu.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Tên tìm kiếm dài quá {NAME_MAX_LENGTH} ký tự.", field="name")
    query = search_query_clean(query_string or "")
    if len(query) > QUERY_MAX_LENGTH:
        raise ServiceError("Điều kiện tìm kiếm quá dài để lưu.", field="name")
    duplicate = ServiceError(
        f"Bạn đã có tìm kiếm đã lưu tên “{name}”; hãy chọn tên khác.", field="name"
    )
    try:
        with transaction.atomic():
            names = list(SavedSearch.objects.filter(user=actor).values_list("name", flat=True))
            if fold(name) in {fold(existing) for existing in names}:
                raise duplicate
            if len(names) >= MAX_SAVED_SEARCHES:
                raise ServiceError(
                    f"Mỗi người lưu được tối đa {MAX_SAVED_SEARCHES} tìm kiếm; hãy xóa bớt "
                    "tìm kiếm không còn dùng.",
                    field="name",
                )
            return SavedSearch.objects.create(
                user=actor, name=name, query_string=query, created_at=clock.now()
            )
    except IntegrityError as exc:  # the same name saved at the same moment
        raise duplicate from exc


def saved_search_delete(*, actor: User, pk: int) -> str:
    """Delete one of the person's saved searches; another person's answers "not found"."""
    _require_person(actor)
    with transaction.atomic():
        saved = access_saved_search(user=actor, pk=pk)
        name = saved.name
        saved.delete()
    return name
