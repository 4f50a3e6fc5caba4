"""The quiet light theme: one accent for the primary action, warning and stop colours with icons."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from ..resources import resource_path

BACKGROUND = "#F7F6F2"
SURFACE = "#FFFFFF"
TEXT = "#1F2933"
MUTED = "#52606D"  # 6.4:1 on the background
BORDER = "#C9CED6"
ACCENT = "#1D5FA8"  # 6.0:1 on white
ACCENT_SOFT = "#E3ECF7"
WARNING = "#8A5300"
WARNING_SOFT = "#FDF3E1"
STOP = "#A61B1B"
STOP_SOFT = "#FBE9E9"
SUCCESS = "#1E6B3A"

TOUCH_TARGET = 48  # px; above the 44 px minimum with room for a finger
TILE_WIDTH = 232  # a consultant's tile on the lock screen
TILE_HEIGHT = 168  # its initials, two lines of name and the role
BODY_PX = 19
SMALL_PX = 16
HEADING_PX = 28

STYLESHEET = f"""
QWidget {{ color: {TEXT}; font-size: {BODY_PX}px; }}
QMainWindow, QStackedWidget > QWidget {{ background: {BACKGROUND}; }}
QLabel[role="heading"] {{ font-size: {HEADING_PX}px; font-weight: 600; }}
QLabel[role="subheading"] {{ font-size: 22px; font-weight: 600; }}
QLabel[role="muted"] {{ color: {MUTED}; font-size: {SMALL_PX}px; }}
QLabel[role="error"] {{ color: {STOP}; font-size: {SMALL_PX}px; }}
QLabel[role="saved"] {{ color: {SUCCESS}; font-size: {SMALL_PX}px; }}
QLabel[role="banner-error"] {{ color: {STOP}; background: {STOP_SOFT}; border: 1px solid {STOP};
    border-radius: 8px; padding: 8px 12px; }}
QLabel[role="banner-notice"] {{ color: {TEXT}; background: {ACCENT_SOFT}; border: 1px solid {ACCENT};
    border-radius: 8px; padding: 8px 12px; }}
QLineEdit, QComboBox, QPlainTextEdit {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 8px; padding: 6px 12px; min-height: {TOUCH_TARGET - 14}px; }}
/* A focused or wrong field's border is 1 px thicker: its padding is 1 px thinner, so the
   field keeps its size and nothing beside or below it moves under the finger. */
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: 2px solid {ACCENT}; padding: 5px 11px; }}
QLineEdit[invalid="true"] {{ border: 2px solid {STOP}; padding: 5px 11px; }}
QPushButton {{ background: {SURFACE}; color: {ACCENT}; border: 2px solid {ACCENT}; border-radius: 8px;
    padding: 8px 20px; min-height: {TOUCH_TARGET - 20}px; min-width: 96px; font-weight: 600; }}
QPushButton:hover {{ background: {ACCENT_SOFT}; }}
QPushButton:focus {{ border: 3px solid {TEXT}; }}
QPushButton:disabled {{ color: #8A949E; border-color: {BORDER}; }}
QPushButton[role="primary"] {{ background: {ACCENT}; color: white; }}
QPushButton[role="primary"]:disabled {{ background: {BORDER}; color: #4A5560; }}
QPushButton[role="step"] {{ color: {TEXT}; border: 2px solid {BORDER}; text-align: left; padding: 8px 16px; }}
QPushButton[role="step"][compact="true"] {{ text-align: center; padding: 6px 4px; font-size: {SMALL_PX}px; }}  /* six steps on a portrait tablet */
QPushButton[role="step"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QListWidget {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; }}
QListWidget::item {{ min-height: {TOUCH_TARGET + 12}px; padding: 4px 12px; border-bottom: 1px solid #ECEEF1; }}
QListWidget::item:selected {{ background: {ACCENT_SOFT}; color: {TEXT}; }}
QFrame[role="card"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 12px; }}
QFrame[role="header"] {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QScrollArea {{ border: none; background: {BACKGROUND}; }}
QScrollBar:vertical {{ width: 18px; background: {BACKGROUND}; }}
QScrollBar::handle:vertical {{ background: {BORDER}; border-radius: 8px; min-height: 48px; margin: 2px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
QWidget#page {{ background: {BACKGROUND}; }}
QComboBox::drop-down {{ border: none; width: 40px; }}
QComboBox::down-arrow {{ image: url({{chevron}}); width: 20px; height: 20px; }}
QComboBox QAbstractItemView {{ background: {SURFACE}; selection-background-color: {ACCENT_SOFT};
    selection-color: {TEXT}; }}
/* A list under the box (not Fusion's menu, which ignores the rows' height): rows a finger can pick. */
QComboBox {{ combobox-popup: 0; }}
QComboBox QAbstractItemView::item {{ min-height: {TOUCH_TARGET}px; padding: 0 12px; }}
"""

# Intake: yes/no answer rows, screening findings (each with its icon too), autosave status.
STYLESHEET += f"""
QFrame[role="yes-no-row"] {{ background: {BACKGROUND}; border: 1px solid #E2E5EA; border-radius: 8px; }}
QPushButton[role="answer"] {{ color: {TEXT}; border: 2px solid {BORDER}; min-width: 72px; }}
QPushButton[role="answer"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton[role="answer"]:checked:disabled {{ background: {MUTED}; color: white; border-color: {MUTED}; }}
QPushButton[role="answer"][invalid="true"] {{ border-color: {STOP}; }}
QPushButton[role="disclosure"] {{ color: {TEXT}; border: 2px solid {BORDER}; }}
QPushButton[role="history"] {{ color: {TEXT}; border: 1px solid {BORDER}; text-align: left; font-weight: 400; }}
QLabel[role="minor-heading"] {{ font-weight: 600; padding-top: 8px; }}
QLabel[role="salt-score"] {{ font-weight: 600; color: {ACCENT}; background: {ACCENT_SOFT}; border-radius: 8px;
    padding: 8px 12px; }}
QFrame[role="finding-stop"] {{ background: {STOP_SOFT}; border: 2px solid {STOP}; border-radius: 10px; }}
QFrame[role="finding-warn"] {{ background: {WARNING_SOFT}; border: 2px solid {WARNING}; border-radius: 10px; }}
QFrame[role="finding-info"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLabel[role="finding-stop-title"] {{ color: {STOP}; font-weight: 700; }}
QLabel[role="finding-warn-title"] {{ color: {WARNING}; font-weight: 700; }}
QLabel[role="finding-info-title"] {{ color: {ACCENT}; font-weight: 700; }}
QLabel[role="override-note"] {{ color: {SUCCESS}; font-weight: 600; }}
QFrame[role="intake-notice"] {{ background: {ACCENT_SOFT}; border: 1px solid {ACCENT}; border-radius: 10px; }}
QFrame[role="intake-done"] {{ background: #E6F2EA; border: 2px solid {SUCCESS}; border-radius: 10px; }}
QDateEdit, QTimeEdit {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px;
    padding: 6px 12px; min-height: {TOUCH_TARGET - 14}px; }}
QDateEdit:focus, QTimeEdit:focus {{ border: 2px solid {ACCENT}; padding: 5px 11px; }}
QDateEdit[invalid="true"], QTimeEdit[invalid="true"] {{ border: 2px solid {STOP}; padding: 5px 11px; }}
QDateEdit::drop-down {{ border: none; width: 44px; }}
QDateEdit::down-arrow {{ image: url({{chevron}}); width: 20px; height: 20px; }}
QTimeEdit::up-button, QTimeEdit::down-button {{ width: 0px; }}
QCheckBox[role="ack"] {{ spacing: 12px; font-weight: 600; }}
QCheckBox[role="ack"]:disabled {{ color: {TEXT}; }}
QCheckBox[role="ack"]::indicator {{ width: 28px; height: 28px; }}
QComboBox:disabled {{ color: {TEXT}; background: #EEF0F3; }}
QPlainTextEdit[invalid="true"] {{ border: 2px solid {STOP}; padding: 5px 11px; }}
"""


# Treatment session (scalp map step): row toggles, segmented choices, lot warnings, amendments.
STYLESHEET += f"""
QCheckBox[role="row"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px;
    padding: 6px 12px; min-height: {TOUCH_TARGET - 14}px; spacing: 12px; }}
QCheckBox[role="row"]:checked {{ background: {ACCENT_SOFT}; border: 2px solid {ACCENT}; }}
QCheckBox[role="row"]:focus {{ border: 3px solid {TEXT}; }}
QCheckBox[role="row"]::indicator {{ width: 28px; height: 28px; }}
QPushButton[role="toggle"] {{ color: {TEXT}; border: 2px solid {BORDER}; font-weight: 400; min-width: 0;
    padding: 8px 12px; }}
QPushButton[role="toggle"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT};
    font-weight: 600; }}
QPushButton[role="toggle"]:focus {{ border: 3px solid {TEXT}; }}
QLabel[role="warning"] {{ color: {WARNING}; background: {WARNING_SOFT}; font-size: {SMALL_PX}px;
    border-radius: 6px; padding: 4px 8px; }}
QLabel[role="subheading-small"] {{ font-weight: 600; }}
QLabel[role="amendment"] {{ color: {TEXT}; background: {WARNING_SOFT}; border-left: 4px solid {WARNING};
    padding: 6px 10px; font-size: {SMALL_PX}px; }}
"""

# Course step: timeline rows, their state words, the interval editor.
STYLESHEET += f"""
QLabel[role="subheading-small"] {{ font-size: 20px; font-weight: 600; }}
QLabel[role="timeline-title"] {{ font-weight: 600; }}
QLabel[role="timeline-detail"] {{ color: {MUTED}; font-size: {SMALL_PX + 1}px; }}
QLabel[role="timeline-hint"] {{ color: {ACCENT}; font-size: {SMALL_PX}px; font-weight: 600; }}
QLabel[role="timeline-word"] {{ border-radius: 6px; padding: 1px 8px; font-size: 15px; font-weight: 600;
    color: {ACCENT}; background: {ACCENT_SOFT}; }}
QLabel[role="timeline-word"][kind="done"] {{ color: white; background: {SUCCESS}; }}
QLabel[role="timeline-word"][kind="next"], QLabel[role="timeline-word"][kind="today"] {{
    color: white; background: {ACCENT}; }}
QLabel[role="timeline-word"][kind="overdue"] {{ color: white; background: {WARNING}; }}
QLabel[role="timeline-word"][kind="maintenance"] {{ color: {MUTED}; background: #ECEEF1; }}
QFrame[role="timeline-next"] {{ background: {ACCENT_SOFT}; border-radius: 8px; }}
QFrame[role="timeline-overdue"] {{ background: {WARNING_SOFT}; border-radius: 8px; }}
QFrame[role="timeline-today"] QLabel[role="timeline-title"] {{ color: {ACCENT}; }}
QFrame[editable="true"]:focus {{ border: 3px solid {TEXT}; border-radius: 8px; }}
QFrame[role="interval-editor"] {{ background: {ACCENT_SOFT}; border: 2px solid {ACCENT}; border-radius: 8px; }}
QPushButton[role="square"] {{ min-width: 44px; max-width: 44px; min-height: 44px; max-height: 44px; padding: 0;
    font-size: 24px; }}
QSpinBox {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; padding: 6px 8px;
    font-size: 22px; font-weight: 600; }}
QSpinBox:focus {{ border: 2px solid {ACCENT}; padding: 5px 7px; }}
QSpinBox QLineEdit {{ border: none; padding: 0; min-height: 0; background: transparent; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: 0px; }}
QSpinBox[invalid="true"] {{ border: 2px solid {STOP}; padding: 5px 7px; }}
QLineEdit[invalid="true"] {{ border: 2px solid {STOP}; padding: 5px 11px; }}
"""

# Lock screen, PIN pad and consultant administration.
STYLESHEET += f"""
QPushButton[role="pin-key"], QPushButton[pin_ok="true"] {{ font-size: 26px; padding: 0;
    min-width: 88px; max-width: 88px; min-height: 64px; max-height: 64px; }}
QPushButton[role="pin-key"] {{ color: {TEXT}; border: 2px solid {BORDER}; }}
QPushButton[role="pin-key"]:pressed {{ background: {ACCENT_SOFT}; border-color: {ACCENT}; }}
QPushButton[role="pin-key"]:disabled {{ color: #8A949E; background: #EEF0F3; border-color: #DDE1E6; }}
QLineEdit[role="pin"] {{ font-size: 30px; min-height: {TOUCH_TARGET + 8}px; }}
QPushButton[role="consultant-tile"] {{ background: {SURFACE}; color: {TEXT}; border: 2px solid {BORDER};
    border-radius: 14px; padding: 0; min-width: {TILE_WIDTH}px; max-width: {TILE_WIDTH}px;
    min-height: {TILE_HEIGHT}px; max-height: {TILE_HEIGHT}px; }}
QPushButton[role="consultant-tile"]:hover {{ background: {ACCENT_SOFT}; border-color: {ACCENT}; }}
QPushButton[role="consultant-tile"]:focus {{ border: 3px solid {TEXT}; }}
QLabel[role="initials"], QLabel[role="initials-large"] {{ background: {ACCENT_SOFT}; color: {ACCENT};
    border-radius: 28px; font-size: 22px; font-weight: 700; }}
QLabel[role="initials-large"] {{ border-radius: 40px; font-size: 30px; }}
QLabel[role="tile-name"] {{ font-weight: 600; }}
QLabel[role="lock-title"] {{ font-size: 26px; font-weight: 600; }}
QLabel[role="lock-word"] {{ color: {MUTED}; font-size: {SMALL_PX}px; font-weight: 600; }}
QLabel[role="lockout"] {{ color: {WARNING}; background: {WARNING_SOFT}; border: 2px solid {WARNING};
    border-radius: 10px; padding: 10px 14px; font-weight: 600; }}
QLabel[role="status-word"] {{ border-radius: 6px; padding: 1px 8px; font-size: 15px; font-weight: 600;
    color: white; background: {SUCCESS}; }}
QLabel[role="status-word"][kind="off"] {{ color: {MUTED}; background: #ECEEF1; }}
QLabel[role="status-word"][kind="admin"] {{ color: {ACCENT}; background: {ACCENT_SOFT}; }}
QPushButton[role="toggle"][wide="true"] {{ min-width: 150px; }}
QLabel[role="notice"] {{ color: {SUCCESS}; background: #E6F2EA; border: 1px solid {SUCCESS}; border-radius: 8px;
    padding: 8px 12px; }}
"""

# Consent step and patient hand-off: large calm type, whole-row ticks, the patient's own header.
STYLESHEET += f"""
QFrame[role="handoff-header"] {{ background: {ACCENT}; }}
QLabel[role="handoff-title"] {{ color: white; font-size: 28px; font-weight: 600; }}
QPushButton[role="handoff-consultant"] {{ background: transparent; color: white; border: 2px solid white;
    font-size: {SMALL_PX}px; min-width: 0; }}
QPushButton[role="handoff-consultant"]:hover, QPushButton[role="text-size"]:hover {{ background: #2A6DB8; }}
QPushButton[role="text-size"] {{ background: transparent; color: white; border: 2px solid white; font-size: 24px;
    font-weight: 700; min-width: 56px; min-height: {TOUCH_TARGET - 12}px; padding: 4px 12px; }}
QFrame[role="handoff-footer"] {{ background: {SURFACE}; border-top: 1px solid {BORDER}; }}
QLabel[role="patient-title"] {{ font-size: 32px; font-weight: 700; }}
QLabel[role="patient-heading"] {{ font-size: 26px; font-weight: 600; }}
QLabel[role="patient-subheading"] {{ font-size: 24px; font-weight: 600; color: {WARNING}; }}
QLabel[role="patient-text"], QLabel[role="patient-question"] {{ font-size: 23px; }}
QLabel[role="patient-question"] {{ font-weight: 600; }}
QLabel[role="patient-hint"] {{ font-size: 21px; color: {ACCENT}; font-weight: 600; }}
QLabel[role="patient-hint-muted"] {{ font-size: 20px; color: {MUTED}; }}
QLabel[role="patient-error"] {{ font-size: 21px; color: {STOP}; font-weight: 600; }}
QLabel[role="patient-meaning"] {{ font-size: 24px; font-weight: 600; background: {ACCENT_SOFT};
    border-left: 6px solid {ACCENT}; padding: 12px 16px; }}
QLineEdit[role="patient-field"], QPlainTextEdit[role="patient-field"] {{ font-size: 24px;
    min-height: {TOUCH_TARGET + 8}px; }}
QFrame[role="tick-row"] {{ background: {SURFACE}; border: 2px solid {BORDER}; border-radius: 10px; }}
QFrame[role="tick-row"][checked="true"] {{ background: {ACCENT_SOFT}; border-color: {ACCENT}; }}
QFrame[role="tick-row"][invalid="true"] {{ border-color: {STOP}; }}
QCheckBox[role="tick"]::indicator {{ width: 34px; height: 34px; }}
QCheckBox[role="tick"]:focus {{ outline: none; }}
QPushButton[role="patient-primary"] {{ background: {ACCENT}; color: white; font-size: 24px; padding: 12px 36px;
    min-height: {TOUCH_TARGET}px; }}
QPushButton[role="patient-primary"]:disabled {{ background: {BORDER}; color: #4A5560; }}
QPushButton[role="patient-choice"] {{ color: {TEXT}; border: 2px solid {BORDER}; font-size: 23px;
    font-weight: 600; padding: 12px 20px; min-height: {TOUCH_TARGET}px; }}
QPushButton[role="patient-choice"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QLabel[role="pad-message"] {{ font-size: 21px; color: {STOP}; font-weight: 600; }}
QPushButton[role="primary"][emphasis="large"] {{ font-size: 22px; padding: 12px 28px; }}
QFrame[role="consent-status"] {{ background: {SURFACE}; border: 2px solid {BORDER}; border-radius: 12px; }}
QFrame[role="consent-status"][state="ok"] {{ background: #E6F2EA; border-color: {SUCCESS}; }}
QFrame[role="consent-status"][state="missing"] {{ background: {WARNING_SOFT}; border-color: {WARNING}; }}
QFrame[role="consent-history-current"], QFrame[role="consent-history-superseded"],
QFrame[role="consent-history-withdrawn"], QFrame[role="consent-history-withdrawal"],
QFrame[role="consent-history-withdrawal_ended"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; }}
QFrame[role="consent-history-current"] {{ border: 2px solid {SUCCESS}; }}
QFrame[role="consent-history-withdrawal"] {{ border: 2px solid {WARNING}; }}
"""

# Summary step: ready / missing rows (a word and a mark, never colour alone), the export result, the preview.
STYLESHEET += f"""
QFrame[role="ready-row"], QFrame[role="missing-row"] {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 8px; }}
QFrame[role="missing-row"] {{ background: {WARNING_SOFT}; border-color: {WARNING}; }}
QLabel[role="ready-mark"] {{ color: {SUCCESS}; font-weight: 700; }}
QLabel[role="missing-mark"] {{ color: {WARNING}; font-weight: 700; }}
QPushButton[size="big"] {{ font-size: 22px; padding: 12px 24px; }}
QFrame[role="export-result"] {{ background: {SURFACE}; border: 2px solid {SUCCESS}; border-radius: 10px; }}
QFrame[role="export-result"][ok="false"] {{ background: {STOP_SOFT}; border-color: {STOP}; }}
QLabel[role="digest"] {{ font-family: monospace; font-size: 14px; color: {MUTED}; }}
QLabel[role="preview-page"] {{ background: white; border: 1px solid {BORDER}; }}
"""

# The same look on every platform, and offscreen.
STYLE = "Fusion"

# The installation's text size (services.text_size): every font size of the stylesheet and
# the app's font times this; touch targets keep their sizes (they grow with the text they hold).
_scale = 1.0


def text_scale() -> float:
    return _scale


def scaled_px(px: int) -> int:
    """``px`` at the installation's text size, for a font a widget sets itself."""
    return round(px * _scale)


def stylesheet(scale: float = 1.0) -> str:
    """The theme's stylesheet with every font size times ``scale``."""
    chevron = resource_path("icons/chevron-down.svg").as_posix()
    sheet = STYLESHEET.replace("{chevron}", chevron)
    if scale == 1.0:
        return sheet
    import re  # only for a text size other than the standard one

    return re.sub(r"font-size: (\d+)px", lambda size: f"font-size: {round(int(size[1]) * scale)}px", sheet)


def apply(app: QApplication, scale: float = 1.0) -> None:
    """The theme at text size ``scale``: font, style and stylesheet (a running app's every
    widget restyled at once: a new text size needs no restart)."""
    global _scale
    _scale = scale
    apply_font(app)
    app.setStyle(STYLE)
    apply_stylesheet(app)


def apply_theme(app: QApplication) -> None:
    """The theme's font, style and stylesheet at the standard text size."""
    apply(app, 1.0)


def set_text_scale(app: QApplication, scale: float) -> None:
    """Text size ``scale`` from now on: the app's font at once, and the stylesheet at once when
    one is set (while pages are built without it, ``deferred_style`` sets it at this size)."""
    global _scale
    if scale == _scale:
        return
    _scale = scale
    apply_font(app)
    if app.styleSheet():
        apply_stylesheet(app)


def apply_stylesheet(app: QApplication) -> None:
    """The theme's stylesheet at the current text size (its widgets take their font sizes from it)."""
    app.setStyleSheet(stylesheet(_scale))


def apply_font(app: QApplication) -> None:
    """The theme's body size (at the current text size) as the app's font, which widgets built
    without the stylesheet measure their text with (see ``startup.deferred_style``)."""
    font = QFont(app.font())
    font.setPixelSize(scaled_px(BODY_PX))
    app.setFont(font)
