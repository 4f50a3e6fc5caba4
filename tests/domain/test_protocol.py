"""Protocol data: every malformed file names the protocol and the field, and nothing else is raised."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.protocol import Protocol, parse_protocols

from .hostile_data import json_like


def one_protocol(body: dict, protocol_id: str = "test") -> Protocol:
    return parse_protocols({"protocols": {protocol_id: body}})[protocol_id]




def _good_body() -> dict:
    return {
        "label": "Test",
        "sessions": 4,
        "phases": [{"sessions": 2, "interval_days": 7}, {"sessions": 2, "interval_days": 14}],
        "milestones": [{"anchor": "session", "at": 2, "text": "Shedding usually slows around here."}],
    }


def _broken(path: tuple, value) -> dict:
    body = _good_body()
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("phases", 0, "interval_days"), 0, "protocols.test.phases[1].interval_days", "from 1 to 365"),
        (("phases", 1, "interval_days"), -14, "protocols.test.phases[2].interval_days", "from 1 to 365"),
        (("phases", 0, "interval_days"), 7.0, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), math.nan, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), math.inf, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), "7", "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), True, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), 700, "protocols.test.phases[1].interval_days", "from 1 to 365"),
        (("phases", 0, "interval_days"), _DELETE, "protocols.test.phases[1].interval_days", "nothing"),
        (("phases", 0, "min_interval_days"), 8, "protocols.test.phases[1].min_interval_days", "from 1 to 7"),
        (("phases", 0, "sessions"), 0, "protocols.test.phases[1].sessions", "from 1"),
        (("phases", 0, "sessionz"), 2, "protocols.test.phases[1]", "sessionz"),
        (("sessions",), 5, "protocols.test.sessions", "add up to 4"),
        (("sessions",), -1, "protocols.test.sessions", "from 1"),
        (("phases",), [], "protocols.test.phases", "at least one"),
        (("phases",), "weekly", "protocols.test.phases", "at least one"),
        (("phases", 0), "weekly", "protocols.test.phases[1]", "interval_days"),
        (("milestones", 0, "anchor"), "weeks", "protocols.test.milestones[1].anchor", '"session" or "months"'),
        (("milestones", 0, "anchor"), None, "protocols.test.milestones[1].anchor", '"session" or "months"'),
        (("milestones", 0, "at"), 5, "protocols.test.milestones[1].at", "from 1 to 4"),
        (("milestones", 0, "at"), 0, "protocols.test.milestones[1].at", "from 1 to 4"),
        (("milestones", 0, "text"), "   ", "protocols.test.milestones[1].text", "enter the milestone text"),
        (("milestones", 0, "text"), "slows\x00", "protocols.test.milestones[1].text", "control character"),
        (("milestones", 0, "text"), "x" * 10_000, "protocols.test.milestones[1].text", "too long"),
        (("milestones",), {"at": 1}, "protocols.test.milestones", "blocks"),
        (("label",), "", "protocols.test.label", "label"),
        (("label",), 42, "protocols.test.label", "must be text"),
        (("maintenance_every_months",), 0, "protocols.test.maintenance_every_months", "from 1 to 24"),
        (("intervals",), [7], "protocols.test", "intervals"),
    ],
)
def test_malformed_protocol_names_protocol_and_field(path, value, field, words):
    with pytest.raises(ValidationError) as caught:
        one_protocol(_broken(path, value))
    assert caught.value.field == field
    message = caught.value.errors[field]
    assert "Protocol 'test'" in message
    assert words.lower() in message.lower()


def test_every_faulty_protocol_is_reported_at_once():
    good = _good_body()
    data = {
        "protocols": {
            "good": good,
            "bad_one": _broken(("sessions",), 9),
            "bad_two": _broken(("phases", 0, "interval_days"), 0),
        }
    }
    with pytest.raises(ValidationError) as caught:
        parse_protocols(data)
    assert set(caught.value.errors) == {"protocols.bad_one.sessions", "protocols.bad_two.phases[1].interval_days"}


@pytest.mark.parametrize(
    "data",
    [None, {}, {"protocols": {}}, {"protocols": []}, "protocols", {"protocols": {"Mild!": _good_body()}}],
)
def test_protocols_file_without_usable_protocols(data):
    with pytest.raises(ValidationError):
        parse_protocols(data)


def test_unicode_labels_and_wording_are_kept():
    body = _good_body()
    body["label"] = "Léger – 軽度 – خفيف 🌱"
    body["milestones"][0]["text"] = "La chute ralentit souvent ici."
    protocol = one_protocol(body)
    assert protocol.label == "Léger – 軽度 – خفيف 🌱"


@settings(max_examples=300)
@given(
    key=st.sampled_from(["label", "sessions", "phases", "milestones", "maintenance_every_months"]),
    value=json_like,
)
def test_hostile_protocol_values_raise_only_validation_errors(key, value):
    body = _good_body()
    body[key] = value
    try:
        one_protocol(body)
    except ValidationError:
        pass
