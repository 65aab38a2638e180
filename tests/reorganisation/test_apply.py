"""Applying a reorganisation plan (docs/reorganisation.md, "Preparing and applying a plan"):
units created, ended with their successors, renamed with their past kept, moved with their
subtree's levels, closed; the rule for sub-units; re-running changes nothing; the audit chain
still verifies."""

import datetime as dt

import pytest

from tests.reorganisation import probe_steps
from tests.reorganisation.support import make_plan, new_unit
from tests.support.province import make_user
from vanban.accounts.models import Role, Unit, UnitLink, UnitRecord, User
from vanban.accounts.unit_history import (
    successor_of,
    unit_facts_on,
    unit_for_code,
    units_on,
)
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_verify
from vanban.core.errors import AccessDenied
from vanban.reorganisation.apply import plan_apply, plan_create
from vanban.reorganisation.models import PlanState, ReorganisationStep
from vanban.reorganisation.plan import PlanError
from vanban.reorganisation.steps import step_modules

pytestmark = pytest.mark.django_db

LAST_DAY = dt.date(2025, 6, 30)
FIRST_DAY = dt.date(2025, 7, 1)
PROBE = "tests.reorganisation.probe_steps"


@pytest.fixture(autouse=True)
def _probe_starts_clean():
    probe_steps.CALLS.clear()
    probe_steps.CONFLICT_FOR.clear()


def apply(plan, actor=None, **kwargs):  # type: ignore[no-untyped-def]
    record = plan_create(actor=actor, data=plan)
    return record, plan_apply(record, actor=actor, modules=step_modules((PROBE,)), **kwargs)


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def test_three_communes_merge_into_an_existing_unit(tree):
    person = make_user(tree.phuhung, "Đỗ Văn Xã", (Role.STAFF,))
    communes = [tree.anhoi, tree.phuhung, tree.phunhuan]
    record, result = apply(
        make_plan(
            {
                "kind": "merge",
                "units": [u.agency_code for u in communes],
                "into": tree.district.agency_code,
            }
        ),
        actor=tree.province.province_admin,
    )
    assert len(result.done) == 1 and result.skipped == 0
    for unit in communes:
        unit = fresh(unit)
        assert unit.end_date == LAST_DAY and not unit.is_active
        link = UnitLink.objects.get(predecessor=unit)
        assert (link.successor_id, link.kind, link.is_default) == (tree.district.pk, "merged", True)
        assert link.decision == "1687/NQ-UBTVQH15" and link.effective_date == FIRST_DAY
        assert link.decision_date == dt.date(2025, 6, 16)
        assert successor_of(unit) == tree.district
    on_last = {f.unit_id for f in units_on(LAST_DAY)}
    on_first = {f.unit_id for f in units_on(FIRST_DAY)}
    assert {u.pk for u in communes} <= on_last
    assert not {u.pk for u in communes} & on_first
    # The step module moved the commune's account to the district.
    assert User.objects.get(pk=person.pk).unit_id == tree.district.pk
    step = ReorganisationStep.objects.get(plan=record)
    assert step.key == f"target:{tree.district.agency_code}"
    assert step.result["counts"] == {"tests": {"tài khoản": 1}}
    assert [e["name"] for e in step.result["ended"]] == [u.name for u in communes]
    record.refresh_from_db()
    assert record.state == PlanState.APPLIED and record.applied_by == tree.province.province_admin
    ends = AuditEvent.objects.filter(action="reorganisation.unit_end")
    assert sorted(ends.values_list("unit_id", flat=True)) == sorted(u.pk for u in communes)
    assert ends.first().data["plan"] == record.ref  # type: ignore[union-attr]
    assert audit_verify()[1] == []


def test_three_communes_merge_into_a_new_unit(tree):
    communes = [tree.anhoi, tree.phuhung, tree.phunhuan]
    record, _ = apply(
        make_plan(
            {"kind": "merge", "units": [u.agency_code for u in communes], "into": "anhoimoi"},
            new_units=[new_unit("anhoimoi", "000.40.21.H07", tree.district.agency_code)],
        )
    )
    created = Unit.objects.get(agency_code="000.40.21.H07")
    assert created.start_date == FIRST_DAY and created.end_date is None
    assert created.parent_id == tree.district.pk and created.level == 3
    assert created.place_name == "Bến Tre"
    assert [s.key for s in record.steps.order_by("pk")] == ["new:anhoimoi", "target:anhoimoi"]
    assert set(
        UnitLink.objects.filter(successor=created).values_list("predecessor_id", flat=True)
    ) == {u.pk for u in communes}
    assert unit_for_code(tree.anhoi.agency_code) == created
    assert AuditEvent.objects.filter(action="unit.create", unit=created).count() == 1
    assert AuditEvent.objects.filter(action="reorganisation.unit_create", unit=created).exists()
    # Not there on the day before.
    assert created.pk not in {f.unit_id for f in units_on(LAST_DAY)}


def test_a_split_gives_each_successor_a_link_and_the_rule_ends_the_sub_units(tree):
    person = make_user(tree.district, "Ngô Thị Chia", (Role.STAFF,))
    record, _ = apply(
        make_plan(
            {
                "kind": "split",
                "unit": tree.district.agency_code,
                "into": ["anhoi", "phuhung"],
                "default": "anhoi",
            },
            new_units=[
                new_unit("anhoi", "000.41.00.H07", tree.root.agency_code, abbreviation="panhoi"),
                new_unit(
                    "phuhung", "000.42.00.H07", tree.root.agency_code, abbreviation="pphuhung"
                ),
            ],
            items={f"user:{person.pk}": "phuhung"},
        )
    )
    anhoi = Unit.objects.get(agency_code="000.41.00.H07")
    phuhung = Unit.objects.get(agency_code="000.42.00.H07")
    links = {
        link.successor_id: (link.kind, link.is_default)
        for link in UnitLink.objects.filter(predecessor=tree.district)
    }
    assert links == {anhoi.pk: ("split", True), phuhung.pk: ("split", False)}
    # The district's office and communes, not named by the plan, end with it and go to its
    # default successor.
    for sub in (tree.district_office, tree.anhoi, tree.phuhung, tree.phunhuan):
        sub = fresh(sub)
        assert sub.end_date == LAST_DAY and not sub.is_active
        link = UnitLink.objects.get(predecessor=sub)
        assert (link.successor_id, link.kind, link.is_default) == (anhoi.pk, "split", True)
    ended = ReorganisationStep.objects.get(plan=record, key="target:anhoi").result["ended"]
    assert [(e["name"], e["by_rule"]) for e in ended][:2] == [
        (tree.district.name, False),
        (tree.district_office.name, True),
    ]
    # The plan's per-item choice: the person goes to the other successor.
    assert User.objects.get(pk=person.pk).unit_id == phuhung.pk


def test_a_rename_keeps_the_old_identity_for_the_days_before(tree):
    old_name, old_code = tree.stttt.name, tree.stttt.agency_code
    apply(
        make_plan(
            {
                "kind": "rename",
                "unit": old_code,
                "name": "Sở Khoa học, Công nghệ và Truyền thông",
                "agency_code": "000.00.15.H07",
            }
        )
    )
    unit = fresh(tree.stttt)
    assert unit.name == "Sở Khoa học, Công nghệ và Truyền thông"
    assert unit.agency_code == "000.00.15.H07" and unit.end_date is None and unit.is_active
    record = UnitRecord.objects.get(unit=unit)
    assert (record.name, record.agency_code, record.valid_until, record.kind) == (
        old_name,
        old_code,
        LAST_DAY,
        "renamed",
    )
    assert unit_facts_on(unit, dt.date(2025, 3, 1)).name == old_name
    assert unit_facts_on(unit, dt.date(2025, 3, 1)).agency_code == old_code
    assert unit_facts_on(unit, FIRST_DAY).name == unit.name
    assert unit_for_code(old_code) == unit
    assert "truyen thong" in unit.search_text
    event = AuditEvent.objects.get(action="reorganisation.unit_rename")
    assert event.data["before"] == {"name": old_name, "agency_code": old_code}


def test_a_move_takes_the_subtree_and_its_levels(tree):
    apply(
        make_plan(
            {
                "kind": "move",
                "unit": tree.skhcn_office.agency_code,
                "parent": tree.stttt.agency_code,
            },
            {"kind": "move", "unit": tree.anhoi.agency_code, "parent": tree.root.agency_code},
        )
    )
    office, team, anhoi = fresh(tree.skhcn_office), fresh(tree.skhcn_team), fresh(tree.anhoi)
    assert office.parent_id == tree.stttt.pk and office.level == 3 and team.level == 4
    assert anhoi.parent_id == tree.root.pk and anhoi.level == 2
    assert unit_facts_on(anhoi, LAST_DAY).parent_id == tree.district.pk
    assert unit_facts_on(anhoi, LAST_DAY).level == 3
    assert UnitRecord.objects.get(unit=anhoi).kind == "moved"


def test_a_unit_moved_out_of_a_moved_unit_gets_the_final_levels(tree):
    apply(
        make_plan(
            {"kind": "move", "unit": tree.anhoi.agency_code, "parent": tree.root.agency_code},
            {"kind": "move", "unit": tree.district.agency_code, "parent": tree.stttt.agency_code},
        )
    )
    assert fresh(tree.district).level == 3
    assert fresh(tree.district_office).level == 4 and fresh(tree.phuhung).level == 4
    assert fresh(tree.anhoi).level == 2 and fresh(tree.anhoi).parent_id == tree.root.pk


def test_a_rename_and_a_move_of_one_unit(tree):
    """The example of docs/reorganisation.md: a commune renamed and moved under the province."""
    _, result = apply(
        make_plan(
            {
                "kind": "rename",
                "unit": tree.anhoi.agency_code,
                "name": "Ủy ban nhân dân phường An Hội",
                "abbreviation": "anhoi",
                "agency_code": "000.00.81.H07",
            },
            {"kind": "move", "unit": tree.anhoi.agency_code, "parent": tree.root.agency_code},
        )
    )
    assert len(result.done) == 1
    unit = fresh(tree.anhoi)
    assert (unit.name, unit.abbreviation, unit.level) == (
        "Ủy ban nhân dân phường An Hội",
        "anhoi",
        2,
    )
    past = unit_facts_on(unit, LAST_DAY)
    assert (past.name, past.abbreviation, past.level) == ("Ủy ban nhân dân xã An Hội", "xaanhoi", 3)
    # The step modules see the renamed unit hand over to itself.
    assert ("apply", unit.pk, unit.pk) in probe_steps.CALLS


def test_a_close_with_a_successor_and_one_without(tree):
    person = make_user(tree.snv, "Phan Văn Đóng", (Role.STAFF,))
    record, _ = apply(
        make_plan(
            {"kind": "close", "unit": tree.snv.agency_code, "successor": tree.stttt.agency_code},
            {"kind": "close", "unit": tree.skhcn.agency_code},
        )
    )
    snv = fresh(tree.snv)
    assert snv.end_date == LAST_DAY and not snv.is_active
    assert UnitLink.objects.get(predecessor=snv).kind == "closed"
    assert User.objects.get(pk=person.pk).unit_id == tree.stttt.pk
    # Without a successor: ended with its sub-units, no link, its step is its own.
    for unit in (tree.skhcn, tree.skhcn_office, tree.skhcn_team):
        assert fresh(unit).end_date == LAST_DAY
        assert not UnitLink.objects.filter(predecessor=unit).exists()
    assert successor_of(fresh(tree.skhcn)) is None
    assert record.steps.filter(key=f"close:{tree.skhcn.agency_code}").exists()


def test_the_sub_units_of_a_merged_unit_go_to_its_successor(tree):
    apply(
        make_plan(
            {"kind": "merge", "units": [tree.skhcn.agency_code], "into": tree.stttt.agency_code}
        )
    )
    for unit in (tree.skhcn_office, tree.skhcn_team):
        unit = fresh(unit)
        assert unit.end_date == LAST_DAY
        assert successor_of(unit) == tree.stttt
    # Each ended unit handed over to the successor: one transfer each.
    applied = [(source, target) for kind, source, target in probe_steps.CALLS if kind == "apply"]
    assert applied == [
        (tree.skhcn.pk, tree.stttt.pk),
        (tree.skhcn_office.pk, tree.stttt.pk),
        (tree.skhcn_team.pk, tree.stttt.pk),
    ]


def test_applying_again_changes_nothing(tree):
    plan = make_plan(
        {
            "kind": "merge",
            "units": [tree.anhoi.agency_code, tree.phuhung.agency_code],
            "into": "moi",
        },
        {"kind": "rename", "unit": tree.stttt.agency_code, "name": "Sở Truyền thông"},
        {"kind": "move", "unit": tree.phunhuan.agency_code, "parent": tree.root.agency_code},
        {"kind": "close", "unit": tree.skhcn.agency_code, "successor": tree.snv.agency_code},
        new_units=[new_unit("moi", "000.50.21.H07", tree.district.agency_code)],
    )
    admin = tree.province.province_admin
    record, first = apply(plan, actor=admin)
    assert len(first.done) == 5
    units = list(Unit.objects.order_by("pk").values())
    links = list(UnitLink.objects.order_by("pk").values())
    records = list(UnitRecord.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    calls = len(probe_steps.CALLS)

    again = plan_apply(record, actor=admin, modules=step_modules((PROBE,)))
    assert again.done == [] and again.skipped == 5 and not again.changed
    assert list(Unit.objects.order_by("pk").values()) == units
    assert list(UnitLink.objects.order_by("pk").values()) == links
    assert list(UnitRecord.objects.order_by("pk").values()) == records
    assert AuditEvent.objects.count() == events
    assert len(probe_steps.CALLS) == calls  # no step module called again
    assert audit_verify()[1] == []


def test_a_plan_stopped_half_way_is_finished_by_running_it_again(tree):
    plan = make_plan(
        {"kind": "merge", "units": [tree.anhoi.agency_code], "into": tree.stttt.agency_code},
        {"kind": "merge", "units": [tree.phuhung.agency_code], "into": tree.snv.agency_code},
    )
    record = plan_create(actor=None, data=plan)
    probe_steps.CONFLICT_FOR.clear()
    # The second step's module fails: its transaction rolls back, the first step stays done.
    failing = step_modules(("tests.reorganisation.failing_steps",))
    with pytest.raises(RuntimeError):
        plan_apply(record, actor=None, modules=failing)
    assert list(record.steps.values_list("key", flat=True)) == [f"target:{tree.stttt.agency_code}"]
    assert fresh(tree.anhoi).end_date == LAST_DAY and fresh(tree.phuhung).end_date is None
    record.refresh_from_db()
    assert record.state == PlanState.DRAFT
    result = plan_apply(record, actor=None, modules=step_modules((PROBE,)))
    assert [s.key for s in result.done] == [f"target:{tree.snv.agency_code}"]
    assert result.skipped == 1
    assert fresh(tree.phuhung).end_date == LAST_DAY
    record.refresh_from_db()
    assert record.state == PlanState.APPLIED


def test_a_conflict_in_the_preview_stops_the_apply(tree):
    probe_steps.CONFLICT_FOR.add(tree.anhoi.agency_code)
    record = plan_create(
        actor=None,
        data=make_plan(
            {"kind": "merge", "units": [tree.anhoi.agency_code], "into": tree.stttt.agency_code}
        ),
    )
    with pytest.raises(PlanError) as refused:
        plan_apply(record, actor=None, modules=step_modules((PROBE,)))
    assert refused.value.message == (
        "Kế hoạch còn 1 vướng mắc cần xử lý trước khi áp dụng: Đơn vị Ủy ban nhân dân xã An Hội "
        "còn việc chưa chuyển được."
    )
    assert fresh(tree.anhoi).end_date is None
    assert not record.steps.exists()
    record.refresh_from_db()
    assert record.schedule == {} and record.state == PlanState.DRAFT


def test_before_the_effective_date_nothing_is_applied(tree):
    record = plan_create(
        actor=None,
        data=make_plan(
            {"kind": "merge", "units": [tree.anhoi.agency_code], "into": tree.stttt.agency_code}
        ),
    )
    events = AuditEvent.objects.count()
    with pytest.raises(PlanError) as refused:
        plan_apply(record, actor=None, today=LAST_DAY)
    assert refused.value.message == (
        "Kế hoạch có hiệu lực từ ngày 01/07/2025; chưa áp dụng được trước ngày đó (hôm nay là "
        "30/06/2025)."
    )
    assert fresh(tree.anhoi).end_date is None and AuditEvent.objects.count() == events
    assert not record.steps.exists()


@pytest.mark.parametrize("who", ["admin_stttt", "staff_stttt", "leader_stttt"])
def test_only_the_province_administrator_plans_and_applies(tree, who):
    actor = getattr(tree.province, who)
    plan = make_plan(
        {"kind": "merge", "units": [tree.anhoi.agency_code], "into": tree.stttt.agency_code}
    )
    with pytest.raises(AccessDenied):
        plan_create(actor=actor, data=plan)
    record = plan_create(actor=None, data=plan)
    with pytest.raises(AccessDenied):
        plan_apply(record, actor=actor)
    assert fresh(tree.anhoi).end_date is None
