"""The summary's signature blocks of the people who signed a consent beside the patient.

A guardian, a witness, an interpreter each get a block like the patient's (their drawn
strokes, name, time, what their signature means), printed between the patient's and the
consultant's; when a guardian signed, the patient's own block says it is their assent.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.consent_parties import ConsentParty, PartyRole
from ..domain.signature import SignatureStrokes
from ..domain.summary import SignatureBlock

Words = Callable[..., str]  # PatientWords: the PDF's words in the patient's language
Normalise = Callable[[SignatureStrokes], tuple[tuple, float]]


def assent_words(parties: tuple[ConsentParty, ...], words: Words) -> str | None:
    """"Signed by the patient as assent (aged 16); …" when a guardian consented, else None."""
    guardian = next((party for party in parties if party.role is PartyRole.GUARDIAN), None)
    if guardian is None or guardian.patient_age is None:
        return None
    return words("assent_meaning", age=guardian.patient_age)


def party_blocks(parties: tuple[ConsentParty, ...], patient_name: str, words: Words,
                 language_name: Callable[[str], str], normalise: Normalise, method: str,
                 device: str | None = None) -> tuple[SignatureBlock, ...]:
    """One block per party, guardian first, each in the document's language; ``method``: how they
    signed, on the tablet the patient signed on (``device``, for the technical appendix)."""
    blocks = []
    for party in parties:
        if party.role is PartyRole.GUARDIAN:
            role = f"{words('role_guardian')}, {party.relationship}"
            meaning = words("guardian_meaning", patient=patient_name, relationship=party.relationship or "")
        elif party.role is PartyRole.WITNESS:
            role, meaning = words("role_witness"), words("witness_meaning")
        else:
            role = words("role_interpreter")
            meaning = words("interpreter_meaning", language=f"{language_name(party.language or '')} "
                                                            f"({party.language})")
        strokes, aspect = normalise(party.signature)
        blocks.append(SignatureBlock(
            role=role, printed_name=party.name, signed_at=party.signed_at,  # type: ignore[arg-type]
            meaning=meaning, strokes_sha256=party.signature_sha256 or party.signature.sha256, strokes=strokes,
            aspect=aspect, method=method, digest_label=words("strokes_sha256"), device=device))
    return tuple(blocks)
