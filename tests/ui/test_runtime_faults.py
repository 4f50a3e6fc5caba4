"""An error while the window runs: ours (already worded) become one line and a dialog; a bug
keeps its traceback for support as well."""

from meso_kiosk.services.clinic_data import ClinicDataError
from meso_kiosk.ui.startup.faults import RUNTIME_ERROR_TITLE, report_uncaught


def _hook():
    shown, tracebacks = [], []
    hook = report_uncaught(lambda title, message: shown.append((title, message)),
                           lambda kind, error, trace: tracebacks.append(error))
    return hook, shown, tracebacks


def test_a_clinic_data_fault_after_start_up_is_one_line_without_a_traceback(capsys):
    hook, shown, tracebacks = _hook()
    error = ClinicDataError("consent/en/v1.toml", "must be text", key="sections[2].title")
    hook(type(error), error, None)
    assert tracebacks == []
    assert shown == [(RUNTIME_ERROR_TITLE, str(error))]
    assert capsys.readouterr().err == f"meso-kiosk: {error}\n"
    assert "consent/en/v1.toml" in str(error) and "sections[2].title" in str(error)


def test_a_bug_keeps_its_traceback_and_is_still_said_in_words(capsys):
    hook, shown, tracebacks = _hook()
    error = KeyError("zone")
    hook(type(error), error, None)
    assert tracebacks == [error]
    assert shown[0][1].startswith("Unexpected error (KeyError)")
    assert capsys.readouterr().err.startswith("meso-kiosk: Unexpected error (KeyError)")
