""" "Báo lỗi" on every signed-in page (R21; Art. 11.1.đ): registered with core.page_tools in
`OversightConfig.ready()`; the link carries the address of the page it is on, so that the
report records where the person was."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from vanban.core.page_tools import PageTool


def fault_report_tool(request: HttpRequest) -> list[PageTool]:
    url = reverse("oversight:fault_new")
    here = request.get_full_path()
    if not request.path.startswith(url):
        url = f"{url}?{urlencode({'tu': here})}"
    return [
        PageTool(
            label="Báo lỗi",
            url=url,
            title="Báo lỗi phần mềm, nghi ngờ lạm dụng, tệp đáng ngờ hoặc đề nghị hỗ trợ",
            id="fault-report-link",
        )
    ]
