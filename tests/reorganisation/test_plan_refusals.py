"""A plan that breaks a rule is refused with one Vietnamese sentence naming the line or the unit,
and nothing is written (docs/reorganisation.md, "The plan")."""

import json

import pytest

from tests.reorganisation.support import make_plan, new_unit
from vanban.accounts.models import Unit, UnitLink, UnitRecord
from vanban.audit.models import AuditEvent
from vanban.reorganisation.apply import plan_apply, plan_create
from vanban.reorganisation.models import ReorganisationPlan
from vanban.reorganisation.plan import PlanError, plan_parse

pytestmark = pytest.mark.django_db

ROOT, STTTT, SNV = "000.00.00.H07", "000.00.12.H07", "000.00.05.H07"
SKHCN, OFFICE, TEAM = "000.00.14.H07", "001.00.14.H07", "002.00.14.H07"
DISTRICT, ANHOI, PHUHUNG = "000.00.21.H07", "000.31.21.H07", "000.32.21.H07"


def merge(*units: str, into: str = STTTT) -> dict:
    return {"kind": "merge", "units": list(units), "into": into}


CASES = [
    (
        "{not json",
        "Tệp kế hoạch không phải JSON hợp lệ: dòng 1, cột 2 (Expecting property name enclosed in "
        "double quotes).",
    ),
    ("[1, 2]", "Kế hoạch phải là một đối tượng JSON ({...})."),
    (make_plan(merge(ANHOI), title=""), "Kế hoạch: thiếu “title”."),
    (
        make_plan(merge(ANHOI), effective_date="2025-07-32"),
        "Kế hoạch: ngày “2025-07-32” không hợp lệ; ghi dạng YYYY-MM-DD, ví dụ 2025-07-01.",
    ),
    (
        make_plan(merge(ANHOI), effective_date="01/07/2025"),
        "Kế hoạch: ngày “01/07/2025” không hợp lệ; ghi dạng YYYY-MM-DD, ví dụ 2025-07-01.",
    ),
    (
        make_plan(merge(ANHOI), decision={"number": "1/QĐ", "date": "2025-08-01"}),
        "Ngày quyết định 01/08/2025 sau ngày có hiệu lực 01/07/2025.",
    ),
    (make_plan(), "Kế hoạch không có thay đổi nào (“changes” trống)."),
    (
        make_plan({"kind": "join", "unit": ANHOI}),
        "Thay đổi thứ 1: “kind” phải là một trong merge, split, rename, move, close (đang là "
        "'join').",
    ),
    (
        make_plan(merge("000.99.21.H07")),
        "Thay đổi thứ 1 (hợp nhất, sáp nhập): không có đơn vị nào mang mã định danh "
        "“000.99.21.H07”.",
    ),
    (
        make_plan(merge(ANHOI, into="khongco")),
        "Thay đổi thứ 1 (hợp nhất, sáp nhập): “khongco” không phải mã định danh của đơn vị đã "
        "có, cũng không phải khóa của đơn vị mới.",
    ),
    (
        make_plan(merge(ANHOI), merge(ANHOI, into=SNV)),
        "Thay đổi thứ 2 (hợp nhất, sáp nhập): đơn vị “Ủy ban nhân dân xã An Hội” (000.31.21.H07) "
        "đã có trong thay đổi thứ 1 (hợp nhất, sáp nhập); mỗi đơn vị chỉ có một thay đổi cùng "
        "loại và đơn vị chấm dứt hoạt động không đổi tên, không chuyển.",
    ),
    (
        make_plan({"kind": "rename", "unit": ANHOI, "name": "Xã Mới"}, merge(ANHOI)),
        "Thay đổi thứ 2 (hợp nhất, sáp nhập): đơn vị “Ủy ban nhân dân xã An Hội” (000.31.21.H07) "
        "đã có trong thay đổi thứ 1 (đổi tên); mỗi đơn vị chỉ có một thay đổi cùng loại và đơn "
        "vị chấm dứt hoạt động không đổi tên, không chuyển.",
    ),
    (
        make_plan(merge(ANHOI, into=PHUHUNG), merge(PHUHUNG, into=SNV)),
        "Thay đổi thứ 1 (hợp nhất, sáp nhập): đơn vị “Ủy ban nhân dân xã Phú Hưng” "
        "(000.32.21.H07) cũng chấm dứt hoạt động theo thay đổi thứ 2 (hợp nhất, sáp nhập), không "
        "thể là đơn vị kế thừa hoặc đơn vị cấp trên.",
    ),
    (
        make_plan(
            merge(ANHOI, into="pa"),
            new_units=[
                new_unit("pa", "000.40.21.H07", ROOT),
                new_unit("pa", "000.41.21.H07", ROOT),
            ],
        ),
        "Đơn vị mới “pa”: khóa “pa” được dùng hai lần.",
    ),
    (
        make_plan(merge(ANHOI, into="pa"), new_units=[new_unit("pa", SNV, ROOT)]),
        "Đơn vị mới “pa”: mã định danh “000.00.05.H07” đã được dùng cho đơn vị “Sở Nội vụ” "
        "(000.00.05.H07).",
    ),
    (
        make_plan(
            merge(ANHOI, into="pa"),
            new_units=[new_unit("pa", "000.40.21.H07", ROOT, abbreviation="snv")],
        ),
        "Đơn vị mới “pa”: tên viết tắt “snv” đã được dùng cho đơn vị “Sở Nội vụ” (000.00.05.H07).",
    ),
    (
        make_plan(merge(ANHOI, into="pa"), new_units=[new_unit("pa", "H07", ROOT)]),
        "Đơn vị mới “pa”: Mã định danh “H07” không đúng dạng: chỉ có mã cấp 1 “H07”, thiếu các "
        "nhóm trước nó (ví dụ 000.00.00.H07). Dạng đúng: 000.00.00.H07 (đủ 4 cấp "
        "V1V2V3.Z1Z2.Y1Y2.H##) hoặc 14.00.W00 (3 nhóm Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg.",
    ),
    (
        make_plan(merge(ANHOI, into="pa"), new_units=[new_unit("pa", "000.40.21.H07", TEAM)]),
        "Sau kế hoạch, đơn vị “Ủy ban nhân dân phường Pa” (pa) ở cấp 5; cây đơn vị chỉ có tối đa 4 "
        "cấp.",
    ),
    (
        make_plan(
            merge(DISTRICT),
            merge(ANHOI, into="pa"),
            new_units=[new_unit("pa", "000.40.21.H07", DISTRICT)],
        ),
        "Đơn vị mới “pa”: đơn vị cấp trên “000.00.21.H07” chấm dứt hoạt động theo thay đổi thứ 1 "
        "(hợp nhất, sáp nhập).",
    ),
    (
        make_plan({"kind": "move", "unit": OFFICE, "parent": ANHOI}),
        "Sau kế hoạch, đơn vị “Tổ Văn thư” (002.00.14.H07) ở cấp 5; cây đơn vị chỉ có tối đa 4 "
        "cấp.",
    ),
    (
        make_plan({"kind": "move", "unit": SKHCN, "parent": TEAM}),
        "Sau kế hoạch, đơn vị “Sở Khoa học và Công nghệ” (000.00.14.H07) nằm trong một vòng cấp "
        "trên – cấp dưới (chuyển đơn vị tạo vòng lặp).",
    ),
    (
        make_plan({"kind": "move", "unit": SKHCN, "parent": PHUHUNG}),
        "Sau kế hoạch, đơn vị “Văn phòng Sở Khoa học và Công nghệ” (001.00.14.H07) ở cấp 5; cây "
        "đơn vị chỉ có tối đa 4 cấp.",
    ),
    (
        make_plan({"kind": "split", "unit": DISTRICT, "into": [STTTT, SNV], "default": SKHCN}),
        "Thay đổi thứ 1 (chia tách): “default” (000.00.14.H07) phải là một đơn vị của “into”.",
    ),
    (
        make_plan({"kind": "split", "unit": DISTRICT, "into": [STTTT], "default": STTTT}),
        "Thay đổi thứ 1 (chia tách): “into” phải có ít nhất hai đơn vị (chia tách).",
    ),
    (
        make_plan({"kind": "rename", "unit": STTTT, "agency_code": SNV}),
        "Thay đổi thứ 1 (đổi tên): mã định danh “000.00.05.H07” đã được dùng cho đơn vị “Sở Nội "
        "vụ” (000.00.05.H07).",
    ),
    (
        make_plan({"kind": "rename", "unit": STTTT, "name": "Sở Thông tin và Truyền thông"}),
        "Thay đổi thứ 1 (đổi tên): đơn vị “000.00.12.H07” không có gì thay đổi (name, symbol, "
        "abbreviation, agency_code giống hiện tại).",
    ),
    (
        make_plan(merge(DISTRICT), {"kind": "rename", "unit": ANHOI, "name": "Xã An Hội mới"}),
        "Thay đổi thứ 2 (đổi tên): đơn vị “Ủy ban nhân dân xã An Hội” (000.31.21.H07) ở dưới đơn "
        "vị “Ủy ban nhân dân huyện Châu Thành” (000.00.21.H07) chấm dứt hoạt động; hãy chuyển "
        "(move) đơn vị “000.31.21.H07” sang đơn vị cấp trên mới.",
    ),
    (
        make_plan({"kind": "close", "unit": ANHOI, "successor": ANHOI}),
        "Thay đổi thứ 1 (chấm dứt hoạt động): đơn vị “000.31.21.H07” không thể kế thừa chính nó.",
    ),
    (
        make_plan({"kind": "move", "unit": ROOT, "parent": STTTT}),
        "Thay đổi thứ 1 (chuyển đơn vị cấp trên): không chuyển được đơn vị gốc của tỉnh "
        "“000.00.00.H07”.",
    ),
    (
        make_plan(merge(ANHOI), items={"task:1": STTTT}),
        "Mục “items”: “task:1” phải có dạng <loại>:<số>, loại là một trong processing, draft, "
        "delivery, inbound, user.",
    ),
    (
        make_plan(merge(ANHOI), items={"user:1": ANHOI}),
        "Mục “items”: “user:1” chuyển cho đơn vị “000.31.21.H07”, đơn vị này chấm dứt hoạt động.",
    ),
]


def _world() -> tuple:
    return (
        Unit.objects.count(),
        UnitLink.objects.count(),
        UnitRecord.objects.count(),
        ReorganisationPlan.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(("plan", "message"), CASES)
def test_a_bad_plan_is_refused_and_nothing_is_written(tree, plan, message):
    before = _world()
    data = plan if isinstance(plan, str) else json.dumps(plan, ensure_ascii=False)
    with pytest.raises(PlanError) as refused:
        plan_create(actor=tree.province.province_admin, data=data.encode())
    assert refused.value.message == message
    assert _world() == before


def test_a_unit_already_ended_cannot_end_again(tree):
    Unit.objects.filter(pk=tree.anhoi.pk).update(end_date="2024-12-31", is_active=False)
    with pytest.raises(PlanError) as refused:
        plan_parse(make_plan(merge(ANHOI)))
    assert refused.value.message == (
        "Thay đổi thứ 1 (hợp nhất, sáp nhập): đơn vị “Ủy ban nhân dân xã An Hội” (000.31.21.H07) "
        "đã chấm dứt hoạt động hoặc đang tạm ngừng."
    )
    with pytest.raises(PlanError) as refused:
        plan_parse(make_plan(merge(PHUHUNG, into=ANHOI)))
    assert "(000.31.21.H07) đã chấm dứt hoạt động" in refused.value.message


def test_a_former_code_is_not_given_to_a_new_unit(tree):
    plan_create(
        actor=None,
        data=make_plan({"kind": "rename", "unit": SNV, "agency_code": "000.00.06.H07"}),
    )
    plan_apply(ReorganisationPlan.objects.get(), actor=None)
    with pytest.raises(PlanError) as refused:
        plan_parse(make_plan(merge(ANHOI, into="pa"), new_units=[new_unit("pa", SNV, ROOT)]))
    assert refused.value.message == (
        "Đơn vị mới “pa”: mã định danh “000.00.05.H07” là mã cũ của đơn vị “Sở Nội vụ”; mã đã "
        "dùng không cấp lại cho đơn vị khác."
    )


def test_a_plan_that_is_not_utf8_is_refused(tree):
    with pytest.raises(PlanError) as refused:
        plan_parse('{"title": "Sắp xếp"}'.encode("utf-16"))
    assert refused.value.message == "Tệp kế hoạch phải là văn bản UTF-8 (JSON)."
