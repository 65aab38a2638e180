import pytest

from vanban.accounts.demo import demo_province_load
from vanban.accounts.models import User
from vanban.documents.demo import demo_documents_load
from vanban.documents.models import Direction, Document
from vanban.documents.search import document_search

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_demo_registers_look_like_real_use():
    demo_province_load()
    result = demo_documents_load()
    assert (result.incoming, result.outgoing, result.merging) == (12, 6, 7)
    clerk = User.objects.get(username="trangvtt.stttt")
    incoming = Document.objects.filter(direction=Direction.INCOMING).order_by("registered_at")
    numbers = list(incoming.values_list("year", "register_number"))
    by_year: dict[int, list[int]] = {}
    for year, number in numbers:
        by_year.setdefault(year, []).append(number)
    assert all(found == list(range(1, len(found) + 1)) for found in by_year.values())
    assert all(d.files.count() == 1 for d in incoming)
    assert document_search(user=clerk, query="truc lien thong van ban quoc gia").count() == 1
    staff = User.objects.get(username="phuongnt.stttt")
    assert Document.objects.visible_to(staff).count() == 6
    # Loading again adds nothing.
    assert demo_documents_load().incoming == 0
    assert Document.objects.count() == 25
