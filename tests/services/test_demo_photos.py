"""``--demo`` has progress photos for a few patients whose consent says yes to photos, at their sessions."""

from __future__ import annotations

import io

from PIL import Image

from meso_kiosk.services.demo.seed import seed_demo


def test_the_demo_photographs_consenting_patients_at_their_sessions(kiosk):
    seed_demo(kiosk)
    photographed = {patient.id: kiosk.photos.photos(patient.id) for patient in kiosk.patients.recent(100)}
    photographed = {pid: photos for pid, photos in photographed.items() if photos}
    assert len(photographed) == 2
    for patient_id, photos in photographed.items():
        assert kiosk.photos.may_take(patient_id) is None
        sessions = {row[0]: row[1] for row in kiosk.store.conn.execute(
            "SELECT id, started_at FROM treatment_sessions WHERE patient_id = ?", (patient_id,))}
        assert all(photo.session_id in sessions and photo.source == "camera" for photo in photos)
        assert {photo.view_id for photo in photos} == {"vertex", "frontal_hairline", "midline_part"}
        first = Image.open(io.BytesIO(kiosk.photos.image(photos[0])))
        assert first.size == (photos[0].width, photos[0].height) and not first.getexif()
    # Patients who said no to photos (or whose latest consent did) have none; the one who withdrew
    # their photo consent after a first set keeps it under the retention rule, shown nowhere.
    withdrawn = kiosk.store.conn.execute("SELECT patient_id, disposition, photos FROM photo_consent_withdrawals"
                                         ).fetchall()
    assert [(disposition, count) for _, disposition, count in withdrawn] == [("keep", 3)]
    for patient in kiosk.patients.recent(100):
        if kiosk.photos.may_take(patient.id) is not None:
            assert kiosk.photos.photos(patient.id) == []
            assert kiosk.store.conn.execute("SELECT count(*) FROM photos WHERE patient_id = ?", (patient.id,)
                                            ).fetchone()[0] == (3 if patient.id == withdrawn[0][0] else 0)
    assert kiosk.store.verify_audit().ok
