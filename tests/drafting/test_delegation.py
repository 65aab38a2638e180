"""A leader away delegates to a deputy for a period: the deputy approves the drafts the leader
signs in that unit, shown as "thay mặt <leader>" in the trail and the audit; outside the period
or without a delegation it is refused and nothing changes."""

import datetime as dt

import pytest

from tests.support.drafting import NOW, Team, create_draft, to_approving
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied
from vanban.drafting import services
from vanban.drafting.models import Draft, DraftEvent, DraftStatus
from vanban.workflow import services as workflow_services
from vanban.workflow.models import Delegation

pytestmark = pytest.mark.django_db

REFUSED = "Chỉ người ký được phê duyệt dự thảo."
INACTIVE = (
    "Ủy quyền của người ký cho bạn không có hiệu lực vào thời điểm này; "
    "chỉ người ký hoặc người được ủy quyền trong thời gian ủy quyền được phê duyệt dự thảo."
)


def delegate(team: Team, *, days: int = 3) -> Delegation:
    """The signer delegates to a colleague of the Sở (no role in the draft) from now on."""
    return workflow_services.delegation_create(
        actor=team.signer,
        unit=team.province.stttt,
        deputy=team.colleague,
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(days=days),
    )


def snapshot(draft: Draft) -> tuple:
    draft.refresh_from_db()
    return (
        draft.status,
        draft.approved_by_id,
        draft.approved_version_id,
        DraftEvent.objects.filter(draft=draft).count(),
        AuditEvent.objects.count(),
    )


def test_deputy_approves_through_the_draft_page(team, client_for):
    draft = to_approving(team, create_draft(team))
    delegate(team)
    client = client_for(team.colleague)
    detail = client.get(f"/du-thao/{draft.pk}/")
    assert detail.status_code == 200
    assert f'action="/du-thao/{draft.pk}/phe-duyet/"' in detail.content.decode()

    response = client.post(
        f"/du-thao/{draft.pk}/phe-duyet/",
        {"approve-decision": "accept", "approve-note": "Đồng ý ban hành."},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED
    assert draft.approved_by_id == team.colleague.pk
    event = DraftEvent.objects.filter(draft=draft).order_by("at", "pk").last()
    assert event.actor_id == team.colleague.pk
    assert event.actor_name == team.colleague.full_name
    assert f"Thay mặt {team.signer.full_name}" in event.text
    assert "Đồng ý ban hành." in event.text
    audit = AuditEvent.objects.filter(action="draft.approve").order_by("seq").last()
    assert audit.actor_id == team.colleague.pk
    assert audit.data["on_behalf_of"] == team.signer.username
    assert audit.data["acting"] == (f"{team.colleague.full_name} thay mặt {team.signer.full_name}")
    # The timeline shows both names.
    html = client.get(f"/du-thao/{draft.pk}/").content.decode()
    assert team.colleague.full_name in html
    assert f"Thay mặt {team.signer.full_name}" in html


def test_deputy_returns_the_draft_through_the_service(team):
    draft = to_approving(team, create_draft(team))
    delegate(team)
    services.draft_approve(actor=team.colleague, draft=draft, accept=False, note="Sửa mục 2.")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTING
    event = DraftEvent.objects.filter(draft=draft).order_by("at", "pk").last()
    assert event.text.startswith(f"Thay mặt {team.signer.full_name}")
    assert "Sửa mục 2." in event.text
    audit = AuditEvent.objects.filter(action="draft.approval_return").order_by("seq").last()
    assert audit.data["on_behalf_of_name"] == team.signer.full_name


def test_without_delegation_it_is_refused(team, client_for):
    draft = to_approving(team, create_draft(team))
    head, colleague = client_for(team.head), client_for(team.colleague)  # logins are audited
    before = snapshot(draft)
    with pytest.raises(AccessDenied) as refused:
        services.draft_approve(actor=team.head, draft=draft, accept=True)
    assert refused.value.message == REFUSED
    # The head sees the draft (leader of the unit) but is not offered the approval.
    response = head.post(f"/du-thao/{draft.pk}/phe-duyet/", {"approve-decision": "accept"})
    assert response.status_code == 403
    assert REFUSED in response.content.decode()
    # A colleague without delegation does not even see the draft.
    other = colleague.post(f"/du-thao/{draft.pk}/phe-duyet/", {"approve-decision": "accept"})
    assert other.status_code == 404
    assert snapshot(draft) == before


@pytest.mark.parametrize("when", ["after", "before", "ended"])
def test_outside_the_period_it_is_refused(team, client_for, when):
    draft = to_approving(team, create_draft(team))
    if when == "before":
        delegation = workflow_services.delegation_create(
            actor=team.signer,
            unit=team.province.stttt,
            deputy=team.colleague,
            starts_at=NOW + dt.timedelta(days=1),
            ends_at=NOW + dt.timedelta(days=3),
        )
        at = NOW
    else:
        delegation = delegate(team)
        at = NOW + dt.timedelta(days=4) if when == "after" else NOW
        if when == "ended":
            workflow_services.delegation_end(actor=team.signer, delegation=delegation)
    client = client_for(team.colleague)  # logins are audited
    before = snapshot(draft)
    with clock.frozen(at):
        with pytest.raises(AccessDenied) as refused:
            services.draft_approve(actor=team.colleague, draft=draft, accept=True)
        assert refused.value.message == INACTIVE
        response = client.post(f"/du-thao/{draft.pk}/phe-duyet/", {"approve-decision": "accept"})
        assert response.status_code == 404  # the draft is no longer theirs to see
    assert snapshot(draft) == before


def test_delegation_of_another_leader_does_not_count(team):
    """The head delegating to the colleague gives no power over the signer's drafts."""
    draft = to_approving(team, create_draft(team))
    workflow_services.delegation_create(
        actor=team.head,
        unit=team.province.stttt,
        deputy=team.colleague,
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(days=3),
    )
    before = snapshot(draft)
    with pytest.raises(AccessDenied) as refused:
        services.draft_approve(actor=team.colleague, draft=draft, accept=True)
    assert refused.value.message == REFUSED
    assert snapshot(draft) == before
