"""Policy Studio: PDF export time, and the UI event loop while a PDF is exported.

Measured in a fresh process (Qt offscreen):

- **Export time** of the refund policy (EU + UK: the longest bundled policy, with a TOC
  and the model withdrawal form) through the real export path (sandboxed template,
  Markdown, sanitising, the WeasyPrint worker process), against a **raw WeasyPrint
  render of the same HTML** in the same process and run. Both warmed up; best of N.
  Goal: at most 1.2x.
- **Event-loop stall**: a 5 ms QTimer ticks on the GUI thread while the export runs
  through the window's TaskRunner; the longest gap between ticks minus the interval is
  the stall. Goal: at most 50 ms. The baseline is the same timer with no export.

``run(work)`` returns the Results for ``make bench``; ``python -m tests.bench.policy_bench``
prints them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.__main__ import Result

RATIO_GOAL = 1.2
STALL_GOAL_MS = 50.0
REPEATS = 5
TICK_MS = 5

DATA = {
    "company": {
        "company_name": "Northwind Outfitters",
        "legal_name": "Northwind Outfitters Ltd",
        "address": "1 Harbour Road, Dublin D02 X285, Ireland",
        "email": "help@northwind.example",
        "website": "https://northwind.example",
        "currency": "EUR",
        "markets": ["eu", "uk"],
        "sells_to_consumers": True,
        "sells_physical": True,
    },
    "answers": {"start_return": "Email us your order number.", "excluded_items": ["custom"]},
    "effective_date": "2027-03-01",
}


def _child() -> dict[str, Any]:  # runs in the fresh process
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import weasyprint

    from desktop.integrations import pdf as pdf_integration
    from desktop.services.policies import export_from_answers

    captured: list[str] = []

    def capture(html: str) -> bytes:
        captured.append(html)
        return b""

    export_from_answers("refund", DATA, ["eu", "uk"], "pdf", pdf=capture)
    html = captured[0]

    def raw() -> bytes:
        return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]

    def export() -> bytes:
        return export_from_answers("refund", DATA, ["eu", "uk"], "pdf").data

    raw()
    export()  # starts and warms the worker process
    raw_times, export_times = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        raw()
        raw_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        export()
        export_times.append(time.perf_counter() - t0)

    pdf_integration.shutdown()
    return {"raw_s": min(raw_times), "export_s": min(export_times)}


def _stall_child() -> dict[str, Any]:  # a fresh process without WeasyPrint, like the app
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.integrations import pdf as pdf_integration
    from desktop.services.policies import export_from_answers
    from desktop.ui.tasks import TaskRunner

    def export() -> bytes:
        return export_from_answers("refund", DATA, ["eu", "uk"], "pdf").data

    export()  # starts the worker process, as the first export in a session does
    app = QApplication(sys.argv)
    runner = TaskRunner()

    def gaps_during(work: Any) -> list[float]:
        clock = QElapsedTimer()
        gaps: list[float] = []
        last = [0]
        timer = QTimer()
        timer.setInterval(TICK_MS)

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer.timeout.connect(tick)
        loop = QEventLoop()
        clock.start()
        timer.start()
        if work is None:
            QTimer.singleShot(1000, loop.quit)
        else:
            # Quit a little after the result arrives, so the runner's own bookkeeping
            # on the GUI thread after the task is measured too.
            runner.run("Exporting PDF", work, on_done=lambda _r: QTimer.singleShot(50, loop.quit))
        loop.exec()
        timer.stop()
        return gaps

    baseline = max(gaps_during(None)[1:]) - TICK_MS
    stalls = [max(gaps_during(export)[1:]) - TICK_MS for _ in range(REPEATS)]
    runner.shutdown()
    pdf_integration.shutdown()
    del app
    return {"stall_ms": max(stalls), "median_stall_ms": sorted(stalls)[len(stalls) // 2],
            "baseline_stall_ms": baseline}  # fmt: skip


def _spawn(flag: str) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.policy_bench", flag],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(work: Path) -> list[Result]:
    figures = {**_spawn("--child"), **_spawn("--stall-child")}
    ratio = figures["export_s"] / figures["raw_s"]
    return [
        Result(
            "Policy PDF export vs raw WeasyPrint (same HTML)",
            f"{figures['export_s'] * 1000:.0f} ms vs {figures['raw_s'] * 1000:.0f} ms"
            f" = {ratio:.2f}x",
            f"<= {RATIO_GOAL}x",
            ratio <= RATIO_GOAL,
        ),
        Result(
            "UI event-loop stall while a PDF exports",
            f"worst {figures['stall_ms']:.0f} ms, median {figures['median_stall_ms']:.0f} ms"
            f" (idle baseline {figures['baseline_stall_ms']:.0f} ms)",
            f"<= {STALL_GOAL_MS:.0f} ms",
            figures["stall_ms"] <= STALL_GOAL_MS,
        ),
    ]


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()))
    elif "--stall-child" in sys.argv:
        print(json.dumps(_stall_child()))
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for result in run(Path(tmp)):
                mark = "ok " if result.ok else "MISS"
                print(f"[{mark}] {result.name}: {result.value} (goal {result.goal})")
