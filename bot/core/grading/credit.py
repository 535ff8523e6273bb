"""Key-point credit from what an answer asserts, and what it gets wrong.

Given an answer read clause by clause (`assertions.read`), each key point is

- **covered** when one of its aliases stands in an asserted clause (not doubted, not "I don't
  know"), with the polarity the model answer gives it ("no extra latency" is asserted by "there is
  no added latency" and contradicted by "it is not low-rank"), in a clause that says something
  besides naming terms; or when enough of its statement's words stand in such clauses;
- **contradicted** when the answer negates it ("LoRA is not low-rank", "…, that is false"), or
  states it with its facts swapped: a clause that repeats a sentence of the model answer or a key
  point but trades one of its terms, numbers or directions for another ("Post-LN" for "Pre-LN",
  "8-bit" for "4-bit", "after" for "before");
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
from difflib import SequenceMatcher
from functools import lru_cache

from bot.core.grading.assertions import Mention, Reading, Stance, read_rubric
from bot.core.grading.features import Analysis, analyse, analyse_answer, analyse_rubric, soft_recall
from bot.core.grading.rubric import Rubric, RubricPoint
from bot.core.grading.text import FIRST_CJK, STOP_EN, STOP_ZH, AliasMatcher, clean, phrase_pattern

# A key point only named ("NF4 is important", a bare list) earns this much: an interviewer gives a
# list of the right terms partial credit at most.
NAMED_CREDIT = 0.25
# A statement counts as covered from this share of its (question-demoted) words on, half from the second.
POINT_FULL = 0.6
POINT_HALF = 0.34
# A clause repeats a model-answer sentence when their words (English stems, Chinese character pairs;
# terms, numbers and directions aside) overlap this much (Dice): a sentence in the learner's own words
# that differs in a number or a term is another statement, not a traded fact.
REPEATS = 0.8
# A clause that holds every word of a statement, and at least this share of its own words are the
# statement's, repeats it with a few words around ("实际上，…", "In practice …").
CONTAINED = 0.55
# Fewer plain words than this, and any two stretches look alike; a key point's term traded is told
# from another sentence about another point only with more of them.
MIN_REPEATED_WORDS = 3
MIN_WORDS_FOR_TERMS = 5
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
_JOINER = re.compile(r"\b(?:as well as|along with|together with|in addition to|plus)\b|以及|再加上|加上|外加")
_NUMBER = re.compile(r"\d")
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
_SYNONYM_EN = re.compile(r"\b(?:" + "|".join(_SYNONYMS_EN) + r")\b")
# "单卡" / "一张卡" is "单张" (one GPU); a Chinese "词" standing alone ("下一个词", "被遮住的词") is a token, not
# one inside 词表, 分词, 词嵌入 ….
_SYNONYMS_ZH = {"双向": "两侧", "单词": "token", "词": "token", "前面的": "前文的", "单卡": "单张", "一张卡": "单张卡"}
_SYNONYM_ZH = re.compile(r"双向|单词|(?<=[个的些])词(?![\u3400-\u9fff])|前面的|单卡|一张卡")


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
            if word in STOP_EN or _NUMBER.search(word) or _PRIVATIVE.fullmatch(word) or reading.negated[inside]:
                continue
            if reading.token_clause[s] == reading.token_clause[inside + n - g]:
                out.append(Mention(reading.token_clause[s], s, n + 1, reading.negated[s]))
                break
    return out


# Opposite words: a clause that trades one for the other states the fact the wrong way round.
_OPPOSITE_PAIRS_EN = (
    "before after|larger smaller|bigger smaller|more less|more fewer|higher lower|increase decrease|increase reduce|"
    "encoder decoder|input output|first last|faster slower|forward backward|longer shorter|maximize minimize|"
    "maximum minimum|frozen trainable|positive negative|high low|large small|sparse dense|global local|"
    "static dynamic|pre post|cheaper costlier|add remove|left right|upper lower|early late|earlier later|"
    "above below|inside outside|online offline|parallel sequential|symmetric asymmetric|supervised unsupervised|"
    "deterministic stochastic|explicit implicit|absolute relative|row column|horizontal vertical|prefix suffix|"
    "enable disable|expand shrink|start end|begin end|true false|same different|allow forbid|better worse|"
    "increases decreases|grow shrink|wider narrower|deeper shallower|train inference|compress decompress|"
    "quantize dequantize|encode decode|read write|push pull|sum product|min max|most least"
)
_OPPOSITE_PAIRS_ZH = (
    "之前 之后|前面 后面|增加 减少|提高 降低|增大 减小|编码器 解码器|"
    "输入 输出|更多 更少|更快 更慢|更大 更小|更高 更低|最大 最小|"
    "上升 下降|稀疏 稠密|全局 局部|静态 动态|冻结 更新|前向 反向|"
    "节省 浪费|正向 反向|显式 隐式|绝对 相对|有监督 无监督|串行 并行|"
    "同步 异步|线性 非线性|开始 结束|增强 减弱|扩大 缩小|优于 劣于|"
    "训练 推理|编码 解码|量化 反量化|读取 写入|最多 最少|较大 较小|"
    "较高 较低|较多 较少|变大 变小|变长 变短|加快 减慢|前置 后置"
)


def _pairs(spec: str, stem: bool) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for pair in spec.split("|"):
        a, b = pair.split()
        if stem:
            a, b = _stem(a), _stem(b)
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


def _stem(word: str) -> str:
    tokens = phrase_pattern(word).tokens
    return tokens[0] if tokens else word


@lru_cache(maxsize=1)
def _opposites() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], re.Pattern[str]]:
    zh = _pairs(_OPPOSITE_PAIRS_ZH, stem=False)
    zh_words = re.compile("|".join(sorted(map(re.escape, zh), key=len, reverse=True)))
    return _pairs(_OPPOSITE_PAIRS_EN, stem=True), zh, zh_words


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
    reference = clean(rubric.reference(lang))

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
        said_as = clean(point.text(lang))
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
    said_as = canonical_words(clean(point.text(lang)))
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
    statement = analyse_rubric(clean(point.text(lang)))
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
        reference = clean(rubric.reference(lang))
        _units_by_word(rubric, lang)
        for point in rubric.points:
            statement = clean(point.text(lang))
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
    chars: list[str] = []  # Chinese characters left, "|" where something was taken out
    asked: set[str] = set()  # the question's own words: two of them related by a term say something
    for i in reading.token_range(start, end):
        tok = reading.tokens[i]
        if i in alias_tokens or tok < FIRST_CJK:  # not a Chinese character (see text.FIRST_CJK)
            chars.append("|")
            if i in alias_tokens or _NUMBER.match(tok) or reading.raw(i) in STOP_EN or tok in _FILLER_STEMS:
                continue
            if tok not in question:
                return True
            asked.add(tok)
        elif tok in STOP_ZH or reading.starts[i] in filler_zh:
            chars.append("|")
        else:
            chars.append(tok)
    joined = "".join(chars)
    pairs = {joined[i : i + 2] for i in range(len(joined) - 1) if "|" not in joined[i : i + 2]}
    asked |= pairs & question
    return bool(pairs - question) or len(asked) >= 2


_FILLER_STEMS = frozenset(_stem(w) for w in _FILLER_EN) | frozenset(_FILLER_EN)


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
    out: list[str] = []
    run: list[int] = []
    for i in reading.token_range(start, end):
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


# ------------------------------------------------------------------------------------ swapped facts


# A statement's word, or one of the rubric's terms standing in it: (key point, the alias's tokens).
_Item = str | tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class _Unit:
    """A sentence-sized stretch of text: its plain words, and its terms, numbers and directions in order."""

    words: frozenset[str]
    terms: tuple[tuple[int, tuple[str, ...]], ...]  # (key point, the alias's tokens), in order
    numbers: tuple[str, ...]
    opposites: tuple[str, ...]
    negated: frozenset[str] = frozenset()  # the words a negation reaches
    point: int | None = None  # the key point whose statement this is (None: the model answer)
    # its tokens in order, each term as one (key point, alias) item: what aligns one statement with another
    sequence: tuple[_Item, ...] = ()


def swapped_clauses(
    reading: Reading, rubric: Rubric, lang: str, matchers: Sequence[Sequence[AliasMatcher]]
) -> list[tuple[int, frozenset[int]]]:
    """The answer's asserted clauses with a statement that repeats one of the model answer or a key point
    with a term, a number or a direction traded for another, two of them in each other's place, or its
    polarity turned ("Pruning does not remove weights"); with the key points whose statements it repeats."""
    units = _units_of(rubric, lang)
    if not units:
        return []
    by_word = _units_by_word(rubric, lang)
    out: list[tuple[int, frozenset[int]]] = []
    special = _term_tokens(reading, matchers)
    for start, end, n in _statements(reading, lang):
        if not reading.asserted(n) or (out and out[-1][0] == n):
            continue
        unit = _unit(reading, start, end, special)
        if len(unit.words) < MIN_REPEATED_WORDS:
            continue
        # Only statements sharing a word with the clause can repeat it (no common word: Dice 0), so a long
        # answer is compared with those, not with every sentence of the model answer.
        near = sorted({i for w in unit.words for i in by_word.get(w, ())})
        if not near:
            continue
        dice = {i: _repeats(unit.words, units[i].words) for i in near}
        best = max(dice.values())
        # Judged against the statement it repeats most closely: one it repeats faithfully ("MQA shares one
        # K/V head") is not undone by a similar one about another point ("GQA shares one K/V head per group").
        # A short clause whose every plain word is the statement's, aligned term for term, trades a term
        # as surely as a long one.
        terms = len(unit.words) >= MIN_WORDS_FOR_TERMS or best >= 1.0
        closest = [units[i] for i, d in dice.items() if d == best]
        if best >= REPEATS and all(_traded(unit, r, lang, terms=terms) for r in closest):
            stated = {r.point for r in closest if r.point is not None}
            stated |= _holding_traded(unit, closest, _statement_words(rubric, lang))
            out.append((n, frozenset(stated)))
    return out


# A key point shares at least this share of its statement's words with a clause that trades one of its
# numbers, directions or terms: the clause states that point wrong.
SHARES_POINT = 0.5


def _holding_traded(unit: _Unit, closest: Sequence[_Unit], statements: Sequence[frozenset[str]]) -> set[int]:
    """The key points a model-answer sentence restated with a number or direction traded gets wrong: those
    whose statements hold what was traded away and say much of what the clause says ("(p−2)/(m+p−2)" in a
    sentence about the bubble fraction contradicts "Bubble fraction is (p−1)/(m+p−1)")."""
    lost: set[str] = set()
    for r in closest:
        for op, i1, i2, j1, j2 in SequenceMatcher(None, r.sequence, unit.sequence, autojunk=False).get_opcodes():
            if op in ("replace", "delete"):
                lost |= _flat(r.sequence[i1:i2]) - _flat(unit.sequence[j1:j2])
    lost = {w for w in lost if _NUMBER.search(w) or w in _opposites()[0] or w in _opposite_chars()}
    if not lost:
        return set()
    said = _flat(unit.sequence)
    return {k for k, words in enumerate(statements) if lost & words and len(words & said) >= SHARES_POINT * len(words)}


def _flat(items: Sequence[_Item]) -> set[str]:
    return {w for x in items for w in (x[1] if isinstance(x, tuple) else (x,))}


@lru_cache(maxsize=1)
def _opposite_chars() -> frozenset[str]:
    return frozenset("".join(_opposites()[1]))


@lru_cache(maxsize=8192)
def _statement_words(rubric: Rubric, lang: str) -> tuple[frozenset[str], ...]:
    """Each key point's statement as the matcher's tokens, stop words aside."""
    out = []
    for point in rubric.points:
        tokens = read_rubric(clean(point.text(lang))).tokens
        out.append(frozenset(t for t in tokens if t not in STOP_EN and t not in STOP_ZH))
    return tuple(out)


def _repeats(mine: frozenset[str], theirs: frozenset[str]) -> float:
    """How closely a clause repeats a statement: Dice of their words; a clause holding every word of the
    statement and not much else ("In practice, X is Y") repeats it at the threshold."""
    common = len(mine & theirs)
    dice = 2 * common / (len(mine) + len(theirs))
    if dice < REPEATS and common == len(theirs) and common >= CONTAINED * len(mine):
        return REPEATS
    return dice


def _statements(reading: Reading, lang: str) -> list[tuple[int, int, int]]:
    """(start, end, clause) of every statement: a clause in English; in Chinese, where a comma often
    joins two statements ("用 GRPO 去掉 critic，用 DPO 去掉奖励模型"), every stretch between commas, and
    the whole clause (a stretch like "减少复杂度" is too short to repeat anything on its own)."""
    whole = [(c.start, c.end, n) for n, c in enumerate(reading.clauses)]
    if lang != "zh":
        return whole
    out: list[tuple[int, int, int]] = []
    last = -1
    for i, piece in enumerate(reading.token_piece):
        if piece != last:
            out.append((reading.starts[i], reading.ends[i], reading.token_clause[i]))
            last = piece
        else:
            start, _, clause = out[-1]
            out[-1] = (start, reading.ends[i], clause)
    pieces = set(out)
    merged: list[tuple[int, int, int]] = []
    for n, stretch in enumerate(out):
        merged.append(stretch)
        if n + 1 == len(out) or out[n + 1][2] != stretch[2]:
            merged += [w for w in whole if w[2] == stretch[2] and w not in pieces]
    return merged


def _traded(a: _Unit, b: _Unit, lang: str, terms: bool) -> bool:
    """A number or direction of `b` traded for another in `a`, or (`terms`) a key point's term, or two
    of them in each other's place."""
    if terms:
        if _term_traded(a.sequence, b.sequence):
            return True  # another key point's term where this one's stood
        common = set(a.terms) & set(b.terms)
        if _swapped_order(
            _points(tuple(t for t in a.terms if t in common)), _points(tuple(t for t in b.terms if t in common))
        ):
            return True  # two key points' terms in each other's place
    if (a.negated ^ b.negated) & a.words & b.words:
        return True  # the same statement, negated where it was not (or the reverse)
    mine, theirs = a.numbers, b.numbers
    if (set(mine) - set(theirs)) and (set(theirs) - set(mine)):
        return True  # one number traded for another
    if _swapped_order(mine, theirs):
        return True
    table = _opposites()[1] if lang == "zh" else _opposites()[0]
    extra, missing = set(a.opposites) - set(b.opposites), set(b.opposites) - set(a.opposites)
    # A term of the statement may hold the direction itself ("sparse attention" traded for "dense").
    missing |= {tok for _, alias in set(b.terms) - set(a.terms) for tok in alias}
    if any(table.get(w, frozenset()) & missing for w in extra):
        return True
    return _swapped_order(a.opposites, b.opposites)


def _term_traded(mine: tuple[_Item, ...], theirs: tuple[_Item, ...]) -> bool:
    """Aligned word by word, a stretch of the statement holding one key point's term was replaced by a stretch
    holding another's. Where the statement's words were only put in other words ("quality near to MHA" for
    "quality close to MHA", which breaks the alias "close to MHA" and leaves "MHA" matching another point's),
    no term stands in another's place."""
    if not any(isinstance(x, tuple) for x in mine):
        return False
    for op, i1, i2, j1, j2 in SequenceMatcher(None, theirs, mine, autojunk=False).get_opcodes():
        if op != "replace":
            continue
        was = {x[0] for x in theirs[i1:i2] if isinstance(x, tuple)}
        if not was:
            continue
        # The words that stood there: a term of the answer made of them is the same words, not a new term.
        words = {w for x in theirs[i1:i2] for w in (x[1] if isinstance(x, tuple) else (x,))}
        for x in mine[j1:j2]:
            if isinstance(x, tuple) and x[0] not in was and not set(x[1]) <= words:
                return True
    return False


def _points(terms: tuple[tuple[int, tuple[str, ...]], ...]) -> tuple[int, ...]:
    return tuple(k for k, _ in terms)


def _swapped_order(mine: Sequence[object], theirs: Sequence[object]) -> bool:
    """The same items in each other's place ("Post-LN … Pre-LN" where the reference has "Pre-LN … Post-LN")."""
    first, second = tuple(dict.fromkeys(mine)), tuple(dict.fromkeys(theirs))
    return len(first) > 1 and sorted(map(repr, first)) == sorted(map(repr, second)) and first != second


# One entry per question and language of the bank: sized for a bank of a few thousand questions.
@lru_cache(maxsize=8192)
def _units_of(rubric: Rubric, lang: str) -> tuple[_Unit, ...]:
    matchers = [[phrase_pattern(a) for a in p.aliases] for p in rubric.points]
    out = []
    texts = [(None, clean(rubric.reference(lang))), *((k, clean(p.text(lang))) for k, p in enumerate(rubric.points))]
    for point, text in texts:
        reading = read_rubric(text)
        special = _term_tokens(reading, matchers)
        for start, end, _ in _statements(reading, lang):
            unit = _unit(reading, start, end, special, point)
            if len(unit.words) >= MIN_REPEATED_WORDS:
                out.append(unit)
    return tuple(out)


@lru_cache(maxsize=8192)
def _units_by_word(rubric: Rubric, lang: str) -> dict[str, tuple[int, ...]]:
    """word -> the rubric statements (indexes into `_units_of`) holding it."""
    index: dict[str, list[int]] = {}
    for i, unit in enumerate(_units_of(rubric, lang)):
        for word in unit.words:
            index.setdefault(word, []).append(i)
    return {word: tuple(at) for word, at in index.items()}


def _term_tokens(
    reading: Reading, matchers: Sequence[Sequence[AliasMatcher]]
) -> dict[int, tuple[int, tuple[str, ...]]]:
    """token -> (key point, alias) of every alias of the rubric in the text."""
    special: dict[int, tuple[int, tuple[str, ...]]] = {}
    for k, point in enumerate(matchers):
        for matcher in point:
            for s, count in matcher.spans(reading.tokens, reading.index):
                special.update((i, (k, matcher.tokens)) for i in range(s, s + count))
    return special


def _enumerates(reading: Reading, i: int, first: bool) -> bool:
    """The number is a list item's ("(2) …", "3. …", "4、…"): it counts items, it states nothing."""
    start, end = reading.starts[i], reading.ends[i]
    if not reading.tokens[i].isdigit() or reading.text[end : end + 1] not in (".", ")", "、"):
        return False
    before = reading.text[:start].rstrip()
    return first or before.endswith(("(", "\n")) or not before


def _unit(
    reading: Reading, start: int, end: int, special: dict[int, tuple[int, tuple[str, ...]]], point: int | None = None
) -> _Unit:
    span = reading.token_range(start, end)
    en_opp, _, zh_words = _opposites()
    zh_found = list(zh_words.finditer(reading.text, start, end))
    direction = {o for m in zh_found for o in range(*m.span())}  # characters of Chinese direction words
    terms: list[tuple[int, tuple[str, ...]]] = []
    numbers: list[str] = []
    opposites: list[tuple[int, str]] = []
    words: set[str] = set()
    negated: set[str] = set()
    sequence: list[_Item] = []
    prev: str | None = None
    for i in span:
        tok = reading.tokens[i]
        word: str | None = None
        if i not in special:
            sequence.append(tok)
        if i in special:
            if not terms or terms[-1] != special[i]:
                terms.append(special[i])
                sequence.append(special[i])
            prev = None
        elif _NUMBER.search(tok):
            if not _enumerates(reading, i, first=i == span[0]):
                numbers.append(tok)
            prev = None
        elif tok >= FIRST_CJK:  # a Chinese character (see text.FIRST_CJK)
            if reading.starts[i] in direction:
                prev = None
                continue
            if prev is not None and i and reading.ends[i - 1] == reading.starts[i]:
                word = prev + tok
            prev = tok
        else:
            prev = None
            if tok in en_opp:
                opposites.append((reading.starts[i], tok))
            elif reading.raw(i) not in STOP_EN:
                word = tok
        if word is not None:
            words.add(word)
            if reading.negated[i]:
                negated.add(word)
    opposites += [(m.start(), m.group(0)) for m in zh_found]
    ordered = tuple(w for _, w in sorted(opposites))
    return _Unit(frozenset(words), tuple(terms), tuple(numbers), ordered, frozenset(negated), point, tuple(sequence))
