"""Request and response bodies of `/api/v1/` for units and accounts; descriptions are shown in the
API docs. The bounded input types and the error bodies are in `vanban.core.api`."""

import datetime as dt

from ninja import Field, Schema

from vanban.accounts.models import AccountStatus, LockReason, Role, Unit, User
from vanban.core.api import Id, PageQuery, choice, text

# ---------------------------------------------------------------- units


class UnitOut(Schema):
    id: int
    name: str = Field(description="Tên đơn vị")
    symbol: str = Field(description="Chữ viết tắt trong ký hiệu văn bản")
    abbreviation: str = Field(description="Tên viết tắt trong tài khoản (phần sau dấu chấm)")
    agency_code: str = Field(description="Mã định danh, dạng 000.00.00.H07")
    level: int = Field(description="Cấp (1 là tỉnh, tối đa 4)")
    is_active: bool = Field(description="Đang hoạt động")
    parent_id: int | None = Field(description="Mã số đơn vị cấp trên")
    parent_name: str | None = Field(description="Tên đơn vị cấp trên")
    member_count: int = Field(description="Số tài khoản của đơn vị")

    @staticmethod
    def resolve_parent_name(obj: Unit) -> str | None:
        return obj.parent.name if obj.parent_id and obj.parent else None


class UnitIn(Schema):
    name: text(255) = Field(description="Tên đơn vị", examples=["Sở Tài chính"])
    symbol: text(30) = Field(description="Chữ viết tắt trong ký hiệu văn bản", examples=["STC"])
    abbreviation: text(30) = Field(
        description="Tên viết tắt trong tài khoản: chữ thường không dấu, duy nhất trong tỉnh",
        examples=["stc"],
    )
    agency_code: text(13) = Field(
        description="Mã định danh, dạng V1V2V3.Z1Z2.Y1Y2.H##", examples=["000.00.06.H07"]
    )
    parent_id: Id | None = Field(None, description="Mã số đơn vị cấp trên")
    is_active: bool = Field(True, description="Đang hoạt động")


class UnitPage(Schema):
    count: int = Field(description="Tổng số đơn vị khớp điều kiện")
    page: int = Field(description="Trang hiện tại")
    page_size: int = Field(description="Số dòng mỗi trang")
    items: list[UnitOut]


# ---------------------------------------------------------------- accounts


class AccountOut(Schema):
    id: int
    username: str = Field(description="Tên tài khoản, dạng tencanhan.tendonvi")
    full_name: str = Field(description="Họ và tên")
    position: str = Field(description="Chức vụ")
    email: str = Field(description="Thư điện tử")
    phone: str = Field(description="Điện thoại")
    unit_id: int = Field(description="Mã số đơn vị")
    unit_name: str = Field(description="Tên đơn vị")
    status: str = Field(
        description="Trạng thái: "
        + ", ".join(f"{value} ({label})" for value, label in AccountStatus.choices)
    )
    status_label: str = Field(description="Trạng thái, bằng tiếng Việt")
    status_reason: str = Field(description="Mã lý do khóa hoặc thu hồi")
    status_changed_at: dt.datetime | None = Field(description="Thời điểm đổi trạng thái")
    must_change_password: bool = Field(description="Phải đổi mật khẩu ở lần đăng nhập tới")
    roles: list[str] = Field(
        description="Vai trò: " + ", ".join(f"{value} ({label})" for value, label in Role.choices)
    )
    created_at: dt.datetime = Field(description="Ngày cấp")
    last_login: dt.datetime | None = Field(description="Lần đăng nhập gần nhất")

    @staticmethod
    def resolve_unit_name(obj: User) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: User) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        # From the prefetched assignments, so a page of accounts costs one query for roles.
        return sorted({a.role for a in obj.role_assignments.all()})


class AccountIn(Schema):
    unit_id: Id = Field(description="Mã số đơn vị cấp tài khoản")
    full_name: text(100) = Field(description="Họ và tên", examples=["Nguyễn Thu Phương"])
    username: text(100) = Field(
        "",
        description="Tên tài khoản dạng tencanhan.tendonvi; để trống để hệ thống tự đặt",
        examples=["phuongnt.stttt"],
    )
    position: text(100) = Field("", description="Chức vụ")
    email: text(254) = Field("", description="Thư điện tử công vụ")
    phone: text(20) = Field("", description="Điện thoại")
    roles: list[choice(Role.values)] = Field(
        default_factory=lambda: [Role.STAFF.value],
        max_length=len(Role.values),
        description="Vai trò: " + ", ".join(f"{v} ({label})" for v, label in Role.choices),
    )


class AccountCreatedOut(Schema):
    account: AccountOut
    one_time_password: str = Field(
        description="Mật khẩu dùng một lần; chỉ hiển thị một lần, người dùng phải đổi khi "
        "đăng nhập lần đầu"
    )


class AccountPage(Schema):
    count: int = Field(description="Tổng số tài khoản khớp điều kiện")
    page: int = Field(description="Trang hiện tại")
    page_size: int = Field(description="Số dòng mỗi trang")
    items: list[AccountOut]


class LockIn(Schema):
    reason: choice(LockReason.values) = Field(
        description="Lý do khóa: "
        + ", ".join(f"{value} ({label})" for value, label in LockReason.choices)
    )
    note: text(500) = Field(description="Ghi rõ lý do (bắt buộc, tối đa 500 ký tự)")


class UnlockIn(Schema):
    note: text(500) = Field(description="Ghi rõ lý do mở khóa (bắt buộc, tối đa 500 ký tự)")


# ---------------------------------------------------------------- me


class MeOut(Schema):
    id: int
    username: str = Field(description="Tên tài khoản")
    full_name: str = Field(description="Họ và tên")
    unit_id: int = Field(description="Mã số đơn vị")
    unit_name: str = Field(description="Tên đơn vị")
    roles: list[str] = Field(description="Vai trò trong đơn vị")
    is_province_admin: bool = Field(description="Là quản trị tỉnh")
    managed_unit_ids: list[int] | None = Field(
        description="Các đơn vị được quản trị; null nghĩa là toàn tỉnh"
    )
    token_prefix: str = Field(description="Mã nhận diện của mã truy cập API đang dùng")


# ---------------------------------------------------------------- list parameters


class UnitListQuery(PageQuery):
    q: text(200) = Field(
        "",
        description="Tìm theo tên, chữ viết tắt, mã định danh (không phân biệt dấu)",
    )


class AccountListQuery(PageQuery):
    q: text(200) = Field(
        "",
        description="Tìm theo họ tên, tên tài khoản, thư điện tử (không phân biệt dấu)",
    )
    unit: Id | None = Field(None, description="Chỉ tài khoản của đơn vị có mã số này")
    status: choice(AccountStatus.values, blank=True) = Field(
        "", description="Chỉ tài khoản ở trạng thái này: " + ", ".join(AccountStatus.values)
    )
