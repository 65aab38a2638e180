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
from .transitions import (
    PARTNER_STATUS_TRANSITIONS,
    PROGRESS,
    partner_status_refusal,
    partner_status_state,
)

__all__ = [
    "PARTNER_STATUS_TRANSITIONS",
    "PARTNER_TRANSPORTS",
    "PROGRESS",
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
    "partner_status_refusal",
    "partner_status_state",
]
