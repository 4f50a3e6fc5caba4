"""Step 2 — Scalp map: mark today's zones, record the session, close it, see the history.

The map sits beside the form in landscape and above it in portrait. The open
session autosaves (debounced) while the consultant types; leaving the patient
saves too, and anything that could not be saved yet (a field still wrong) is
kept for that patient until they come back. Closing asks for an inline
confirmation; a closed session is corrected by an amendment with a reason,
shown beside the original.

The editing state lives in ``SessionDraft`` (no Qt); this page renders it and
forwards every edit and button to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.patient import Patient
from ...domain.treatment_gate import Refusal
from ...services.session_draft import NOT_SAVED_YET, DraftOutcome, SessionDraft
from ...services.sessions import SessionService
from ...store.consultant_accounts import ConsultantAccount
from ..widgets.basics import button, label, scrolling
from ..widgets.cooling_off_panel import CoolingOffPanel
from ..widgets.field_errors import reveal
from ..widgets.scalp_map_legend import HistoryLegend
from ..widgets.scalp_map_view import ScalpMapView
from ..widgets.session_form import SessionForm
from ..widgets.session_history import EarlierSessions, ZoneHistoryCard
from .step import StepGuard, StepHold, never_blocked, show_as_main_action

if TYPE_CHECKING:
    from ...services.cooling_off import CoolingOffService

AUTOSAVE_MS = 1200
_LANDSCAPE_FROM_PX = 1000


def errors_banner(errors: dict[str, str], unplaced: list[str]) -> str | None:
    """The line above the form when a save is refused, with the messages no field shows."""
    if not errors:
        return None
    count = len(errors)
    text = f"Not saved: {count} field{'s' if count != 1 else ''} need{'s' if count == 1 else ''} attention."
    return "\n".join([text, *unplaced])


class ScalpMapPage(QWidget):
    """The scalp-map step for one patient."""

    saved = Signal(object)  # TreatmentSession
    closed = Signal(object)  # TreatmentSession

    def __init__(self, sessions: SessionService, clock: Clock, actor: Callable[[], str],
                 parent: QWidget | None = None, *, guard: StepGuard = never_blocked,
                 cooling_off: CoolingOffService | None = None,
                 consultant: Callable[[], ConsultantAccount | None] = lambda: None):
        super().__init__(parent)
        self._guard = guard  # an intake stop holds the step back (see ConsultationStep)
        # A first session held by the cooling-off period: an admin (``consultant``) may start it early.
        self._cooling_off = cooling_off
        self._consultant = consultant
        self._patient: Patient | None = None
        self._refusal_shown: Refusal | None = None  # the treatment gate as last shown (``refresh``)
        self._landscape: bool | None = None  # set by the first _arrange
        self.draft = SessionDraft(sessions, clock, actor)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        # Map column: the map, what its shades mean, and the tapped zone's history.
        self.map = ScalpMapView(self.draft.geometry)
        self.history_toggle = button("Show history", "Show earlier sessions on the map")
        self.history_toggle.setCheckable(True)
        self.legend = HistoryLegend()
        self.map_hint = label("", "muted")
        self.zone_history = ZoneHistoryCard()
        self._map_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._under_map = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.map_panel = self._map_panel()
        # Form column: where the session stands, the form, and the sessions before.
        self.form_title = label("Today's session", "subheading")
        self.status = label("", "muted")
        self.banner = label("", "banner-error")
        self.banner.hide()
        self.start_button = button("Start today's session", "Start a new treatment session", primary=True)
        self.cooling_off_panel = CoolingOffPanel()
        self.form = SessionForm(self.draft, clock)
        self.earlier = EarlierSessions()
        self.form_scroll = scrolling(self._body())
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(24, 8, 16, 8)
        self._layout.setSpacing(24)
        self._layout.addWidget(self.map_panel, 5)
        self._layout.addWidget(self.form_scroll, 6)
        self._arrange(landscape=True)
        self._connect_signals()
        self._show_state()

    # ------------------------------------------------------------ layout

    def _map_panel(self) -> QWidget:
        map_top = QHBoxLayout()
        map_top.addWidget(self.map_hint, 1)
        map_top.addWidget(self.history_toggle)
        panel = QWidget()
        map_layout = QVBoxLayout(panel)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_layout.setSpacing(8)
        map_layout.addLayout(map_top)
        # Landscape: the map on top, legend and zone history side by side beneath it.
        # Portrait: legend and zone history in a column beside the map (the head is taller
        # than wide, so the space beside it is free), leaving the height to the form.
        self._map_row.setSpacing(12)
        self._map_row.addWidget(self.map, 1)
        self._under_map.setSpacing(12)
        self._under_map.addWidget(self.legend, 2)
        self._under_map.addWidget(self.zone_history, 3)
        self._map_row.addLayout(self._under_map)
        map_layout.addLayout(self._map_row, 1)
        return panel

    def _body(self) -> QWidget:
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 16)
        body_layout.setSpacing(12)
        body_layout.addWidget(self.form_title)
        body_layout.addWidget(self.status)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        body_layout.addWidget(self.cooling_off_panel)
        body_layout.addWidget(self.form)
        body_layout.addWidget(label("Earlier sessions", "subheading"))
        body_layout.addWidget(self.earlier)
        body_layout.addStretch(1)
        return body

    def _arrange(self, *, landscape: bool) -> None:
        direction = QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        self._layout.setDirection(direction)
        self._landscape = landscape
        self._layout.setStretch(0, 5 if landscape else 0)
        self._map_row.setDirection(
            QBoxLayout.Direction.TopToBottom if landscape else QBoxLayout.Direction.LeftToRight)
        self._map_row.setStretch(0, 1 if landscape else 3)
        self._map_row.setStretch(1, 0 if landscape else 2)
        self._under_map.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._under_map.setStretch(0, 2 if landscape else 0)
        self._under_map.setStretch(1, 3 if landscape else 1)
        self.form.arrange(landscape=landscape)

    def resizeEvent(self, event) -> None:
        landscape = event.size().width() >= _LANDSCAPE_FROM_PX
        if landscape != self._landscape:
            self._arrange(landscape=landscape)
        if landscape:
            self.map.setMinimumHeight(280)
            self.map.setMaximumHeight(16777215)
        else:
            # Portrait: the map keeps a fixed share on top, the form scrolls below it.
            self.map.setFixedHeight(max(340, min(520, int(event.size().height() * 0.34))))
        super().resizeEvent(event)

    def _connect_signals(self) -> None:
        self.map.selection_changed.connect(self._on_map_selection_changed)
        self.map.zone_tapped.connect(self._on_map_zone_tapped)
        self.history_toggle.toggled.connect(self._on_history_toggle_toggled)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.cooling_off_panel.waived.connect(self._on_cooling_off_panel_waived)
        self.form.changed.connect(self._on_form_changed)
        self.form.save_button.clicked.connect(self._on_save_button_clicked)
        self.form.close_button.clicked.connect(self._on_close_button_clicked)
        self.form.confirm_panel.back.clicked.connect(self._on_confirm_back_clicked)
        self.form.confirm_panel.confirm.clicked.connect(self._on_confirm_close_clicked)
        self.form.amend_save_button.clicked.connect(self._on_amend_save_button_clicked)
        self.form.amend_cancel_button.clicked.connect(self._on_amend_cancel_button_clicked)
        self.earlier.amend_requested.connect(self._on_earlier_amend_requested)
        self._autosave.timeout.connect(self._on_autosave_timeout)

    # ------------------------------------------------------------ the step's contract

    def show_patient(self, patient: Patient) -> None:
        if self._patient is not None and self._patient.id != patient.id:
            self.flush()
        self._patient = patient
        self.draft.show_patient(patient.id)
        self.zone_history.show_prompt()
        self._reload()

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self._patient) if self._patient is not None else None

    def show_progress(self, done: bool) -> None:
        """Today's session closed, or none due today: another one is a secondary action."""
        show_as_main_action(self.start_button, not done)
        self.start_button.setText("Start another session" if done else "Start today's session")

    def refresh(self) -> None:
        """Shown again: what another step changes here is the treatment gate (an intake completed, a
        hand-off signed, a withdrawal taken it back); when it has moved, the sessions are read again. An
        open session or correction stays as the consultant left it (its typing was saved on leaving)."""
        if self._patient is None or self.draft.editing:
            return
        if self.draft.treatment_refusal() != self._refusal_shown:
            self._reload()

    def _reload(self) -> None:
        """Reload the patient's sessions and show the open one (or the start button)."""
        if self._patient is None:
            return
        self._autosave.stop()
        self.form.left.forget()  # another session (or none): nothing left, nothing submitted yet
        shown = self.draft.refresh()
        self.map.set_history(shown.overview.history.counts)
        with self.draft.loading_values():
            self.form.load_consultants(self.draft.consultants())
        if shown.values is not None:
            self._load_values(shown.values)
            self.form.saved_label.setText(shown.saved_caption)
        if shown.kept:
            self._show_errors(self.draft.errors(self.form.values()), keep_when_valid=True)
        else:
            self._show_errors({})
        self.earlier.show_cards(self.draft.earlier_sessions())
        if shown.overview.closed and not self.draft.session_id and not self.history_toggle.isChecked():
            self.history_toggle.setChecked(True)  # nothing to mark yet: show what was done
        self._show_state()
        self._update_totals()
        if self.draft.last_tapped:
            self._show_zone_history(self.draft.last_tapped)

    def flush(self, *, submitted: bool = False, while_typing: bool = False) -> bool:
        """Save the open draft now; False when a field is wrong (what was typed is kept).
        ``submitted`` (Save now, Close): the first error is brought into view and focused;
        ``while_typing`` (the autosave): only fields already left show their errors."""
        self._autosave.stop()
        outcome = self.draft.flush(self.form.values())
        if outcome is None:
            return True
        if outcome.errors:
            self._show_errors(outcome.errors, submitted=submitted, while_typing=while_typing)
            self.form.saved_label.setText(NOT_SAVED_YET)
            return False
        if outcome.problem:
            self._show_banner(outcome.problem)
            return False
        # Saved: what a close found wrong stays shown until it is corrected, the rest goes.
        self._show_errors(self.draft.closing_errors(self.form.values()) if self.form.left.submitted else {})
        for warning in outcome.warnings:
            self.form.show_warning(warning.field, warning.message)
        self.form.saved_label.setText(self.draft.saved_caption())
        self.saved.emit(outcome.session)
        return True

    # ------------------------------------------------------------ rendering the draft

    def _show_state(self) -> None:
        draft = self.draft
        has_patient = self._patient is not None
        editing = draft.editing
        refusal = self._refusal_shown = draft.treatment_refusal()
        amending = draft.amending is not None
        self.form.setVisible(editing)
        self.start_button.setVisible(has_patient and not editing)
        self.start_button.setEnabled(not refusal)
        self.cooling_off_panel.show_hold(None if editing or not has_patient else self._cooling_off,
                                         self._patient.id if has_patient else None, self._consultant())
        self.map.set_editable(editing)
        self.form.show_mode(amending=amending)
        if not editing:
            self.form.confirm_panel.hide()
        if amending:
            self.form_title.setText("Correct a closed session")
            self.status.setText("The original stays as it was; the correction is kept beside it with your reason.")
            self.map_hint.setText("Tap zones to correct which were treated.")
        elif editing:
            self.form_title.setText("Today's session")
            self.status.setText("In progress · saved automatically while you type.")
            self.map_hint.setText("Tap the zones treated in this session.")
        else:
            self.form_title.setText("Today's session")
            self.status.setText(f"A session cannot be started: {refusal.message}" if refusal
                                else "No session in progress for this patient.")
            self.map_hint.setText("Start a session to mark zones. Tap a zone to see its history.")
            self.map.set_selected(())

    def _load_values(self, values: dict) -> None:
        with self.draft.loading_values():
            self.map.set_selected(values.get("zones") or {})
            self.form.load(values, self.map.selected())
        self.form.update_lot_messages()
        self._update_totals()

    def _update_totals(self) -> None:
        self.form.totals.setText(self.draft.totals(self.form.zone_values(), self.map.selected()))

    def _show_banner(self, text: str | None) -> None:
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def _show_errors(self, errors: dict[str, str], *, keep_when_valid: bool = False, submitted: bool = False,
                     while_typing: bool = False) -> None:
        """Each message beside its field and a count in the banner; ``keep_when_valid``: a
        check that finds nothing wrong leaves the form as it is (no clean-up of old messages).
        ``while_typing``: only the fields already left show theirs (until a first submit);
        ``submitted``: the first wrong field (or the banner) is scrolled into view and focused."""
        if keep_when_valid and not errors:
            return
        self.form.left.submitted |= submitted
        shown = self.form.left.shown(errors) if while_typing else errors
        unplaced = self.form.show_errors(shown)
        self._show_banner(errors_banner(shown, unplaced))
        if submitted and shown:
            first = self.form.first_error(shown)
            reveal(*(first or (self.banner, None)))

    def _show_zone_history(self, zone_id: str) -> None:
        caption = self.draft.zone_history(zone_id)
        if caption is not None:
            self.zone_history.show_caption(*caption)

    # ------------------------------------------------------------ handlers

    def _on_form_changed(self) -> None:
        if not self.draft.edit():
            return
        self._update_totals()
        if self.draft.autosaves:
            self.form.saved_label.setText("Editing…")
            self._autosave.start()

    def _on_start_button_clicked(self) -> None:
        if self._patient is None:
            return
        refusal = self.draft.start()
        if refusal is not None:
            self._show_banner(refusal)
            return
        self._reload()
        self.map.setFocus()
        self.saved.emit(self.draft.overview.draft)  # a session is open now: the step is not done

    def _on_cooling_off_panel_waived(self, _waiver) -> None:
        self._on_start_button_clicked()  # the admin asked to start now: the gate lets it through

    def _on_map_selection_changed(self, _selected) -> None:
        self.form.sync_zone_rows(self.map.selected())
        self._on_form_changed()

    def _on_map_zone_tapped(self, zone_id: str) -> None:
        self.draft.last_tapped = zone_id
        self._show_zone_history(zone_id)

    def _on_history_toggle_toggled(self, checked: bool) -> None:
        self.map.set_history_visible(checked)
        self.legend.set_history_visible(checked)
        self.history_toggle.setText("Hide history" if checked else "Show history")

    def _on_autosave_timeout(self) -> None:
        self.flush(while_typing=True)

    def _on_save_button_clicked(self) -> None:
        self.flush(submitted=True)

    def _on_close_button_clicked(self) -> None:
        # Check before asking: the confirmation only appears for a session that can close.
        if not self.flush(submitted=True) and self.draft.dirty:
            return
        errors = self.draft.closing_errors(self.form.values())
        if errors:
            self._show_errors(errors, submitted=True)
            return
        self.form.confirm_panel.show()
        self.form.confirm_panel.confirm.setFocus()
        self.form_scroll.ensureWidgetVisible(self.form.confirm_panel)

    def _on_confirm_back_clicked(self) -> None:
        self.form.confirm_panel.hide()

    def _on_confirm_close_clicked(self) -> None:
        self.form.confirm_panel.hide()
        if self._patient is None:
            return
        outcome: DraftOutcome = self.draft.close(self.form.values())
        if outcome.errors:
            self._show_errors(outcome.errors, submitted=True)
            return
        if outcome.problem:
            self._show_banner(outcome.problem)
            return
        self._reload()
        self.form.saved_label.setText("")
        self.status.setText(self.draft.closed_caption(outcome.session))
        self.closed.emit(outcome.session)

    def _on_earlier_amend_requested(self, session_id: int) -> None:
        if not self.flush():
            return
        values = self.draft.begin_amend(session_id)
        self._show_state()
        self._load_values(values)
        self._show_errors({})
        self.form_scroll.ensureWidgetVisible(self.form_title)
        self.form.reason.setFocus()

    def _on_amend_cancel_button_clicked(self) -> None:
        self.draft.cancel_amend()
        self._reload()

    def _on_amend_save_button_clicked(self) -> None:
        if self.draft.amending is None:
            return
        errors = self.draft.save_amend(self.form.values())
        if errors:
            self._show_errors(errors, submitted=True)
            return
        self._reload()
        self.status.setText("Correction saved beside the original.")

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)
