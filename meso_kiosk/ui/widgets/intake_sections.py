"""The intake's questions, section by section: one field per question, short ones side by side.

Which questions show follows the answers (a scale that fits the type of hair loss, a
question that depends on another); an answer already given always stays in view.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ...domain.intake_form import SECTIONS, TREATMENTS_PREFIX, FieldSpec
from ...domain.scales import SALT, SALT_REGION_IDS
from ...services.intake import IntakeService
from .basics import label
from .intake_fields import IntakeField, ReflowGrid, is_short, make_field
from .intake_history import intake_card

SALT_PATHS = tuple(f"classification.salt.{region}" for region in SALT_REGION_IDS)


class IntakeSections:
    """Builds a card per intake section (``cards``) and keeps their fields in step with the answers."""

    def __init__(self, service: IntakeService):
        self._service = service
        self.fields: dict[str, IntakeField] = {}
        self._grids: list[ReflowGrid] = []
        self._grid_of: dict[str, ReflowGrid] = {}
        self._shown: dict[str, bool] = {}
        self.scale_hint = label("", "muted")
        self.salt_heading = label("SALT (alopecia areata): the percent of hair lost in each region", "minor-heading")
        self.salt_score_label = label("", "salt-score")
        self.salt_score_label.setAccessibleName("SALT score")
        self.cards = [self._section_card(section, title) for section, title in SECTIONS]

    def is_shown(self, path: str) -> bool:
        return self._shown.get(path, False)

    def _section_card(self, section: str, title: str) -> QFrame:
        card = intake_card(title)
        layout: QVBoxLayout = card.layout()  # type: ignore[assignment]
        specs = [s for s in self._service.specs if s.section == section]
        grid: ReflowGrid | None = None
        for index, spec in enumerate(specs):
            extras = self._extras_before(spec, specs[index - 1] if index else None)
            for extra in extras:
                layout.addWidget(extra)
                grid = None
            field = make_field(self._spec_for_form(spec), self._choices(spec))
            self.fields[spec.path] = field
            if is_short(spec, self._choices(spec)):
                if grid is None:
                    grid = ReflowGrid()
                    self._grids.append(grid)
                    layout.addWidget(grid)
                grid.add(field)
                self._grid_of[spec.path] = grid
            else:
                grid = None
                layout.addWidget(field)
            if spec.path == SALT_PATHS[-1]:
                layout.addWidget(self.salt_score_label)
                grid = None
        return card

    def _extras_before(self, spec: FieldSpec, previous: FieldSpec | None) -> list[QWidget]:
        if spec.section == "classification" and previous is None:
            return [self.scale_hint]
        if spec.path.startswith(TREATMENTS_PREFIX) and not (previous and previous.path.startswith(TREATMENTS_PREFIX)):
            return [
                label("Previous treatments and how they went", "minor-heading"),
                label("Leave “Not tried” for anything the patient has not used.", "muted"),
            ]
        if spec.path == SALT_PATHS[0]:
            return [self.salt_heading]
        return []

    def _spec_for_form(self, spec: FieldSpec) -> FieldSpec:
        if spec.scale == SALT and not spec.help:
            region = next(r for r in self._service.options.scales.salt.regions if spec.path.endswith("." + r.id))
            return replace(spec, help=f"{region.label}: {region.weight:g} % of the scalp.")
        if spec.path.startswith(TREATMENTS_PREFIX):
            return replace(spec, help="")  # said once, above the list
        if spec.path == "complaint.daily_shedding":
            options = self._service.options
            return replace(
                spec, help=f"Normal is about {options.shedding_normal_min}–{options.shedding_normal_max} a day."
            )
        return spec

    def _choices(self, spec: FieldSpec):
        return self._service.options.choices(spec.choices) if spec.choices else ()

    def answer_now(self, path: str) -> object:
        value = self.fields[path].raw_value()
        return None if isinstance(value, str) and not value.strip() else value

    def update_visibility(self, offered: tuple[str, ...], scale_hint: str) -> None:
        """Show the questions that apply now (and every one already answered)."""
        for spec in self._service.specs:
            shown = True
            if spec.scale is not None:
                shown = spec.scale in offered
            if spec.shown_when is not None:
                other, wanted = spec.shown_when
                answer = self.answer_now(other)
                shown = answer is not None if wanted is None else answer == wanted
            if self.answer_now(spec.path) is not None:
                shown = True  # never hide an answer that is there
            self._shown[spec.path] = shown
            grid = self._grid_of.get(spec.path)
            if grid is not None:
                grid.set_shown(self.fields[spec.path], shown)
            else:
                self.fields[spec.path].setVisible(shown)
        for grid in self._grids:
            grid.arrange()
        salt_shown = any(self._shown[p] for p in SALT_PATHS)
        self.salt_heading.setVisible(salt_shown)
        self.salt_score_label.setVisible(salt_shown)
        self.scale_hint.setText(scale_hint)

    def update_salt(self) -> None:
        regions = {region: self.fields[path].raw_value() for region, path in zip(SALT_REGION_IDS, SALT_PATHS)}
        score = self._service.salt_score_of(regions)
        if score is None:
            self.salt_score_label.setText("SALT score: appears when all four regions hold a percent from 0 to 100.")
        else:
            self.salt_score_label.setText(f"SALT score {score:g} of 100 — {self._service.salt_band_label(score)}")
