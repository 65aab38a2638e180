"""Malware scanning of uploaded files and the quarantine of infected ones (R20)."""
