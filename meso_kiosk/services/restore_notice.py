"""What the first consultant to sign in after a restore is told, once."""

from __future__ import annotations

from ..domain.clock import Clock
from ..store.db import Store
from ..store.restores import Restore, mark_noticed, unnoticed_restore


def restore_words(restore: Restore, clock: Clock) -> str:
    def when(moment: str | None) -> str | None:
        try:
            return clock.format_local(moment) if moment else None
        except ValueError:  # a backup's own date, as its manifest gave it
            return moment

    made = when(restore.backup_created_at)
    text = (f"This data was restored on {when(restore.restored_at)} from the backup {restore.backup_name}"
            f"{f' made {made}' if made else ''}.")
    if restore.older:
        text += (" It replaced newer data: what was recorded after that backup is not here; the data it "
                 "replaced was kept in a folder beside the data folder.")
    return text + " Check the last patients you saw before going on."


def take_restore_notice(store: Store, clock: Clock, actor: str) -> str | None:
    """The words for the latest restore nobody has been told of yet, marked as told (audited,
    in ``actor``'s name); None when there is none."""
    restore = unnoticed_restore(store.conn)
    if restore is None:
        return None
    with store.write(actor) as tx:
        mark_noticed(tx, restore.id)
    return restore_words(restore, clock)
