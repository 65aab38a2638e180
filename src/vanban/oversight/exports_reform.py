"""The ranking of units by their administrative-reform points as a spreadsheet (R24, Art. 12.2):
a row per unit with its rank, the points of every criterion and the total."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from vanban.accounts.models import Unit, User
from vanban.core.text import format_date_vi

from .reform import UnitScore


def ranking_xlsx(scores: list[UnitScore], *, year: int, parent: Unit | None, user: User) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Xếp hạng năm {year}"
    title = f"Xếp hạng ứng dụng công nghệ thông tin trong quản lý văn bản năm {year}"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    scope = f"Các đơn vị trực thuộc {parent.name}" if parent else "Các đơn vị cấp cao nhất"
    sheet.cell(row=2, column=1, value=scope)
    moment = timezone.localtime()
    sheet.cell(
        row=3,
        column=1,
        value=f"Người xuất: {user.full_name}, lúc {moment:%H:%M} ngày {format_date_vi(moment)}.",
    )
    criteria = list(scores[0].scheme.criteria.all()) if scores else []
    header = [
        "Hạng",
        "Đơn vị",
        *(f"{c.code} (tối đa {c.max_points.normalize():f})" for c in criteria),
        "Tổng điểm",
    ]
    fill = PatternFill("solid", fgColor="EEF2F7")
    for index, name in enumerate(header, start=1):
        cell = sheet.cell(row=5, column=index, value=name)
        cell.font, cell.fill = Font(bold=True), fill
    sheet.column_dimensions["B"].width = 45
    for position, score in enumerate(scores, start=6):
        values: list[object] = [
            score.rank,
            score.unit.name,
            *(float(r.points) for r in score.results),
            float(score.total),
        ]
        for index, value in enumerate(values, start=1):
            sheet.cell(row=position, column=index, value=value)
    sheet.freeze_panes = "C6"
    workbook.properties.title = title
    workbook.properties.creator = "vanban"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
