"""The edXML package intake of the incoming registration page (documents.intake, R16)."""

from .selectors import package_load, package_prefill
from .services import package_register, package_stage

__all__ = ["package_load", "package_prefill", "package_register", "package_stage"]
