"""Meso Kiosk: a consultation kiosk for scalp mesotherapy clinics."""

__version__ = "0.1.0"
