"""The shape the code keeps (issue 18): modules small enough to read in one sitting, functions
short enough to name, and clinic data read through its one loader."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "meso_kiosk"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 100
# The loader, and the one function it reads package files through; and the first frame's read
# of app.toml, a start-up trick kept in ui/startup (the loader's parser, the loader's errors).
CLINIC_DATA_READERS = {"services/clinic_data.py", "ui/startup/app_file.py"}


def _modules() -> list[tuple[str, str]]:
    return [(path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))]


def test_no_module_is_longer_than_it_can_be_read():
    long = {name: text.count("\n") for name, text in _modules() if text.count("\n") > MAX_MODULE_LINES}
    assert long == {}, f"split these by job (at most {MAX_MODULE_LINES} lines)"


def test_no_function_is_longer_than_a_screen():
    long = []
    for name, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def test_clinic_data_is_parsed_only_by_its_loader():
    """A second parser would bring back a second error convention and a file read twice."""
    elsewhere = []
    for name, text in _modules():
        if name in CLINIC_DATA_READERS:
            continue
        for node in ast.walk(ast.parse(text)):
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = [node.module or ""] + [alias.name for alias in node.names]
            if "tomllib" in imported:
                elsewhere.append(f"{name}:{node.lineno}")
    assert elsewhere == []
