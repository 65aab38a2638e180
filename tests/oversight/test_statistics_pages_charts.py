"""The SVG charts of the usage statistics (R24): well-formed, proportional, accessible, and the
same numbers in the table under each chart."""

import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from vanban.oversight.charts import Chart, ChartSeries, chart_svg, nice_ceiling

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart_svg(chart)))  # noqa: S314 - our own output


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall("svg:rect[@class='bar']", NS)


def units_chart(**extra) -> Chart:
    return Chart(
        title="Văn bản đến theo đơn vị",
        description="Văn bản đến điện tử và giấy của từng đơn vị trong quý IV năm 2026.",
        categories=("Sở Nội vụ", "Sở Thông tin và Truyền thông", "UBND huyện <Chợ Lách> & Co"),
        series=(
            ChartSeries("Điện tử", (30, 0, 12)),
            ChartSeries("Giấy", (10, 5, 3)),
        ),
        slug="units",
        **extra,
    )


def test_grouped_bars_are_proportional_to_their_values():
    root = parse(units_chart())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox").startswith("0 0 640 ")
    drawn = bars(root)
    assert [int(rect.get("data-value")) for rect in drawn] == [30, 10, 0, 5, 12, 3]
    widths = {int(rect.get("data-value")): float(rect.get("width")) for rect in drawn}
    assert widths[0] == 0
    # The largest value takes the whole plot; the others their share of it.
    assert widths[30] == pytest.approx(570)
    for value in (10, 5, 12, 3):
        assert widths[value] / widths[30] == pytest.approx(value / 30, abs=0.001)
    # Two series in two colours, each bar named with its category, series and value.
    assert {rect.get("fill") for rect in drawn} == {"#0b4f8a", "#d55e00"}
    assert drawn[4].find("svg:title", NS).text == "UBND huyện <Chợ Lách> & Co – Điện tử: 12"


def test_stacked_bars_share_one_row_scaled_to_the_largest_sum():
    root = parse(units_chart(stacked=True))
    drawn = bars(root)
    by_row = [drawn[i : i + 2] for i in range(0, 6, 2)]
    # One row a unit: the paper bar starts where the electronic one ends.
    for electronic, paper in by_row:
        assert electronic.get("y") == paper.get("y")
        assert float(paper.get("x")) == pytest.approx(
            float(electronic.get("x")) + float(electronic.get("width"))
        )
    total_widths = [sum(float(r.get("width")) for r in row) for row in by_row]
    assert total_widths[0] == pytest.approx(570)  # 40, the largest sum
    assert total_widths[1] / total_widths[0] == pytest.approx(5 / 40)
    assert total_widths[2] / total_widths[0] == pytest.approx(15 / 40)
    # The sum of each row is written after it.
    texts = [t.text for t in root.findall("svg:text", NS)]
    assert {"40", "5", "15"} <= set(texts)


def test_columns_over_time_rise_in_proportion_on_a_round_axis():
    chart = Chart(
        title="Văn bản đi theo tháng",
        description="Số văn bản đi mỗi tháng.",
        categories=("10/2026", "11/2026", "12/2026"),
        series=(ChartSeries("Văn bản đi", (7, 14, 0)),),
        kind="columns",
        category_header="Tháng",
    )
    root = parse(chart)
    heights = [float(rect.get("height")) for rect in bars(root)]
    plot = 280 - 40 - 14
    # The axis goes to 20 (the round number above 14): 7 is 35 % of the plot, 14 is 70 %.
    assert heights == pytest.approx([plot * 7 / 20, plot * 14 / 20, 0])
    texts = [t.text for t in root.findall("svg:text", NS)]
    assert {"0", "5", "10", "15", "20", "10/2026", "12/2026"} <= set(texts)
    # Every column stands on the axis.
    for rect in bars(root):
        assert float(rect.get("y")) + float(rect.get("height")) == pytest.approx(280 - 40)


def test_line_points_follow_the_values():
    chart = Chart(
        title="Tỷ lệ",
        description="Một đường.",
        categories=("Q1", "Q2", "Q3", "Q4"),
        series=(ChartSeries("Điện tử", (0, 10, 20, 40)), ChartSeries("Giấy", (5, 5, 5, 5))),
        kind="line",
    )
    root = parse(chart)
    lines = root.findall("svg:polyline", NS)
    assert len(lines) == 2
    points = root.findall("svg:circle", NS)
    assert [int(p.get("data-value")) for p in points] == [0, 10, 20, 40, 5, 5, 5, 5]
    bottom = 280 - 40
    ys = [bottom - float(p.get("cy")) for p in points[:4]]
    assert ys[0] == 0
    assert ys[2] / ys[1] == pytest.approx(2)
    assert ys[3] / ys[1] == pytest.approx(4)


def test_all_zero_and_empty_charts_draw_without_dividing_by_zero():
    zero = Chart(
        title="Không",
        description="Mọi giá trị bằng 0.",
        categories=("A", "B"),
        series=(ChartSeries("Điện tử", (0, 0)),),
    )
    assert [float(r.get("width")) for r in bars(parse(zero))] == [0, 0]
    for kind in ("columns", "line"):
        root = parse(Chart(**{**zero.__dict__, "kind": kind}))
        assert root.findall("svg:text", NS)
    empty = Chart(title="Trống", description="Không có đơn vị.", categories=(), series=())
    root = parse(empty)
    assert not bars(root)
    assert root.find("svg:title", NS).text == "Trống"
    assert "Không có số liệu trong kỳ." in [t.text for t in root.findall("svg:text", NS)]


def test_title_and_description_name_the_image_for_screen_readers():
    root = parse(units_chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "units-title units-desc"
    assert root.find("svg:title", NS).get("id") == "units-title"
    assert root.find("svg:desc", NS).text.startswith("Văn bản đến điện tử và giấy")


def test_a_chart_refuses_values_that_do_not_match_its_categories():
    with pytest.raises(ValueError, match="one value a category"):
        Chart(title="x", description="x", categories=("A",), series=(ChartSeries("s", (1, 2)),))
    with pytest.raises(ValueError, match="negative"):
        Chart(title="x", description="x", categories=("A",), series=(ChartSeries("s", (-1,)),))


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (260, 500)]
)
def test_nice_ceiling(value, top):
    assert nice_ceiling(value) == top


def test_the_figure_has_the_same_numbers_in_a_table_under_the_chart():
    chart = units_chart(show_total=True, links=("/a/", "/b/", "/c/"))
    html = Template("{% load oversight_charts %}{% chart_figure chart %}").render(
        Context({"chart": chart})
    )
    figure = ET.fromstring(html)  # noqa: S314 - our own output
    table = figure.find(".//table")
    rows = [
        ["".join(cell.itertext()).strip() for cell in row] for row in table.find("tbody").iter("tr")
    ]
    assert rows == [
        ["Sở Nội vụ", "30", "10", "40"],
        ["Sở Thông tin và Truyền thông", "0", "5", "5"],
        ["UBND huyện <Chợ Lách> & Co", "12", "3", "15"],
    ]
    assert [a.get("href") for a in table.iter("a")] == ["/a/", "/b/", "/c/"]
    headers = ["".join(th.itertext()) for th in table.find("thead").iter("th")]
    assert headers == ["Đơn vị", "Điện tử", "Giấy", "Tổng cộng"]
    # The chart itself comes before its table.
    children = [
        child.tag for child in figure.iter() if child.tag in ("table", f"{{{NS['svg']}}}svg")
    ]
    assert children[-1] == "table"


def test_large_numbers_are_grouped_the_vietnamese_way():
    chart = Chart(
        title="Nhiều",
        description="Số lớn.",
        categories=("Tỉnh",),
        series=(ChartSeries("Văn bản", (12345,)),),
    )
    html = Template("{% load oversight_charts %}{% chart_figure chart %}").render(
        Context({"chart": chart})
    )
    assert '<td class="number">12.345</td>' in html
    assert ">12.345</text>" in html
