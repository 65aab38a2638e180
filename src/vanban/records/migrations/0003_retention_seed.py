"""The general retention schedule in force (Thông tư 10/2022/TT-BNV), as data.

The groups follow the schedule; the items are the common kinds of dossiers of a provincial
agency with their periods as far as the text was read. The province administrator corrects them
on the schedule's pages (docs/records.md, "Danh mục hồ sơ và thời hạn bảo quản").
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

SCHEDULE = "Thời hạn bảo quản hồ sơ, tài liệu chung"
BASIS = "Thông tư 10/2022/TT-BNV"
IN_FORCE_FROM = dt.date(2023, 1, 1)

P = ("permanent", None)
S = ("superseded", None)
E = ("equipment", None)


def Y(years):  # noqa: N802 - reads like the schedule's column
    return ("years", years)


# (group number, group title, [(item title, (kind, years))])
GROUPS = [
    (
        "I",
        "Tài liệu tổng hợp",
        [
            ("Hồ sơ xây dựng, ban hành quy chế, quy định, hướng dẫn chung của cơ quan", P),
            ("Tập văn bản gửi chung đến các cơ quan (hồ sơ nguyên tắc)", S),
            ("Hồ sơ hội nghị tổng kết, sơ kết công tác năm của cơ quan", P),
            ("Kế hoạch, báo cáo công tác năm của cơ quan", P),
            ("Kế hoạch, báo cáo công tác tháng, quý", Y(5)),
            ("Văn bản gửi đến để biết, để tham khảo", Y(5)),
            ("Công văn trao đổi về công tác chung", Y(10)),
        ],
    ),
    (
        "II",
        "Tài liệu quy hoạch, kế hoạch, thống kê",
        [
            ("Hồ sơ xây dựng chiến lược, quy hoạch, kế hoạch dài hạn của ngành, cơ quan", P),
            ("Báo cáo thống kê tổng hợp năm", P),
            ("Báo cáo thống kê tháng, quý, 6 tháng", Y(10)),
        ],
    ),
    (
        "III",
        "Tài liệu tổ chức, cán bộ",
        [
            ("Hồ sơ thành lập, sáp nhập, chia tách, giải thể cơ quan, đơn vị", P),
            ("Hồ sơ bổ nhiệm, bổ nhiệm lại, miễn nhiệm, điều động, luân chuyển cán bộ", Y(70)),
            ("Hồ sơ xử lý kỷ luật cán bộ, công chức, viên chức", Y(70)),
            ("Hồ sơ gốc cán bộ, công chức, viên chức", P),
            ("Hồ sơ thi tuyển, xét tuyển công chức, viên chức", Y(20)),
        ],
    ),
    (
        "IV",
        "Tài liệu lao động, tiền lương",
        [
            ("Hồ sơ nâng bậc lương, nâng ngạch, chuyển ngạch", Y(20)),
            ("Hồ sơ giải quyết chế độ hưu trí, bảo hiểm xã hội", Y(70)),
            ("Công văn trao đổi về lao động, tiền lương", Y(10)),
        ],
    ),
    (
        "V",
        "Tài liệu kế toán, tài chính",
        [
            ("Báo cáo tài chính, quyết toán ngân sách năm", P),
            ("Sổ kế toán chi tiết, chứng từ kế toán", Y(10)),
            ("Hồ sơ kiểm kê, đánh giá lại tài sản cố định", Y(20)),
        ],
    ),
    (
        "VI",
        "Tài liệu xây dựng cơ bản",
        [
            ("Hồ sơ công trình xây dựng cơ bản nhóm A, công trình cấp đặc biệt", P),
            ("Hồ sơ công trình xây dựng cơ bản nhóm B, C", E),
            ("Hồ sơ sửa chữa nhỏ trụ sở, công trình", Y(10)),
        ],
    ),
    (
        "VII",
        "Tài liệu khoa học, công nghệ",
        [
            ("Hồ sơ đề tài, dự án khoa học cấp tỉnh trở lên", P),
            ("Hồ sơ đầu tư, nâng cấp hệ thống thông tin, phần mềm của cơ quan", E),
        ],
    ),
    (
        "VIII",
        "Tài liệu hợp tác quốc tế",
        [
            ("Hồ sơ ký kết, thực hiện thỏa thuận hợp tác quốc tế", P),
            ("Hồ sơ đoàn ra, đoàn vào", Y(20)),
        ],
    ),
    (
        "IX",
        "Tài liệu thanh tra, giải quyết khiếu nại, tố cáo",
        [
            ("Hồ sơ thanh tra vụ việc nghiêm trọng", P),
            ("Hồ sơ giải quyết khiếu nại, tố cáo", Y(15)),
            ("Sổ tiếp công dân", Y(10)),
        ],
    ),
    (
        "X",
        "Tài liệu thi đua, khen thưởng",
        [
            ("Hồ sơ khen thưởng hình thức cấp nhà nước (Huân chương, danh hiệu vinh dự)", P),
            ("Hồ sơ khen thưởng của cơ quan cho tập thể, cá nhân", Y(20)),
        ],
    ),
    (
        "XI",
        "Tài liệu pháp chế",
        [
            ("Hồ sơ xây dựng văn bản quy phạm pháp luật", P),
            ("Hồ sơ rà soát, hệ thống hóa văn bản quy phạm pháp luật", Y(20)),
            ("Tập văn bản quy phạm pháp luật của cơ quan khác gửi để thực hiện", S),
        ],
    ),
    (
        "XII",
        "Tài liệu hành chính, quản trị công sở",
        [
            ("Hồ sơ quản lý, sử dụng trụ sở, tài sản công", Y(20)),
            ("Hồ sơ mua sắm, thanh lý trang thiết bị, phương tiện", E),
            ("Sổ theo dõi sử dụng xe ô tô công", Y(5)),
            ("Hồ sơ phòng cháy, chữa cháy, bảo vệ cơ quan", Y(10)),
        ],
    ),
    (
        "XIII",
        "Tài liệu văn thư, lưu trữ (văn bản đi, văn bản đến)",
        [
            ("Sổ đăng ký văn bản đi", P),
            ("Tập lưu văn bản đi: quyết định, chỉ thị, quy chế, quy định", P),
            ("Tập lưu văn bản đi khác (công văn, thông báo, tờ trình, báo cáo)", Y(50)),
            ("Sổ đăng ký văn bản đến", Y(20)),
            ("Danh mục hồ sơ, mục lục hồ sơ và biên bản giao nhận tài liệu nộp lưu", P),
        ],
    ),
]


def seed_schedule(apps, schema_editor):
    """Create the schedule, its groups and items, unless a schedule exists already."""
    schedule_model = apps.get_model("records", "RetentionSchedule")
    group_model = apps.get_model("records", "RetentionGroup")
    item_model = apps.get_model("records", "RetentionItem")
    if schedule_model.objects.exists():
        return
    schedule = schedule_model.objects.create(
        name=SCHEDULE,
        legal_basis=BASIS,
        in_force_from=IN_FORCE_FROM,
        is_current=True,
        created_at=timezone.now(),
    )
    number = 0
    for order, (group_number, title, items) in enumerate(GROUPS, start=1):
        group = group_model.objects.create(
            schedule=schedule, number=group_number, title=title, order=order
        )
        rows = []
        for item_order, (item_title, (kind, years)) in enumerate(items, start=1):
            number += 1
            rows.append(
                item_model(
                    group=group,
                    number=str(number),
                    title=item_title,
                    kind=kind,
                    years=years,
                    legal_basis=BASIS,
                    order=item_order,
                )
            )
        item_model.objects.bulk_create(rows)


def unseed_schedule(apps, schema_editor):
    schedule_model = apps.get_model("records", "RetentionSchedule")
    group_model = apps.get_model("records", "RetentionGroup")
    item_model = apps.get_model("records", "RetentionItem")
    for schedule in schedule_model.objects.filter(name=SCHEDULE, legal_basis=BASIS):
        item_model.objects.filter(group__schedule=schedule).delete()
        group_model.objects.filter(schedule=schedule).delete()
        schedule.delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0002_handover_overdue_notice")]

    operations = [migrations.RunPython(seed_schedule, unseed_schedule)]
