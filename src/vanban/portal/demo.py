"""The demo province as `vanban quickstart` and `vanban demo load` load it: one sequence, so the
first run and the command give the same demo (units and people, documents, the week's calendar,
the yearly dossier lists, usage statistics, the test PKI and the reorganisation plans of 1 July
2025 waiting to be applied)."""

from __future__ import annotations

from collections.abc import Callable

from vanban.accounts.demo import DemoLoadResult, demo_province_load
from vanban.agenda.demo import demo_agenda_load
from vanban.documents.demo import demo_documents_load
from vanban.oversight.demo import demo_usage_build
from vanban.records.demo import demo_records_load
from vanban.reorganisation.demo import demo_plans_store
from vanban.signatures import testpki
from vanban.signatures.demo import demo_signatures_load


def demo_load(say: Callable[[str], None]) -> DemoLoadResult:
    """Load the whole demo into an empty database, telling each part through `say`. Raises
    `ServiceError` (from the province's load) when the database is not empty."""
    result = demo_province_load()
    say(
        f"Đã nạp tỉnh mẫu: {result.units} đơn vị, {result.accounts} tài khoản "
        f"({result.seconds:.1f} giây)."
    )
    documents = demo_documents_load()
    say(f"Đã vào sổ {documents.incoming} văn bản đến và {documents.outgoing} văn bản đi mẫu.")
    entries = demo_agenda_load()
    if entries:
        say(f"Đã công bố lịch công tác tuần này ({entries} nội dung) của Sở.")
    records = demo_records_load()
    if records.lists:
        say(
            f"Đã phê duyệt danh mục hồ sơ năm nay của {records.lists} cơ quan "
            f"({records.entries} hồ sơ); {records.archivists} tài khoản được giao vai trò "
            "lưu trữ cơ quan."
        )
    usage = demo_usage_build()
    if usage is not None:
        say(f"Đã tính số liệu thống kê sử dụng từ ngày {usage.first:%d/%m/%Y} đến hôm nay.")
    signatures = demo_signatures_load()
    if signatures.loaded:
        say(
            f"Hệ thống chứng thực thử nghiệm tại {signatures.directory}: chứng thư số cá nhân của "
            f"Giám đốc Sở, chứng thư số tổ chức và con dấu của Sở (mã PIN {testpki.PIN})."
        )
    plans = demo_plans_store()
    say(
        f"Tỉnh mẫu là tỉnh trước ngày 01/07/2025; {len(plans)} kế hoạch sắp xếp đơn vị ngày "
        "01/07/2025 chờ áp dụng (Quản trị › Sắp xếp đơn vị, hoặc lệnh `vanban demo reorganise`)."
    )
    return result
