from meso_kiosk.domain.amendment import session_fields
from meso_kiosk.domain.session_captions import SESSION_FIELDS, FieldLabel, field_caption

from .test_session import GEOMETRY, draft, validate


def test_the_form_caption_is_the_words_and_the_hint():
    assert FieldLabel("Notes", "optional").form_caption == "Notes (optional)"
    assert FieldLabel("Session length (minutes)").form_caption == "Session length (minutes)"


def test_a_correction_names_every_field_it_can_change_in_the_forms_words():
    fields = [path for path in session_fields(validate(draft())) if "." not in path]
    assert fields
    for path in fields:
        assert field_caption(path, GEOMETRY) == SESSION_FIELDS[path].words
        assert SESSION_FIELDS[path].form_caption.startswith(SESSION_FIELDS[path].words)
