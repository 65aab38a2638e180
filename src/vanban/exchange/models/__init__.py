"""Exchange models: deliveries inside the deployment and exchange with partner systems (R15)."""

from .deliveries import (
    BusinessType,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    DocumentRecall,
    RecallStatus,
    ReturnReason,
)
from .partners import (
    ExternalDelivery,
    ExternalEvent,
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    OutboundState,
    Partner,
    PartnerCode,
    Transport,
)

__all__ = [
    "BusinessType",
    "Delivery",
    "DeliveryEvent",
    "DeliveryStatus",
    "DocumentRecall",
    "ExternalDelivery",
    "ExternalEvent",
    "Inbound",
    "InboundState",
    "MessageKind",
    "Outbound",
    "OutboundState",
    "Partner",
    "PartnerCode",
    "RecallStatus",
    "ReturnReason",
    "Transport",
]
