"""Swapped facts: a clause that repeats a statement of the model answer or a key point with one of its
terms, numbers or directions traded for another ("Post-LN" for "Pre-LN", "8-bit" for "4-bit", "after"
for "before"), two of them in each other's place, or its polarity turned. `credit.weigh` counts the
key points such a clause repeats as contradicted.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from bot.core.grading.assertions import Reading, read_rubric
from bot.core.grading.rubric import Rubric
from bot.core.grading.text import FIRST_CJK, STOP_EN, STOP_ZH, AliasMatcher, clean_rubric, phrase_pattern

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
NUMBER = re.compile(r"\d")

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
            a, b = stem_word(a), stem_word(b)
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


def stem_word(word: str) -> str:
    tokens = phrase_pattern(word).tokens
    return tokens[0] if tokens else word


@lru_cache(maxsize=1)
def _opposites() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], re.Pattern[str]]:
    zh = _pairs(_OPPOSITE_PAIRS_ZH, stem=False)
    zh_words = re.compile("|".join(sorted(map(re.escape, zh), key=len, reverse=True)))
    return _pairs(_OPPOSITE_PAIRS_EN, stem=True), zh, zh_words


def opposites_en() -> dict[str, frozenset[str]]:
    """Each English stem of the opposite-word table and its opposites."""
    return _opposites()[0]


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
    by_word = units_by_word(rubric, lang)
    out: list[tuple[int, frozenset[int]]] = []
    special = _term_tokens(reading, matchers)
    tables = _word_tables(reading, special)
    for start, end, n in _statements(reading, lang):
        if not reading.asserted(n) or (out and out[-1][0] == n):
            continue
        # The statement's plain words first (`_unit`'s, read off per-token tables): most statements of a long
        # answer repeat nothing, and only one that does needs the rest of its unit.
        words = _plain_words(reading, start, end, tables)
        if len(words) < MIN_REPEATED_WORDS:
            continue
        # Only statements sharing a word with the clause can repeat it (no common word: Dice 0), so a long
        # answer is compared with those, not with every sentence of the model answer.
        near = sorted(set().union(*map(by_word.__getitem__, by_word.keys() & words)))
        if not near:
            continue
        dice = {i: _repeats(words, units[i].words) for i in near}
        best = max(dice.values())
        if best < REPEATS:
            continue
        unit = _unit(reading, start, end, special)
        # Judged against the statement it repeats most closely: one it repeats faithfully ("MQA shares one
        # K/V head") is not undone by a similar one about another point ("GQA shares one K/V head per group").
        # A short clause whose every plain word is the statement's, aligned term for term, trades a term
        # as surely as a long one.
        terms = len(words) >= MIN_WORDS_FOR_TERMS or best >= 1.0
        closest = [units[i] for i, d in dice.items() if d == best]
        if all(_traded(unit, r, lang, terms=terms) for r in closest):
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
    lost = {w for w in lost if NUMBER.search(w) or w in _opposites()[0] or w in _opposite_chars()}
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
        tokens = read_rubric(clean_rubric(point.text(lang))).tokens
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
    texts = [
        (None, clean_rubric(rubric.reference(lang))),
        *((k, clean_rubric(p.text(lang))) for k, p in enumerate(rubric.points)),
    ]
    for point, text in texts:
        reading = read_rubric(text)
        special = _term_tokens(reading, matchers)
        for start, end, _ in _statements(reading, lang):
            unit = _unit(reading, start, end, special, point)
            if len(unit.words) >= MIN_REPEATED_WORDS:
                out.append(unit)
    return tuple(out)


@lru_cache(maxsize=8192)
def units_by_word(rubric: Rubric, lang: str) -> dict[str, tuple[int, ...]]:
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


# Per token of a reading: the English word it is to a statement ("": a term, number, direction, stop word or
# Chinese character), and the Chinese character pair it ends ("": not two adjacent characters, neither a term).
_WordTables = tuple[list[str], list[str]]


def _word_tables(reading: Reading, special: dict[int, tuple[int, tuple[str, ...]]]) -> _WordTables:
    """What `_plain_words` reads, once per answer (its statements overlap: each Chinese clause and its pieces)."""
    text, tokens, starts, ends = reading.text, reading.tokens, reading.starts, reading.ends
    en_opp = _opposites()[0]
    # Built for every token by C-driven comprehensions first, then mended at the few tokens that need a closer
    # look (the terms; the English words, which a Chinese answer has few of).
    chinese = [tok >= FIRST_CJK for tok in tokens]
    english = ["" if cjk else tok for tok, cjk in zip(tokens, chinese, strict=True)]
    for i, tok in enumerate(english):
        if tok and (NUMBER.search(tok) or tok in en_opp or text[starts[i] : ends[i]] in STOP_EN):
            english[i] = ""
    for i in special:
        english[i] = ""
        chinese[i] = False
    pairs = [""]
    pairs += [
        a + b if ca and cb and e == s else ""
        for a, b, ca, cb, e, s in zip(tokens, tokens[1:], chinese, chinese[1:], ends, starts[1:], strict=False)
    ]
    return english, pairs


def _plain_words(reading: Reading, start: int, end: int, tables: _WordTables) -> frozenset[str]:
    """`_unit(reading, start, end, special).words`, read off `_word_tables`: the English words, and the character
    pairs within the stretch that no Chinese direction word (found in the stretch, as `_unit` finds them) cuts."""
    english, pairs = tables
    span = reading.token_range(start, end)
    words = set(english[span.start : span.stop])
    cut = span.start  # the first token of the run of characters after the last direction word
    for m in _opposites()[2].finditer(reading.text, start, end):
        words.update(pairs[cut + 1 : bisect.bisect_left(reading.starts, m.start())])
        cut = bisect.bisect_left(reading.starts, m.end())
    words.update(pairs[cut + 1 : span.stop])
    words.discard("")
    return frozenset(words)


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
    text, tokens, starts, ends, negated_at = reading.text, reading.tokens, reading.starts, reading.ends, reading.negated
    for i in span:
        tok = tokens[i]
        word: str | None = None
        if i in special:
            if not terms or terms[-1] != special[i]:
                terms.append(special[i])
                sequence.append(special[i])
            prev = None
            continue
        sequence.append(tok)
        # A Chinese character (see text.FIRST_CJK) is never a number: told first, without a regex per character.
        if tok >= FIRST_CJK:
            if starts[i] in direction:
                prev = None
                continue
            if prev is not None and i and ends[i - 1] == starts[i]:
                word = prev + tok
            prev = tok
        elif NUMBER.search(tok):
            if not _enumerates(reading, i, first=i == span[0]):
                numbers.append(tok)
            prev = None
        else:
            prev = None
            if tok in en_opp:
                opposites.append((starts[i], tok))
            elif text[starts[i] : ends[i]] not in STOP_EN:  # the word as written (`Reading.raw`)
                word = tok
        if word is not None:
            words.add(word)
            if negated_at[i]:
                negated.add(word)
    opposites += [(m.start(), m.group(0)) for m in zh_found]
    ordered = tuple(w for _, w in sorted(opposites))
    return _Unit(frozenset(words), tuple(terms), tuple(numbers), ordered, frozenset(negated), point, tuple(sequence))
