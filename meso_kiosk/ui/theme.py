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


def apply_theme(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPixelSize(BODY_PX)
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on every platform, and offscreen
    chevron = resource_path("icons/chevron-down.svg").as_posix()
    app.setStyleSheet(STYLESHEET.replace("{chevron}", chevron))
