"""The preview of a plan (reads only: the rule's sub-units listed, each step module's lines for each
transfer) and `vanban units reorganise` (docs/reorganisation.md, "Preparing and applying a
plan")."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reorganisation import probe_steps
from tests.reorganisation.support import make_plan, new_unit
from vanban.accounts.models import Unit, UnitLink
from vanban.audit.models import AuditEvent
from vanban.reorganisation import steps
from vanban.reorganisation.models import PlanState, ReorganisationPlan
from vanban.reorganisation.plan import plan_parse
from vanban.reorganisation.preview import plan_preview, plan_schedule
from vanban.reorganisation.steps import STEP_MODULES, step_label, step_modules

pytestmark = pytest.mark.django_db

PROBE = "tests.reorganisation.probe_steps"


@pytest.fixture(autouse=True)
def _probe_starts_clean():
    probe_steps.CALLS.clear()
    probe_steps.CONFLICT_FOR.clear()


def split_plan(tree):  # type: ignore[no-untyped-def]
    return make_plan(
        {
            "kind": "split",
            "unit": tree.district.agency_code,
            "into": ["anhoi", "phuhung"],
            "default": "anhoi",
        },
        {"kind": "move", "unit": tree.phunhuan.agency_code, "parent": "phuhung"},
        new_units=[
            new_unit("anhoi", "000.41.00.H07", tree.root.agency_code, abbreviation="panhoi"),
            new_unit("phuhung", "000.42.00.H07", tree.root.agency_code, abbreviation="pphuhung"),
        ],
    )


def test_every_app_that_keeps_work_per_unit_hands_it_over_in_order():
    names = [m.name for m in step_modules()]
    assert names == list(STEP_MODULES)
    assert {n.split(".")[1] for n in names} >= {
        "accounts",
        "documents",
        "records",
        "workflow",
        "drafting",
        "exchange",
    }
    # Delegations (workflow) are re-checked against where the people are after the move.
    assert names.index("vanban.accounts.reorganise") < names.index("vanban.workflow.reorganise")
    for module in step_modules():
        assert callable(module.module.transfer_preview) and callable(module.module.transfer_apply)
        assert module.label != module.name.split(".")[1], module.name
    assert step_label("vanban.documents.reorganise") == "Văn bản, sổ văn bản"
    assert [m.label for m in step_modules((PROBE,))] == ["tests"]


def test_the_preview_lists_the_rule_and_writes_nothing(tree):
    before = (Unit.objects.count(), UnitLink.objects.count(), AuditEvent.objects.count())
    plan = plan_parse(split_plan(tree))
    preview = plan_preview(plan, actor=tree.province.province_admin, modules=step_modules((PROBE,)))
    assert [u["key"] for u in preview.created] == ["anhoi", "phuhung"]
    assert [u["level"] for u in preview.created] == [2, 2]
    ended = [(u["name"], u["by_rule"], u["successors"]) for u in preview.ended]
    # The moved commune keeps its own change; the others end with the district.
    assert ended == [
        (
            tree.district.name,
            False,
            ["Ủy ban nhân dân phường Anhoi", "Ủy ban nhân dân phường Phuhung"],
        ),
        (tree.district_office.name, True, ["Ủy ban nhân dân phường Anhoi"]),
        (tree.anhoi.name, True, ["Ủy ban nhân dân phường Anhoi"]),
        (tree.phuhung.name, True, ["Ủy ban nhân dân phường Anhoi"]),
    ]
    assert [(m["unit"].name, m["after"], m["level"]) for m in preview.moved] == [
        (tree.phunhuan.name, "Ủy ban nhân dân phường Phuhung", 3)
    ]
    # One transfer per ended unit and one for the moved unit, each through every step module.
    transfers = [(t.source.name, t.target.name) for s in preview.steps for t in s.transfers]
    assert len(transfers) == 5 and preview.can_apply and preview.warnings == []
    assert [c[0] for c in probe_steps.CALLS] == ["preview"] * 5
    assert before == (Unit.objects.count(), UnitLink.objects.count(), AuditEvent.objects.count())


def test_the_schedule_names_units_by_id_and_new_units_by_key(tree):
    schedule = plan_schedule(plan_parse(split_plan(tree)))
    assert [s["key"] for s in schedule] == [
        "new:anhoi",
        "new:phuhung",
        "target:anhoi",
        f"target:{tree.phunhuan.agency_code}",
    ]
    assert schedule[2]["ends"][0]["links"] == [
        {"successor": {"new": "anhoi"}, "is_default": True},
        {"successor": {"new": "phuhung"}, "is_default": False},
    ]
    assert schedule[3]["move"] == {"parent": {"new": "phuhung"}}
    json.dumps(schedule)  # kept with the plan as JSON


def test_a_close_without_successor_is_a_warning(tree):
    plan = plan_parse(make_plan({"kind": "close", "unit": tree.snv.agency_code}))
    preview = plan_preview(plan, actor=None, modules=[])
    assert preview.warnings == [
        "Đơn vị “Sở Nội vụ” (000.00.05.H07) chấm dứt hoạt động mà không có đơn vị kế thừa: công "
        "việc đang mở của đơn vị (nếu có) sẽ không được chuyển."
    ]


def test_the_command_previews_by_default_and_applies_with_apply(tree, tmp_path, monkeypatch):
    monkeypatch.setattr(steps, "STEP_MODULES", (PROBE,))
    path = tmp_path / "PLAN.json"
    path.write_text(json.dumps(split_plan(tree), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("units", "reorganise", str(path), stdout=out)
    text = out.getvalue()
    assert "Thành lập: Ủy ban nhân dân phường Anhoi (000.41.00.H07)" in text
    assert (
        "Chấm dứt hoạt động: Phòng Nội vụ huyện Châu Thành (000.01.21.H07), đơn vị cấp dưới của "
        "Ủy ban nhân dân huyện Châu Thành → Ủy ban nhân dân phường Anhoi"
    ) in text
    assert "Không có vướng mắc. Thêm --apply để áp dụng." in text
    assert (
        not ReorganisationPlan.objects.exists() and Unit.objects.get(pk=tree.district.pk).is_active
    )

    out = io.StringIO()
    call_command("units", "reorganise", str(path), "--apply", stdout=out)
    assert "4 bước đã thực hiện, 0 bước đã có từ trước." in out.getvalue()
    record = ReorganisationPlan.objects.get()
    assert record.state == PlanState.APPLIED and record.created_by is None
    assert not Unit.objects.get(pk=tree.district.pk).is_active

    # The same file again: the same plan, nothing done.
    out = io.StringIO()
    call_command("units", "reorganise", str(path), "--apply", stdout=out)
    assert "0 bước đã thực hiện, 4 bước đã có từ trước." in out.getvalue()
    assert ReorganisationPlan.objects.count() == 1


def test_the_command_refuses_a_bad_plan_with_status_2(tree, tmp_path):
    path = tmp_path / "PLAN.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("units", "reorganise", str(path))
    assert refused.value.returncode == 2
    assert str(refused.value).startswith("Tệp kế hoạch không phải JSON hợp lệ: dòng 1, cột 2")
    assert str(refused.value).endswith("Không có gì thay đổi.")
    with pytest.raises(CommandError) as refused:
        call_command("units", "reorganise", str(tmp_path / "none.json"))
    assert refused.value.returncode == 2 and "Không đọc được tệp kế hoạch" in str(refused.value)
    path.write_text(json.dumps(split_plan(tree), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("units", "reorganise", str(path), "--apply", "--today", "2025-06-30")
    assert refused.value.returncode == 2
    assert "Kế hoạch có hiệu lực từ ngày 01/07/2025" in str(refused.value)
    assert Unit.objects.get(pk=tree.district.pk).is_active
