"""``meso-kiosk clinic``: prints the clinic's settings one ``key: value`` a line, sets those given
(all or nothing, audited as "cli"); a bad value is one line naming its option, never a traceback."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from meso_kiosk.cli import main
from meso_kiosk.domain.clinic_settings import ClinicSettings
from meso_kiosk.services.kiosk import open_kiosk

from tests.conftest import CHEAP_PIN_HASHER, cheap_seal
from tests.safety.hostile import hostile_text

FRESH = [
    "name: Meso Kiosk clinic",
    "address: not set",
    "phone: not set",
    "email: not set",
    "timezone: not set",
    "logo: none",
    "currency: not set",
    "price.mild: not set",
    "price.moderate: not set",
    "price.severe: not set",
    "cooling_off_hours: 24",
    "minimum_age: 18",
    "treats_minors: no",
    "reconsent_on_new_text: yes",
]


@pytest.fixture
def folder(tmp_path):
    """An installation's data folder, closed, as a clinic's command finds it."""
    root = tmp_path / "data"
    open_kiosk(root, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal).close()
    return root


def clinic(folder, *args: str) -> int:
    return main(["clinic", "--data-dir", str(folder), *args])


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def stored(folder) -> tuple[ClinicSettings, object, int]:
    """The settings, the logo and the audit log's length, as a fresh open reads them."""
    kiosk = open_kiosk(folder, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        rows = kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        return kiosk.clinic.settings(), kiosk.clinic.logo(), rows
    finally:
        kiosk.close()


def png(path, size=(256, 128), colour=(30, 90, 120)) -> str:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return str(path)


def test_a_fresh_folder_prints_every_default_in_the_contracts_order(folder, capsys):
    assert clinic(folder) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == FRESH
    assert captured.err == ""
    assert stored(folder)[2] == 0  # printing writes nothing


def test_every_option_is_set_read_back_and_audited_as_the_command_line(folder, tmp_path, capsys):
    logo = png(tmp_path / "logo.png", size=(1024, 512))
    assert clinic(folder, "--name", "Clinique Étoile du Nord", "--timezone", "Europe/Paris",
                  "--address", "12 rue des Lilas / 75011 Paris / France", "--phone", "+33 1 23 45 67 89",
                  "--email", "accueil@etoile.example", "--currency", "eur", "--price", "mild=120",
                  "--price", "severe=1250,5", "--cooling-off-hours", "0", "--minimum-age", "21",
                  "--treats-minors", "yes", "--reconsent-on-new-text", "no", "--logo", logo) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == ["name: Clinique Étoile du Nord", "address: 12 rue des Lilas / 75011 Paris / France",
                       "phone: +33 1 23 45 67 89", "email: accueil@etoile.example", "timezone: Europe/Paris"]
    assert out[5].startswith("logo: ") and "(512×256 px, " in out[5]  # scaled to 512 px at most
    assert out[6:] == ["currency: EUR", "price.mild: 120.00", "price.moderate: not set", "price.severe: 1250.50",
                       "cooling_off_hours: 0", "minimum_age: 21", "treats_minors: yes", "reconsent_on_new_text: no"]
    settings, kept_logo, _ = stored(folder)
    assert settings.address == "12 rue des Lilas\n75011 Paris\nFrance"
    assert settings.prices == {"mild": Decimal("120.00"), "severe": Decimal("1250.50")}
    assert kept_logo is not None and out[5].startswith(f"logo: {kept_logo.sha256[:16]} ")
    conn = sqlite3.connect(folder / "meso.db")
    actors = {actor for (actor,) in conn.execute("SELECT actor FROM audit_log")}
    changed = {key for (key,) in conn.execute("SELECT entity_id FROM audit_log WHERE action = 'settings.update'")}
    conn.close()
    assert actors == {"cli"}
    assert {"clinic.name", "clinic.address", "clinic.logo", "policy.prices", "policy.minimum_age"} <= changed


def test_what_it_prints_can_be_given_back_unchanged(folder, capsys):
    """A script reads the lines and hands the values back: nothing changes, nothing is recorded."""
    assert clinic(folder, "--address", "Ул. Тверская, 7 / 東京都千代田区 / شارع الملك فهد",
                  "--currency", "GBP", "--price", "moderate=99.9") == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    before = stored(folder)
    assert clinic(folder, "--address", lines["address"], "--price", f"moderate={lines['price.moderate']}") == 0
    assert stored(folder) == before
    assert lines["price.moderate"] == "99.90"


def test_a_price_given_empty_is_cleared(folder, capsys):
    assert clinic(folder, "--currency", "EUR", "--price", "mild=80", "--price", "severe=200") == 0
    assert clinic(folder, "--price", "mild=") == 0
    out = capsys.readouterr().out
    assert "price.mild: not set" in out and "price.severe: 200.00" in out


def test_sql_looking_emoji_and_every_script_are_kept_as_typed(folder, capsys):
    name = "Robert'); DROP TABLE settings;-- 💇‍♀️ Κλινική 診所 عيادة"
    assert clinic(folder, "--name", name) == 0
    assert f"name: {name}" in capsys.readouterr().out
    assert stored(folder)[0].name == name


BAD_VALUES = [
    (["--name", "N" * 10_000], "--name: ", "too long"),
    (["--name", "   "], "--name: ", "enter the clinic's name"),
    (["--name", "Evil\x1b[31m red"], "--name: ", "control character"),
    (["--name", "Clinic \u202egnp.exe"], "--name: ", "control character"),
    (["--minimum-age", "-3"], "--minimum-age: ", "from 16 to 21"),
    (["--minimum-age", "3"], "--minimum-age: ", "(not 3)"),
    (["--minimum-age", "eighteen"], "--minimum-age: ", "whole number"),
    (["--cooling-off-hours", "721"], "--cooling-off-hours: ", "from 0 to 720"),
    (["--cooling-off-hours", "99999999999999999999"], "--cooling-off-hours: ", "whole number"),
    (["--currency", "EUR", "--price", "mild=-5"], "--price mild: ", "cannot be negative"),
    (["--currency", "EUR", "--price", "mild=1e3"], "--price mild: ", "number"),
    (["--currency", "EUR", "--price", "nosuch=10"], "--price nosuch: ", "no protocol 'nosuch'"),
    (["--currency", "EUR", "--price", "mild=10", "--price", "mild=12"], "--price mild: ", "given twice"),
    (["--price", "mild=10"], "--currency: ", "currency the prices are in"),
    (["--currency", "€"], "--currency: ", "three-letter code"),
    (["--timezone", "Mars/Base"], "--timezone: ", "not a time zone"),
    (["--timezone", "../../../etc/passwd"], "--timezone: ", "not a time zone"),
    (["--email", "'; DROP TABLE audit_log; --"], "--email: ", ""),
    (["--phone", "call me 📞"], "--phone: ", ""),
    (["--treats-minors", "maybe"], "--treats-minors: ", "yes or no"),
    (["--reconsent-on-new-text", ""], "--reconsent-on-new-text: ", "yes or no"),
    (["--address", "\n".join(f"line {n}" for n in range(9))], "--address: ", "at most 6 lines"),
    (["--name", "A valid new name", "--minimum-age", "99"], "--minimum-age: ", "from 16 to 21"),
]


@pytest.mark.parametrize("args, option, words", BAD_VALUES, ids=[" ".join(a)[:40] for a, _, _ in BAD_VALUES])
def test_a_bad_value_is_one_line_naming_its_option_and_nothing_is_stored(folder, capsys, args, option, words):
    before = stored(folder)
    assert clinic(folder, *args) == 1
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith(f"meso-kiosk: {option}"), line
    assert words.lower() in line.lower()
    assert "\x1b" not in line and "\u202e" not in line and len(line) < 800
    assert captured.out == ""
    assert stored(folder) == before


def test_every_field_at_fault_is_named_on_the_one_line(folder, capsys):
    assert clinic(folder, "--minimum-age", "3", "--timezone", "Mars/Base", "--email", "nope") == 1
    line = one_line(capsys.readouterr().err)
    for option in ("--minimum-age: ", "--timezone: ", "--email: "):
        assert option in line


@pytest.mark.parametrize("args", [["--name", "bad\x00name"], ["--price", "mild"], ["--price", "=10"],
                                  ["--logo", "x.png", "--no-logo"], ["--minimum-age"]])
def test_a_malformed_option_is_a_usage_line_and_exit_2(folder, capsys, args):
    before = stored(folder)
    with pytest.raises(SystemExit) as usage:
        clinic(folder, *args)
    assert usage.value.code == 2
    assert "try --help" in one_line(capsys.readouterr().err)
    assert stored(folder) == before


def test_a_logo_is_set_then_removed(folder, tmp_path, capsys):
    assert clinic(folder, "--logo", png(tmp_path / "mark.png")) == 0
    assert stored(folder)[1] is not None
    jpeg = tmp_path / "mark.jpg"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(jpeg, format="JPEG")
    assert clinic(folder, "--logo", str(jpeg)) == 0
    assert "(64×64 px, " in capsys.readouterr().out
    assert clinic(folder, "--no-logo") == 0
    assert "logo: none" in capsys.readouterr().out.splitlines()
    assert stored(folder)[1] is None


def test_a_logo_used_before_can_be_chosen_again(folder, tmp_path, capsys):
    first, second = png(tmp_path / "first.png"), png(tmp_path / "second.png", colour=(120, 30, 60))
    shown = []
    for path in (first, second, first):
        assert clinic(folder, "--logo", path) == 0, capsys.readouterr().err
        shown.append(next(line for line in capsys.readouterr().out.splitlines() if line.startswith("logo: ")))
    assert shown[0] == shown[2] != shown[1]
    conn = sqlite3.connect(folder / "meso.db")
    assert conn.execute("SELECT count(*) FROM clinic_logos").fetchone()[0] == 2  # each kept once
    conn.close()
    assert shown[2].startswith(f"logo: {stored(folder)[1].sha256[:16]} ")


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       b'<rect width="200" height="100" rx="20" fill="#2f6f6a"/>'
       b'<text x="100" y="65" font-size="48" text-anchor="middle" fill="white">NH \xc3\x89</text></svg>')


def test_an_svg_logo_is_drawn_without_a_screen(folder, tmp_path):
    """As on a server: a new process, no display, no Qt platform chosen; Qt's warnings kept quiet."""
    (tmp_path / "logo.svg").write_bytes(SVG)
    (tmp_path / "broken.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><rect')
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "DISPLAY",
                                                                          "WAYLAND_DISPLAY")}

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "meso_kiosk", "clinic", "--data-dir", str(folder), *args],
                              capture_output=True, text=True, env=env, timeout=120)

    drawn = command("--logo", str(tmp_path / "logo.svg"))
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stderr == ""
    assert "(512×256 px, " in drawn.stdout
    broken = command("--logo", str(tmp_path / "broken.svg"))
    assert broken.returncode == 1
    assert one_line(broken.stderr).startswith("meso-kiosk: --logo: This SVG file cannot be drawn")
    assert stored(folder)[1].width == 512


def _not_pictures(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("not a picture at all")
    (tmp_path / "a folder.png").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "tiny.png")
    gif = io.BytesIO()
    Image.new("RGB", (64, 64)).save(gif, format="GIF")
    (tmp_path / "moving.gif").write_bytes(gif.getvalue())
    yield str(tmp_path / "missing.png"), "cannot be read"
    yield str(tmp_path / "empty.png"), "empty"
    yield str(tmp_path / "text.png"), "not a picture"
    yield str(tmp_path / "a folder.png"), "not a file"
    yield str(tmp_path / "tiny.png"), "too small"
    yield str(tmp_path / "moving.gif"), "PNG"
    if hasattr(os, "mkfifo"):  # a FIFO must not hang the command waiting for a writer
        os.mkfifo(tmp_path / "pipe.png")
        yield str(tmp_path / "pipe.png"), "not a file"


def test_a_logo_that_is_not_a_picture_file_is_one_line_and_nothing_is_stored(folder, tmp_path, capsys):
    assert clinic(folder, "--name", "Kept Clinic") == 0
    capsys.readouterr()
    before = stored(folder)
    for path, words in _not_pictures(tmp_path):
        assert clinic(folder, "--name", "Renamed Clinic", "--logo", path) == 1, path
        line = one_line(capsys.readouterr().err)
        assert line.startswith("meso-kiosk: --logo: ") and words.lower() in line.lower(), line
        assert stored(folder) == before


def test_no_database_in_the_folder_is_one_line_and_nothing_is_made(tmp_path, capsys):
    for args in ([], ["--name", "New Clinic"]):
        assert main(["clinic", "--data-dir", str(tmp_path / "nothing"), *args]) == 1
        assert "no Meso Kiosk database" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "nothing").exists()


def test_the_help_says_changes_are_recorded_as_made_from_the_command_line(capsys):
    with pytest.raises(SystemExit):
        main(["clinic", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "recorded in the audit log as made from the command line" in help_text
    for option in ("--name", "--timezone", "--price", "--minimum-age", "--logo", "--no-logo", "--data-dir"):
        assert option in help_text


CLINIC_OPTIONS = ["--name", "--address", "--phone", "--email", "--timezone", "--currency", "--price",
                  "--cooling-off-hours", "--minimum-age", "--treats-minors", "--reconsent-on-new-text"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(st.tuples(st.sampled_from(CLINIC_OPTIONS), st.one_of(
    hostile_text(max_size=80), st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["mild=", "mild=120", "severe=9,99", "nosuch=1", "=", "mild=1=2", "Europe/Paris", "EUR",
                     "yes", "no", "NaN", "١٨", "１８", "a" * 5000, "😀" * 200, "'; DROP TABLE settings; --"]))),
    min_size=1, max_size=5))
def test_any_value_of_any_option_is_stored_whole_or_refused_in_one_line(folder, capsys, chosen):
    """Fuzzed: exit 0 with the 14 lines, or one worded line naming an option (exit 1, nothing
    stored) or a usage line (exit 2); never a traceback or an unexpected error."""
    before = stored(folder)
    argv = [part for option, value in chosen for part in (option, value)]
    try:
        code = clinic(folder, *argv)
    except SystemExit as usage:
        code = usage.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), code
    if code == 0:
        assert len(captured.out.splitlines()) == len(FRESH) and captured.err == ""
        return
    line = one_line(captured.err)
    assert "unexpected error" not in line and "Errno" not in line
    assert captured.out == ""
    if code == 1:
        assert line.startswith("meso-kiosk: --"), line
    assert stored(folder) == before
