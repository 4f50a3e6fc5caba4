"""Names as people write them on screen (issue 24): the name-order toggle with its preview, the
duplicate warning before a second registration, the patient list in the patients' own order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from meso_kiosk.services.demo.seed import seed_demo


def _new_patient(window, qtbot):
    qtbot.mouseClick(window.patients_page.new_button, Qt.MouseButton.LeftButton)
    return window.new_patient_page


def test_the_order_follows_the_script_until_chosen_and_previews_the_printed_name(window, kiosk, qtbot, type_text):
    page = _new_patient(window, qtbot)
    order = page.form.name_order
    type_text(page.form.given_name, "小明")
    type_text(page.form.family_name, "王")
    assert order.buttons["family_first"].isChecked() and order.preview.text() == "Prints as: 王小明"
    page.form.given_name.clear()
    page.form.family_name.clear()
    type_text(page.form.given_name, "Thị Hương")
    type_text(page.form.family_name, "Nguyễn")
    assert order.buttons["given_first"].isChecked()  # Latin script: the default is given first
    assert order.preview.text() == "Prints as: Thị Hương Nguyễn"
    qtbot.mouseClick(order.buttons["family_first"], Qt.MouseButton.LeftButton)
    assert order.preview.text() == "Prints as: Nguyễn Thị Hương"
    type_text(page.form.family_name, "x")  # typing on keeps the receptionist's choice
    assert order.buttons["family_first"].isChecked()
    page.form.family_name.setText("Nguyễn")
    qtbot.keyClicks(page.form.date_of_birth, "1992-03-03")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.patient_name.text() == "Nguyễn Thị Hương"
    [stored] = kiosk.patients.search("nguyen")
    assert stored.name_order == "family_first"
    assert all(toggle.sizeHint().height() >= 44 and toggle.accessibleName() for toggle in order.buttons.values())


def test_a_likely_duplicate_warns_first_then_opens_the_one_already_here(window, kiosk, qtbot, register, type_text):
    existing = register("Claire", "Dubois", "1986-04-12")
    page = _new_patient(window, qtbot)
    qtbot.keyClicks(page.form.given_name, "Clare")
    qtbot.keyClicks(page.form.family_name, "DUBOIS")
    qtbot.keyClicks(page.form.date_of_birth, "12/04/1986")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is page and page.duplicates.isVisible()
    assert "similar name and the same birth date" in page.duplicates.message.text()
    assert kiosk.patients.count() == 1
    [opener] = page.duplicates.open_buttons
    assert opener.accessibleName() == "Open Claire Dubois, born 12 Apr 1986"
    qtbot.mouseClick(opener, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.patient_name.text() == "Claire Dubois"
    assert kiosk.patients.count() == 1
    assert existing.id == window.workspace.patient.id


def test_register_anyway_registers_and_a_new_patient_is_never_held(window, kiosk, qtbot, register):
    register("Claire", "Dubois", "1986-04-12")
    page = _new_patient(window, qtbot)
    qtbot.keyClicks(page.form.given_name, "Claire")
    qtbot.keyClicks(page.form.family_name, "Dubois")
    qtbot.keyClicks(page.form.date_of_birth, "1986-04-12")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.duplicates.isVisible()
    qtbot.keyClicks(page.form.phone, "+33 6 12 34 56 78")  # an edit: the warning goes until saved again
    assert not page.duplicates.isVisible()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.duplicates.register_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace and kiosk.patients.count() == 2

    page = _new_patient(window, qtbot)
    qtbot.keyClicks(page.form.given_name, "Marie")  # her twin sister: another name
    qtbot.keyClicks(page.form.family_name, "Dubois")
    qtbot.keyClicks(page.form.date_of_birth, "1986-04-12")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace and kiosk.patients.count() == 3


def test_the_list_shows_names_in_their_order_and_the_screens_render(window, kiosk, qtbot, register, shots, type_text):
    seed_demo(kiosk)
    register("Claire", "Dubois", "1986-04-12")
    window.patients_page.refresh()
    lines = [window.patients_page.results.item(i).text() for i in range(window.patients_page.results.count())]
    assert any(line.startswith("王小明  ·  born") for line in lines)
    assert any(line.startswith("Nguyễn Thị Hương  ·  born") for line in lines)
    assert any(line.startswith("김민준  ·  born") for line in lines)
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        window.show_patients()
        window.patients_page.search.setText("")
        qtbot.wait(10)
        window.grab().save(str(shots / f"patients_{width}x{height}.png"))
        window.patients_page.results.scrollToBottom()
        qtbot.wait(10)
        window.grab().save(str(shots / f"patients_end_{width}x{height}.png"))
        page = _new_patient(window, qtbot)
        page.start()
        type_text(page.form.given_name, "Claire")
        type_text(page.form.family_name, "Dubois")
        qtbot.keyClicks(page.form.date_of_birth, "1986-04-12")
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert page.duplicates.isVisible()
        qtbot.wait(10)
        window.grab().save(str(shots / f"new_patient_duplicate_{width}x{height}.png"))
        page.start()
        type_text(page.form.given_name, "Thị Hương")
        type_text(page.form.family_name, "Nguyễn")
        qtbot.mouseClick(page.form.name_order.buttons["family_first"], Qt.MouseButton.LeftButton)
        qtbot.wait(10)
        window.grab().save(str(shots / f"new_patient_order_{width}x{height}.png"))
        page.cancel_button.click()


def test_a_name_the_pdf_cannot_print_is_refused_beside_its_field(window, kiosk, qtbot, type_text):
    page = _new_patient(window, qtbot)
    type_text(page.form.given_name, "ᚠᛁᚾᚾ")
    type_text(page.form.family_name, "Dubois")
    qtbot.keyClicks(page.form.date_of_birth, "1986-04-12")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is page and kiosk.patients.count() == 0
    assert "cannot print" in page.form.error_text("given_name") and "U+16A0" in page.form.error_text("given_name")


def test_hostile_text_in_the_search_box_lists_nothing_and_breaks_nothing(window, kiosk, qtbot, register, type_text):
    register("Claire", "Dubois")
    search = window.patients_page.search
    for hostile in ['"', "NEAR(", "-", "*", "'; DROP TABLE patients; --", "😬🙏", "王" * 300, "ال"]:
        search.clear()
        type_text(search, hostile)
        assert window.patients_page.status.text().startswith("No patient matches")
    search.setText("x" * 10_000)  # pasted
    assert window.patients_page.visible_patients() == []
    search.clear()
    type_text(search, "dubois")
    assert [p.family_name for p in window.patients_page.visible_patients()] == ["Dubois"]
