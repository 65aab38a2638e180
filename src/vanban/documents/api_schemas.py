"""API input types about documents that several apps' routers share (`vanban.core.api` has the
generic ones)."""

from vanban.core.api import int_choice

from .models import Urgency

# One enum class, so that the OpenAPI document declares "Urgency" once for every router.
UrgencyChoice = int_choice("Urgency", Urgency.values)
