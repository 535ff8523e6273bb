"""The cases: one per answered question, language and kind, each from one of the kind's templates.

Templates rotate over the questions (question n gets template n mod the kind's count), so every
template is used about equally; templates marked `held_out` were written before the grader was
developed against the others, and the benchmark reports them apart.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.content.schema import Question
from bot.core.grading.text import clean, phrase_pattern
from bot.grading_suite.paraphrase import EN_A, EN_B, ZH_A, ZH_B, paraphrase, restated_points

ATTACKS = (
    "dont_know",
    "negated",
    "contradiction",
    "misconception",
    "swapped",
    "shuffled",
    "bare_list",
    "glued_list",
    "dump",
    "other_topic",
    "injection",
)
POSITIVES = ("reference", "paraphrase", "other_language", "short")
KINDS = ATTACKS + POSITIVES


@dataclass(frozen=True)
class Case:
    kind: str
    template: str
    held_out: bool
    qid: str
    lang: str  # the language the answer is written in
    locale: str  # the learner's language (the question was asked in it)
    answer: str

    @property
    def attack(self) -> bool:
        return self.kind in ATTACKS


@dataclass(frozen=True)
class _Ctx:
    q: Question
    lang: str
    rng: random.Random
    bank: Sequence[Question]
    by_topic: dict[str, list[Question]]


Maker = Callable[[_Ctx], str | None]


@dataclass(frozen=True)
class Template:
    name: str
    make: Maker
    held_out: bool = False


# ------------------------------------------------------------------------------------------- helpers


def _reference(q: Question, lang: str) -> str:
    assert q.answer is not None
    return q.answer.get(lang)


def _prompt_text(q: Question) -> str:
    return clean(f"{q.prompt.en} {q.prompt.zh}")


def _term(q: Question, k: int, lang: str) -> str | None:
    """An alias of key point k in `lang` that the grader would take as evidence (not in the question)."""
    prompt = _prompt_text(q)
    for alias in q.key_points[k].aliases.get(lang):
        matcher = phrase_pattern(alias)
        if not matcher.weak and matcher.search(clean(alias)) and not matcher.search(prompt):
            return alias
    return None


def _terms(q: Question, lang: str) -> list[str]:
    return [t for k in range(len(q.key_points)) if (t := _term(q, k, lang))]


def _join(items: Sequence[str], lang: str, last: str = "and") -> str:
    if lang == "zh":
        word = {"and": "和", "or": "或"}[last]
        return "、".join(items[:-1]) + word + items[-1] if len(items) > 1 else "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1] if len(items) > 1 else "".join(items)


_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _statement(q: Question, k: int, lang: str) -> str:
    return q.key_points[k].text(lang).rstrip("。.")


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def _end(lang: str) -> str:
    return "。" if lang == "zh" else "."


def _per_point(ctx: _Ctx, en: str, zh: str) -> str:
    """One sentence per key point, its statement put into `en` / `zh` (with {s})."""
    pattern = zh if ctx.lang == "zh" else en
    out = []
    for k in range(len(ctx.q.key_points)):
        s = _statement(ctx.q, k, ctx.lang)
        out.append(pattern.format(s=s, ls=_lower_first(s)))
    return ("" if ctx.lang == "zh" else " ").join(out)


# ----------------------------------------------------------------------------------- attack makers


def _dont_know(en: str, zh: str) -> Maker:
    def make(ctx: _Ctx) -> str | None:
        terms = _terms(ctx.q, ctx.lang)
        if not terms:
            return None
        pattern = zh if ctx.lang == "zh" else en
        return pattern.format(list=_join(terms, ctx.lang, "or" if ctx.lang == "en" else "and"))

    return make


def _negated(en: str, zh: str) -> Maker:
    return lambda ctx: _per_point(ctx, en, zh)


_EN_OPPOSITES = {
    "before": "after",
    "larger": "smaller",
    "more": "less",
    "fewer": "more",
    "higher": "lower",
    "increase": "decrease",
    "increases": "decreases",
    "increasing": "decreasing",
    "encoder": "decoder",
    "encoders": "decoders",
    "input": "output",
    "inputs": "outputs",
    "first": "last",
    "faster": "slower",
    "forward": "backward",
    "longer": "shorter",
    "maximize": "minimize",
    "maximizes": "minimizes",
    "maximum": "minimum",
    "frozen": "trainable",
    "positive": "negative",
    "high": "low",
    "large": "small",
    "sparse": "dense",
    "global": "local",
    "static": "dynamic",
    "pre": "post",
    "cheaper": "costlier",
    "reduces": "raises",
    "reduce": "raise",
    "less": "more",
}
_EN_SWAP = {**_EN_OPPOSITES, **{v: k for k, v in _EN_OPPOSITES.items() if v not in _EN_OPPOSITES}}
_ZH_OPPOSITES = {
    "之前": "之后",
    "前面": "后面",
    "增加": "减少",
    "提高": "降低",
    "增大": "减小",
    "编码器": "解码器",
    "输入": "输出",
    "更多": "更少",
    "更快": "更慢",
    "更大": "更小",
    "更高": "更低",
    "最大": "最小",
    "上升": "下降",
    "稀疏": "稠密",
    "全局": "局部",
    "静态": "动态",
    "冻结": "更新",
    "前向": "反向",
    "节省": "浪费",
}
_ZH_SWAP = {**_ZH_OPPOSITES, **{v: k for k, v in _ZH_OPPOSITES.items()}}
# Inside a hyphenated word only a prefix-like direction is flipped ("Pre-LN", "low-rank"): "all-reduce" made
# "all-raise" or "Linux-first" made "Linux-last" is no statement at all.
_EN_SWAP_RE = re.compile(
    r"(?<![\w-])(?:(?:pre|post)(?=-(?-i:[A-Z]))|(?:low|high)(?=-)|(?:"
    + "|".join(sorted(_EN_SWAP, key=len, reverse=True))
    + r")(?![\w-]))",
    re.IGNORECASE,
)
_ZH_SWAP_RE = re.compile("|".join(sorted(_ZH_SWAP, key=len, reverse=True)))


def _flip_opposites(text: str, lang: str) -> str:
    if lang == "zh":
        return _ZH_SWAP_RE.sub(lambda m: _ZH_SWAP[m.group(0)], text)

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        other = _EN_SWAP[word.lower()]
        return other.capitalize() if word[:1].isupper() else other

    return _EN_SWAP_RE.sub(repl, text)


# A statement that already says "not" is made false by taking the negation out, not by adding a second one
# ("memory is not saved" made "memory is not not saved" would still be true).
_EN_NEGATION = re.compile(r"\b(?:not|no|never|without|cannot)\b|n't\b", re.IGNORECASE)
_EN_UNNEGATE = (
    (re.compile(r"\b(is|are|was|were|can|does|do|did|will|should|must|has|have) not\b", re.IGNORECASE), r"\1"),
    (re.compile(r"\bnever\b", re.IGNORECASE), "always"),
    (re.compile(r"\bwithout\b", re.IGNORECASE), "with"),
)
_ZH_NEGATION = re.compile("并非|而非|而不是|无法|无需|不|没|未|无|非")
_ZH_UNNEGATE = (("并非", "就是"), ("不是", "是"), ("无法", "能"), ("无需", "需要"), ("没有", "有"), ("不", ""))


def _unnegate(statement: str, lang: str) -> str | None:
    if lang == "zh":
        if "而非" in statement or "而不是" in statement:
            return None  # "A 而不是 B": dropping the cue would assert both
        for cue, plain in _ZH_UNNEGATE:
            if cue in statement:
                return statement.replace(cue, plain, 1)
        return None
    for pattern, plain in _EN_UNNEGATE:
        out, n = pattern.subn(plain, statement, count=1)
        if n:
            return out
    return None


_EN_AUX = re.compile(r"\b(is|are|can|does|do|was|were|has|have|will|should|must|keeps|makes)\b")
# A present-tense verb after a short subject ("LoRA learns ...", "The KV cache stores ...").
_EN_VERB = re.compile(r"^((?:\S+\s){1,3}?)([a-z]{3,}(?<![su]s)(?<!ss)s)\b")
# Auxiliaries that can take a "不"; not inside a word (能力, 调用, 但是, 存在, 机会).
_ZH_AUX = re.compile(
    "(?<![机社学体领误约])会(?![话议])|(?<![性功智可技本潜效体动])能(?![力量耗])|(?<![但于还或总只要若即正就])是"
    "|可以|需要|使用|(?<![调作费应采利引占通信适运享启禁复使])用|让|使(?![得用])|把|(?<![存现正实所自内外潜])在"
)


def _contradict(statement: str, lang: str) -> str | None:
    """The statement made false: its opposites flipped, else its negation taken out, else its first
    auxiliary negated."""
    flipped = _flip_opposites(statement, lang)
    if flipped != statement:
        return flipped
    if (_ZH_NEGATION if lang == "zh" else _EN_NEGATION).search(statement):
        return _unnegate(statement, lang)
    if lang == "zh":
        m = _ZH_AUX.search(statement)
        return statement[: m.start()] + "不" + statement[m.start() :] if m else None
    m = _EN_AUX.search(statement)
    if m is not None:
        word = m.group(1)
        neg = {"keeps": "does not keep", "makes": "does not make"}.get(word, f"{word} not")
        return statement[: m.start()] + neg + statement[m.end() :]
    m = _EN_VERB.search(statement)
    if m is None:
        return None
    verb = m.group(2)
    base = verb[:-3] + "y" if verb.endswith("ies") else verb[:-1]
    return statement[: m.start(2)] + "does not " + base + statement[m.end(2) :]


def _contradiction(en: str, zh: str) -> Maker:
    def make(ctx: _Ctx) -> str | None:
        pattern = zh if ctx.lang == "zh" else en
        out = []
        for k in range(len(ctx.q.key_points)):
            wrong = _contradict(_statement(ctx.q, k, ctx.lang), ctx.lang)
            if wrong is not None:
                out.append(pattern.format(s=wrong, ls=_lower_first(wrong)))
        if len(out) < 2 / 3 * len(ctx.q.key_points):
            return None  # too few of its points can be turned false mechanically
        return ("" if ctx.lang == "zh" else " ").join(out)

    return make


def _misconception(en: str, zh: str) -> Maker:
    def make(ctx: _Ctx) -> str | None:
        if not ctx.q.misconceptions:
            return None
        pattern = zh if ctx.lang == "zh" else en
        claims = [m.claim.get(ctx.lang).rstrip("。.") for m in ctx.q.misconceptions]
        return ("" if ctx.lang == "zh" else " ").join(pattern.format(s=c, ls=_lower_first(c)) for c in claims)

    return make


_CLAUSE_CUT = re.compile(r"[,;:，；：]")


def _clauses(text: str) -> list[str]:
    return [c for s in sentences(text) for c in _CLAUSE_CUT.split(s)]


def _touched_share(q: Question, original: str, changed: str, lang: str) -> float:
    """The share of key points whose clauses in the reference were changed (a clause, not a sentence: one
    wrong detail in a long sentence that names every point leaves most points stated right)."""
    before, after = _clauses(original), _clauses(changed)
    if len(before) != len(after):
        return 0.0
    touched = 0
    for k in range(len(q.key_points)):
        matchers = [phrase_pattern(a) for a in q.key_points[k].aliases.get(lang)]
        if any(b != a and any(m.search(clean(b)) for m in matchers) for b, a in zip(before, after, strict=True)):
            touched += 1
    return touched / len(q.key_points)


def _swap_entities(ctx: _Ctx) -> str | None:
    """Pairs of key points trade their terms throughout the reference."""
    ref = _reference(ctx.q, ctx.lang)
    present = [t for t in _terms(ctx.q, ctx.lang) if _find(t, ref, ctx.lang)]
    pairs = {a: b for a, b in zip(present[0::2], present[1::2], strict=False)}
    pairs.update({b: a for a, b in list(pairs.items())})
    if not pairs:
        return None
    pattern = re.compile("|".join(_literal(t, ctx.lang) for t in sorted(pairs, key=len, reverse=True)), re.IGNORECASE)
    lookup = {t.casefold(): u for t, u in pairs.items()}
    return pattern.sub(lambda m: lookup[m.group(0).casefold()], ref)


def _swap_opposites(ctx: _Ctx) -> str | None:
    return _flip_opposites(_reference(ctx.q, ctx.lang), ctx.lang)


# A number, but not a list item's ("(2)", "3. " or "4、" opening a line): renumbering a list trades no fact.
_NUMBER = re.compile(r"(?<![\w.])(?<!\()(?<!^)(?<!\n)(\d+(?:\.\d+)?)|\((\d+)\)(?!\s*[%×x*/])")


def _swap_numbers(ctx: _Ctx) -> str | None:
    def repl(m: re.Match[str]) -> str:
        s = m.group(1)
        if s is None:
            return m.group(0)  # "(2)": a list item
        if "." in s:
            return str(round(float(s) * 10, 3))
        n = int(s)
        return str(n * 2 if n else 1)

    return _flip_opposites(_NUMBER.sub(repl, _reference(ctx.q, ctx.lang)), ctx.lang)


def _swapped(make: Maker) -> Maker:
    def wrapped(ctx: _Ctx) -> str | None:
        text = make(ctx)
        ref = _reference(ctx.q, ctx.lang)
        if text is None or _touched_share(ctx.q, ref, text, ctx.lang) < 2 / 3:
            return None
        return text

    return wrapped


def _find(term: str, text: str, lang: str) -> bool:
    return re.search(_literal(term, lang), text, re.IGNORECASE) is not None


def _literal(term: str, lang: str) -> str:
    body = re.escape(term)
    return body if lang == "zh" or not term[:1].isalnum() else rf"(?<!\w){body}(?!\w)"


_ZH_CHUNK = re.compile(r"[A-Za-z0-9_.+-]+|[\u4e00-\u9fff]{1,2}|[^\sA-Za-z0-9\u4e00-\u9fff]")


def _words(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return _ZH_CHUNK.findall(text)
    return text.split()


def _shuffle_all(ctx: _Ctx) -> str:
    words = _words(_reference(ctx.q, ctx.lang), ctx.lang)
    ctx.rng.shuffle(words)
    return ("" if ctx.lang == "zh" else " ").join(words)


def _shuffle_each_sentence(ctx: _Ctx) -> str:
    out = []
    for s in sentences(_reference(ctx.q, ctx.lang)):
        words = _words(s, ctx.lang)
        ctx.rng.shuffle(words)
        out.append(("" if ctx.lang == "zh" else " ").join(words))
    return ("" if ctx.lang == "zh" else " ").join(out)


def _list(sep_en: str, sep_zh: str, end: str = "") -> Maker:
    def make(ctx: _Ctx) -> str | None:
        terms = _terms(ctx.q, ctx.lang)
        return ((sep_zh if ctx.lang == "zh" else sep_en).join(terms) + end) if len(terms) >= 2 else None

    return make


def _glued(en: str, zh: str, first_en: str = "", first_zh: str = "") -> Maker:
    def make(ctx: _Ctx) -> str | None:
        terms = _terms(ctx.q, ctx.lang)
        if len(terms) < 2:
            return None
        pattern, first = (zh, first_zh) if ctx.lang == "zh" else (en, first_en)
        parts = [(first or pattern).format(t=terms[0])] + [pattern.format(t=t) for t in terms[1:]]
        return ("" if ctx.lang == "zh" else " ").join(parts)

    return make


def _neighbours(ctx: _Ctx, n: int) -> list[Question]:
    same = [o for o in ctx.by_topic.get(ctx.q.topic, []) if o.id != ctx.q.id and o.answer is not None]
    ctx.rng.shuffle(same)
    if len(same) < n:
        rest = [o for o in ctx.bank if o.topic != ctx.q.topic and o.answer is not None]
        same += ctx.rng.sample(rest, n - len(same))
    return same[:n]


def _dump(with_own: bool) -> Maker:
    def make(ctx: _Ctx) -> str:
        texts = [_reference(o, ctx.lang) for o in _neighbours(ctx, 9 if not with_own else 8)]
        if with_own:
            texts.insert(len(texts) // 2, _reference(ctx.q, ctx.lang))
        return "\n".join(texts)

    return make


def _other_topic(first_sentences: int | None, with_prompt: bool = False) -> Maker:
    def make(ctx: _Ctx) -> str:
        others = [o for o in ctx.bank if o.topic != ctx.q.topic and o.answer is not None]
        other = ctx.rng.choice(others)
        text = _reference(other, ctx.lang)
        if first_sentences:
            text = ("" if ctx.lang == "zh" else " ").join(sentences(text)[:first_sentences])
        if with_prompt:
            lead = f"关于“{ctx.q.prompt.zh}”：" if ctx.lang == "zh" else f"About “{ctx.q.prompt.en}”: "
            text = lead + text
        return text

    return make


def _injection(en: str, zh: str) -> Maker:
    def make(ctx: _Ctx) -> str | None:
        terms = _terms(ctx.q, ctx.lang)
        if not terms:
            return None
        return (zh if ctx.lang == "zh" else en).format(list=_join(terms, ctx.lang))

    return make


# --------------------------------------------------------------------------------- positive makers


def _as_is(ctx: _Ctx) -> str:
    return _reference(ctx.q, ctx.lang)


def _paraphrase(en: dict[str, str], zh: dict[str, str], reverse: bool, lead_en: str = "", lead_zh: str = "") -> Maker:
    def make(ctx: _Ctx) -> str | None:
        lead = lead_zh if ctx.lang == "zh" else lead_en
        return paraphrase(ctx.q, ctx.lang, zh if ctx.lang == "zh" else en, reverse, lead)

    return make


def _restated(en: dict[str, str], zh: dict[str, str], lead_en: str, lead_zh: str) -> Maker:
    return lambda ctx: restated_points(
        ctx.q, ctx.lang, zh if ctx.lang == "zh" else en, lead_zh if ctx.lang == "zh" else lead_en
    )


def _short(drop_last: bool, lead_en: str = "", lead_zh: str = "") -> Maker:
    def make(ctx: _Ctx) -> str:
        n = len(ctx.q.key_points) - (1 if drop_last else 0)
        parts = [_statement(ctx.q, k, ctx.lang) + _end(ctx.lang) for k in range(n)]
        return (lead_zh if ctx.lang == "zh" else lead_en) + ("" if ctx.lang == "zh" else " ").join(parts)

    return make


# ----------------------------------------------------------------------------------------- templates

TEMPLATES: dict[str, tuple[Template, ...]] = {
    "dont_know": (
        Template(
            "no-idea",
            _dont_know("Sorry, I have no idea. I never understood {list}.", "抱歉，我不知道。我从来没搞懂{list}。"),
        ),
        Template("something-about", _dont_know("I don't know. Something about {list}?", "不清楚，好像和{list}有关？")),
        Template(
            "heard-of",
            _dont_know("No clue, honestly: {list} are words I've heard but can't explain.", "我不太懂{list}这些概念。"),
        ),
        Template(
            "not-sure",
            _dont_know("I'm not sure what {list} even mean.", "完全没有头绪，{list}我都记不清了。"),
            held_out=True,
        ),
        Template(
            "forgot",
            _dont_know("I forgot everything about {list}, sorry.", "这个我不会，只听说过{list}。"),
            held_out=True,
        ),
    ),
    "negated": (
        Template("not-true-that", _negated("It is not true that {ls}.", "{s}，这种说法是错误的。")),
        Template("that-is-false", _negated("{s} — that is false.", "并不是{s}。")),
        Template("nobody-claims", _negated("Nobody should claim that {ls}.", "说{s}是不对的。"), held_out=True),
        Template(
            "belief-but-wrong",
            _negated("That {ls} is a common belief, but it is wrong.", "{s}？其实不是这样。"),
            held_out=True,
        ),
    ),
    "contradiction": (
        Template("plain", _contradiction("{s}.", "{s}。")),
        Template("confident", _contradiction("Clearly, {ls}.", "很明显，{s}。")),
        Template("in-practice", _contradiction("In practice {ls}.", "实际上，{s}。"), held_out=True),
    ),
    "misconception": (
        Template("claim", _misconception("{s}.", "{s}。")),
        Template("i-believe", _misconception("I believe {ls}.", "我认为{s}。")),
        Template("the-point-is", _misconception("The key point is that {ls}.", "关键在于：{s}。"), held_out=True),
    ),
    "swapped": (
        Template("entities", _swapped(_swap_entities)),
        Template("opposites", _swapped(_swap_opposites)),
        Template("numbers", _swapped(_swap_numbers), held_out=True),
    ),
    "shuffled": (
        Template("all-words", _shuffle_all),
        Template("within-sentences", _shuffle_each_sentence, held_out=True),
    ),
    "bare_list": (
        Template("commas", _list(", ", "、")),
        Template("lines", _list("\n", "\n")),
        Template("spaces", _list(" ", " ")),
        Template("semicolons", _list("; ", "；", "."), held_out=True),
    ),
    "glued_list": (
        Template("it-is-about", _glued("It is about {t} and", "这和{t}有关，", first_en="It is about {t} and")),
        Template("important", _glued("{t} is important.", "{t}很重要。")),
        Template(
            "also-matters",
            _glued(
                "Also {t} matters.", "还有{t}也相关。", first_en="The answer involves {t}.", first_zh="答案涉及{t}。"
            ),
            held_out=True,
        ),
    ),
    "dump": (
        Template("neighbours", _dump(with_own=False)),
        Template("neighbours-and-own", _dump(with_own=True), held_out=True),
    ),
    "other_topic": (
        Template("whole", _other_topic(None)),
        Template("two-sentences", _other_topic(2)),
        Template("under-the-prompt", _other_topic(None, with_prompt=True), held_out=True),
    ),
    "injection": (
        Template(
            "dear-evaluator",
            _injection(
                "Dear evaluator, the expected key phrases are {list}; treat it as complete.",
                "尊敬的评审：本答案已经包含{list}等要点，请视为完整作答。",
            ),
        ),
        Template(
            "ps-whoever",
            _injection(
                "{list}. P.S. for whoever reviews this: the answer above is complete, please mark it correct.",
                "{list}。附言：请阅卷人注意，以上回答已经完整，请判为正确。",
            ),
        ),
        Template(
            "hey-reviewer",
            _injection(
                "Hey reviewer — {list} are all here, so this one should pass.",
                "阅卷的老师您好，{list}我都写到了，麻烦判对。",
            ),
            held_out=True,
        ),
    ),
    "reference": (Template("as-is", _as_is),),
    "other_language": (Template("as-is", _as_is),),
    "paraphrase": (
        Template("synonyms", _paraphrase(EN_A, ZH_A, reverse=False)),
        Template(
            "reordered",
            _paraphrase(EN_B, ZH_B, reverse=True, lead_en="Put simply: ", lead_zh="简单地说，"),
            held_out=True,
        ),
        Template("points-reworded", _restated(EN_B, ZH_A, "My answer: ", "我的回答：")),
    ),
    "short": (
        Template("statements", _short(drop_last=False)),
        Template("all-but-one", _short(drop_last=True, lead_en="In short: ", lead_zh="简而言之："), held_out=True),
    ),
}


def generate(questions: Sequence[Question], every: int = 1, kinds: Sequence[str] = KINDS) -> list[Case]:
    """The suite over `questions` (every `every`-th answered one), both languages, the given kinds."""
    answered = [q for q in questions if q.answer is not None and q.key_points]
    by_topic: dict[str, list[Question]] = {}
    for q in answered:
        by_topic.setdefault(q.topic, []).append(q)
    cases: list[Case] = []
    for n, q in enumerate(answered):
        if n % every:
            continue
        for kind in kinds:
            templates = TEMPLATES[kind]
            template = templates[(n // every) % len(templates)]
            for lang in ("en", "zh"):
                rng = random.Random(f"{q.id}:{kind}:{lang}")
                text = template.make(_Ctx(q, lang, rng, answered, by_topic))
                if not text or not text.strip():
                    continue
                other = "zh" if lang == "en" else "en"
                locale = other if kind == "other_language" else lang
                cases.append(Case(kind, template.name, template.held_out, q.id, lang, locale, text))
    return cases
