"""Three departments merged into one new department by a plan, with everything the engine and
every app's hand-over do (docs/reorganisation.md): each has a clerk, open incoming work, a draft
and a package waiting in its reception queue. Nothing is lost: the counts are the same, every
document stays where it was registered with its number and is reachable by the successor's
clerks, the old registers are closed and the new one numbers from 1, the audit chain and the file
store check clean; and a package sent afterwards to a closed code reaches the successor."""

import datetime as dt

import pytest

from tests.interop import support
from tests.interop.support import RECEIVE_URL
from tests.reorganisation.support import make_plan
from tests.support import drafting
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import draft_input, issued, pdf
from tests.support.files import pdf_upload
from tests.support.province import add_unit, make_user
from vanban.accounts.models import Role, Unit, User
from vanban.audit.services import audit_verify
from vanban.documents import services as document_services
from vanban.documents.files import files_check
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.documents.visibility import VisibleDocuments
from vanban.drafting import services as drafting_services
from vanban.drafting.models import Draft
from vanban.exchange.delivery_selectors import queue_waiting
from vanban.exchange.models import Delivery, Inbound
from vanban.reorganisation.apply import plan_apply, plan_create
from vanban.workflow.models import Processing, TrailAction, TrailEntry

pytestmark = pytest.mark.django_db
LAST_DAY = dt.date(2025, 6, 30)
NEW_CODE = "000.00.14.H61"


@pytest.fixture(autouse=True)
def _storage_and_clock(settings, tmp_path):
    drafting.own_storage(settings, tmp_path)
    with drafting.fixed_clock():
        yield


def _register(clerk: User, unit: Unit, number: str) -> Document:
    return document_services.incoming_register(
        actor=clerk,
        unit=unit,
        data=incoming_input(code_number=number),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


def _draft(drafter: User, unit: Unit, signer: User, subject: str, to: Unit) -> Draft:
    return drafting_services.draft_create(
        actor=drafter,
        issuing_unit=unit,
        data=draft_input(subject=subject, signer_position="Giám đốc"),
        signer=signer,
        refusals=DECLARED,
        content_file=pdf(),
        recipient_units=[to],
        external_recipients=[],
    )


@pytest.fixture
def three(team, client):
    """Sở TT&TT, Sở Nội vụ and the old Sở KH&CN, each with a clerk, open work, a draft and a
    package waiting in its queue."""
    province = team.province
    khcn = add_unit("Sở Khoa học và Công nghệ", "SKHCN", "skhcn", "000.00.14.H07", province.root)
    people = {
        province.stttt.pk: (team.clerk, team.drafter, province.leader_stttt),
        province.snv.pk: (
            team.clerk_snv,
            team.staff_snv,
            make_user(province.snv, "Phan Văn Nội", (Role.LEADER,)),
        ),
        khcn.pk: (
            make_user(khcn, "Hồ Thị Văn Thư", (Role.CLERK,)),
            make_user(khcn, "Lý Văn Soạn"),
            make_user(khcn, "Đào Quang Khoa", (Role.LEADER,)),
        ),
    }
    units = [province.stttt, province.snv, khcn]
    open_work, drafts = [], []
    for number, unit in enumerate(units, start=31):
        clerk, drafter, leader = people[unit.pk]
        open_work.append(_register(clerk, unit, str(number)))
        drafts.append(_draft(drafter, unit, leader, f"Kế hoạch của {unit.name}", province.root))
    # Queues: the Sở TT&TT sends to the two others; a partner system sends to the Sở TT&TT.
    _issued, sent = issued(team, units=[province.snv], external=[])
    issued(team, units=[khcn], external=[], subject="Kế hoạch gửi Sở Khoa học và Công nghệ")
    # A document the partner will send back after the merger, to a closed code.
    _issued, later = issued(team, units=[province.root], external=[], subject="Báo cáo tháng")
    link = support.partner(team)
    answer = client.post(
        RECEIVE_URL,
        support.readdressed(sent, to=province.stttt.agency_code),
        content_type="application/xml",
        **link.headers(),
    )
    assert answer.status_code == 200, answer.json()
    for unit in units:
        assert queue_waiting([unit.pk]).exists(), unit.name
    return {
        "units": units,
        "people": people,
        "open": open_work,
        "drafts": drafts,
        "link": link,
        "later": later,
    }


def _counts() -> dict[str, int]:
    return {
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "drafts": Draft.objects.count(),
        "deliveries": Delivery.objects.count(),
        "inbound": Inbound.objects.count(),
        "people": User.objects.count(),
    }


def _numbers() -> dict[int, tuple[int, int, int, str]]:
    return {
        d.pk: (d.unit_id, d.series_id, d.register_number, d.number_symbol)
        for d in Document.objects.select_related("document_type")
    }


def test_three_departments_merge_into_one_and_nothing_is_lost(team, three, client):
    province = team.province
    units = three["units"]
    before, numbers = _counts(), _numbers()
    old_series = set(
        RegisterSeries.objects.filter(unit__in=units, is_active=True).values_list("pk", flat=True)
    )
    assert old_series
    plan = make_plan(
        {"kind": "merge", "units": [u.agency_code for u in units], "into": "skhcnvl"},
        new_units=[
            {
                "key": "skhcnvl",
                "name": "Sở Khoa học và Công nghệ tỉnh Vĩnh Long",
                "symbol": "SKHCN",
                "abbreviation": "skhcnvl",
                "agency_code": NEW_CODE,
                "parent": province.root.agency_code,
                "place_name": "Vĩnh Long",
            }
        ],
        title="Hợp nhất Sở Thông tin và Truyền thông, Sở Nội vụ và Sở Khoa học và Công nghệ",
    )
    record = plan_create(actor=province.province_admin, data=plan)
    result = plan_apply(record, actor=province.province_admin)
    assert result.changed
    target = Unit.objects.get(agency_code=NEW_CODE)

    # Nothing lost, nothing renumbered.
    assert _counts() == before
    assert _numbers() == numbers
    for unit in units:
        unit.refresh_from_db()
        assert (unit.end_date, unit.is_active) == (LAST_DAY, False)
    # The clerks, drafters and leaders are the successor's now, with the same roles.
    for clerk, drafter, leader in three["people"].values():
        clerk, leader = User.objects.get(pk=clerk.pk), User.objects.get(pk=leader.pk)
        for person in (clerk, User.objects.get(pk=drafter.pk), leader):
            assert person.unit_id == target.pk and person.username.endswith(".skhcnvl")
        assert clerk.has_role(Role.CLERK, target) and leader.has_role(Role.LEADER, target)
    # Open work, drafts and queues are the successor's, each hand-over in the timeline.
    for document in three["open"]:
        assert Processing.objects.get(document=document).unit_id == target.pk
        assert TrailEntry.objects.filter(document=document, action=TrailAction.TRANSFERRED).exists()
    assert set(
        Draft.objects.filter(pk__in=[d.pk for d in three["drafts"]]).values_list(
            "unit_id", flat=True
        )
    ) == {target.pk}
    for unit in units:
        assert not queue_waiting([unit.pk]).exists(), unit.name
    assert queue_waiting([target.pk]).count() == 3

    # Every document of the three is reachable by each of the successor's clerks, read only.
    old_documents = set(Document.objects.filter(unit__in=units).values_list("pk", flat=True))
    for clerk, _drafter, _leader in three["people"].values():
        clerk = User.objects.get(pk=clerk.pk)
        seen = {d.pk for d in VisibleDocuments(Document.objects.all(), clerk)}
        assert old_documents <= seen
    client.force_login(User.objects.get(pk=team.clerk_snv.pk))
    for document in three["open"]:
        assert client.get(f"/van-ban/{document.pk}/").status_code == 200

    # The old registers are closed on the last day; the successor numbers from 1.
    closed = RegisterSeries.objects.filter(pk__in=old_series)
    assert set(closed.values_list("is_active", "closed_on")) == {(False, LAST_DAY)}
    clerk = User.objects.get(pk=team.clerk.pk)
    fresh = _register(clerk, target, "99")
    assert (fresh.unit_id, fresh.register_number) == (target.pk, 1)

    assert audit_verify()[1] == []
    check = files_check()
    assert check.records >= DocumentFile.objects.count() > 0 and check.problems == 0

    # A package sent afterwards to a closed code reaches the successor, and the sender is told.
    answer = client.post(
        RECEIVE_URL,
        support.readdressed(three["later"], to=province.snv.agency_code),
        content_type="application/xml",
        **three["link"].headers(),
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["recipient_code"] == NEW_CODE and body["readdressed"]
    assert Inbound.objects.filter(to_code=province.snv.agency_code, unit=target).exists()

    # Applying again changes nothing.
    after = _counts()
    assert not plan_apply(record, actor=province.province_admin).changed
    assert _counts() == after
