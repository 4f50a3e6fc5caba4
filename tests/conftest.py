"""Every test runs headless and writes only below its own tmp_path."""

from __future__ import annotations

import os

# Before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from datetime import datetime, timedelta, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

from meso_kiosk.services.kiosk import Kiosk, open_kiosk  # noqa: E402
from tests.consultation import COUNTERSIGN_PIN, THINKING_TIME, signed_earlier  # noqa: E402 (one PIN for every test and the benchmark)

FIXED_NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
# No example database: Hypothesis would keep one in ./.hypothesis, outside every tmp_path.
# No "too slow" verdict on generating examples: on a busy 2-core CI machine it fails a test for
# the machine's load, not for anything the code does (the tests' own timeouts still hold).
settings.register_profile("meso-kiosk", database=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("meso-kiosk")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Hypothesis's own caches (constants, Unicode tables) go below the run's temporary folder
    too; set before collection, which already writes them."""
    factory: pytest.TempPathFactory = session.config._tmp_path_factory  # type: ignore[attr-defined]
    set_hypothesis_home_dir(factory.mktemp("hypothesis"))


def pytest_configure(config: pytest.Config) -> None:
    """MESO_KIOSK_SHOTS (where a person keeps the screenshots, tests/ui/conftest.py's ``shots``)
    must name a folder, or one to create: said once, before any test runs."""
    keep = os.environ.get("MESO_KIOSK_SHOTS")
    if keep and Path(keep).exists() and not Path(keep).is_dir():
        raise pytest.UsageError(f"MESO_KIOSK_SHOTS={keep!r} is not a folder: name a folder to keep the screenshots in")


# Argon2id at its cheapest: tests check the PIN logic, not the hashing cost.
CHEAP_PIN_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_SEAL_KEYS: list = []


def cheap_seal(clinic_name: str, now: datetime):
    """A seal as the kiosk makes one, over an RSA key taken in turn from a few made once per
    run: a real certificate each time, without a key generation per test. Consecutive seals
    have different keys, so a test's second installation (or renewed seal) is never trusted
    by accident."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from meso_kiosk.reports.pades import SEAL_KEY_BITS, create_seal

    if len(_SEAL_KEYS) < 4:  # a new key while the pool grows, then the least recently used
        key = rsa.generate_private_key(public_exponent=65537, key_size=SEAL_KEY_BITS)
    else:
        key = _SEAL_KEYS.pop(0)
    _SEAL_KEYS.append(key)
    return create_seal(clinic_name, now, key=key)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch a real user's data folder: every default path points into tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("MESO_KIOSK_HOME", str(tmp_path / "default-data"))


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test():
    """Delete every top-level widget a test left behind (closed is not deleted). Pages kept
    alive by their signal connections would otherwise pile up, and every later test would
    restyle and lay out all of them: the UI suite slowed from 1 s to 7 s a test."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    while orphans := [w for w in app.topLevelWidgets() if w.parentWidget() is None and shiboken6.isValid(w)]:
        for widget in orphans:
            if shiboken6.isValid(widget):
                widget.hide()
                shiboken6.delete(widget)  # children (popups, pages) go with their window
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def kiosk(data_dir: Path) -> Kiosk:
    opened = open_kiosk(data_dir, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    yield opened
    opened.close()


@pytest.fixture
def register(kiosk: Kiosk):
    """Register a patient with sensible defaults for the fields a test does not care about."""

    def _register(given: str = "Claire", family: str = "Dubois", born: str = "1986-04-12", **extra):
        form = {"given_name": given, "family_name": family, "date_of_birth": born} | extra
        return kiosk.patients.register(form, "test")

    return _register


@pytest.fixture
def sign_consent(kiosk: Kiosk):
    """Have a patient sign the current English consent, countersigned by a consultant with a PIN.
    A patient's first consent is signed two days before the fixed now: past the clinic's time to think
    (24 h), as a patient whose first session is today (tests/services/test_cooling_off.py signs at the
    fixed now); a later one (a re-consent) is signed now, after what came before it."""
    from meso_kiosk.services.demo.signature import synthetic_signature
    from meso_kiosk.store.consultants import insert_consultant

    countersigner = []

    def _sign(patient_id: int):
        if not countersigner:  # the clinic's first consultant countersigns (one is made if none)
            first = kiosk.store.conn.execute("SELECT min(id) FROM consultants").fetchone()[0]
            with kiosk.store.write("test") as tx:
                if first is None:
                    first = insert_consultant(tx, "Dr Consent Countersigner").id
                kiosk.accounts.set_initial_pin(tx, first, COUNTERSIGN_PIN)
            countersigner.append(first)
        template = kiosk.consents.template_for("en")
        first = not kiosk.consents.history(patient_id)
        with signed_earlier(kiosk, THINKING_TIME if first else timedelta(0)):
            return kiosk.consents.sign(
                patient_id, language="en", version=template.version, shown_text_sha256=template.text_sha256,
                checklist={item.id: True for item in template.checklist}, photo_consent=False,
                signature=synthetic_signature(str(patient_id)).to_data(),
                consultant_id=countersigner[0], consultant_pin=COUNTERSIGN_PIN,
            )

    return _sign


@pytest.fixture
def register_consented(kiosk, register, sign_consent):
    """Register a patient whose intake is complete (nothing to stop or warn about) and who has
    signed their consent: sessions may be recorded (the treatment gate)."""
    from tests.consultation import complete_intake

    def _register(*args, **extra):
        patient = register(*args, **extra)
        complete_intake(kiosk, patient.id)
        sign_consent(patient.id)
        return patient

    return _register
