"""build_installer.spec: which Qt plugins and libraries the one-folder app keeps.

The build itself (PyInstaller, a few minutes) runs in .ci/run, which then runs the built
executable's self-test from outside the repo; here only the spec's choices are checked.
"""

from __future__ import annotations

from pathlib import Path

SPEC = Path(__file__).resolve().parents[1] / "build_installer.spec"


def _spec_helpers() -> dict:
    source = SPEC.read_text(encoding="utf-8")
    head = source[: source.index("datas = [")]  # the part before PyInstaller's own objects
    head = head.replace("from PyInstaller.utils.hooks import collect_data_files\n", "")
    namespace = {"SPECPATH": str(SPEC.parent)}
    exec(compile(head, str(SPEC), "exec"), namespace)  # noqa: S102 - our own spec file
    return namespace


def test_the_spec_keeps_the_plugins_for_offscreen_and_screens_and_svg():
    kept = _spec_helpers()["_plugin_kept"]
    base = "PySide6/Qt/plugins"
    for plugin in ("platforms/libqoffscreen.so", "platforms/libqxcb.so", "platforms/qwindows.dll",
                   "platforms/libqcocoa.dylib", "imageformats/libqsvg.so", "iconengines/libqsvgicon.so",
                   "platforminputcontexts/libcomposeplatforminputcontextplugin.so"):
        assert kept(f"{base}/{plugin}"), plugin
    for plugin in ("tls/libqopensslbackend.so", "sqldrivers/libqsqlite.so", "printsupport/libcupsprintersupport.so",
                   "qmltooling/libqmldbg_debugger.so", "platforms/libqvnc.so", "platformthemes/libqgtk3.so"):
        assert not kept(f"{base}/{plugin}"), plugin
    assert kept("PySide6/Qt/lib/libQt6Core.so.6")  # not a plugin: kept


def test_the_spec_leaves_out_web_engine_quick_and_pdf():
    helpers = _spec_helpers()
    library_kept, excluded = helpers["_library_kept"], helpers["EXCLUDED"]
    assert {"PySide6.QtWebEngineCore", "PySide6.QtPdf", "PySide6.QtQml", "PySide6.QtQuick"} <= set(excluded)
    for name in ("libQt6WebEngineCore.so.6", "libQt6Pdf.so.6", "libQt6Quick.so.6", "libQt6Qml.so.6"):
        assert not library_kept(f"PySide6/Qt/lib/{name}")
    for name in ("libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Svg.so.6", "libQt6DBus.so.6",
                 "libQt6XcbQpa.so.6", "libicudata.so.73"):
        assert library_kept(f"PySide6/Qt/lib/{name}")
