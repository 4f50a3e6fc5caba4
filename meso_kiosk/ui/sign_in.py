"""Who has the app unlocked right now: the audit actor of every change made from the UI."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..domain.actor import consultant_actor
from ..store.consultant_accounts import ConsultantAccount

NOBODY_ACTOR = "kiosk"  # changes made while nobody is signed in (first-run setup, start-up)


class SignIn(QObject):
    """Holds the signed-in consultant; pages get ``actor`` (a callable) to attribute changes.

    ``sign_in(account)`` after a right PIN emits ``signed_in(account)``; ``lock()`` forgets
    the consultant and emits ``locked`` (the lock screen and idle lock listen).
    """

    signed_in = Signal(object)
    locked = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.consultant: ConsultantAccount | None = None

    def sign_in(self, account: ConsultantAccount) -> None:
        self.consultant = account
        self.signed_in.emit(account)

    def lock(self) -> None:
        self.consultant = None
        self.locked.emit()

    def is_signed_in(self) -> bool:
        return self.consultant is not None

    def is_admin(self) -> bool:
        return self.consultant is not None and self.consultant.is_admin

    def actor(self) -> str:
        return NOBODY_ACTOR if self.consultant is None else consultant_actor(self.consultant.id)
