"""The name a clinic goes by until its admin gives one.

Its own module because the lock screen's first frame reads the name (``store.lock_roster``)
and must not import the settings' validator (decimal, zoneinfo, dataclasses)."""

CLINIC_NAME_DEFAULT = "Meso Kiosk clinic"
