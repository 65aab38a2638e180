"""Exchange models: sent documents in every transport, partner systems and the messages on the
wire (R15)."""

from .deliveries import (
    PARTNER_TRANSPORTS,
    BusinessType,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    DocumentRecall,
    RecallStatus,
    ReturnReason,
    Transport,
)
from .partners import (
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    OutboundState,
    Partner,
    PartnerCode,
)

__all__ = [
    "PARTNER_TRANSPORTS",
    "BusinessType",
    "Delivery",
    "DeliveryEvent",
    "DeliveryStatus",
    "DocumentRecall",
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
