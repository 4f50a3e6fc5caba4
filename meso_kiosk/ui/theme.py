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
QLineEdit, QComboBox, QPlainTextEdit {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 8px; padding: 6px 12px; min-height: {TOUCH_TARGET - 14}px; }}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: 2px solid {ACCENT}; }}
QLineEdit[invalid="true"] {{ border: 2px solid {STOP}; }}
QPushButton {{ background: {SURFACE}; color: {ACCENT}; border: 2px solid {ACCENT}; border-radius: 8px;
    padding: 8px 20px; min-height: {TOUCH_TARGET - 20}px; min-width: 96px; font-weight: 600; }}
QPushButton:hover {{ background: {ACCENT_SOFT}; }}
QPushButton:focus {{ border: 3px solid {TEXT}; }}
QPushButton:disabled {{ color: #8A949E; border-color: {BORDER}; }}
QPushButton[role="primary"] {{ background: {ACCENT}; color: white; }}
QPushButton[role="primary"]:disabled {{ background: {BORDER}; color: #4A5560; }}
QPushButton[role="step"] {{ color: {TEXT}; border: 2px solid {BORDER}; text-align: left; padding: 8px 16px; }}
QPushButton[role="step"][compact="true"] {{ text-align: center; padding: 6px 4px; }}
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
QCheckBox[role="ack"] {{ spacing: 12px; font-weight: 600; }}
QCheckBox[role="ack"]:disabled {{ color: {TEXT}; }}
QCheckBox[role="ack"]::indicator {{ width: 28px; height: 28px; }}
QComboBox:disabled {{ color: {TEXT}; background: #EEF0F3; }}
QPlainTextEdit[invalid="true"] {{ border: 2px solid {STOP}; }}
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
QSpinBox:focus {{ border: 2px solid {ACCENT}; }}
QSpinBox QLineEdit {{ border: none; padding: 0; min-height: 0; background: transparent; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: 0px; }}
QSpinBox[invalid="true"], QLineEdit[invalid="true"] {{ border: 2px solid {STOP}; }}
"""

def apply_theme(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPixelSize(BODY_PX)
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform, and offscreen
    chevron = resource_path("icons/chevron-down.svg").as_posix()
    app.setStyleSheet(STYLESHEET.replace("{chevron}", chevron))
