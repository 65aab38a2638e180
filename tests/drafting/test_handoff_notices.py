"""The clerks of the issuing unit learn that the competent person signed a draft and it waits
for them to issue it (R16; NĐ 30/2020 Art. 13-16), whichever way it was signed, once."""

import pytest

from tests import signing
from tests.support.drafting import (
    create_draft,
    signed_elsewhere,
    signer_certificate,
    to_approved,
    to_signed,
)
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.core.errors import ServiceError
from vanban.core.models import Notification
from vanban.drafting import signing as draft_signing

pytestmark = pytest.mark.django_db

SIGNED = "Văn bản đã được ký, chờ phát hành: Kế hoạch: "


def signed_notices(user):  # type: ignore[no-untyped-def]
    return list(
        Notification.objects.filter(recipient=user, title__startswith=SIGNED).values_list(
            "title", "body", "link"
        )
    )


def test_the_clerks_are_told_when_the_draft_is_signed(team, client_for):
    second_clerk = make_user(team.province.stttt, "Phạm Thị Văn Thư", (Role.CLERK,))
    draft = create_draft(team)
    to_approved(team, draft)
    assert signed_notices(team.clerk) == []  # approving is not signing
    to_signed(team, draft)

    expected = [
        (
            f"{SIGNED}{draft.subject}",
            f"{team.signer.full_name} đã ký số văn bản; văn thư cấp số, ký số của cơ quan và "
            "phát hành.",
            f"/du-thao/{draft.pk}/",
        )
    ]
    assert signed_notices(team.clerk) == expected
    assert signed_notices(second_clerk) == expected
    # Nobody else is told of the signature: not the signer, not the drafter, not other units.
    for other in (team.signer, team.drafter, team.head, team.clerk_snv):
        assert signed_notices(other) == []

    # The clerk follows the notice to the draft, where issuing is offered.
    page = client_for(team.clerk).get(f"/du-thao/{draft.pk}/").content.decode()
    assert draft.subject in page


def test_a_pdf_signed_elsewhere_tells_the_clerks_too(team):
    draft = create_draft(team)
    to_approved(team, draft)
    signer_certificate(team)  # the approver's certificate, registered
    draft_signing.draft_signed_upload(actor=team.signer, draft=draft, data=signed_elsewhere(draft))
    assert len(signed_notices(team.clerk)) == 1


def test_a_refused_signature_tells_nobody(team):
    draft = create_draft(team)
    to_approved(team, draft)
    signing.trust()
    # A certificate not registered for the approver: refused (reasons pinned in test_signing).
    with pytest.raises(ServiceError):
        draft_signing.draft_signed_upload(
            actor=team.signer, draft=draft, data=signed_elsewhere(draft)
        )
    assert signed_notices(team.clerk) == []
