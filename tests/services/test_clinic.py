"""The clinic's settings through the service: audited, atomic, effective at once."""

import io
import sqlite3
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.clinic_logo import MAX_SIDE
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.folder_check import check_folder
from tests.conftest import CHEAP_PIN_HASHER, FIXED_NOW, cheap_seal


def setting_audits(kiosk):
    return [key for (key,) in kiosk.store.conn.execute(
        "SELECT entity_id FROM audit_log WHERE action = 'settings.update' ORDER BY id")]


def png(width, height, **info):
    out = io.BytesIO()
    image = Image.new("RGBA", (width, height), (20, 90, 160, 255))
    image.save(out, format="PNG", **info)
    return out.getvalue()


def test_each_changed_setting_is_audited_once_and_unchanged_ones_not(kiosk):
    kiosk.clinic.update({"name": "Clinique du Parc", "phone": "+33 1 23 45 67 89"}, "consultant:1")
    kiosk.clinic.update({"name": "Clinique du Parc", "email": "accueil@parc.example"}, "consultant:1")
    assert setting_audits(kiosk) == ["clinic.name", "clinic.phone", "clinic.email"]
    assert kiosk.clinic.settings().email == "accueil@parc.example"


def test_a_refused_change_stores_nothing(kiosk):
    kiosk.clinic.update({"name": "Clinique du Parc"}, "test")
    before = kiosk.store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationError) as error:
        kiosk.clinic.update({"name": "Renamed", "minimum_age": -3, "phone": "'; DROP TABLE settings;--"}, "test")
    assert set(error.value.errors) == {"minimum_age", "phone"}
    assert kiosk.clinic.settings().name == "Clinique du Parc"
    assert kiosk.store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_a_new_time_zone_moves_every_service_clock_without_a_restart(kiosk):
    kiosk.clinic.update({"timezone": "Pacific/Auckland"}, "test")
    assert kiosk.clock.tz == ZoneInfo("Pacific/Auckland")
    assert kiosk.sessions._clock is kiosk.clock  # one clock, shared
    kiosk.clinic.update({"timezone": "America/Los_Angeles"}, "test")
    assert kiosk.clock.local(FIXED_NOW).utcoffset() == ZoneInfo("America/Los_Angeles").utcoffset(FIXED_NOW)


def test_settings_survive_a_restart(kiosk, data_dir):
    kiosk.clinic.update({"name": "Northgate", "currency": "GBP", "prices": {"severe": "95.5"},
                         "cooling_off_hours": 0, "timezone": "Europe/London"}, "test")
    kiosk.close()
    again = open_kiosk(data_dir, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        settings = again.clinic.settings()
        assert (settings.name, settings.cooling_off_hours) == ("Northgate", 0)
        assert settings.prices == {"severe": Decimal("95.50")}
        assert again.clock.tz == ZoneInfo("Europe/London")
    finally:
        again.close()


def test_listeners_hear_which_fields_changed(kiosk):
    heard = []
    kiosk.clinic.add_listener(lambda settings, fields, actor: heard.append((settings.name, fields, actor)))
    kiosk.clinic.update({"name": "Clinique A", "minimum_age": 18}, "consultant:2")  # the age is the default
    kiosk.clinic.update({"name": "Clinique A"}, "consultant:2")  # nothing changed: nothing said
    assert heard == [("Clinique A", frozenset({"name"}), "consultant:2")]


def test_a_logo_is_scaled_stripped_of_metadata_and_kept_immutable(kiosk):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret device serial 1234")
    kiosk.clinic.set_logo(png(2000, 1000, pnginfo=info), "test")
    logo = kiosk.clinic.logo()
    assert (logo.width, logo.height) == (MAX_SIDE, MAX_SIDE // 2)
    with Image.open(io.BytesIO(logo.png)) as image:
        assert image.format == "PNG" and not image.text
    assert b"secret device serial" not in logo.png
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        with kiosk.store.write("test") as tx:
            tx.execute("UPDATE clinic_logos SET png = x'00'")
    kiosk.clinic.set_logo(None, "test")
    assert kiosk.clinic.logo() is None
    paths = kiosk.paths
    assert check_folder(paths.database, paths.audit_key, paths.audit_anchor).ok


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or SVG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a picture that can be read"),
    (png(10, 10), "too small"),
])
def test_a_bad_logo_is_refused_with_a_reason(kiosk, data, words):
    with pytest.raises(ValidationError) as error:
        kiosk.clinic.set_logo(data, "test")
    assert words in error.value.errors["logo"]
    assert kiosk.clinic.logo() is None


def test_credentials_need_an_admin_and_keep_their_history(kiosk):
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", "482913")
    kiosk.accounts.set_credentials(admin.id, "482913", admin.id, "Dermatologist", "RPPS 10101010101")
    kiosk.accounts.set_credentials(admin.id, "482913", admin.id, "Dermatologist", "RPPS 20202020202")
    assert kiosk.accounts.credentials()[admin.id].registration == "RPPS 20202020202"
    rows = kiosk.store.conn.execute("SELECT registration FROM consultant_credentials ORDER BY id").fetchall()
    assert rows == [("RPPS 10101010101",), ("RPPS 20202020202",)]
    with pytest.raises(ValidationError):
        kiosk.accounts.set_credentials(admin.id, "000000", admin.id, "Nurse", None)
    assert kiosk.accounts.credentials()[admin.id].profession == "Dermatologist"


@pytest.mark.parametrize("field, text", [
    ("name", "བདེ་ལེགས Clinic"),  # Tibetan: no PDF font has it
    ("address", "12 ᏣᎳᎩ Street\nTahlequah"),  # Cherokee
])
def test_a_name_or_address_the_pdf_cannot_print_is_refused_as_typed(kiosk, field, text):
    """Whatever the settings accept prints in every PDF's header: letters no font has are refused
    here, not at the next export."""
    with pytest.raises(ValidationError) as error:
        kiosk.clinic.update({field: text}, "test")
    assert "The PDF cannot print" in error.value.errors[field]
    assert kiosk.clinic.settings().named is False


def test_emoji_and_every_printable_script_are_accepted_for_the_header(kiosk):
    name = "Clinique 🌿 Ελένη Соколов 王 さくら 김 عيادة כהן नमस्ते สวัสดี"
    assert kiosk.clinic.update({"name": name}, "test").name == name


def test_credentials_the_pdf_cannot_print_are_refused_before_the_pin(kiosk):
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", "482913")
    with pytest.raises(ValidationError) as error:
        kiosk.accounts.set_credentials(admin.id, "482913", admin.id, "སྨན་པ", "RPPS 1")
    assert "The PDF cannot print" in error.value.errors["profession"]
    assert kiosk.accounts.credentials() == {}


def test_settings_and_a_logo_are_stored_together_or_not_at_all(kiosk):
    """One save on the page is one transaction: a refused logo keeps the name from being stored,
    and both problems are named at once."""
    before = kiosk.store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationError) as error:
        kiosk.clinic.update({"name": "Clinique du Parc", "email": "nobody"}, "test", logo=b"not a picture")
    assert set(error.value.errors) == {"email", "logo"}
    with pytest.raises(ValidationError):
        kiosk.clinic.update({"name": "Clinique du Parc"}, "test", logo=b"not a picture")
    assert not kiosk.clinic.settings().named
    assert kiosk.store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before
    settings = kiosk.clinic.update({"name": "Clinique du Parc"}, "test", logo=png(300, 300))
    assert settings.named and kiosk.clinic.logo().sha256 == settings.logo
