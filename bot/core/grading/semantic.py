"""A semantic-similarity signal: cosine of averaged static word embeddings (WordLlama).

WordLlama (`wordllama` on PyPI, MIT) ships its 256-dimension "L2 supercat" token embeddings
(16 MB, distilled from Llama 2's token embeddings) and its tokenizer inside the wheel. They are
loaded from the installed package with downloads disabled: nothing is fetched at run time, and
the result is deterministic (a table look-up and a mean). An answer is embedded in about a
millisecond per 1,000 characters; a reference's embedding is cached.

It catches what overlap features miss: a paraphrase in other words ("two small matrices whose
product has low rank" for "low-rank update") lands near the reference; an unrelated answer does
not. It is one feature among the combiner's, fitted on train data like the others
(benchmarks/semantic_signal.py measures what it adds).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol


class Embedder(Protocol):
    def embed(self, texts: list[str], norm: bool = ...) -> Any: ...


@lru_cache(maxsize=1)
def wordllama_model() -> Embedder:
    """The bundled WordLlama model (loaded once, from the wheel; never downloads)."""
    import wordllama

    package = Path(wordllama.__file__).parent
    # The wheel keeps the tokenizer under tokenizers/, where load() looks only as a cache: point it there.
    model: Embedder = wordllama.WordLlama.load(cache_dir=package, disable_download=True)
    return model


def available() -> bool:
    try:
        wordllama_model()
    except (ImportError, OSError):
        return False
    return True


class Semantic:
    """Cosine similarity of two texts' mean token embeddings (0 for an empty text)."""

    def __init__(self, model: Embedder | None = None) -> None:
        self._model = model

    @property
    def model(self) -> Embedder:
        if self._model is None:
            self._model = wordllama_model()
        return self._model

    def _vector(self, text: str) -> Any:
        return self.model.embed([text], norm=True)[0]

    @lru_cache(maxsize=16384)  # noqa: B019 - one instance per process; references recur
    def _reference(self, text: str) -> Any:
        return self._vector(text)

    def similarity(self, answer: str, reference: str) -> float:
        if not answer.strip() or not reference.strip():
            return 0.0
        value = float(self._vector(answer) @ self._reference(reference))
        return value if value == value else 0.0  # NaN: a text of no known token


@lru_cache(maxsize=1)
def default_semantic() -> Semantic:
    return Semantic()
