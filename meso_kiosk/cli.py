"""Command line: ``meso-kiosk [--data-dir DIR] [--kiosk] [--demo]`` and headless subcommands.

A contract others script against: every failure is one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import stat
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
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader left


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


def _text(value: str) -> str:
    """A value typed for a setting; NUL, which no argument can carry on most systems, is refused here."""
    if "\x00" in value:
        raise argparse.ArgumentTypeError("a value cannot contain a NUL character")
    return value


def _price(value: str) -> tuple[str, str]:
    """``PROTOCOL=AMOUNT``: the amount is checked with the other settings (empty clears the price)."""
    protocol, equals, amount = _text(value).partition("=")
    if not equals or not protocol.strip():
        raise argparse.ArgumentTypeError(f"write a price as PROTOCOL=AMOUNT, e.g. mild=120 (not {value!r})")
    return protocol.strip(), amount


def _add_clinic_parser(commands) -> None:
    clinic = commands.add_parser(
        "clinic", help="show the clinic's name, contact, time zone and policies, or set them (recorded)",
        description="Without options: print the clinic's settings, one 'key: value' a line (an address's "
                    "lines joined by ' / ', a price as its plain amount, 'not set' for nothing). With options: "
                    "set those given, all or nothing, then print. Every change is recorded in the audit log as "
                    "made from the command line (actor 'cli').")
    setting = clinic.add_argument
    setting("--name", type=_text, help="the clinic's name (on the screens, the PDFs and the seal)")
    setting("--address", type=_text, metavar="TEXT", help="postal address; lines separated by ' / ' or newlines")
    setting("--phone", type=_text, metavar="TEXT", help="the clinic's phone number (empty clears it)")
    setting("--email", type=_text, metavar="TEXT", help="the clinic's e-mail address (empty clears it)")
    setting("--timezone", type=_text, metavar="ZONE", help="IANA time zone, e.g. Europe/Paris (empty: the computer's)")
    setting("--currency", type=_text, metavar="CODE", help="the prices' currency, e.g. EUR")
    setting("--price", type=_price, action="append", metavar="PROTOCOL=AMOUNT",
            help="price of one session of a protocol (repeatable; an empty AMOUNT clears it)")
    setting("--cooling-off-hours", type=_text, metavar="N", help="hours between a first consent and the first session (0-720)")
    setting("--minimum-age", type=_text, metavar="N", help="age from which a patient consents alone (16-21)")
    setting("--treats-minors", type=_text, metavar="yes|no", help="whether younger patients are treated, with a guardian")
    setting("--reconsent-on-new-text", type=_text, metavar="yes|no",
            help="whether a changed consent text must be signed again before the next session")
    logo = clinic.add_mutually_exclusive_group()
    logo.add_argument("--logo", type=_path, metavar="FILE", help="the clinic's logo: a PNG, JPEG or SVG file")
    logo.add_argument("--no-logo", action="store_true", help="show no logo")
    _add_data_dir(clinic, default=argparse.SUPPRESS)


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
    photo = commands.add_parser("photo-import", help="store a progress photo (JPEG, PNG, HEIC) for a patient "
                                                     "whose photo consent is current; its metadata is removed")
    photo.add_argument("--patient", required=True, type=_patient_id, metavar="ID", help="the patient's number")
    photo.add_argument("--view", required=True, type=_text, metavar="VIEW", help="the standard view, e.g. vertex")
    photo.add_argument("file", metavar="FILE", type=_path, help="the photo file (from a camera or USB drive)")
    _add_data_dir(photo, default=argparse.SUPPRESS)
    new_seal = commands.add_parser("new-seal", help="make a new clinic seal when the old one is lost for good (recorded)")
    _add_data_dir(new_seal, default=argparse.SUPPRESS)
    _add_clinic_parser(commands)
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


def _run_photo_import(args: argparse.Namespace) -> int:
    from .services.photo_image import MAX_BYTES, read_photo_file

    path = Path(args.file)
    if path.is_dir():
        raise CommandFailed(f"{path} is a folder, not a photo file")
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise CommandFailed(f"{path}: the file is too large for a photo (at most {MAX_BYTES // (1024 * 1024)} MB)")
    data = read_photo_file(path)  # a missing or unreadable file: one line from main's OSError
    kiosk = _existing_kiosk(args)
    try:
        photo = kiosk.photos.add(args.patient, args.view, data, None, source="import")
    except ValidationError as error:
        message = next(iter(error.errors.values()))
        raise CommandFailed(f"{path}: {message}" if error.field == "image" else message) from None
    finally:
        kiosk.close()
    print(f"stored photo {photo.id} ({photo.view_id}, {photo.width}x{photo.height}) for patient {photo.patient_id}, "
          f"sha256 {photo.sha256}")
    return EXIT_OK


# A setting's field (``ValidationError.errors`` key) → the option that sets it.
CLINIC_OPTIONS = {"name": "--name", "address": "--address", "phone": "--phone", "email": "--email",
                  "timezone": "--timezone", "currency": "--currency", "prices": "--price",
                  "cooling_off_hours": "--cooling-off-hours", "minimum_age": "--minimum-age",
                  "treats_minors": "--treats-minors", "reconsent_on_new_text": "--reconsent-on-new-text",
                  "logo": "--logo"}


def _clinic_changes(args: argparse.Namespace) -> dict[str, object]:
    """The settings the options ask for, as typed (checked by the clinic service)."""
    from .services.clinic_listing import address_from_one_line

    changes: dict[str, object] = {field: getattr(args, field) for field in CLINIC_OPTIONS
                                  if field not in ("prices", "logo") and getattr(args, field) is not None}
    if "address" in changes:
        changes["address"] = address_from_one_line(changes["address"])  # type: ignore[arg-type]
    if args.price:
        prices: dict[str, str] = {}
        for protocol, amount in args.price:
            if protocol in prices:
                raise CommandFailed(f"--price {protocol}: given twice; give each protocol's price once")
            prices[protocol] = amount
        changes["prices"] = prices
    return changes


def _read_logo(name: str) -> bytes:
    """The picture in file ``name`` as PNG or JPEG bytes (an SVG drawn to PNG); one line if it cannot be."""
    from .services.clinic_logo import MAX_FILE_BYTES

    try:  # non-blocking: a FIFO named here must not hang the command
        descriptor = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise CommandFailed(f"--logo: {name} cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # a folder, a FIFO, a device
        os.close(descriptor)
        raise CommandFailed(f"--logo: {name} is not a file (give a PNG, JPEG or SVG file)")
    with os.fdopen(descriptor, "rb") as file:
        try:
            data = file.read(MAX_FILE_BYTES + 1)  # one byte more: prepare_logo says "too large"
        except OSError as error:
            raise CommandFailed(f"--logo: {name} cannot be read ({error.strerror or error})") from None
    head = data[:1024].lstrip().lower()
    if name.lower().endswith((".svg", ".svgz")) or head.startswith(b"<svg") or (
            head.startswith(b"<?xml") and b"<svg" in head):
        from .ui.svg_logo_headless import svg_logo_png  # Qt's SVG renderer, loaded only for an SVG

        if len(data) > MAX_FILE_BYTES:
            raise ValidationError.single("logo", "The logo file is too large; use one under 10 MB.")
        return svg_logo_png(data)
    return data


def _clinic_problem(error: ValidationError) -> CommandFailed:
    """Each field at fault named by its option: ``--minimum-age: The minimum age must be …``."""
    def option(field: str) -> str:
        if field.startswith("price."):
            return f"--price {field.removeprefix('price.')}"
        return CLINIC_OPTIONS.get(field, field)

    return CommandFailed(" ".join(f"{option(field)}: {message}" for field, message in error.errors.items()))


def _run_clinic(args: argparse.Namespace) -> int:
    from .services.clinic_listing import settings_lines

    try:
        changes = _clinic_changes(args)
        logo = _read_logo(args.logo) if args.logo is not None else None
        wanted = bool(changes) or logo is not None or args.no_logo
        kiosk = _existing_kiosk(args, rescue=not wanted)
        try:
            protocol_ids = tuple(kiosk.clinic_data.protocols())
            if wanted:  # every value checked, then all stored in one transaction as made by "cli" (or nothing)
                kiosk.clinic.update(changes, "cli", logo=logo if logo is not None else None if args.no_logo else "keep")
            print("\n".join(settings_lines(kiosk.clinic.settings(), kiosk.clinic.logo(), protocol_ids)))
        finally:
            kiosk.close()
    except ValidationError as error:
        raise _clinic_problem(error) from None
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
    "photo-import": _run_photo_import,
    "clinic": _run_clinic,
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
    except BrokenPipeError:
        # The reader went away (``meso-kiosk verify FILE | head -1``): stop quietly, as Unix tools do;
        # stdout goes to devnull so the interpreter's last flush cannot complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
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
