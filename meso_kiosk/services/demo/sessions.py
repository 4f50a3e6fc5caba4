"""Demo seeder: closed sessions over past weeks, one correction, one session in progress.

Each session passes the treatment gate the app applies (a complete intake, a consent in force
signed before the session): the demo never shows a record the app would have refused."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ...domain.amendment import make_amendment
from ...domain.errors import ValidationError
from ...domain.session import close_session
from ...store import sessions as session_rows
from ...store.db import Transaction
from ...domain.actor import consultant_actor
from .context import DemoContext


def _form(raw: dict, context: DemoContext, started_at: datetime) -> dict:
    today = context.clock.today()
    return {
        "started_at": started_at,
        "consultant_id": str(context.consultants[raw["consultant"]].id),
        "technique": raw["technique"],
        "numbing": raw["numbing"],
        "zones": {
            zone_id: {"injections": values[0], "depth_mm": values[1], "volume_ml": values[2]}
            for zone_id, values in raw["zones"].items()
        },
        "products": [
            {"name": p["name"], "lot": p["lot"], "expiry": today + timedelta(days=p["expires_in_days"])}
            for p in raw.get("products", [])
        ],
        "duration_min": raw.get("duration_min"),
        "side_effects": raw.get("side_effects", []),
        "shedding": raw.get("shedding"),
        "satisfaction": raw.get("satisfaction"),
        "notes": raw.get("notes"),
    }


def seed_sessions(tx: Transaction, context: DemoContext) -> None:
    data = context.kiosk.clinic_data.demo("sessions")
    service = context.kiosk.sessions
    clock = context.clock
    now = clock.now_utc()
    closed = amended = opened = 0
    for raw in data["session"]:
        if "minutes_ago" in raw:
            started_at = (now - timedelta(minutes=raw["minutes_ago"])).replace(second=0, microsecond=0)
        else:
            day = clock.today() - timedelta(days=raw["days_ago"])
            local = datetime.combine(day, time.fromisoformat(raw["time"]), tzinfo=clock.tz)
            started_at = min(local, now - timedelta(hours=2))
        patient = context.patient(raw["patient"], "demo/sessions.toml")
        refusal = service.treatment_refusal(patient.id, started_at)
        if refusal is not None:
            raise ValidationError.single("session", f"demo/sessions.toml: the session of patient {raw['patient']} "
                                                    f"would be refused: {refusal.message}")
        form = _form(raw, context, started_at)
        session = service.validate(form)
        stored = session_rows.insert_session(tx, patient.id, session)
        if raw["status"] != "closed":
            opened += 1
            continue
        finished = close_session(stored, closed_at=started_at + timedelta(minutes=raw["duration_min"] + 5))
        session_rows.close_session_row(tx, finished)
        closed += 1
        if "amend" in raw:
            changes = {key: value for key, value in raw["amend"].items() if key != "reason"}
            corrected = service.validate(
                form | changes | {"session_id": stored.session_id, "status": "closed", "closed_at": finished.closed_at}
            )
            amendment = make_amendment(
                # by the consultant who ran the session, as a live correction is
                finished, corrected, reason=raw["amend"]["reason"],
                amended_by=consultant_actor(int(finished.consultant_id)),
                amended_at=finished.closed_at + timedelta(days=1),
            )
            session_rows.insert_amendment(tx, amendment, corrected)
            amended += 1
    context.notes.append(f"{closed} closed sessions ({amended} corrected) and {opened} in progress")
