"""Exchange with partner systems (R15): partners, the outbox, receiving, status, take-back.

The models are in exchange.models.partners; the edXML codec in exchange.edxml.
"""
