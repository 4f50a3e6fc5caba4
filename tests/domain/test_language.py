from meso_kiosk.domain.language import is_language_code


def test_language_codes_with_any_number_of_subtags_are_accepted():
    for code in ("en", "fra", "pt-BR", "zh-Hant", "zh-Hant-TW", "es-419"):
        assert is_language_code(code), code


def test_anything_else_is_not_a_language_code():
    for value in (None, 3, "", "EN", "e", "english", "en_GB", "en-", "en-G", "../en", "en.toml", "en\n", "en-a1b2c3d4e"):
        assert not is_language_code(value), value
