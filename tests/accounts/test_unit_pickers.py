"""Unit pickers in a province of many units (R1; docs/accounts.md, "Unit pickers"): each unit is
named with the units above it up to its agency, the options are grouped by agency in the order
of the tree, each carries its agency code for the filter box, and a picker costs the same
queries whatever the number of units."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.documents import DECLARED, doc_type
from tests.support.drafting import make_team
from tests.support.files import pdf_upload
from tests.support.province import add_districts, add_unit, make_user
from vanban.accounts.models import Role, RoleAssignment, Unit
from vanban.accounts.unit_fields import (
    UnitChoiceField,
    UnitMultipleChoiceField,
    in_tree_order,
    unit_label,
)
from vanban.core.forms import Form
from vanban.core.text import fold
from vanban.documents import services as document_services

pytestmark = [pytest.mark.django_db]

DISTRICTS = ["Châu Thành", "Ba Tri", "Bình Đại", "Giồng Trôm", "Mỏ Cày Nam", "Thạnh Phú"]
INCOMING_NEW = "/van-ban/den/vao-so/"


class PickOne(Form):
    unit = UnitChoiceField(label="Đơn vị", queryset=Unit.objects.none(), empty_label="— Chọn —")


class PickMany(Form):
    units = UnitMultipleChoiceField(label="Đơn vị", queryset=Unit.objects.none())


def options(html: str, name: str) -> list[str]:
    """The labels of the options of the select `name` on a page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def checkboxes(html: str, name: str) -> list[str]:
    """The labels of the checkboxes `name` on a page (a list of several units)."""
    found = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>\s*([^<]*)</label>', html)
    assert found, f"no checkboxes {name}"
    return [label.strip() for label in found]


def test_labels_carry_the_units_above_up_to_the_agency(province):
    chau_thanh, ba_tri = add_districts(province.root, ["Châu Thành", "Ba Tri"])
    noi_vu = Unit.objects.get(parent=chau_thanh, name="Phòng Nội vụ")
    one_stop = add_unit("Bộ phận Một cửa", "MC", "motcuah40", "001.01.40.H07", noi_vu)
    units = Unit.objects.select_related("parent__parent")

    assert unit_label(units.get(pk=one_stop.pk)) == (
        "Bộ phận Một cửa – Phòng Nội vụ – UBND huyện Châu Thành"
    )
    assert unit_label(units.get(pk=noi_vu.pk)) == "Phòng Nội vụ – UBND huyện Châu Thành"
    assert unit_label(units.get(pk=ba_tri.pk)) == "UBND huyện Ba Tri"
    assert unit_label(units.get(pk=province.root.pk)) == "Ủy ban nhân dân tỉnh Bến Tre"

    form = PickOne({})
    form.fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
    choices = list(form.fields["unit"].choices)
    # The empty choice, the province, then one group per agency in tree order; in each group the
    # agency itself, then the units below it, each before its own children.
    assert choices[0] == ("", "— Chọn —")
    assert choices[1][1] == "Ủy ban nhân dân tỉnh Bến Tre"
    groups = [(group, [label for _value, label in members]) for group, members in choices[2:]]
    assert groups == [
        ("Sở Nội vụ", ["Sở Nội vụ"]),
        ("Sở Thông tin và Truyền thông", ["Sở Thông tin và Truyền thông"]),
        (
            "UBND huyện Ba Tri",
            [
                "UBND huyện Ba Tri",
                "Phòng Nội vụ – UBND huyện Ba Tri",
                "Văn phòng HĐND và UBND – UBND huyện Ba Tri",
            ],
        ),
        (
            "UBND huyện Châu Thành",
            [
                "UBND huyện Châu Thành",
                "Phòng Nội vụ – UBND huyện Châu Thành",
                "Bộ phận Một cửa – Phòng Nội vụ – UBND huyện Châu Thành",
                "Văn phòng HĐND và UBND – UBND huyện Châu Thành",
            ],
        ),
    ]
    html = str(form["unit"])
    assert "data-unit-picker" in html
    assert '<optgroup label="UBND huyện Châu Thành">' in html
    assert re.search(
        rf'<option value="{one_stop.pk}" data-code="001.01.40.H07">'
        "Bộ phận Một cửa – Phòng Nội vụ – UBND huyện Châu Thành</option>",
        html,
    )
    # The choice is checked against the queryset, not against the labels.
    bound = PickOne({"unit": str(one_stop.pk)})
    bound.fields["unit"].queryset = Unit.objects.filter(parent=noi_vu)  # type: ignore[attr-defined]
    assert bound.is_valid() and bound.cleaned_data["unit"] == one_stop
    refused = PickOne({"unit": str(noi_vu.pk)})
    refused.fields["unit"].queryset = Unit.objects.filter(parent=noi_vu)  # type: ignore[attr-defined]
    assert not refused.is_valid() and "unit" in refused.errors


def test_the_multiple_field_names_and_groups_alike_and_keeps_the_selection(province):
    add_districts(province.root, ["Châu Thành", "Ba Tri"])
    targets = list(Unit.objects.filter(name="Phòng Nội vụ").order_by("pk"))
    form = PickMany({"units": [str(u.pk) for u in targets]})
    form.fields["units"].queryset = Unit.objects.filter(level__gte=2)  # type: ignore[attr-defined]
    assert form.is_valid()
    assert set(form.cleaned_data["units"]) == set(targets)
    # A list of checkboxes, ticked by touch or keyboard (docs/deployment.md, "Phones"), one group
    # an agency like the single picker's optgroups.
    html = str(form["units"])
    assert html.startswith('<div id="id_units" class="choice-list">')
    assert "<select" not in html
    assert "<label>UBND huyện Ba Tri</label>" in html
    ticked = re.findall(
        r'<input type="checkbox" name="units" value="\d+" (?=[^>]*data-code="000\.01\.)'
        r"(?=[^>]* checked[ >])[^>]*>\s*([^<]*)</label>",
        html,
    )
    assert sorted(t.strip() for t in ticked) == [
        "Phòng Nội vụ – UBND huyện Ba Tri",
        "Phòng Nội vụ – UBND huyện Châu Thành",
    ]
    assert html.count(" checked") == 2


def test_tree_order_puts_siblings_by_name_without_diacritics(province):
    add_districts(province.root, ["Ấp Bắc", "An Hóa"])
    ordered = [
        u.name for u in in_tree_order(Unit.objects.select_related("parent__parent").filter(level=2))
    ]
    # "An Hóa" before "Ấp Bắc": folded, "an hoa" < "ap bac".
    assert ordered.index("UBND huyện An Hóa") < ordered.index("UBND huyện Ấp Bắc")


def add_one_stop_desks() -> None:
    """A level-4 unit under each district office of home affairs: its label reads two units
    above it."""
    for office in Unit.objects.filter(name="Phòng Nội vụ", level=3, children__isnull=True):
        n = office.agency_code.split(".")[2]
        add_unit("Bộ phận Một cửa", "MC", f"motcuah{n}", f"001.01.{n}.H07", office)


def test_labels_cost_no_query_per_option(province, django_assert_num_queries):
    add_districts(province.root, DISTRICTS)
    add_one_stop_desks()
    form = PickOne({})
    form.fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
    with django_assert_num_queries(1):
        html = str(form["unit"])
    assert html.count("<option") == 1 + 3 + 4 * len(DISTRICTS)
    assert "Bộ phận Một cửa – Phòng Nội vụ – UBND huyện Thạnh Phú" in html


@pytest.fixture
def clerk(province):
    return make_user(province.stttt, "Đoàn Thị Thư", (Role.CLERK,))


def keeps_registers_of(clerk, district_names: list[str]) -> list[Unit]:
    """The clerk also keeps the registers of the offices of home affairs of these districts."""
    offices = list(
        Unit.objects.filter(
            name="Phòng Nội vụ", parent__name__in=[f"UBND huyện {n}" for n in district_names]
        )
    )
    for office in offices:
        RoleAssignment.objects.create(user=clerk, unit=office, role=Role.CLERK)
    return offices


def by_name(names: list[str]) -> list[str]:
    return sorted(names, key=fold)


def test_the_incoming_register_page_tells_the_duplicated_units_apart(province, clerk, client_for):
    add_districts(province.root, DISTRICTS)
    keeps_registers_of(clerk, ["Ba Tri", "Châu Thành"])
    page = client_for(clerk).get(INCOMING_NEW).content.decode()
    # "Đơn vị vào sổ": the clerk's own department and the two district offices.
    assert options(page, "unit") == [
        "Sở Thông tin và Truyền thông",
        "Phòng Nội vụ – UBND huyện Ba Tri",
        "Phòng Nội vụ – UBND huyện Châu Thành",
    ]
    # "Cơ quan ban hành trong hệ thống": every unit, with its agency code.
    issuers = options(page, "issuer_unit")
    assert [label for label in issuers if label.startswith("Phòng Nội vụ")] == [
        f"Phòng Nội vụ – UBND huyện {name} (000.01.{40 + DISTRICTS.index(name)}.H07)"
        for name in by_name(DISTRICTS)
    ]
    assert len(set(issuers)) == len(issuers), "two options read the same"
    assert '<optgroup label="UBND huyện Bình Đại">' in page


def outgoing_document(team):
    return document_services.outgoing_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=document_services.DocumentInput(
            document_type=doc_type("Công văn"),
            subject="V/v rà soát biên chế năm 2027",
            recipients="Các phòng Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


@pytest.mark.usefixtures("own_storage", "drafting_clock")
def test_the_sending_page_tells_the_duplicated_units_apart(province, client_for):
    add_districts(province.root, DISTRICTS)
    team = make_team(province)
    document = outgoing_document(team)
    page = client_for(team.clerk).get(f"/lien-thong/van-ban/{document.pk}/").content.decode()
    recipients = checkboxes(page, "units")
    assert [label for label in recipients if label.startswith("Văn phòng HĐND và UBND")] == [
        f"Văn phòng HĐND và UBND – UBND huyện {name}" for name in by_name(DISTRICTS)
    ]
    assert len(set(recipients)) == len(recipients)
    assert "Sở Thông tin và Truyền thông" not in recipients  # the sender itself


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.usefixtures("own_storage", "drafting_clock")
def test_picker_pages_cost_the_same_queries_for_three_times_the_units(province, client_for):
    add_districts(province.root, DISTRICTS[:2])
    add_one_stop_desks()
    team = make_team(province)
    keeps_registers_of(team.clerk, ["Châu Thành", "Ba Tri"])
    document = outgoing_document(team)
    clerk = client_for(team.clerk)
    urls = [INCOMING_NEW, f"/lien-thong/van-ban/{document.pk}/"]
    before = [page_queries(clerk, url) for url in urls]
    add_districts(province.root, DISTRICTS[2:], first=2)
    add_one_stop_desks()
    keeps_registers_of(team.clerk, DISTRICTS[2:])
    assert Unit.objects.count() >= 3 * 2 * 4
    after = [page_queries(clerk, url) for url in urls]
    assert after == before
