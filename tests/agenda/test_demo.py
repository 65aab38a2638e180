import pytest

from vanban.accounts.demo import demo_province_load
from vanban.accounts.models import User
from vanban.agenda import selectors
from vanban.agenda.demo import demo_agenda_load
from vanban.agenda.models import AgendaWeek, WeekStatus

# A database of its own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_the_demo_publishes_this_week_of_the_department():
    demo_province_load()
    assert demo_agenda_load() == 6
    week = AgendaWeek.objects.get()
    assert week.status == WeekStatus.PUBLISHED and week.revision == 1
    assert week.approved_by.username == "ducpm.stttt"
    staff = User.objects.get(username="phuongnt.stttt")
    found = selectors.this_week_for(user=staff)
    assert [t.unit.name for t in found] == ["Sở Thông tin và Truyền thông"]
    assert sum(len(b.rows) for b in found[0].blocks) == 6
    # Loading again adds nothing.
    assert demo_agenda_load() == 0
    assert AgendaWeek.objects.count() == 1
