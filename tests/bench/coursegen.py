"""Generates a large, valid course in the Playbook format for benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "audience brand campaign channel conversion copy creative email funnel headline landing "
    "offer persona pipeline prompt retention segment subject test variant voice budget click "
    "insight journey launch metric promise proof story trust"
).split(" ")


def _sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def write_course(root: Path, lessons: int = 500, slides: int = 6, seed: int = 7) -> Path:
    """Write a course of ``lessons`` lessons (``slides`` slides each, a quiz in every
    lesson) under ``root/bench-course`` and return its folder."""
    rng = random.Random(seed)
    folder = root / "bench-course"
    (folder / "lessons").mkdir(parents=True, exist_ok=True)
    per_module = 25
    modules = []
    for m in range(0, lessons, per_module):
        ids = [f"lesson-{i:04d}" for i in range(m, min(m + per_module, lessons))]
        modules.append(
            f'[[modules]]\nid = "module-{m // per_module:03d}"\n'
            f'title = "Module {m // per_module + 1}"\n'
            f"lessons = [{', '.join(repr(i).replace(chr(39), chr(34)) for i in ids)}]\n"
        )
    (folder / "course.toml").write_text(
        'id = "bench-course"\nversion = "1.0.0"\ntitle = "Benchmark course"\n'
        'summary = "Generated for benchmarks."\nlanguage = "en"\nauthors = ["Bench"]\n'
        'license = "CC0-1.0"\nestimated_minutes = 600\n\n' + "\n".join(modules),
        encoding="utf-8",
    )
    for i in range(lessons):
        parts = [
            f"---\nid: lesson-{i:04d}\ntitle: Lesson {i} on {rng.choice(WORDS)}\n"
            "estimated_minutes: 5\ncompletion: all-slides\n---\n"
        ]
        body = []
        for s in range(slides):
            text = "\n\n".join(_sentence(rng) for _ in range(4))
            slide = f"# Slide {s} about {rng.choice(WORDS)} {rng.choice(WORDS)}\n\n{text}\n"
            slide += f"\n- {_sentence(rng, 6)}\n- {_sentence(rng, 6)}\n"
            slide += f"\n```notes\n{_sentence(rng)}\n```\n"
            if s == slides - 1:
                slide += (
                    "\n```quiz\n"
                    f"id: q-{i:04d}\ntype: single\n"
                    f"question: Which word is the {rng.choice(WORDS)}?\n"
                    "choices:\n"
                    "  - text: The first\n    correct: true\n    feedback: Yes.\n"
                    "  - text: The second\n    feedback: No.\n"
                    "```\n"
                )
            body.append(slide)
        parts.append("\n---\n\n".join(body))
        (folder / "lessons" / f"lesson-{i:04d}.md").write_text("".join(parts), encoding="utf-8")
    return folder
