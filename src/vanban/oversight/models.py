"""Oversight data (R20-R24): each part keeps its models in its own module; this one only joins them
so that Django finds them."""

from .models_exchange_kinds import ElectronicKind
from .models_reform import ReformCriterion, ReformScheme

__all__ = ["ElectronicKind", "ReformCriterion", "ReformScheme"]
