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


def test_counted_messages_follow_cldr_plural_rules() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from bot.core.i18n import plural_category, plurals

    assert plurals("en"), "counted messages are plural mappings"
    for key, (_param, forms) in plurals("en").items():
        assert set(forms) == {"one", "other"}, key

    @given(st.integers(0, 10_000))
    def check(n: int) -> None:
        assert plural_category("en", n) == ("one" if n == 1 else "other")
        assert plural_category("zh", n) == "other"
        assert t("en", "stats.streak", current=n, best=n).startswith(f"Streak: {n} day{'' if n == 1 else 's'} ")

    check()


def test_no_message_pluralises_by_placeholder() -> None:
    for lang in ("en", "zh"):
        for key, template in catalog(lang).items():
            assert "(s)" not in template and "(es)" not in template, key
    assert t("en", "review.more_due", n=1) == "1 review due: /review"
    assert t("zh", "review.more_due", n=1) == t("zh", "review.more_due", n=1)
