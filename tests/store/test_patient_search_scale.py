"""Search as you type stays within a keystroke on a large clinic: broad prefixes are not ranked."""

from __future__ import annotations

from meso_kiosk.store import patients as patient_rows
from meso_kiosk.store.patients import search_patients


def test_a_prefix_matching_many_lists_the_newest_first_and_narrowing_ranks_again(kiosk, register, monkeypatch):
    monkeypatch.setattr(patient_rows, "RANKED_AT_MOST", 3)
    families = ["Martin", "Martinez", "Martins", "Marty", "Marais"]
    made = [register("Marie", family) for family in families] + [register("Zoé", "Zola")]
    broad = search_patients(kiosk.store.conn, "mar", limit=4)
    assert [p.id for p in broad] == [p.id for p in reversed(made[:5])][:4]  # newest registered first
    assert [p.id for p in search_patients(kiosk.store.conn, "marty")] == [made[3].id]  # few: ranked
    assert [p.id for p in search_patients(kiosk.store.conn, "zo")] == [made[5].id]


def test_the_unranked_branch_still_needs_every_word(kiosk, register, monkeypatch):
    monkeypatch.setattr(patient_rows, "RANKED_AT_MOST", 1)
    register("Anna", "Dubois")
    register("Anna", "Durand")
    register("Paul", "Dubois")
    found = search_patients(kiosk.store.conn, "du an")
    assert sorted(p.family_name for p in found) == ["Dubois", "Durand"]


def test_the_search_index_has_short_prefix_indexes_and_follows_changes(kiosk, register):
    sql = kiosk.store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'patient_names_fts'").fetchone()[0]
    assert "prefix='1 2 3'" in sql
    patient = register("Ana", "Ivanova")
    assert [p.id for p in search_patients(kiosk.store.conn, "i a")] == [patient.id]
    kiosk.patients.correct(patient.id, {"given_name": "Ana", "family_name": "Petrova", "date_of_birth": "1986-04-12"},
                           "test")
    assert search_patients(kiosk.store.conn, "iv") == []
    assert [p.id for p in search_patients(kiosk.store.conn, "pe")] == [patient.id]
