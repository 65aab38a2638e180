"""Errors that services raise with a message fit to show the user (Vietnamese)."""


class ServiceError(Exception):
    """A refused action: nothing was changed; `message` says why, in Vietnamese."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccessDenied(ServiceError):
    """The actor may not do this (R7)."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, message: str = "Không tìm thấy đối tượng yêu cầu.") -> None:
        super().__init__(message)
