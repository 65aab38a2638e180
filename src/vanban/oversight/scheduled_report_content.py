"""What a scheduled report contains (R24): the usage figures of its scope and period, as a PDF to
read and send and an XLSX with the same numbers."""

from dataclasses import dataclass, field

from vanban.accounts.models import Unit
from vanban.reports.periods import Period


@dataclass(frozen=True)
class ReportFile:
    file_format: str  # "pdf" or "xlsx"
    name: str  # offered on download and as the e-mail attachment's name
    data: bytes


@dataclass
class ReportContent:
    title: str
    files: list[ReportFile] = field(default_factory=list)


def report_title(*, period: Period, unit: Unit | None) -> str:
    scope = unit.name if unit is not None else "toàn tỉnh"
    return f"Báo cáo tình hình sử dụng phần mềm quản lý văn bản {period.name.lower()}: {scope}"


def report_content(*, kind: str, period: Period, unit: Unit | None) -> ReportContent:
    raise NotImplementedError
