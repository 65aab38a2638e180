"""Another system registered (03) or returned (02) a document we sent it: the sending unit's
clerks and the drafter are told, as when a unit of the deployment does (R15); a progress status
(04) or a refused status tells nobody."""

import pytest
from django.core import mail

from tests.interop import support
from tests.interop.support import MINISTRY, MINISTRY_NAME
from tests.interop.test_receive import post
from vanban.core.models import Notification
from vanban.exchange.models import Delivery, Transport

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def delivery(team, link):
    _draft, document = support.issued(team)
    return Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )


def report(client, link, delivery, code, note=""):  # type: ignore[no-untyped-def]
    return post(client, support.status_from_ministry(delivery, code, note), link)


def notices(user, text: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return list(
        Notification.objects.filter(recipient=user, title__contains=text).values_list(
            "title", "body", "link"
        )
    )


def test_registered_by_another_system_tells_the_clerks_and_the_drafter(
    team, link, delivery, client, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    team.clerk.email = "vanthu@stttt.bentre.gov.vn"
    team.clerk.save(update_fields=["email"])
    label = f"{delivery.document.document_type.name} số {delivery.document.number_symbol}"
    expected = [
        (
            f"{label} đã vào sổ tại {MINISTRY_NAME}",
            delivery.document.subject,
            f"/lien-thong/van-ban/{delivery.document_id}/",
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert report(client, link, delivery, "03").json()["outcome"] == "applied"
    assert notices(team.clerk, "đã vào sổ") == expected
    assert notices(team.drafter, "đã vào sổ") == expected
    assert notices(team.signer, "đã vào sổ") == []
    assert [m.to for m in mail.outbox if "đã vào sổ" in m.subject] == [[team.clerk.email]]
    # A progress status afterwards tells nobody more.
    assert report(client, link, delivery, "04").json()["outcome"] == "applied"
    assert len(notices(team.clerk, MINISTRY_NAME)) == 1


def test_returned_by_another_system_tells_them_with_its_reason(team, link, delivery, client):
    assert report(client, link, delivery, "02", "Sai thể thức").json()["outcome"] == "applied"
    for person in (team.clerk, team.drafter):
        ((title, body, _link),) = notices(person, "trả lại")
        assert title.endswith(f"bị {MINISTRY_NAME} trả lại")
        assert body == "Sai thể thức"
    # Out of order afterwards (03 after 02): refused, nobody told.
    assert report(client, link, delivery, "03").status_code == 409
    assert notices(team.clerk, "đã vào sổ") == []
