"""Demo seeder: consultant PINs, and signed consents with hand-drawn-looking signatures."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ...domain.consent import ConsentAnswers, Countersignature, make_consent, make_withdrawal
from ...store.consents import insert_consent
from ...store.db import Transaction
from .context import DemoContext
from .signature import synthetic_signature

DEMO_DEVICE = "demo-tablet"


def _moment(context: DemoContext, days_ago: int, at: str) -> datetime:
    clock = context.clock
    day = clock.today() - timedelta(days=days_ago)
    local = datetime.combine(day, time.fromisoformat(at), tzinfo=clock.tz)
    return min(local, clock.now_utc() - timedelta(hours=3)).astimezone(clock.now_utc().tzinfo)


def seed_consents(tx: Transaction, context: DemoContext) -> None:
    data = context.kiosk.clinic_data.demo("consents")
    accounts = context.kiosk.accounts
    consents = context.kiosk.consents
    for entry in data["pin"]:
        accounts.set_initial_pin(tx, context.consultants[entry["consultant"]].id, entry["pin"])
    signed = withdrawn = 0
    for raw in data["consent"]:
        patient = context.patient(raw["patient"], "demo/consents.toml")
        consultant = context.consultants[raw["consultant"]]
        template = consents.template_for(raw["language"])
        signature = synthetic_signature(patient.display_name)

        def consent(days_ago: int, at: str, photos: bool, supersedes: int | None, question: str | None = None):
            moment = _moment(context, days_ago, at)
            answers = ConsentAnswers(tuple(i.id for i in template.checklist), photos, question)
            return insert_consent(tx, make_consent(
                template, answers, patient_id=patient.id, printed_name=patient.display_name,
                signature=signature, countersignature=Countersignature(consultant.id, consultant.display_name, moment),
                signed_at=moment, device_id=DEMO_DEVICE, supersedes_id=supersedes,
            ))

        record = consent(raw["days_ago"], raw["time"], raw["photos"], None, raw.get("question"))
        signed += 1
        if "withdrawn" in raw:
            w = raw["withdrawn"]
            moment = _moment(context, w["days_ago"], w["time"])
            record = insert_consent(tx, make_withdrawal(
                template, patient_id=patient.id, printed_name=patient.display_name, withdraws_id=record.id,
                channel=w["channel"], reason=w.get("reason"), signed_at=moment, device_id=DEMO_DEVICE,
                countersignature=Countersignature(consultant.id, consultant.display_name, moment),
            ))
            withdrawn += 1
        if "then" in raw:
            again = raw["then"]
            consent(again["days_ago"], again["time"], again["photos"], record.id)
            signed += 1
    context.notes.append(f"{signed} signed consents ({withdrawn} withdrawn and signed again), consultant PINs set")
