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


def _keys_in_code() -> tuple[dict[str, str], set[str]]:
    """Every catalog-key-like literal in bot/ ({key: where}), and the heads of keys built at run
    time (f"weekday.{day}", "btn.rate_" + name)."""
    import ast
    import re
    from pathlib import Path

    import bot

    namespaces = {key.split(".")[0] for key in catalog("en")}
    # Dotted names that are not messages: loggers and modules named like a catalog namespace, files.
    not_keys = {"discord.gateway", "discord.http", "telegram.ext"}
    literal: dict[str, str] = {}
    heads: set[str] = set()
    root = Path(bot.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                node = node.values[0]  # the literal head of an f-string
                if not str(node.value).endswith((".", "_")):
                    continue
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            value = node.value
            if not re.fullmatch(r"[a-z][a-z_]*\.[a-z0-9_.]*", value) or value.split(".")[0] not in namespaces:
                continue
            if value in not_keys or value.endswith((".yaml", ".txt", ".py")):
                continue
            if value.endswith((".", "_")):
                heads.add(value)
            else:
                literal[value] = f"{path.relative_to(root.parent)}:{node.lineno}"
    return literal, heads


def test_every_key_the_code_names_is_in_both_catalogs_and_every_catalog_key_is_used() -> None:
    literal, heads = _keys_in_code()
    assert len(literal) > 150 and heads  # the scan finds the code's keys
    for lang in ("en", "zh"):
        missing = {key: where for key, where in literal.items() if key not in catalog(lang)}
        assert not missing, f"{lang}: {missing}"
        for head in heads:
            assert any(key.startswith(head) for key in catalog(lang)), (lang, head)
    unused = [key for key in catalog("en") if key not in literal and not key.startswith(tuple(heads))]
    assert not unused, f"catalog keys no code uses: {unused}"


def test_counted_messages_have_each_languages_plural_forms_with_the_same_placeholders() -> None:
    from babel import Locale

    from bot.core.i18n import plurals

    counted = set(plurals("en")) | set(plurals("zh"))
    assert counted
    for key in counted:
        names = placeholders(catalog("en")[key])
        for lang in ("en", "zh"):
            categories = set(Locale.parse(lang).plural_form.rules) | {"other"}
            param, forms = plurals(lang).get(key) or (None, {"other": catalog(lang)[key]})
            assert set(forms) == categories, (lang, key, set(forms))  # a plain message is the one "other" form
            assert param is None or param in names, (lang, key)
            for form in forms.values():
                assert placeholders(form) <= names, (lang, key, form)
