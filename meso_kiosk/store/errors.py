"""Failures of the store, worded for the person in front of the kiosk."""


class StoreError(Exception):
    """Base: the message is complete and safe to show as it is."""


class DatabaseDamagedError(StoreError):
    """The database file is corrupt or is not a Meso Kiosk database."""


class DatabaseBusyError(StoreError):
    """Another program holds the database."""


class RecordNotFoundError(StoreError):
    pass


class ImmutableRecordError(StoreError):
    """A signed or closed record was asked to change."""


class AuditKeyError(StoreError):
    """The audit-log key is missing or damaged."""


class StorageFullError(StoreError):
    """The disk (or the database's size limit) is full: the change was not saved."""


class DatabaseReadOnlyError(StoreError):
    """The database or its folder cannot be written to."""


class RecordForgedError(StoreError):
    """A record no longer matches what its latest audit entry vouches for: changed behind the app's back."""
