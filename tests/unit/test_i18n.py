from bot.core.commands import visible_commands
from bot.core.i18n import catalog, lang_from_locale, placeholders, t


def test_every_key_exists_in_both_languages_with_the_same_placeholders() -> None:
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh), set(en) ^ set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


def test_every_command_has_a_description() -> None:
    for name in visible_commands():
        assert t("en", f"cmd.{name}") and t("zh", f"cmd.{name}")


def test_locale_mapping() -> None:
    assert lang_from_locale("zh-hans") == "zh" and lang_from_locale("zh_TW") == "zh"
    assert lang_from_locale("en-GB") == "en" and lang_from_locale(None) == "en" and lang_from_locale("de") == "en"
