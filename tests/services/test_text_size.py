"""The installation's text size: stored as one audited setting, told to its listeners."""

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.text_size import TEXT_SIZE_KEY, TEXT_SIZES
from meso_kiosk.store.settings import put_setting


def test_a_new_installation_shows_the_standard_size(kiosk):
    assert kiosk.text_size.current() == "standard"
    assert kiosk.text_size.scale() == 1.0


def test_a_size_is_stored_audited_and_told_to_listeners(kiosk):
    told = []
    kiosk.text_size.add_listener(lambda size, scale: told.append((size, scale)))
    kiosk.text_size.set("largest", "consultant:1")
    kiosk.text_size.set("largest", "consultant:1")  # no change: nothing stored, nobody told
    assert told == [("largest", 1.3)]
    assert kiosk.text_size.current() == "largest"
    audit = kiosk.store.conn.execute("SELECT actor, action, entity_id FROM audit_log WHERE action = "
                                     "'settings.update' AND entity_id = ?", (TEXT_SIZE_KEY,)).fetchall()
    assert audit == [("consultant:1", "settings.update", TEXT_SIZE_KEY)]


@pytest.mark.parametrize("size", ["huge", "", "LARGE", "'; DROP TABLE settings; --", "🔠"])
def test_an_unknown_size_is_refused_and_nothing_is_stored(kiosk, size):
    with pytest.raises(ValidationError) as refused:
        kiosk.text_size.set(size, "consultant:1")
    assert "Standard, Large, Largest" in refused.value.errors["text_size"]
    assert kiosk.text_size.current() == "standard"


def test_a_stored_value_it_does_not_know_reads_as_standard(kiosk):
    with kiosk.store.write("test") as tx:
        put_setting(tx, TEXT_SIZE_KEY, "gigantic")
    assert kiosk.text_size.current() == "standard" and kiosk.text_size.scale() == 1.0
    assert [scale for _words, scale in TEXT_SIZES.values()] == [1.0, 1.15, 1.3]
