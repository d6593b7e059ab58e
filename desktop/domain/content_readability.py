"""Readability per language, computed offline.

Flesch reading ease with each language's published coefficients (English: Flesch;
German: Amstad; French: Kandel & Moles; Spanish: Fernández Huerta; Dutch: Douma;
Italian: Franchini) and the Flesch-Kincaid grade. Syllables come from pyphen's
hyphenation dictionaries (shipped with pyphen, a WeasyPrint dependency), never from the
network: textstat from 0.7.10 downloads a dictionary at run time and fails offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyphen

# language -> (pyphen dictionary, base, words-per-sentence factor, syllables-per-word factor)
_FORMULAS: dict[str, tuple[str, float, float, float]] = {
    "en": ("en_US", 206.835, 1.015, 84.6),
    "de": ("de_DE", 180.0, 1.0, 58.5),
    "fr": ("fr", 207.0, 1.015, 73.6),
    "es": ("es", 206.84, 1.02, 60.0),
    "nl": ("nl_NL", 206.835, 0.93, 77.0),
    "it": ("it_IT", 217.0, 1.3, 60.0),
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)|\n\s*\n|\n")
_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëîïôöùûüáíóúæœ]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Readability:
    language: str  # the language whose formula was used
    reading_ease: float  # higher is easier; 60-70 is plain language
    grade: float  # Flesch-Kincaid grade level
    words: int
    sentences: int

    @property
    def verdict(self) -> str:
        if self.reading_ease >= 70:
            return "easy"
        if self.reading_ease >= 50:
            return "fairly difficult" if self.reading_ease < 60 else "plain"
        if self.reading_ease >= 30:
            return "difficult"
        return "very difficult"


def supported(language: str) -> bool:
    return _base_language(language) in _FORMULAS


def _base_language(language: str) -> str:
    return language.lower().replace("_", "-").split("-")[0]


@lru_cache(maxsize=8)
def _dictionary(name: str) -> pyphen.Pyphen | None:
    import pyphen  # its dictionaries load when a check first needs them, not at start

    try:
        return pyphen.Pyphen(lang=name)
    except KeyError:
        return None


@lru_cache(maxsize=4096)
def _syllables(word: str, dictionary: str) -> int:
    """Syllables of a word: hyphenation points + 1 (pyphen), or vowel groups when the
    language has no dictionary."""
    hyphenator = _dictionary(dictionary)
    if hyphenator is None:
        return max(1, len(_VOWEL_GROUPS.findall(word)))
    return len(hyphenator.positions(word.lower())) + 1


def readability(text: str, language: str = "en") -> Readability | None:
    """Reading ease and grade of ``text``; None when there are no words."""
    words = _WORD.findall(text)
    if not words:
        return None
    base = _base_language(language)
    dictionary, k, a, b = _FORMULAS.get(base, _FORMULAS["en"])
    sentences = max(1, len([s for s in _SENTENCE_END.split(text.strip()) if _WORD.search(s)]))
    syllables = sum(_syllables(w, dictionary) for w in words)
    wps = len(words) / sentences
    spw = syllables / len(words)
    ease = k - a * wps - b * spw
    grade = 0.39 * wps + 11.8 * spw - 15.59
    return Readability(
        base if base in _FORMULAS else "en",
        round(ease, 1),
        round(max(grade, 0.0), 1),
        len(words),
        sentences,
    )
