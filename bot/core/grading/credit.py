"""Key-point credit from what an answer asserts, and what it gets wrong.

Given an answer read clause by clause (`assertions.read`), each key point is

- **covered** when one of its aliases stands in an asserted clause (not doubted, not "I don't
  know"), with the polarity the model answer gives it ("no extra latency" is asserted by "there is
  no added latency" and contradicted by "it is not low-rank"), in a clause that says something
  besides naming terms; or when enough of its statement's words stand in such clauses;
- **contradicted** when the answer negates it ("LoRA is not low-rank", "…, that is false"), or
  states it with its facts swapped: a clause that repeats a sentence of the model answer or a key
  point but trades one of its terms, numbers or directions for another ("Post-LN" for "Pre-LN",
  "8-bit" for "4-bit", "after" for "before"; found by `swapped.py`);
- **named only** when its alias stands in a clause with nothing else in it ("It is about NF4", "NF4
  is important", a bare list): no credit.

A misconception matches where one asserted clause has every term of one of its patterns, none
negated; its clause earns nothing. The same matcher runs in the content checker, so the checker
and the grader never disagree about a model answer.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.grading.assertions import Mention, Reading, Stance, read_rubric
from bot.core.grading.features import Analysis, analyse, analyse_answer, analyse_rubric, soft_recall
from bot.core.grading.rubric import Rubric, RubricPoint
from bot.core.grading.swapped import NUMBER, stem_word, swapped_clauses, units_by_word
from bot.core.grading.text import FIRST_CJK, STOP_EN, STOP_ZH, AliasMatcher, clean_rubric, led_by, phrase_pattern

# A key point only named ("NF4 is important", a bare list) earns this much: an interviewer gives a
# list of the right terms partial credit at most.
NAMED_CREDIT = 0.25
# A statement counts as covered from this share of its (question-demoted) words on, half from the second.
POINT_FULL = 0.6
POINT_HALF = 0.34
# Words that say nothing about a term: "It is about X", "X is important", "还有X也相关".
_FILLER_EN = frozenset(
    """about related relevant important key matter matters mattered involve involves involved thing things concept
    concepts idea ideas topic topics term terms keyword keywords word words answer answers also part parts aspect
    aspects factor factors essential crucial central main basically something stuff include includes including
    point points consider considered play plays role roles significant think know heard plus along together well
    besides additionally moreover furthermore""".split()
)
_FILLER_ZH = re.compile(
    "有关|相关|重要|关键词|关键|涉及|还有|以及|概念|东西|方面|答案|然后|就是|包括|主要|核心|都|也|很|和|跟|与|等等|之类|要点|内容|问题|"
    "这个|那个|我觉得|我认为|知识点|再加上|加上|外加|另外|此外|及"
)
# What joins the items of a list ("A, B, as well as C", "A、B，再加上C"): its "as", "with", "以" relate no term to
# another.
_JOINER = led_by(
    "aipt以再加外", r"\b(?:as well as|along with|together with|in addition to|plus)\b|以及|再加上|加上|外加"
)
# Words that say "not" without a negation cue: a key point stated with one ("weight gradients are
# skipped") may be asserted with or without a "not" ("need no weight gradients"), so its polarity is
# not held against an answer.
_PRIVATIVE = re.compile(
    r"\b(?:skip|skips|skipped|skipping|avoid|avoids|avoided|avoiding|without|eliminate|eliminates|eliminated|remove|"
    r"removes|removed|removing|drop|drops|dropped|omit|omits|omitted|bypass|bypasses|prevent|prevents|prevented|stop|"
    r"stops|stopped|lack|lacks|lacking|absent|unnecessary|unneeded|needless|free of|no need|instead|rather|neither|"
    r"nor|never|not|no|none|cannot|n't|zero)\b|n't"
    r"|无需|不需|不用|不必|省掉|省去|省下|跳过|避免|去掉|去除|免去|免除|无|不|没|非|未|而非|而不是|取代|替代"
)

# General words an answer puts for a statement's own ("the next word" for "the next token", "context from
# both directions" for "from both sides", "双向" for "两侧"): the same claim to an interviewer, so a statement's
# words and the answer's are counted in one form. Technical terms are never in here: they are the aliases'.
_SYNONYMS_EN = {
    "word": "token",
    "words": "tokens",
    "direction": "side",
    "directions": "sides",
    "preceding": "earlier",
    "previous": "earlier",
    "big": "large",
    "bigger": "larger",
    "biggest": "largest",
}
_SYNONYM_EN = led_by("bdpw", r"\b(?:" + "|".join(_SYNONYMS_EN) + r")\b")
# "单卡" / "一张卡" is "单张" (one GPU); a Chinese "词" standing alone ("下一个词", "被遮住的词") is a token, not
# one inside 词表, 分词, 词嵌入 ….
_SYNONYMS_ZH = {"双向": "两侧", "单词": "token", "词": "token", "前面的": "前文的", "单卡": "单张", "一张卡": "单张卡"}
_SYNONYM_ZH = led_by("一前单双词", r"双向|单词|(?<=[个的些])词(?![\u3400-\u9fff])|前面的|单卡|一张卡")


def canonical_words(cleaned: str) -> str:
    """`cleaned` with the general words of `_SYNONYMS_EN` / `_SYNONYMS_ZH` in one form."""
    text = _SYNONYM_EN.sub(lambda m: _SYNONYMS_EN[m.group(0)], cleaned)
    return _SYNONYM_ZH.sub(lambda m: _SYNONYMS_ZH[m.group(0)], text)


class _Canonical:
    """The answer's credible part in `canonical_words`, analysed only when a statement can gain from it (a long
    answer analysed twice costs a fifth more CPU): when the answer says one of the synonyms' other words and the
    statement holds the word it stands for."""

    def __init__(self, credible: str, analysis: Analysis | None) -> None:
        self._credible = credible
        self._plain = analysis
        self._analysis: Analysis | None = None
        found = [m.group(0) for m in _SYNONYM_EN.finditer(credible)] if credible else []
        found += [m.group(0) for m in _SYNONYM_ZH.finditer(credible)] if credible else []
        # the word each stands for, without the particle or measure word it may carry ("前文的" is "前文")
        self.targets = frozenset((_SYNONYMS_EN.get(w) or _SYNONYMS_ZH[w]).rstrip("的卡") for w in found)

    def for_statement(self, statement: str) -> Analysis | None:
        """The analysis to read `statement` (in canonical words) against."""
        if self._plain is None or not any(t in statement for t in self.targets):
            return self._plain
        if self._analysis is None:
            self._analysis = analyse_answer(canonical_words(self._credible))
        return self._analysis


# Most of the same synonyms as the matcher's tokens (English stems, Chinese characters), each run replaced by a
# run of the same length, so that an alias ("larger batches", "两侧上下文") is found where the answer says it in
# other general words ("a bigger batch", "双向上下文") at the same token positions. Not "word" / "词": an alias
# found makes a point whole, and "the model already knows the new words" does not say "new tokens" are untrained.
_SYNONYM_TOKENS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "direct": ((("direct",), ("side",)),),
    "preced": ((("preced",), ("earlier",)),),
    "previous": ((("previous",), ("earlier",)),),
    "big": ((("big",), ("larg",)),),
    "bigger": ((("bigger",), ("larger",)),),
    "biggest": ((("biggest",), ("largest",)),),
    "双": ((("双", "向"), ("两", "侧")),),
    "前": ((("前", "面", "的"), ("前", "文", "的")),),
    "单": ((("单", "卡"), ("单", "张")),),
    "一": ((("一", "张", "卡"), ("单", "张", "卡")),),
}


def _alias_tokens(reading: Reading) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """The answer's tokens and index with `_SYNONYM_TOKENS` in one form (the reading's own when none is there).
    Only the tokens that change are re-indexed: "一", "前" and "单" stand in most Chinese answers."""
    changes: list[tuple[int, str]] = []
    for key in _SYNONYM_TOKENS:
        for i in reading.index.get(key, ()):
            for run, same in _SYNONYM_TOKENS[key]:
                if reading.tokens[i : i + len(run)] == run:
                    changes += [(i + n, new) for n, (old, new) in enumerate(zip(run, same, strict=True)) if old != new]
    if not changes:
        return reading.tokens, reading.index
    tokens = list(reading.tokens)
    index = dict(reading.index)
    for i, new in sorted(changes):
        old, tokens[i] = tokens[i], new
        index[old] = [at for at in index[old] if at != i]
        index[new] = sorted([*index.get(new, ()), i])
    return tuple(tokens), index


def _mentions(
    reading: Reading, tokens: tuple[str, ...], index: dict[str, list[int]], matcher: AliasMatcher
) -> list[Mention]:
    """The alias where the answer says it, and where it says it in other general words (`_alias_tokens`); an
    alias holding such a word itself ("previous W tokens", "双向注意力") is found as written."""
    found = reading.mentions(matcher)
    found += [m for m in _with_a_word_inside(reading, matcher) if m.first not in {f.first for f in found}]
    if matcher.symbols is not None or tokens is reading.tokens:
        return found
    at = {m.first for m in found}
    return found + [
        Mention(reading.token_clause[first], first, count, reading.negated[first])
        for first, count in matcher.spans(tokens, index)
        if first not in at
    ]


def _with_a_word_inside(reading: Reading, matcher: AliasMatcher) -> list[Mention]:
    """An English alias of two or more words with one more word inside it ("one shared K/V head" for "one K/V
    head", "causal attention mask" for "causal mask"): a word that qualifies the term, not a stop word ("larger
    than batches"), a number or a "not" ("no non-causal mask")."""
    alias = matcher.tokens
    if matcher.symbols is not None or len(alias) < 2 or any(t >= FIRST_CJK for t in alias):
        return []
    out = []
    n = len(alias)
    for s in reading.index.get(alias[0], ()):
        for g in range(1, n):
            inside = s + g
            if inside + n - g > len(reading.tokens) or reading.tokens[s:inside] != alias[:g]:
                break
            word = reading.raw(inside)
            if reading.tokens[inside + 1 : inside + 1 + n - g] != alias[g:]:
                continue
            if word in STOP_EN or NUMBER.search(word) or _PRIVATIVE.fullmatch(word) or reading.negated[inside]:
                continue
            if reading.token_clause[s] == reading.token_clause[inside + n - g]:
                out.append(Mention(reading.token_clause[s], s, n + 1, reading.negated[s]))
                break
    return out


@dataclass(frozen=True)
class PointEvidence:
    credit: float  # 0, 0.5 or 1
    contradicted: bool = False
    named_only: bool = False
    said: str = ""  # the clause that contradicted it, as the answer has it


@dataclass(frozen=True)
class Evidence:
    points: tuple[PointEvidence, ...]
    misconceptions: tuple[tuple[int, str], ...]  # (index in the rubric, the clause that asserted it)
    credible: str  # the asserted, un-negated, not-wrong part of the answer
    unknown: bool  # the answer says it does not know, and nothing of it earned credit
    named_only: bool  # terms were named, nothing said about them


@dataclass(frozen=True)
class _Clause:
    """What the credit rules need about one clause of the answer."""

    asserted: bool
    unknown: bool
    wrong: bool
    substance: bool


def weigh(
    rubric: Rubric,
    reading: Reading,
    lang: str,
    question_text: str,
    question: frozenset[str],
    unabridged: Reading | None = None,
) -> Evidence:
    """Each key point's credit and contradiction, the misconceptions asserted, what is credible.

    `unabridged`: the whole answer when sentences were left out of `reading` (instructions to the
    grader): a wrong claim made in such a sentence still counts against the answer."""
    matchers = [_usable(p.aliases, question_text) for p in rubric.points]
    tokens, index = _alias_tokens(reading)
    mentions = [[(a, m) for a in point for m in _mentions(reading, tokens, index, a)] for point in matchers]
    misconceptions = []
    wrong: dict[int, str] = {}
    for k, mis in enumerate(rubric.misconceptions):
        clause = claim_clause(reading, mis.patterns, question_text)
        if clause is not None:
            misconceptions.append((k, reading.clause_text(clause)))
            wrong[clause] = "misconception"
        elif unabridged is not None and (dropped := claim_clause(unabridged, mis.patterns, question_text)) is not None:
            misconceptions.append((k, unabridged.clause_text(dropped)))
    restated: dict[int, set[int]] = {}  # key point -> the wrong clauses that restate its statement
    for clause, stated in swapped_clauses(reading, rubric, lang, matchers):
        wrong.setdefault(clause, "swapped")
        for k in stated:
            restated.setdefault(k, set()).add(clause)

    alias_tokens = {m.first + i for point in mentions for _, m in point for i in range(m.count)}
    clauses = [
        _Clause(
            asserted=reading.asserted(n),
            unknown=c.stance is Stance.UNKNOWN,
            wrong=n in wrong,
            substance=_has_substance(reading, n, alias_tokens, question),
        )
        for n, c in enumerate(reading.clauses)
    ]
    credible = _credible_text(reading, clauses)
    credible_analysis = _Canonical(credible, analyse_answer(credible) if credible else None)
    negated_analysis = _negated_analysis(reading, clauses)
    reference = clean_rubric(rubric.reference(lang))

    points = []
    for k, point in enumerate(rubric.points):
        points.append(
            _point(
                point,
                mentions[k],
                reading,
                clauses,
                wrong,
                reference,
                lang,
                credible_analysis,
                negated_analysis,
                question,
                sorted(restated.get(k, ())),
            )
        )
    unknown = (
        any(c.unknown for c in clauses)
        and not any(p.credit for p in points)
        and all(clauses[m.clause].unknown or not clauses[m.clause].asserted for point in mentions for _, m in point)
    )
    named_only = any(p.named_only for p in points) and not any(p.credit > NAMED_CREDIT for p in points)
    return Evidence(tuple(points), tuple(misconceptions), credible, unknown, named_only)


def _usable(aliases: Sequence[str], question_text: str) -> list[AliasMatcher]:
    """The aliases that can be evidence: an alias the question already contains proves nothing."""
    out = []
    for alias in aliases:
        matcher = phrase_pattern(alias)
        if not matcher.weak and (matcher.tokens or matcher.symbols) and not matcher.search(question_text):
            out.append(matcher)
    return out


def _point(
    point: RubricPoint,
    mentions: list[tuple[AliasMatcher, Mention]],
    reading: Reading,
    clauses: list[_Clause],
    wrong: dict[int, str],
    reference: str,
    lang: str,
    credible: _Canonical,
    negated: Analysis | None,
    question: frozenset[str],
    restated: Sequence[int] = (),
) -> PointEvidence:
    named_only = False
    contradicted_in: int | None = None
    # The point's own statement made false (negated, a direction or term traded) is wrong whatever else
    # the answer says about it, and so is a fact stated with its terms or numbers traded wherever else
    # the answer names the point.
    for n in restated:
        if clauses[n].asserted:
            return PointEvidence(0.0, contradicted=True, said=reading.clause_text(n))
    for _, mention in mentions:
        if clauses[mention.clause].asserted and wrong.get(mention.clause) == "swapped":
            return PointEvidence(0.0, contradicted=True, said=reading.clause_text(mention.clause))
    for matcher, mention in mentions:
        c = clauses[mention.clause]
        if not c.asserted or c.wrong:
            continue
        said_as = clean_rubric(point.text(lang))
        expected = expected_negated(matcher, reference, said_as)
        if (
            expected is None
            and reading.denied[mention.first]
            and not (_says_none_of(reading, mention) and privative_near(matcher, said_as))
        ):
            contradicted_in = mention.clause  # however the point is worded, the answer denies it wholesale
            continue
        if expected is not None and mention.negated != expected:
            if not expected:  # a positive fact, negated in the answer
                contradicted_in = mention.clause
            continue
        if expected is False and _predicate_negated(reading, mention, point, lang, question):
            contradicted_in = mention.clause  # "Quantization does not lower precision"
            continue
        if not c.substance:
            named_only = True
            continue
        return PointEvidence(1.0)
    said_as = canonical_words(clean_rubric(point.text(lang)))
    statement = analyse_rubric(said_as)
    if statement.units - question:
        answer = credible.for_statement(said_as)
        recall = soft_recall(answer, statement, question) if answer is not None else 0.0
        # A point the answer contradicts by name is not made whole by its words said elsewhere (as it never
        # was half): "anchor tokens are not kept as real words" holds most of "Anchor tokens are kept as real words".
        if recall >= POINT_FULL and contradicted_in is None:
            return PointEvidence(1.0)
        if (
            contradicted_in is None
            and negated is not None
            and not statement.negated
            and soft_recall(negated, statement, question) >= POINT_FULL
        ):
            return PointEvidence(0.0, contradicted=True, said=negated.text.strip()[:160])
        if recall >= POINT_HALF and contradicted_in is None:
            return PointEvidence(0.5)
    if contradicted_in is not None:
        return PointEvidence(0.0, contradicted=True, said=reading.clause_text(contradicted_in))
    return PointEvidence(NAMED_CREDIT if named_only else 0.0, named_only=named_only)


# Words that say "none of" the term right before it ("need no weight gradients", "不需要权重梯度"): the way a
# statement that says the term is gone in other words ("weight gradients are skipped") is asserted, not denied.
_NONE_OF_EN = frozenset("no without zero".split())
_NONE_OF_ZH = ("不需要", "无需", "不用", "不必", "没有", "无")


def _says_none_of(reading: Reading, mention: Mention) -> bool:
    if not mention.first:
        return False
    if reading.raw(mention.first - 1) in _NONE_OF_EN:
        return True
    return reading.text[: reading.starts[mention.first]].rstrip().endswith(_NONE_OF_ZH)


def _predicate_negated(reading: Reading, mention: Mention, point: RubricPoint, lang: str, q: frozenset[str]) -> bool:
    """The mention's clause negates what the key point says about it: its negated words cover at least
    half of the statement's other words."""
    clause = reading.clauses[mention.clause]
    negated = _stretch_text(reading, clause.start, clause.end, negated=True)
    if not negated:
        return False
    statement = analyse_rubric(clean_rubric(point.text(lang)))
    if statement.negated:
        return False
    last = mention.first + max(mention.count, 1) - 1
    mentioned = analyse(reading.text[reading.starts[mention.first] : reading.ends[last]]) if mention.count else None
    rest = statement.units - (mentioned.units if mentioned else frozenset()) - q
    if not rest:
        return False
    said = analyse(negated).units
    return len(rest & said) >= 0.5 * len(rest)


# A statement says its alias is gone with one of these right before it ("skips the weight-gradient matmuls",
# "without a critic", "无需奖励模型"), or right after it as a passive ("Weight gradients for frozen matrices are
# skipped", "奖励模型被去掉"); "uses the group mean instead of a critic" says nothing of the group mean being gone.
_GONE_BEFORE = re.compile(
    r"(?:\b(?:no|without|skips?|skipping|avoids?|avoiding|eliminates?|eliminating|removes?|removing|drops?|dropping|"
    r"omits?|bypass(?:es)?|instead of|rather than)(?:\s+(?:the|a|an|any|all|its|their))?|无需|不需要|不用|不必|去掉|"
    r"去除|省去|省掉|跳过|免去|免除|没有)\s*$"
)
GONE_AFTER_REACH = 6  # tokens: "weight gradients [for frozen matrices are skipped]"
_GONE_AFTER = re.compile(
    r"\b(?:are|is|be|been|get|gets|got)\s+(?:\w+\s+)?(?:skipped|removed|dropped|eliminated|omitted|avoided|bypassed|"
    r"not needed|unnecessary)\b|被(?:去掉|去除|省掉|省去|跳过|移除|丢弃|免去)"
)


@lru_cache(maxsize=131072)
def privative_near(matcher: AliasMatcher, statement: str) -> bool:
    """The key point's statement says its alias is gone ("Weight gradients … are skipped", "无需奖励模型")."""
    reading = read_rubric(statement)
    for m in reading.mentions(matcher):
        if _GONE_BEFORE.search(statement, max(0, reading.starts[m.first] - 24), reading.starts[m.first]):
            return True
        piece = reading.token_piece[m.first]
        end = m.first + max(m.count, 1)
        after = [
            i for i in range(end, min(end + GONE_AFTER_REACH, len(reading.tokens))) if reading.token_piece[i] == piece
        ]
        if after and _GONE_AFTER.search(statement, reading.ends[end - 1], reading.ends[after[-1]]):
            return True
    return False


@lru_cache(maxsize=131072)
def expected_negated(matcher: AliasMatcher, reference: str, statement: str) -> bool | None:
    """Whether the model answer and the key point's statement state this alias negated ("no extra
    latency"); None when either says "not" in other words ("skipped", "without", "无需"), so that the
    answer's polarity proves nothing."""
    if _PRIVATIVE.search(statement):
        return None
    votes = []
    for text in (statement, reference):
        reading = read_rubric(text)
        for m in reading.mentions(matcher):
            near = reading.token_range(0, len(text))[max(0, m.first - 4) : m.first + m.count + 4]
            if near and _PRIVATIVE.search(text, reading.starts[near[0]], reading.ends[near[-1]]):
                return None
            votes.append(m.negated)
    return bool(votes) and sum(votes) * 2 > len(votes)


def prepare(rubric: Rubric) -> None:
    """Read what the credit rules read of a rubric, so that the first answer does not pay for it."""
    for lang in ("en", "zh"):
        reference = clean_rubric(rubric.reference(lang))
        units_by_word(rubric, lang)
        for point in rubric.points:
            statement = clean_rubric(point.text(lang))
            for alias in point.aliases:
                expected_negated(phrase_pattern(alias), reference, statement)
                privative_near(phrase_pattern(alias), statement)
    for misconception in rubric.misconceptions:  # what `claim_clause` looks for in every answer
        for terms in misconception.patterns:
            for term in terms:
                phrase_pattern(term)


def _has_substance(reading: Reading, n: int, alias_tokens: set[int], question: frozenset[str]) -> bool:
    """The clause says something besides the rubric's terms, the question's words and filler."""
    clause = reading.clauses[n]
    if _says_something(reading, clause.start, clause.end, alias_tokens, question):
        return True
    # "LLaMA architecture: decoder-only, RoPE, SwiGLU": a heading says what the items are.
    colon = reading.text.find(":", clause.start, clause.end)
    if colon > clause.start and any(reading.raw(i) not in STOP_EN for i in reading.token_range(clause.start, colon)):
        return True
    # "parameter count in billions": a preposition relates one term to another.
    inside = [i for i in reading.token_range(clause.start, clause.end) if i in alias_tokens]
    if inside:
        joins = {o for m in _JOINER.finditer(reading.text, clause.start, clause.end) for o in range(*m.span())}
        between = range(inside[0], inside[-1])
        return any(
            i not in alias_tokens and reading.raw(i) in _RELATIONS and reading.starts[i] not in joins for i in between
        )
    return False


_RELATIONS = frozenset(
    "in of with for to by per from into over under as via using than between within across on at".split()
    + "的 在 用 把 对 为 以 从 按 比 由 将 让 使".split()
)


def _says_something(reading: Reading, start: int, end: int, alias_tokens: set[int], question: frozenset[str]) -> bool:
    filler_zh = {i for m in _FILLER_ZH.finditer(reading.text, start, end) for i in range(*m.span())}
    asked: set[str] = set()  # the question's own words: two of them related by a term say something
    # A pair of Chinese characters left (nothing taken out between them) that the question does not hold
    # says something: the first one found settles it, the rest of a long clause is not read.
    prev: str | None = None  # the Chinese character before, None where something was taken out
    for i in reading.token_range(start, end):
        tok = reading.tokens[i]
        if i in alias_tokens or tok < FIRST_CJK:  # not a Chinese character (see text.FIRST_CJK)
            prev = None
            if i in alias_tokens or NUMBER.match(tok) or reading.raw(i) in STOP_EN or tok in _FILLER_STEMS:
                continue
            if tok not in question:
                return True
            asked.add(tok)
        elif tok in STOP_ZH or reading.starts[i] in filler_zh:
            prev = None
        else:
            if prev is not None:
                pair = prev + tok
                if pair not in question:
                    return True
                asked.add(pair)
            prev = tok
    return len(asked) >= 2


_FILLER_STEMS = frozenset(stem_word(w) for w in _FILLER_EN) | frozenset(_FILLER_EN)


def _credible_text(reading: Reading, clauses: list[_Clause]) -> str:
    """The answer's asserted, not-wrong clauses without their negated stretches."""
    parts: list[str] = []
    for n, c in enumerate(reading.clauses):
        info = clauses[n]
        if not info.asserted or info.wrong or not info.substance:
            continue
        parts.append(_stretch_text(reading, c.start, c.end, negated=False))
    return " ".join(" ".join(parts).split())


def _negated_analysis(reading: Reading, clauses: list[_Clause]) -> Analysis | None:
    parts = [
        _stretch_text(reading, c.start, c.end, negated=True)
        for n, c in enumerate(reading.clauses)
        if clauses[n].asserted and not clauses[n].wrong
    ]
    text = canonical_words(" ".join(" ".join(parts).split()))
    return analyse(text) if text else None


def _stretch_text(reading: Reading, start: int, end: int, negated: bool) -> str:
    """The clause's stretches of tokens that are (or are not) negated."""
    span = reading.token_range(start, end)
    flags = reading.negated[span.start : span.stop]
    # Most clauses are negated nowhere or throughout: one stretch or none, told by C scans of the flags.
    if negated not in flags:
        return ""
    if (not negated) not in flags:
        return reading.text[reading.starts[span.start] : reading.ends[span.stop - 1]]
    out: list[str] = []
    run: list[int] = []
    for i in span:
        if reading.negated[i] == negated:
            run.append(i)
        elif run:
            out.append(reading.text[reading.starts[run[0]] : reading.ends[run[-1]]])
            run = []
    if run:
        out.append(reading.text[reading.starts[run[0]] : reading.ends[run[-1]]])
    return " ".join(out)


def claim_clause(reading: Reading, patterns: Sequence[tuple[str, ...]], topic: str = "") -> int | None:
    """The first asserted clause in which every term of one pattern stands, none of them negated, all in
    one stretch between commas ("BPE picks the most frequent pair, WordPiece picks …" asserts nothing
    about WordPiece and the most frequent pair).

    `topic`: the question (cleaned). A term it names may stand as a pronoun opening a stretch of the answer's
    first sentence ("What is LoRA?" - "…, and it always adds latency"): an answer takes the question's subject
    as given. Later on, "it" may be anything the answer has named since ("BERT …. They generate …")."""
    for terms in patterns:
        matchers = [phrase_pattern(t) for t in terms]
        if any(m.weak or not (m.tokens or m.symbols) for m in matchers):
            continue
        per_term = [{reading.token_piece[m.first] for m in reading.mentions(t) if not m.negated} for t in matchers]
        common = set.intersection(*per_term) if per_term else set()
        if topic and not common:
            said = [p for p, m in zip(per_term, matchers, strict=True) if not m.search(topic)]
            if 0 < len(said) < len(per_term):
                common = {p for p in set.intersection(*said) if _opens_with_pronoun(reading, p)}
        for piece in sorted(common):
            n = reading.token_clause[reading.token_piece.index(piece)]
            if reading.asserted(n):
                return n
    return None


# What stands for the question's subject at the head of a stretch, after a conjunction at most.
_PRONOUNS = frozenset("it they this 它 它们 其".split())
_CONJUNCTIONS = frozenset("and so but because since thus hence then also 而且 并且 所以 因此 而 并 还 也".split())


def _opens_with_pronoun(reading: Reading, piece: int) -> bool:
    first = bisect.bisect_left(reading.token_piece, piece)  # pieces are numbered in reading order
    if reading.clauses[reading.token_clause[first]].sentence:
        return False
    head = [
        reading.raw(i) for i in range(first, min(first + 2, len(reading.tokens))) if reading.token_piece[i] == piece
    ]
    if head and head[0] in _CONJUNCTIONS:
        head = head[1:]
    return bool(head) and head[0] in _PRONOUNS
