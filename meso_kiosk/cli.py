"""Command line: ``meso-kiosk [--data-dir DIR] [--kiosk] [--demo]`` and headless subcommands.

A contract others script against: every failure is one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .config import DataDirError, DataPaths, resolve_data_dir
from .domain.errors import ValidationError
from .resources import MissingResourceError
from .services.errors import WordedError
from .store.errors import DatabaseReadOnlyError, StoreError
from .store.instance_lock import InstanceLockedError
from .terminal import quiet_third_parties

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandFailed(Exception):
    """A command could not do its job; the message is the one line to print."""


MAX_MESSAGE = 600


def one_line(message: str) -> str:
    """A message as ONE safe line: control characters, bidi overrides and lone surrogates
    (typed or echoed from an argument) shown as escapes, an echoed huge value cut short."""
    text = "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(message))
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "… (cut)"


def _fail(message: str) -> None:
    print(f"meso-kiosk: {one_line(message)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the whole usage block
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (try --help)\n")


def _path(value: str) -> str:
    """A file or folder name as typed; only NUL, which no file system accepts, is refused here."""
    if "\x00" in value:
        raise argparse.ArgumentTypeError("a file or folder name cannot contain a NUL character")
    try:
        os.fsencode(value)
    except UnicodeError:
        raise argparse.ArgumentTypeError("this file or folder name is not valid text") from None
    if value.startswith("~"):  # expanded here, where an unknown user can still be a usage message
        try:
            value = str(Path(value).expanduser())
        except RuntimeError:
            user = value.split("/", 1)[0].split(os.sep, 1)[0]
            raise argparse.ArgumentTypeError(f"there is no home folder for {user!r}") from None
    return value


def _patient_id(value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"the patient's number must be a whole number from 1 (not {value!r})")
    return number


def _add_data_dir(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    parser.add_argument(
        "--data-dir", metavar="DIR", default=default, type=_path,
        help="folder holding meso.db and the exports (default: $MESO_KIOSK_HOME or the user data folder)",
    )


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    _add_data_dir(parser)
    parser.add_argument("--kiosk", action="store_true", help="full-screen, frameless kiosk window")
    parser.add_argument("--demo", action="store_true", help="seed an empty database with fictional records first")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="meso-kiosk", description="Scalp-mesotherapy consultation kiosk.")
    parser.add_argument("--version", action="version", version=f"meso-kiosk {__version__}")
    _add_window_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    audit = commands.add_parser("audit-verify", help="check the audit log's hash chain")
    _add_data_dir(audit, default=argparse.SUPPRESS)
    backup = commands.add_parser("backup", help="write a verified backup (database, key, exports, seal) to a zip")
    backup.add_argument("--out", required=True, metavar="FILE", type=_path,
                        help="the backup file to write (outside the data folder)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _add_data_dir(backup, default=argparse.SUPPRESS)
    restore = commands.add_parser("restore", help="restore a backup into an empty (or --replace'd) data folder")
    restore.add_argument("archive", metavar="FILE", type=_path, help="a backup written by 'meso-kiosk backup'")
    restore.add_argument("--replace", action="store_true",
                         help="restore over existing data (the current folder is kept beside it)")
    restore.add_argument("--allow-older", action="store_true",
                         help="restore even though the backup is older than the data it replaces (recorded)")
    _add_data_dir(restore, default=argparse.SUPPRESS)
    auto = commands.add_parser("auto-backup", help="show or set the daily automatic backup (and run it if due)")
    switch = auto.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="daily", action="store_const", const=True, help="back up once a day")
    switch.add_argument("--off", dest="daily", action="store_const", const=False, help="no automatic backup")
    auto.add_argument("--keep", metavar="N", help="how many automatic backups to keep (1-366, default 7)")
    auto.add_argument("--folder", metavar="DIR", type=_path, help="where to write them (full path; empty for the data folder's backups/)")
    auto.add_argument("--run", action="store_true", help="make today's backup now if it is due (for a scheduler)")
    _add_data_dir(auto, default=argparse.SUPPRESS)
    export = commands.add_parser("export-pdf", help="export a patient's consultation summary as a sealed PDF")
    export.add_argument("--patient", required=True, type=_patient_id, metavar="ID", help="the patient's number")
    export.add_argument("--out", metavar="FILE", type=_path,
                        help="the PDF to write, outside the data folder (default: a new file in its exports/)")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists (never an issued document)")
    _add_data_dir(export, default=argparse.SUPPRESS)
    verify = commands.add_parser("verify", help="check a PDF's seal and that this installation issued it")
    verify.add_argument("file", metavar="FILE", type=_path, help="a PDF exported by 'meso-kiosk export-pdf' or the app")
    _add_data_dir(verify, default=argparse.SUPPRESS)
    new_seal = commands.add_parser("new-seal", help="make a new clinic seal when the old one is lost for good (recorded)")
    _add_data_dir(new_seal, default=argparse.SUPPRESS)
    self_test = commands.add_parser("self-test", help="run a whole consultation end to end in a temporary folder")
    self_test.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, type=_path,
                           help="an empty (or earlier self-test's) folder to work in, kept afterwards "
                                "(default: a temporary folder, removed when every step passed)")
    return parser


def _existing_data(args: argparse.Namespace) -> DataPaths:
    root = resolve_data_dir(args.data_dir)
    if root.exists() and not root.is_dir():
        raise CommandFailed(f"{root} is a file, not a data folder (pass the folder holding meso.db to --data-dir)")
    if not (root / "meso.db").exists():
        raise CommandFailed(f"no Meso Kiosk database in {root} (start the app once, or pass --data-dir)")
    return DataPaths(root)


# Each command imports what it runs when it runs (these functions' first lines): the window's
# start must not load the services before its first frame, nor a headless command load Qt.


def _existing_kiosk(args: argparse.Namespace, *, rescue: bool = False):
    """The installation, opened to work on it; ``rescue`` (backup, verify): a folder that cannot be
    written is opened read-only instead, so what it holds can still be saved elsewhere."""
    from .services.kiosk import open_kiosk, open_kiosk_read_only

    root = _existing_data(args).root
    try:
        kiosk = open_kiosk(root)
    except (DataDirError, DatabaseReadOnlyError):
        if not rescue:
            raise
        kiosk = open_kiosk_read_only(root)
        print(f"meso-kiosk: {root} cannot be written to: opened read-only, nothing in it is changed", file=sys.stderr)
        return kiosk
    if kiosk.tightened:
        print(f"meso-kiosk: made private to this user (others could read them): {', '.join(kiosk.tightened)}",
              file=sys.stderr)
    return kiosk


def _run_audit_verify(args: argparse.Namespace) -> int:
    from .store.folder_check import check_folder

    paths = _existing_data(args)
    result = check_folder(paths.database, paths.audit_key, paths.audit_anchor)
    if not result.ok:
        raise CommandFailed(result.summary())
    print(result.summary())
    return EXIT_OK


def _run_backup(args: argparse.Namespace) -> int:
    from .services.backup import create_backup

    kiosk = _existing_kiosk(args, rescue=True)
    try:
        print(create_backup(kiosk, Path(args.out), force=args.force).summary())
    finally:
        kiosk.close()
    return EXIT_OK


def _run_restore(args: argparse.Namespace) -> int:
    from .services.backup import restore_backup

    print(restore_backup(Path(args.archive), resolve_data_dir(args.data_dir), replace=args.replace,
                         allow_older=args.allow_older))
    return EXIT_OK


def _run_new_seal(args: argparse.Namespace) -> int:
    from .reports.pades import SealError

    kiosk = _existing_kiosk(args)
    try:
        material = kiosk.export.seal.new_seal(kiosk.clinic.profile().name, "cli")
        trusted = len(kiosk.export.seal.trusted_certificates())
    except SealError as error:
        raise CommandFailed(str(error)) from None
    finally:
        kiosk.close()
    print(f"new seal made for {material.subject} (fingerprint {material.fingerprint[:16]}); {trusted} seal "
          f"certificates stay trusted by verify; install {kiosk.paths.seal / 'seal-certificate.pem'} in PDF readers")
    return EXIT_OK


def _run_auto_backup(args: argparse.Namespace) -> int:
    from .services.backup import auto_backup_if_due, configure_auto_backup

    kiosk = _existing_kiosk(args)
    try:
        schedule = configure_auto_backup(kiosk, "cli", daily=args.daily, keep=args.keep, folder=args.folder)
        print(schedule.summary())
        if args.run:
            report = auto_backup_if_due(kiosk)
            print(report.summary() if report else "no automatic backup due (off, or already done today)")
    finally:
        kiosk.close()
    return EXIT_OK


def _run_export_pdf(args: argparse.Namespace) -> int:
    kiosk = _existing_kiosk(args)
    try:
        exported = kiosk.export.export_pdf(args.patient, "cli", Path(args.out) if args.out else None,
                                           force=args.force)
    finally:
        kiosk.close()
    print(f"exported {exported.path} (document {exported.document_id}, sha256 {exported.sha256})")
    return EXIT_OK


def _run_verify(args: argparse.Namespace) -> int:
    kiosk = _existing_kiosk(args, rescue=True)
    try:
        report = kiosk.export.verify(Path(args.file))
        if not report.ok:
            raise CommandFailed(f"{args.file}: {report.problem}")
        print("\n".join(report.lines(kiosk.clock)))
    finally:
        kiosk.close()
    return EXIT_OK


def _run_self_test(args: argparse.Namespace) -> int:
    from .services.self_test import DataDirRefused, run_self_test
    from .ui.self_test import ui_steps

    try:  # never $MESO_KIOSK_HOME or the user data folder: only a folder given here, or a temporary one
        return run_self_test(Path(args.data_dir) if args.data_dir else None, ui_steps(),
                             out=lambda line: print(line, flush=True))
    except DataDirRefused as error:
        raise CommandFailed(f"self-test: {error}") from None


def _run_gui(args: argparse.Namespace) -> int:
    from .ui.startup import run_gui

    return run_gui(resolve_data_dir(args.data_dir), kiosk_mode=args.kiosk, demo=args.demo)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: _run_gui,
    "audit-verify": _run_audit_verify,
    "backup": _run_backup,
    "restore": _run_restore,
    "auto-backup": _run_auto_backup,
    "export-pdf": _run_export_pdf,
    "verify": _run_verify,
    "new-seal": _run_new_seal,
    "self-test": _run_self_test,
}


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: the process's arguments) read by ``build_parser``."""
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a path that is not valid text must not crash the output
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    quiet_third_parties()
    args = parse_arguments(argv)
    try:
        return COMMANDS[args.command](args)
    except (CommandFailed, StoreError, DataDirError, MissingResourceError, ValidationError,
            InstanceLockedError, WordedError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as error:  # the contract: one line, never a traceback
        _fail(f"unexpected error ({type(error).__name__}): {error}")
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
