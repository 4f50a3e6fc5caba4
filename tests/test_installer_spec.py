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


def test_the_spec_leaves_out_web_engine_quick_controls_and_pdf():
    helpers = _spec_helpers()
    library_kept, excluded = helpers["_library_kept"], helpers["EXCLUDED"]
    assert {"PySide6.QtWebEngineCore", "PySide6.QtPdf", "PySide6.QtQml", "PySide6.QtQuick",
            "PySide6.QtMultimediaWidgets"} <= set(excluded)
    assert "PySide6.QtMultimedia" not in excluded
    assert "PySide6.QtNetwork" not in excluded  # PySide6.QtMultimedia imports it (shiboken's dependency)
    for name in ("libQt6WebEngineCore.so.6", "libQt6Pdf.so.6", "libQt6QuickControls2.so.6", "libQt6QuickLayouts.so.6",
                 "libQt6MultimediaWidgets.so.6", "libQt6MultimediaQuick.so.6", "libQt63DCore.so.6",
                 "libQt6DataVisualization.so.6", "libQt6Graphs.so.6", "Qt6WebEngineCore.dll"):
        assert not library_kept(f"PySide6/Qt/lib/{name}"), name
    for name in ("libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Svg.so.6", "libQt6DBus.so.6",
                 "libQt6XcbQpa.so.6", "libicudata.so.73"):
        assert library_kept(f"PySide6/Qt/lib/{name}")


def test_the_spec_bundles_only_qt_multimedia_and_its_ffmpeg_plugin_from_the_addons():
    helpers = _spec_helpers()
    plugin_kept, library_kept = helpers["_plugin_kept"], helpers["_library_kept"]
    base = "PySide6/Qt/plugins/multimedia"
    for plugin in ("libffmpegmediaplugin.so", "ffmpegmediaplugin.dll", "libffmpegmediaplugin.dylib"):
        assert plugin_kept(f"{base}/{plugin}"), plugin
    for plugin in ("libgstreamermediaplugin.so", "windowsmediaplugin.dll", "libdarwinmediaplugin.dylib"):
        assert not plugin_kept(f"{base}/{plugin}"), plugin
    # What QtMultimedia and the Linux FFmpeg plugin link to (ldd), or the camera is never found.
    for name in ("libQt6Multimedia.so.6", "Qt6Multimedia.dll", "libavcodec.so.61", "libavformat.so.61",
                 "libavutil.so.59", "libswscale.so.8", "libswresample.so.5", "libQt6FFmpegStub-va.so.2",
                 "libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6QmlMeta.so.6", "libQt6QmlModels.so.6",
                 "libQt6QmlWorkerScript.so.6", "libQt6Network.so.6", "libQt6OpenGL.so.6", "libQt6Concurrent.so.6"):
        assert library_kept(f"PySide6/Qt/lib/{name}"), name


def test_the_spec_keeps_the_heic_decoder_and_the_libraries_it_links():
    """pillow-heif's extension loads libheif, which links libde265 (decoding) and x265 (NEEDED, so kept too)."""
    library_kept = _spec_helpers()["_library_kept"]
    for name in ("_pillow_heif.cpython-311-x86_64-linux-gnu.so", "pillow_heif.libs/libheif-65decb9a.so.1.23.7",
                 "pillow_heif.libs/libde265-91206b2b.so.0.2.3", "pillow_heif.libs/libx265-4883ecb5.so.217",
                 "pillow_heif/libheif.dll", "pillow_heif/.dylibs/libheif.1.dylib"):
        assert library_kept(name), name
    assert '"pillow_heif"]' in SPEC.read_text(encoding="utf-8")  # a hidden import: it loads on the first HEIC
