"""What an answer asserts: sentences, clauses, negation scope, doubt and "I don't know".

A key point earns credit only where the answer *asserts* it. `read(text)` splits a cleaned
answer into sentences and clauses (at contrastive words: "but", "however", "但是", "而是" …) and
marks, for every token, whether it stands

- in a clause that says the writer does not know ("I have no idea", "never understood", "不知道",
  "不太懂"), or doubts or asks ("maybe X?", "is it X?", "也许", "吗？"): no credit either way;
- under a negation ("not", "never", "no", "nobody", "rather than", "不", "没", "并非", "而不是"):
  from the cue to the end of its comma-delimited stretch (a comma followed by a list item keeps
  it going), an odd number of cues making the token negated;
- before a refutation ("… — that is false", "…, but it is wrong", "…，这种说法是错误的", "说…是不对的",
  or a sentence "其实不是这样。" after it): everything the refutation points back to is negated.

Lexicalised words that contain a negation character but do not negate ("不同", "不仅", "非常",
"无论", "未来", "not only") are not cues. Everything here is English and Chinese word lists plus
positions: deterministic and fast.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from bot.core.grading.text import AliasMatcher, led_by, token_spans


class Stance(str, Enum):
    ASSERTED = "asserted"
    DOUBTED = "doubted"  # hedged or asked
    UNKNOWN = "unknown"  # the writer says they do not know


@dataclass(frozen=True)
class Clause:
    start: int  # character offsets in the cleaned text
    end: int
    sentence: int
    stance: Stance


@dataclass(frozen=True)
class Mention:
    clause: int  # index into Reading.clauses
    first: int  # first token
    count: int  # tokens
    negated: bool


# Cleaned text has ASCII "?", "!", ",", ";", ":" for the full-width ones (NFKC); "。" stays.
# The full stop first and what may not stand before it after (each look-behind takes the stop in), led by the
# characters a sentence can end with (`led_by`): the engine no longer tries the look-behinds at every position
# (several times faster over a long answer; a test holds it equal to the look-behinds first).
_SENTENCE_END = led_by(
    ".!?。\n", r"\.(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\d\.)(?=\s|$|[\u4e00-\u9fff])|[!?]+|[。\n]+"
)
_CONTRAST = re.compile(
    r"[;；]|\s(?:but|however|whereas|although|though|yet|instead)\b|(?:但是|但|不过|然而|可是|而是|反而|却)"
)
_SCOPE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|[，:：()（）\"“”]|\s[-–—]+\s")
_COMMA = led_by(",", r"(?<!\d),|,(?!\d)")
# A stretch after a comma that starts like this is a new statement: a negation before it stops there.
_NEW_STATEMENT = re.compile(
    r"\s*(?:(?:and|or|but|so|thus|hence|therefore|then|because|since|while|whereas|although|though|instead|rather|"
    r"yet|also|plus)\s+)?(?:it|its|it's|this|these|that|they|them|those|which|who|we|you|i|he|she|there|here|one|each|"
    r"so|thus|hence|therefore|instead|rather|because|since|while|whereas|although|though|then|meanwhile|otherwise)\b"
    r"|\s*(?:它|这|那|其|所以|因此|因而|而|但|却|从而|于是|我们|我|你|他|然后|同时|此外|另外|并且|而且|进而)"
)

_NEG_EN = re.compile(
    r"\b(?:not(?!\s+only\b|\s+just\b|\s+merely\b)|no(?!\s+matter\b|\s+longer\s+than\b|\s+more\s+than\b)|never|none|"
    r"nothing|neither|nor|nobody|cannot|can't|won't|isn't|aren't|doesn't|don't|didn't|wasn't|weren't|shouldn't|"
    r"wouldn't|couldn't|hasn't|haven't|hadn't|mustn't|ain't|without)\b|\b\w+n't\b|\brather than\b|\binstead of\b"
    r"|\b(?:it is|it's|it was|that is|that's)\s+(?:false|wrong|incorrect|untrue|a myth|a mistake|an error|mistaken|"
    r"nonsense)\s+(?:to\s+(?:say|claim|think|believe|assume|suggest)\s+)?that\b"
)
_NEG_ZH = re.compile(
    r"并非|而非|而不是|无法|无需|毫无|从未|从不|绝不|"
    r"不(?!同|仅|只|但|断|少|久|过|管|论|错|光|妨|然|外乎|足为奇|一定)|"
    r"没(?!错)|未(?!来|知)|别(?=[把让用做说再去])"
)
# Said about what went before: it is false.
_REFUTE_EN = led_by(
    "'aistw",
    r"\b(?:(?:that|this|which|it|they|these|those)\s+)?(?:is|are|was|'s|s)\s+(?:(?:simply|just|completely|totally|"
    r"plainly|actually|absolutely|also)\s+)?(?:false|wrong|incorrect|not true|untrue|not correct|not right|"
    r"not the case|a myth|a misconception|mistaken|nonsense|a mistake|an error)\b(?!\s+(?:that|to|for|when|if|in)\b)"
    r"|\bthat's (?:false|wrong|not true|incorrect)\b",
)
_REFUTE_ZH = led_by(
    "这此说观理是并也就不其",
    r"(?:(?:这种|这个|此|这)?(?:说法|观点|理解)?(?:是|并|也|就)|这种说法|这个说法|这)(?:错误|错|不对|不正确|不成立|谬误)的?了?"
    r"(?=[,.;!?。\s]|$)|(?:不对|不正确|不成立)的?(?=[,.;!?。\s]|$)|其实不是这样|并非如此|不是这样",
)
# The writer does not know (first person, or a bare "no idea").
_UNKNOWN_EN = led_by(
    "bcdinuw",
    r"\b(?:i|we)\s+(?:really\s+|honestly\s+|just\s+|simply\s+)?(?:do\s*n[o']?t|don't|dont|can't|cannot|never|did\s*n[o']?t|"
    r"didn't)\s+(?:really\s+|quite\s+|fully\s+)?(?:know|understand|understood|remember|recall|get|got|learn|learned|"
    r"learnt|explain|say|tell|study|studied|grasp)\b"
    r"|\bno\s+(?:idea|clue|clear idea)\b|\bnot\s+(?:sure|certain)\b|\bunsure\b|\bclueless\b|\bno\s+idea\b"
    r"|\b(?:i|we)\s+(?:have\s+)?(?:forgot|forgotten|forget)\b|\b(?:i|we)\s+(?:have|'ve)\s+(?:no|never)\b"
    r"|\bnever\s+(?:heard|learned|learnt|studied|understood)\b|\bi'm\s+(?:lost|confused|clueless)\b|\bbeats me\b"
    r"|\bdunno\b|\bidk\b|\bcan't\s+explain\b|\bcannot\s+explain\b|\bno\s+(?:knowledge|experience)\s+(?:of|with|about)\b",
)
_UNKNOWN_ZH = led_by(
    "一不俺只听完忘我本没答记说",
    r"(?:我|俺|本人)[^，。,.]{0,6}(?:不知道|不清楚|不懂|不太懂|不了解|不太了解|不会|不记得|记不清|记不得|忘了|忘记|"
    r"没学过|没听说过?|不确定|搞不清|不明白|不太明白|说不清|答不上)"
    r"|^(?:不知道|不清楚|不太清楚|不太懂|不懂|不了解|不确定|忘了|记不清|不会)"
    r"|没有?(?:头绪|概念|印象)|一无所知|完全不懂|只听说过|听说过但|说不上来|答不上来",
)
_DOUBT_EN = re.compile(
    r"^\s*(?:maybe|perhaps|possibly|i guess|i suppose|i think maybe|is it|isn't it|could it be|might it be)\b"
    r"|\b(?:maybe|perhaps|i guess|i suppose|or something|something like|something about|or so i think|"
    r"i'm guessing|my guess is|not sure)\b"
)
_DOUBT_ZH = re.compile(r"也许|或许|大概是|大概吧|好像|似乎|我猜|是不是|应该是吧|之类的吧|吧[？?]?$|吗[？?]?$")
_QUESTION = re.compile(r"[?？]\s*$")


@dataclass(frozen=True)
class Reading:
    """One cleaned text, read clause by clause."""

    text: str
    tokens: tuple[str, ...]  # as AliasMatcher compares them
    index: dict[str, list[int]]
    starts: tuple[int, ...]  # character offset of every token
    ends: tuple[int, ...]
    token_clause: tuple[int, ...]
    token_piece: tuple[int, ...]  # the stretch between commas each token stands in
    negated: tuple[bool, ...]  # per token
    denied: tuple[bool, ...]  # per token: under a denial of the whole statement
    clauses: tuple[Clause, ...]

    def mentions(self, matcher: AliasMatcher) -> list[Mention]:
        if matcher.symbols is not None:  # "−∞", "⊗": found as written, at the token that follows
            found, at = [], self.text.find(matcher.symbols)
            while at >= 0 and self.tokens:
                i = min(bisect.bisect_left(self.starts, at), len(self.tokens) - 1)
                found.append(Mention(self.token_clause[i], i, 0, self.negated[i]))
                at = self.text.find(matcher.symbols, at + 1)
            return found
        return [
            Mention(self.token_clause[first], first, count, self.negated[first])
            for first, count in matcher.spans(self.tokens, self.index)
        ]

    def token_range(self, start: int, end: int) -> range:
        """The tokens that begin within text[start:end]."""
        return range(bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end))

    def raw(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def clause_text(self, n: int) -> str:
        c = self.clauses[n]
        return self.text[c.start : c.end].strip()

    def asserted(self, n: int) -> bool:
        return self.clauses[n].stance is Stance.ASSERTED


def _pieces(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`text[start:end]` cut at every match of `pattern`, the separators left out."""
    out, at = [], start
    for m in pattern.finditer(text, start, end):
        if text[at : m.start()].strip():
            out.append((at, m.start()))
        at = m.end()
    if text[at:end].strip():
        out.append((at, end))
    return out


def _stance(piece: str, sentence: str) -> Stance:
    if _UNKNOWN_EN.search(piece) or _UNKNOWN_ZH.search(piece.strip(" ，,：:")):
        return Stance.UNKNOWN
    if _DOUBT_EN.search(piece) or _DOUBT_ZH.search(piece.strip()) or _QUESTION.search(sentence):
        return Stance.DOUBTED
    return Stance.ASSERTED


def read(text: str) -> Reading:
    """`text` (cleaned) as sentences and clauses, each token's negation and each clause's stance."""
    text = text.replace("\u2019", "'")  # a typographic apostrophe ("don’t") is one character too: offsets hold
    starts, ends, tokens = token_spans(text)
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        index.setdefault(tok, []).append(i)

    clauses: list[Clause] = []
    flips = [0] * len(tokens)  # negations counted per token
    denials = [0] * len(tokens)  # of which whole statements denied ("It is not true that …", "…, that is false")
    sentences = _sentence_bounds(text)
    previous: tuple[int, int] | None = None
    for n, (s_start, s_end) in enumerate(sentences):
        sentence = text[s_start:s_end]
        bounds = _pieces(_CONTRAST, text, s_start, s_end)  # the sentence's clauses (cut once: a long answer has many)
        for c_start, c_end in bounds:
            clauses.append(Clause(c_start, c_end, n, _stance(text[c_start:c_end], sentence)))
        _negate_scopes(text, bounds, starts, flips, denials)
        # A refutation negates what it points back to: the rest of its clause before it ("说X是不对的"),
        # the sentence before it when it follows a comma or stands as a clause of its own ("X, which is
        # wrong", "X, but that is a myth"), the previous sentence when it is a sentence of its own.
        for c_start, c_end in bounds:
            for m in (*_REFUTE_EN.finditer(text, c_start, c_end), *_REFUTE_ZH.finditer(text, c_start, c_end)):
                if not m.group(0).strip():
                    continue
                before = (c_start, m.start())
                lead = text[c_start : m.start()].rstrip()
                if not _has_tokens(starts, *before) or lead.endswith((",", ":", "—", "–")):
                    if s_start < c_start or lead:
                        before = (s_start, m.start())
                    elif previous is not None:
                        before = previous
                _flip(starts, flips, *before)
                _flip(starts, denials, *before)
                break
        previous = (s_start, s_end)

    piece_starts = [a for c in clauses for a, _ in _pieces(_COMMA, text, c.start, c.end)]
    return Reading(
        text=text,
        tokens=tokens,
        index=index,
        starts=starts,
        ends=ends,
        token_clause=_numbered(starts, [c.start for c in clauses]),
        token_piece=_numbered(starts, piece_starts),
        negated=tuple([f % 2 == 1 for f in flips]),
        denied=tuple([d % 2 == 1 for d in denials]),
        clauses=tuple(clauses),
    )


def _numbered(starts: tuple[int, ...], firsts: list[int]) -> tuple[int, ...]:
    """For every token (by its start), the number of the last stretch in `firsts` (the stretches' sorted start
    offsets) that begins at or before it; 0 before the first."""
    # Filled stretch by stretch, not searched token by token: a long answer has thousands of tokens, tens of clauses.
    bounds = [bisect.bisect_left(starts, f) for f in firsts] + [len(starts)]
    out = [0] * bounds[0]
    for n in range(len(firsts)):
        out += [n] * (bounds[n + 1] - bounds[n])
    return tuple(out)


# An answer with instructions to the grader is graded twice, the second time as written, whose reading the
# first grade has made already. Two entries: memory stays flat however many answers a bot grades.
@lru_cache(maxsize=2)
def read_answer(text: str) -> Reading:
    """`read` for the answer being graded."""
    return read(text)


@lru_cache(maxsize=4096)
def read_rubric(text: str) -> Reading:
    """`read` for the texts of a rubric (model answers, key points), which recur: cached (answers go through
    `read_answer`, which keeps two)."""
    return read(text)


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.end()].strip():
            bounds.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def _has_tokens(starts: tuple[int, ...], a: int, b: int) -> bool:
    return bisect.bisect_left(starts, a) < bisect.bisect_left(starts, b)


def _flip(starts: tuple[int, ...], flips: list[int], a: int, b: int) -> None:
    for i in range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)):
        flips[i] += 1


# A cue this close to the start of its clause negates the whole statement ("It is not true that A, B",
# "并不是A，B"): its reach goes on over commas until a new statement begins. A cue further in negates
# its own stretch only ("… needs no reward model, and puts …").
STATEMENT_CUE_TOKENS = 4


def _negate_scopes(
    text: str, clauses: list[tuple[int, int]], starts: tuple[int, ...], flips: list[int], denials: list[int]
) -> None:
    """Each negation cue in these clauses (of one sentence) negates the tokens after it, to the end of its
    reach (see STATEMENT_CUE_TOKENS)."""
    for c_start, c_end in clauses:
        commas = _pieces(_SCOPE_BREAK, text, c_start, c_end)
        statements = _stretches(text, commas)
        first = bisect.bisect_left(starts, c_start)
        for cue in (*_NEG_EN.finditer(text, c_start, c_end), *_NEG_ZH.finditer(text, c_start, c_end)):
            whole = bisect.bisect_left(starts, cue.start()) - first <= STATEMENT_CUE_TOKENS
            reach = statements if whole else commas
            stop = next((b for a, b in reach if a <= cue.start() < b), c_end)
            _flip(starts, flips, cue.end(), stop)
            if whole:
                _flip(starts, denials, cue.end(), stop)


def _stretches(text: str, commas: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The clause (cut at commas, colons and brackets: `commas`) cut where a new statement begins ("…, it
    freezes …"); a piece that goes on with the same statement ("not true that A, B or C") stays with the one
    before."""
    out: list[tuple[int, int]] = []
    for a, b in commas:
        if out and not _NEW_STATEMENT.match(text, a):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
