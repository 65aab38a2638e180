"""vanban: phần mềm quản lý văn bản và điều hành."""
